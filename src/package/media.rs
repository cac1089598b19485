//! Media naming: every packed file gets a basename-only, Anki-normalised, content-hashed name,
//! so a changed image gets a new name (Anki never replaces a file it already has, §3).
//! [`MediaPacker`] reads and checks the local images the renderer meets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    let base = original.rsplit(['/', '\\']).next().unwrap_or(original);
    let (stem, ext) = match base.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, e.to_ascii_lowercase()),
        _ => (base, String::new()),
    };
    let hash = crate::key::hex(&Sha256::digest(bytes)[..4]);
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
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
        let head = head.trim_start_matches('\u{feff}').trim_start();
        if (head.starts_with("<svg") || head.starts_with("<?xml")) && head.contains("<svg") {
            Some("svg")
        } else {
            None
        }
    }
}

/// Packs local media for one deck: reads each file once, checks it is the image its name
/// says, and names it by content.
pub struct MediaPacker {
    root: PathBuf,
    by_path: BTreeMap<PathBuf, String>,
    media: BTreeMap<String, MediaFile>,
}

impl MediaPacker {
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            by_path: BTreeMap::new(),
            media: BTreeMap::new(),
        }
    }

    /// The packed files, sorted by name so the package does not depend on reference order.
    pub fn into_media(self) -> Vec<MediaFile> {
        self.media.into_values().collect()
    }
}

impl MediaResolver for MediaPacker {
    fn resolve(&mut self, path: &Path, origin: &SourceLocation) -> Result<String> {
        if let Some(name) = self.by_path.get(path) {
            return Ok(name.clone());
        }
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
        let bytes = read::read_regular(&target, shown, read::MAX_IMAGE_BYTES).map_err(place)?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let sniffed = sniff_image(&bytes);
        let claims_image = matches!(
            ext.as_str(),
            "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg"
        );
        if claims_image && sniffed.is_none() {
            return Err(Error::new(format!(
                "{} is named like an image but its content is not one",
                shown.display()
            ))
            .at(origin.clone())
            .help("replace the file with a real PNG, JPEG, GIF, WebP or SVG image"));
        }
        let name = packed_name(&shown.to_string_lossy(), &bytes);
        self.by_path.insert(path.to_path_buf(), name.clone());
        self.media.insert(
            name.clone(),
            MediaFile {
                name: name.clone(),
                source: MediaSource::File(target),
            },
        );
        Ok(name)
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
