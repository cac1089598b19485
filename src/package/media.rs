//! Media naming: every packed file gets a basename-only, Anki-normalised, content-hashed name,
//! so a changed image gets a new name (Anki never replaces a file it already has, §3).
//! [`MediaPacker`] reads and checks the local images the renderer meets.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::model::{MediaFile, MediaSource};
use crate::error::{Error, Result, SourceLocation};
use crate::fs::read;
use crate::render::MediaResolver;
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// Anki truncates media names to 120 bytes; we stay below it, hash included.
const MAX_NAME_BYTES: usize = 120;

/// The packed name for a file originally called `original` with content `bytes`:
/// `stem.<8 hex of sha256>.ext`, normalised the way Anki normalises media names.
pub fn packed_name(original: &str, bytes: &[u8]) -> String {
    name_with_hash(original, &Sha256::digest(bytes))
}

/// [`packed_name`] of a file whose content hashed to `digest` (SHA-256).
fn name_with_hash(original: &str, digest: &[u8]) -> String {
    let base = original.rsplit(['/', '\\']).next().unwrap_or(original);
    let (stem, ext) = match base.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, e.to_ascii_lowercase()),
        _ => (base, String::new()),
    };
    let hash = crate::key::hex(&digest[..4]);
    let clean_ext = normalize(&ext);
    let suffix = if clean_ext.is_empty() {
        format!(".{hash}")
    } else {
        format!(".{hash}.{clean_ext}")
    };
    let mut clean_stem = normalize(stem);
    if clean_stem.is_empty() {
        clean_stem.push_str("media");
    }
    while clean_stem.len() + suffix.len() > MAX_NAME_BYTES {
        clean_stem.pop();
    }
    format!("{clean_stem}{suffix}")
}

/// NFC, and only characters that survive Anki's `normalize_filename` unchanged and need no
/// escaping in HTML attributes or URLs: anything else becomes `-`.
fn normalize(name: &str) -> String {
    let nfc: String = name.nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    for c in nfc.chars() {
        if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches(['-', '.']).to_string()
}

/// What kind of image the bytes are, judged by content rather than by name.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else {
        let head =
            String::from_utf8_lossy(&bytes[..bytes.len().min(SNIFF_BYTES)]).to_ascii_lowercase();
        let head = head.trim_start_matches('\u{feff}').trim_start();
        if (head.starts_with("<svg") || head.starts_with("<?xml")) && head.contains("<svg") {
            Some("svg")
        } else {
            None
        }
    }
}

/// The images a build has packed so far, by the path a card names them with, shared by the
/// [`MediaPacker`] of every file: the primer's three decks show the same figures, and each is
/// read and hashed once a build instead of once a file. Only images that passed every check
/// are kept, so a file that names a bad one still gets its own error.
#[derive(Default)]
pub struct PackedImages(Mutex<HashMap<PathBuf, MediaFile>>);

impl PackedImages {
    fn get(&self, path: &Path) -> Option<MediaFile> {
        let packed = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        packed.get(path).cloned()
    }

    fn insert(&self, path: &Path, media: &MediaFile) {
        let mut packed = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        packed.insert(path.to_path_buf(), media.clone());
    }
}

/// Packs local media for one file: reads each image once a build (see [`PackedImages`]),
/// checks it is the image its name says, and names it by content.
pub struct MediaPacker<'a> {
    root: PathBuf,
    packed: &'a PackedImages,
    by_path: BTreeMap<PathBuf, String>,
    media: BTreeMap<String, MediaFile>,
}

impl<'a> MediaPacker<'a> {
    pub fn new(root: &Path, packed: &'a PackedImages) -> Self {
        Self {
            root: root.to_path_buf(),
            packed,
            by_path: BTreeMap::new(),
            media: BTreeMap::new(),
        }
    }

    /// The packed files, sorted by name so the package does not depend on reference order.
    pub fn into_media(self) -> Vec<MediaFile> {
        self.media.into_values().collect()
    }

    fn keep(&mut self, path: &Path, media: MediaFile) -> String {
        let name = media.name.clone();
        self.by_path.insert(path.to_path_buf(), name.clone());
        self.media.insert(name.clone(), media);
        name
    }

    /// Check the image at `path` and name it by its content.
    fn pack(&self, path: &Path, origin: &SourceLocation) -> Result<MediaFile> {
        let shown = path.strip_prefix(&self.root).unwrap_or(path);
        if std::fs::symlink_metadata(path).is_err() {
            return Err(Error::new(format!("image not found: {}", shown.display()))
                .at(origin.clone())
                .help("fix the image path, or add the file"));
        }
        // Symlinks out of the content, FIFOs, devices and huge files are refused here, so a
        // stranger's checkout cannot pack the build machine's files into a deck.
        let place = |mut error: Error| {
            error.location = Some(origin.clone());
            error
        };
        let target = read::resolve_inside(&self.root, path).map_err(place)?;
        // Streamed: an image is only hashed and sniffed here, and copied into the package
        // later, so it is never held whole (a fresh buffer per image cost a tenth of the
        // primer's build in page zeroing alone).
        let mut hasher = Sha256::new();
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        read::stream_regular(&target, shown, read::MAX_IMAGE_BYTES, &mut |piece| {
            hasher.update(piece);
            let room = SNIFF_BYTES - head.len();
            head.extend_from_slice(&piece[..piece.len().min(room)]);
        })
        .map_err(place)?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let claims_image = matches!(
            ext.as_str(),
            "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg"
        );
        if claims_image && sniff_image(&head).is_none() {
            return Err(Error::new(format!(
                "{} is named like an image but its content is not one",
                shown.display()
            ))
            .at(origin.clone())
            .help("replace the file with a real PNG, JPEG, GIF, WebP or SVG image"));
        }
        Ok(MediaFile {
            name: name_with_hash(&shown.to_string_lossy(), &hasher.finalize()),
            source: MediaSource::File(target),
        })
    }
}

/// The bytes [`sniff_image`] looks at.
const SNIFF_BYTES: usize = 1024;

impl MediaResolver for MediaPacker<'_> {
    fn resolve(&mut self, path: &Path, origin: &SourceLocation) -> Result<String> {
        if let Some(name) = self.by_path.get(path) {
            return Ok(name.clone());
        }
        if let Some(media) = self.packed.get(path) {
            return Ok(self.keep(path, media));
        }
        let media = self.pack(path, origin)?;
        self.packed.insert(path, &media);
        Ok(self.keep(path, media))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_basename_hashed_and_clean() {
        let name = packed_name("images/Bad:Name?.PNG", b"abc");
        assert_eq!(name, "Bad-Name.ba7816bf.png");
        assert_ne!(packed_name("a.png", b"1"), packed_name("a.png", b"2"));
    }

    #[test]
    fn long_names_are_truncated() {
        let long = format!("{}.png", "x".repeat(300));
        assert!(packed_name(&long, b"").len() <= MAX_NAME_BYTES);
    }

    #[test]
    fn sniffs_images_by_content() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some("png"));
        assert_eq!(
            sniff_image(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            Some("svg")
        );
        assert_eq!(sniff_image(b"hello"), None);
    }
}
