//! Remote images (`http(s)://…`) made local where the content has their file, so a card shows
//! them offline. Two rules, in order:
//!
//! 1. **By name.** The URL's last path segment names a file in the content's `images/` folder
//!    or in the document's own folder.
//! 2. **The one file left in the folder.** When a document has exactly one remote image that
//!    rule 1 does not find, and its folder holds exactly one image file that the document does
//!    not already show (neither by its own path, nor by rule 1, nor as a file of the same pixel
//!    size as one it shows: a copy kept under another name), that file is the image.
//!
//! Anything else stays remote, and the build and `check` say so (`--remote-images`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::document::{Block, BlockKind, Document};
use crate::markup::{join_relative, percent_decode};

/// Extensions of the files rule 2 considers images.
const IMAGE_EXTENSIONS: [&str; 6] = ["png", "jpg", "jpeg", "gif", "svg", "webp"];

/// Whether `src` is a remote URL (`http://`, `https://` or protocol-relative).
pub(super) fn is_remote(src: &str) -> bool {
    let src = src.trim();
    src.starts_with("http://") || src.starts_with("https://") || src.starts_with("//")
}

/// The content file a remote image is a copy of, if the rules above find one.
pub(super) fn local_copy(root: &Path, doc: &Document, src: &str) -> Option<PathBuf> {
    let dir = doc.file.parent().unwrap_or(Path::new(""));
    by_name(root, dir, src).or_else(|| left_in_folder(root, doc, src))
}

/// The URL's file name, without query or fragment.
fn url_file_name(src: &str) -> &str {
    let name = src.trim().rsplit('/').next().unwrap_or("");
    name.split(['?', '#']).next().unwrap_or("")
}

/// Rule 1.
fn by_name(root: &Path, dir: &Path, src: &str) -> Option<PathBuf> {
    let name = url_file_name(src);
    if name.is_empty() || name.contains("..") || name.contains('\\') {
        return None;
    }
    [root.join("images").join(name), root.join(dir).join(name)]
        .into_iter()
        .find(|candidate| candidate.is_file())
}

/// Rule 2.
fn left_in_folder(root: &Path, doc: &Document, src: &str) -> Option<PathBuf> {
    let dir = doc.file.parent().unwrap_or(Path::new(""));
    let mut srcs = Vec::new();
    for section in &doc.sections {
        image_srcs(&section.blocks, &mut srcs);
    }
    let mut unfound = BTreeSet::new();
    let mut shown = BTreeSet::new();
    for s in &srcs {
        if is_remote(s) {
            match by_name(root, dir, s) {
                Some(path) => {
                    shown.insert(path);
                }
                None => {
                    unfound.insert(s.trim());
                }
            }
        } else if let Some(rel) = join_relative(dir, &percent_decode(s.split(['?', '#']).next()?)) {
            shown.insert(root.join(rel));
        }
    }
    if unfound.len() != 1 || !unfound.contains(src.trim()) {
        return None;
    }
    let shown_sizes: BTreeSet<(u32, u32)> = shown.iter().filter_map(|p| png_size(p)).collect();
    let mut left = std::fs::read_dir(root.join(dir))
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.is_file()
                && path.extension().is_some_and(|e| {
                    IMAGE_EXTENSIONS.contains(&e.to_string_lossy().to_lowercase().as_str())
                })
                && !shown.contains(path)
                && png_size(path).is_none_or(|size| !shown_sizes.contains(&size))
        });
    let only = left.next()?;
    left.next().is_none().then_some(only)
}

/// Every image source of `blocks`, in order, lists and quotes included.
fn image_srcs(blocks: &[Block], out: &mut Vec<String>) {
    for block in blocks {
        match &block.kind {
            BlockKind::Figure(figure) => out.extend(figure.images.iter().map(|i| i.src.clone())),
            BlockKind::List(list) => {
                for item in &list.items {
                    image_srcs(&item.blocks, out);
                }
            }
            BlockKind::Quote(inner) => image_srcs(inner, out),
            _ => {}
        }
    }
}

/// Width and height from a PNG's header; `None` for anything else.
fn png_size(path: &Path) -> Option<(u32, u32)> {
    use std::io::Read;
    let mut head = [0u8; 24];
    std::fs::File::open(path).ok()?.read_exact(&mut head).ok()?;
    if &head[..8] != b"\x89PNG\r\n\x1a\n" || &head[12..16] != b"IHDR" {
        return None;
    }
    let word = |at: usize| u32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    Some((word(16), word(20)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Figure, Image, Section};

    fn png(path: &Path, (w, h): (u32, u32)) {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        bytes.extend(w.to_be_bytes());
        bytes.extend(h.to_be_bytes());
        std::fs::write(path, bytes).unwrap();
    }

    fn doc(file: &str, srcs: &[&str]) -> Document {
        let figure = |src: &str| Block {
            kind: BlockKind::Figure(Figure {
                images: vec![Image {
                    src: src.into(),
                    alt: String::new(),
                }],
                caption: None,
            }),
            line: 1,
            pin: None,
        };
        Document {
            file: file.into(),
            sections: vec![Section {
                level: 1,
                title_text: String::new(),
                anchor: String::new(),
                parent: None,
                children: Vec::new(),
                blocks: srcs.iter().map(|s| figure(s)).collect(),
                line: 1,
                pin: None,
                footnotes: Vec::new(),
            }],
            warnings: Vec::new(),
            image_places: Vec::new(),
        }
    }

    #[test]
    fn a_remote_image_is_found_by_name_then_as_the_one_file_left_in_its_folder() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        std::fs::create_dir_all(root.join("images")).unwrap();
        std::fs::create_dir_all(root.join("shop")).unwrap();
        png(&root.join("images/full123.png"), (300, 200));
        png(&root.join("shop/shop.png"), (300, 200)); // a copy of full123 under another name
        png(&root.join("shop/shop_small.png"), (120, 80));
        let d = doc(
            "shop/README.md",
            &[
                "http://img.example/first99.png",
                "https://img.example/full123.png",
            ],
        );
        assert_eq!(
            local_copy(root, &d, "https://img.example/full123.png"),
            Some(root.join("images/full123.png"))
        );
        assert_eq!(
            local_copy(root, &d, "http://img.example/first99.png"),
            Some(root.join("shop/shop_small.png"))
        );
        // Two files left for one image: no guess.
        png(&root.join("shop/other.png"), (50, 50));
        assert_eq!(local_copy(root, &d, "http://img.example/first99.png"), None);
    }

    #[test]
    fn two_unfound_remote_images_are_left_remote() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        std::fs::create_dir_all(root.join("shop")).unwrap();
        png(&root.join("shop/a.png"), (10, 10));
        let d = doc(
            "shop/README.md",
            &["http://x.example/1.png", "http://x.example/2.png"],
        );
        assert_eq!(local_copy(root, &d, "http://x.example/1.png"), None);
        assert!(is_remote("//x.example/a.png") && !is_remote("images/a.png"));
        assert_eq!(url_file_name("https://x.example/a/b.png?s=1#f"), "b.png");
    }
}
