//! Other output formats than `.apkg`, written from the same [`Package`] the packager writes:
//!
//! - `csv`: Anki's own text-import format (File > Import), one file per deck, with the note
//!   type, deck, GUID and tags columns, so re-importing updates notes instead of duplicating
//!   them. The note types must already be in the collection (import the `.apkg` once).
//! - `json`: everything in the deck for other tools: deck, note types with templates and CSS,
//!   notes with named fields, tags and cards, media names.
//!
//! Media cannot travel inside a text file: they are copied to `<stem>.media/` beside it.

pub mod csv;
pub mod json;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::package::model::{MediaSource, Package};
use crate::package::{self, ArchiveOptions};

/// What `build --format` writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Anki deck package (what learners import).
    #[default]
    Apkg,
    /// Anki's text-import format, with note type, deck, GUID and tags columns.
    Csv,
    /// Everything in the deck, for other tools.
    Json,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Apkg => "apkg",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// Write one deck's package to `<out>/<stem>.<ext>` in `format`; returns the path.
pub fn write(
    package: &Package,
    out: &Path,
    stem: &str,
    format: Format,
    archive: ArchiveOptions,
) -> Result<PathBuf> {
    let (path, unplaced) = write_unplaced(package, out, stem, format, archive)?;
    if let Some(unplaced) = unplaced {
        unplaced.put_in_place()?;
    }
    Ok(path)
}

/// [`write()`] without the final rename of a CSV or JSON file: it waits, finished and synced,
/// under a temporary name until the caller has written the lock (`None` for an `.apkg`, which
/// is written in place here; the build streams its packages through the packager instead).
/// Media are copied at once: their names are their content's, so a kill leaves no file that
/// disagrees with the lock.
pub fn write_unplaced(
    package: &Package,
    out: &Path,
    stem: &str,
    format: Format,
    archive: ArchiveOptions,
) -> Result<(PathBuf, Option<crate::fs::Unplaced>)> {
    let path = out.join(format!("{stem}.{}", format.extension()));
    let text = match format {
        Format::Apkg => {
            package::write_apkg(package, &path, archive)?;
            return Ok((path, None));
        }
        Format::Csv => csv::to_csv(package),
        Format::Json => json::to_json(package),
    };
    let unplaced = crate::fs::Unplaced::with_bytes(&path, text.as_bytes())?;
    copy_media(package, &out.join(format!("{stem}.media")))?;
    Ok((path, Some(unplaced)))
}

/// Copy the package's media into `dir` under their packed names (what the fields refer to).
pub fn copy_media(package: &Package, dir: &Path) -> Result<()> {
    if package.media.is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create the media directory", dir, e))?;
    for media in &package.media {
        let target = dir.join(&media.name);
        match &media.source {
            MediaSource::File(source) => {
                std::fs::copy(source, &target).map_err(|e| Error::io("copy media", source, e))?;
            }
            MediaSource::Bytes(bytes) => {
                std::fs::write(&target, bytes).map_err(|e| Error::io("write media", &target, e))?;
            }
        }
    }
    Ok(())
}
