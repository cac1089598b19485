//! The build stamp: lets a rebuild with nothing changed finish without writing anything.
//!
//! After each build, `<out>/.primer-anki-stamp` records a fingerprint of everything the build
//! read — the program, the options, every file under the content directory and the lock file,
//! by path, size and modification time — and each output with its size and modification time.
//! When the next build computes the same fingerprint and every output is still as written, the
//! decks are up to date. Metadata rather than content keeps the check to a few milliseconds;
//! any doubt (a touched file, a copied checkout) only costs a real, reproducible rebuild.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};

use super::{BuildOptions, DeckReport};
use crate::error::{Error, Result};
use crate::input::Content;

pub const FILE_NAME: &str = ".primer-anki-stamp";
const HEADER: &str = "primer-anki build stamp v1";

/// A fingerprint of the build's inputs.
pub fn fingerprint(options: &BuildOptions, content: &Content, lock_path: &Path) -> String {
    let mut hasher = Sha256::new();
    let mut line = |s: String| {
        hasher.update(s.as_bytes());
        hasher.update(b"\n");
    };
    line(format!("version {}", env!("CARGO_PKG_VERSION")));
    if let Ok(exe) = std::env::current_exe() {
        line(format!("exe {}", meta(&exe)));
    }
    line(format!(
        "options {:?} {:?} {:?} {:?} {:?} {:?}",
        options.content, options.out, lock_path, options.base_url, options.archive, options.format
    ));
    line(format!("remote images {:?}", content.remote_images));
    for adopt in &options.adopt {
        line(format!("adopt {adopt:?} {}", meta(adopt)));
    }
    line(format!("lock {}", meta(lock_path)));
    let out = options.out.canonicalize().ok();
    let mut files = Vec::new();
    walk(&content.root, out.as_deref(), &mut files);
    files.sort();
    for file in files {
        line(format!("file {file:?} {}", meta(&file)));
    }
    let digest = hasher.finalize();
    crate::key::hex(&digest)
}

/// Every file below `dir`, skipping hidden entries and the output directory.
fn walk(dir: &Path, skip: Option<&Path>, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if skip.is_some_and(|s| path.canonicalize().ok().as_deref() == Some(s)) {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, skip, out),
            Ok(_) => out.push(path),
            Err(_) => {}
        }
    }
}

/// Size and modification time (ns), or "missing".
fn meta(path: &Path) -> String {
    match std::fs::metadata(path) {
        Ok(m) => {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{} {mtime}", m.len())
        }
        Err(_) => "missing".into(),
    }
}

/// The decks of the last build, when its stamp matches `fingerprint` and its outputs are
/// untouched.
pub fn unchanged(out: &Path, fingerprint: &str) -> Option<Vec<DeckReport>> {
    let text = std::fs::read_to_string(out.join(FILE_NAME)).ok()?;
    let mut lines = text.lines();
    if lines.next()? != HEADER || lines.next()? != format!("fingerprint {fingerprint}") {
        return None;
    }
    let mut decks = Vec::new();
    for line in lines {
        let parts: Vec<&str> = line.split('\t').collect();
        let [name, notes, cards, media, path, file_meta] = parts.as_slice() else {
            return None;
        };
        let path = PathBuf::from(path);
        if meta(&path) != *file_meta {
            return None;
        }
        decks.push(DeckReport {
            name: name.to_string(),
            notes: notes.parse().ok()?,
            cards: cards.parse().ok()?,
            media: media.parse().ok()?,
            path,
        });
    }
    Some(decks)
}

/// Record this build's fingerprint and outputs.
pub fn write(out: &Path, fingerprint: &str, decks: &[DeckReport]) -> Result<()> {
    let mut text = format!("{HEADER}\nfingerprint {fingerprint}\n");
    for deck in decks {
        let path = deck.path.to_string_lossy();
        if deck.name.contains(['\t', '\n']) || path.contains(['\t', '\n']) {
            // Not representable; without a stamp the next build simply runs in full.
            return Ok(());
        }
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            deck.name,
            deck.notes,
            deck.cards,
            deck.media,
            path,
            meta(&deck.path)
        ));
    }
    crate::fs::write_atomically(&out.join(FILE_NAME), text.as_bytes())
        .map_err(|e| Error::new(format!("cannot record the build stamp: {e}")))
}
