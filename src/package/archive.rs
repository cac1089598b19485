//! Writes the `.apkg` zip: `collection.anki2`, the `media` JSON map, and media files named
//! `0`, `1`, … — reproducibly (fixed entry order, times and permissions) and atomically (a
//! temporary file beside the target, renamed into place only when complete).

use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::collection::{CollectionWriter, Committed};
use super::deflate::{self, Ahead, CHUNK};
use super::model::{MediaSource, Package, PackageMeta};
use crate::error::{Error, Result};
pub use crate::fs::Unplaced;

/// How to write the package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveOptions {
    /// Deflate level 0–9 for the collection and text media; 0 stores everything.
    pub compression_level: u8,
}

impl Default for ArchiveOptions {
    /// Level 1: with zlib-rs it deflates about twice as fast as level 6, for a file about 20%
    /// larger (measured on the bench corpus: 1.2 MB per 10k notes more).
    fn default() -> Self {
        Self {
            compression_level: 1,
        }
    }
}

impl ArchiveOptions {
    /// The deflate level, clamped once to what deflate knows (the command line already
    /// refuses more than 9; a library caller might not).
    fn level(&self) -> u8 {
        self.compression_level.min(9)
    }
}

/// Write `package` to `target` atomically: on any error the previous file at `target` (if any)
/// is untouched and no temporary file is left behind.
pub fn write_apkg(package: &Package, target: &Path, options: ArchiveOptions) -> Result<()> {
    write_apkg_streaming(package.meta(), target, options, |collection| {
        for note in &package.notes {
            collection.add(note)?;
        }
        Ok(())
    })
    .map(|_| ())
}

/// Notes and cards a package holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub notes: usize,
    pub cards: usize,
}

/// [`write_apkg`] for notes that are not all in memory: `add_notes` adds them to the
/// collection one by one. Just as atomic.
pub fn write_apkg_streaming(
    meta: PackageMeta<'_>,
    target: &Path,
    options: ArchiveOptions,
    add_notes: impl FnOnce(&mut CollectionWriter<'_>) -> Result<()>,
) -> Result<Counts> {
    let (counts, finished) = write_apkg_unplaced(meta, target, options, add_notes)?;
    finished.put_in_place()?;
    Ok(counts)
}

/// [`write_apkg_streaming`] without the final rename: the package, synced, under a temporary
/// name (deleted if dropped).
pub fn write_apkg_unplaced(
    meta: PackageMeta<'_>,
    target: &Path,
    options: ArchiveOptions,
    add_notes: impl FnOnce(&mut CollectionWriter<'_>) -> Result<()>,
) -> Result<(Counts, Unplaced)> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file_name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("deck.apkg");
    let temp = |suffix: &str| {
        tempfile::Builder::new()
            .prefix(&format!(".{file_name}."))
            .suffix(suffix)
            .tempfile_in(dir)
            .map_err(|e| Error::io("create a temporary file in the output directory", dir, e))
    };
    // Both temporaries delete themselves when dropped, so an error anywhere below cleans up.
    let collection = temp(".anki2.tmp")?;
    let mut writer = CollectionWriter::create(collection.path(), meta)?;
    add_notes(&mut writer)?;
    let counts = Counts {
        notes: writer.notes(),
        cards: writer.cards(),
    };
    let committed = writer.commit()?;
    let write_err = |e: io::Error| Error::io("write the package", target, e);
    let ahead = if options.compression_level > 0 && committed.settled_len() > 2 * CHUNK as u64 {
        let pieces = temp(".pieces.tmp")?;
        let level = u32::from(options.level());
        Some(index_while_deflating(
            committed,
            collection.path(),
            level,
            pieces,
            target,
        )?)
    } else {
        committed.create_indexes()?;
        None
    };
    let mut zip_file = temp(".tmp")?;
    {
        let writer = BufWriter::with_capacity(1 << 20, zip_file.as_file_mut());
        write_zip(&meta, collection.path(), ahead.as_ref(), writer, options).map_err(
            |e| match e {
                ZipFailure::Io(e) => write_err(e),
                ZipFailure::Media(path, e) => Error::io("read media file", &path, e),
            },
        )?;
    }
    Ok((counts, Unplaced::new(zip_file, target)?))
}

/// Creating the indexes keeps one core busy and leaves the pages of the rows as they are:
/// meanwhile the other core deflates them ahead of the zip.
fn index_while_deflating(
    committed: Committed,
    collection: &Path,
    level: u32,
    pieces: tempfile::NamedTempFile,
    target: &Path,
) -> Result<Ahead> {
    let write_err = |e: io::Error| Error::io("write the package", target, e);
    let settled = committed.settled_len();
    let stop = AtomicBool::new(false);
    let (indexed, ahead) = std::thread::scope(|scope| {
        let early =
            scope.spawn(|| deflate::ahead(collection, level, CHUNK, settled, pieces, &stop));
        let indexed = committed.create_indexes();
        // Both cores are free now: the zip deflates what is left on both.
        stop.store(true, Ordering::Relaxed);
        (indexed, early.join())
    });
    indexed?;
    ahead
        .map_err(|_| write_err(io::Error::other("the thread compressing ahead stopped")))?
        .map_err(write_err)
}

enum ZipFailure {
    Io(io::Error),
    Media(std::path::PathBuf, io::Error),
}

impl From<io::Error> for ZipFailure {
    fn from(e: io::Error) -> Self {
        ZipFailure::Io(e)
    }
}

impl From<zip::result::ZipError> for ZipFailure {
    fn from(e: zip::result::ZipError) -> Self {
        match e {
            // Keep the OS error kind (e.g. StorageFull) so the message can say what to do.
            zip::result::ZipError::Io(e) => ZipFailure::Io(e),
            other => ZipFailure::Io(io::Error::other(other)),
        }
    }
}

fn write_zip<W: Write + Seek>(
    package: &PackageMeta<'_>,
    collection: &Path,
    ahead: Option<&Ahead>,
    writer: W,
    options: ArchiveOptions,
) -> Result<(), ZipFailure> {
    let mut zip = ZipWriter::new(writer);
    match write_entries(package, collection, ahead, &mut zip, options) {
        Ok(()) => {
            let mut writer = zip.finish()?;
            writer.flush()?;
            Ok(())
        }
        Err(e) => {
            // A ZipWriter dropped unfinished tries to finish itself and prints to stderr; the
            // temporary file is discarded anyway, so skip that.
            std::mem::forget(zip);
            Err(e)
        }
    }
}

fn write_entries<W: Write + Seek>(
    package: &PackageMeta<'_>,
    collection: &Path,
    ahead: Option<&Ahead>,
    zip: &mut ZipWriter<W>,
    options: ArchiveOptions,
) -> Result<(), ZipFailure> {
    let time = zip_time(package.build_time);
    let base = SimpleFileOptions::default()
        .last_modified_time(time)
        .unix_permissions(0o644);
    let deflated = if options.compression_level == 0 {
        base.compression_method(CompressionMethod::Stored)
    } else {
        base.compression_method(CompressionMethod::Deflated)
            .compression_level(Some(i64::from(options.level())))
    };
    let stored = base.compression_method(CompressionMethod::Stored);
    // Large collections need zip64 sizes; decide up front so the header is right.
    let collection_len = std::fs::metadata(collection)?.len();
    zip.start_file(
        "collection.anki2",
        deflated.large_file(collection_len >= 0xFFFF_0000),
    )?;
    if options.compression_level == 0 {
        io::copy(&mut File::open(collection)?, zip)?;
    } else {
        write_deflated_on_all_cores(zip, collection, ahead, options.level())?;
    }

    let mut map = serde_json::Map::new();
    for (index, media) in package.media.iter().enumerate() {
        map.insert(
            index.to_string(),
            serde_json::Value::String(media.name.clone()),
        );
    }
    zip.start_file("media", deflated)?;
    zip.write_all(serde_json::Value::Object(map).to_string().as_bytes())?;

    for (index, media) in package.media.iter().enumerate() {
        let options = if is_precompressed(&media.name) {
            stored
        } else {
            deflated
        };
        zip.start_file(index.to_string(), options)?;
        match &media.source {
            MediaSource::Bytes(bytes) => zip.write_all(bytes)?,
            MediaSource::File(path) => {
                let mut file = File::open(path).map_err(|e| ZipFailure::Media(path.clone(), e))?;
                // Copy by hand so a read failure blames the media file and a write failure
                // (a full disk) blames the package.
                let mut buffer = vec![0u8; 64 * 1024];
                loop {
                    let n = io::Read::read(&mut file, &mut buffer)
                        .map_err(|e| ZipFailure::Media(path.clone(), e))?;
                    if n == 0 {
                        break;
                    }
                    zip.write_all(&buffer[..n])?;
                }
            }
        }
    }
    Ok(())
}

/// Deflating the collection is the last step of a build and ran on one core; the collection
/// of a 900,000-note deck is about 500 MB. The zip crate deflates an entry on the calling
/// thread, so the chunks are compressed by [`deflate`] and written beneath the entry's
/// encoder, which then ends the stream with its (empty) final block.
#[allow(unsafe_code)] // the zip crate's raw-writer API; see the SAFETY comments
fn write_deflated_on_all_cores<W: Write + Seek>(
    zip: &mut ZipWriter<W>,
    collection: &Path,
    ahead: Option<&Ahead>,
    level: u8,
) -> Result<(), ZipFailure> {
    let checked = {
        // SAFETY (the contract of `get_mut`: do not corrupt the archive, leave the writer at the
        // end of what was written): the entry was just started, so its deflate encoder has had
        // no input and has written nothing. We append complete, byte-aligned, non-final deflate
        // blocks at the current position, which is where the entry's data goes; when the entry
        // is finished, its encoder appends the final block, which makes one valid stream.
        let raw = unsafe { zip.get_mut() }
            .ok_or_else(|| io::Error::other("the zip entry has no writer"))?;
        deflate::deflate_file(collection, u32::from(level), CHUNK, ahead, |piece| {
            raw.write_all(piece)
        })?
    };
    // SAFETY (the contract of `set_file_metadata`: the exact uncompressed size and CRC-32 of the
    // data written for this entry): `deflate_file` measured both on the bytes it compressed,
    // and the encoder's own final block adds no data.
    unsafe { zip.set_file_metadata(checked.len, checked.crc32) }?;
    Ok(())
}

/// Formats that are already compressed gain nothing from deflate; storing them is faster.
fn is_precompressed(name: &str) -> bool {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    matches!(
        ext.as_str(),
        "png" | "jpg" | "jpeg" | "gif" | "webp" | "avif" | "mp3" | "mp4" | "ogg" | "webm"
    )
}

/// The zip timestamp for the build time (UTC), clamped to the range a zip can hold.
fn zip_time(epoch_seconds: i64) -> DateTime {
    let days = epoch_seconds.div_euclid(86_400);
    let secs = epoch_seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (y, m, d, secs) = if y < 1980 {
        (1980, 1, 1, 0)
    } else if y > 2107 {
        (2107, 12, 31, 86_399)
    } else {
        (y, m, d, secs)
    };
    DateTime::from_date_and_time(
        y as u16,
        m as u8,
        d as u8,
        (secs / 3600) as u8,
        (secs % 3600 / 60) as u8,
        (secs % 60) as u8,
    )
    .unwrap_or_default()
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's algorithm.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn precompressed_formats_are_stored() {
        assert!(is_precompressed("a.PNG"));
        assert!(is_precompressed("b.jpeg"));
        assert!(!is_precompressed("c.svg"));
    }
}
