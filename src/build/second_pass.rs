//! The second pass: the notes read back from the spill, in document order, with the
//! identities decided between the passes, streamed into each deck's package and the new lock.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::first_pass::{FirstPass, read_back_error, spill_ended};
use super::identities::Identities;
use super::spill::{self, SpilledNote};
use super::{BuildOptions, DeckReport};
use crate::error::{Error, Result};
use crate::identity;
use crate::identity::lock::{LockWriter, LockedDeck, LockedNotetype};
use crate::input::{Content, DeckSpec};
use crate::package;
use crate::package::collection::{CollectionWriter, JsonText, NoteRow, RowIds};
use crate::package::model::{Deck, MediaFile, Notetype, Package, PackageMeta};

/// The GUIDs of a deck, to find two alike. Hashed by foldhash (SipHash showed in the profile
/// of the second pass), seeded anew in every build so that GUIDs crafted in a lock file cannot
/// collide on purpose.
type GuidSet = HashSet<[u8; identity::GUID_LEN], foldhash::fast::RandomState>;

/// Writes every deck of `content` from the spill, in manifest order, and the new lock when it
/// changed. Returns what each deck holds.
pub(super) fn write_decks(
    options: &BuildOptions,
    content: &Content,
    pass: &mut FirstPass,
    identities: &Identities,
    lock_path: &Path,
) -> Result<Vec<DeckReport>> {
    let mut lock_out = if identities.lock_changed {
        Some(NewLock::create(
            lock_path,
            &identities.deck_locks,
            &identities.notetype_locks,
        )?)
    } else {
        None
    };
    let media: Vec<Vec<MediaFile>> = pass
        .media
        .iter_mut()
        .map(|media| std::mem::take(media).into_values().collect())
        .collect();
    let pass = &*pass;
    let mut reports = Vec::new();
    let mut unplaced = Vec::new();
    let workers = super::pool::cores();
    let on_all_cores = workers > 1
        && content.decks.len() > 1
        && (0..content.decks.len()).all(|deck| pass.note_count(deck) <= PARALLEL_DECK_NOTES);
    if on_all_cores {
        // Each deck's lock lines wait in a buffer of their own and go to the lock file in
        // manifest order, as they would have gone one deck after another.
        let buffered = lock_out.is_some();
        let decks: Vec<usize> = (0..content.decks.len()).collect();
        super::pool::in_job_order(
            &decks,
            (workers, workers + 1),
            |&deck| {
                let mut lines = buffered.then(String::new);
                let written = write_deck_of(
                    (options, content, pass, identities),
                    deck,
                    &media[deck],
                    (None, lines.as_mut()),
                )?;
                Ok((written, lines))
            },
            |_, ((report, finished), lines)| {
                if let (Some(lock), Some(lines)) = (lock_out.as_mut(), lines) {
                    lock.note(&lines)?;
                }
                reports.push(report);
                unplaced.extend(finished);
                Ok(())
            },
        )?;
    } else {
        for (deck, media) in media.iter().enumerate() {
            let (report, finished) = write_deck_of(
                (options, content, pass, identities),
                deck,
                media,
                (lock_out.as_mut(), None),
            )?;
            reports.push(report);
            unplaced.extend(finished);
        }
    }
    // The lock first, then the decks: a build killed in between leaves a lock that knows
    // every note of the new decks, and the next build rewrites the decks from it. (Decks first
    // would leave decks whose notes the old lock does not know: their ids would change again.)
    if let Some(mut lock) = lock_out {
        lock.writer.all_gone(&identities.resolution.gone);
        lock.check()?;
        lock.persist(lock_path)?;
    }
    for deck in unplaced {
        deck.put_in_place()?;
    }
    Ok(reports)
}

/// Decks are written on all cores at once only when none has more notes than this: each
/// holds its lock lines (about 200 bytes a note) until the decks before it are done. The
/// primer's five decks written side by side: its packages and lock in about 45 ms instead
/// of 80, the whole build's median 180 -> 150 ms (20 builds each, interleaved).
const PARALLEL_DECK_NOTES: usize = 50_000;

/// Writes deck `deck` of `content` with its `media`. Its lock lines go to the lock file being
/// written, or into a buffer (the decks are written on all cores), or nowhere (the lock is
/// unchanged).
fn write_deck_of(
    (options, content, pass, identities): (&BuildOptions, &Content, &FirstPass, &Identities),
    deck: usize,
    media: &[MediaFile],
    (lock, lock_lines): (Option<&mut NewLock>, Option<&mut String>),
) -> Result<(DeckReport, Option<crate::fs::Unplaced>)> {
    let spec = &content.decks[deck];
    let deck_lock: BTreeMap<String, LockedDeck> = identities
        .deck_locks
        .get_key_value(&spec.name)
        .map(|(name, deck)| (name.clone(), deck.clone()))
        .into_iter()
        .collect();
    let files = pass.files_of(deck);
    let note_count = pass.note_count(deck);
    // A deck whose lock lines must pass the limit is never carried: its lines are not
    // gathered at all, rather than held (tens of megabytes) until they pass it.
    let may_carry = note_count.saturating_mul(MIN_LOCK_LINE) <= EMBEDDED_LOCK_LIMIT;
    let notes = SpilledNotes {
        embedded: may_carry.then(|| {
            // Room for the whole lock at once: growing it copied megabytes, twice over.
            let room = note_count
                .saturating_mul(LOCK_LINE_ROOM)
                .min(EMBEDDED_LOCK_LIMIT + EMBEDDED_LOCK_LIMIT / 4);
            let text = JsonText::with_capacity(room);
            LockWriter::new(text, &deck_lock, &identities.notetype_locks)
        }),
        pass,
        resolution: &identities.resolution,
        deck: spec,
        namespace: identities
            .deck_locks
            .get(&spec.name)
            .map_or(&spec.name, |d| &d.namespace),
        files: &files,
        lock,
        lock_lines,
    };
    write_deck(options, notes, &identities.notetypes, media)
}

/// Writes one deck in `options.format`: an `.apkg` streamed from the spill, or CSV or JSON.
fn write_deck(
    options: &BuildOptions,
    mut notes: SpilledNotes<'_>,
    notetypes: &[Notetype],
    media: &[MediaFile],
) -> Result<(DeckReport, Option<crate::fs::Unplaced>)> {
    let (pass, spec) = (notes.pass, notes.deck);
    // The package's own timestamps come from its content, not the clock, so an unchanged
    // deck rebuilds byte for byte.
    let build_time = notes
        .files
        .iter()
        .flat_map(|&f| pass.files[f].notes.iter().map(|n| n.mtime))
        .chain(notetypes.iter().map(|nt| nt.mtime))
        .max()
        .unwrap_or(options.now);
    let decks = [Deck {
        id: spec.id,
        // Anki renders the description as HTML: the manifest's text goes through the same
        // sanitiser as every field. A deck name is plain text: no control characters.
        name: spec.name.chars().filter(|c| !c.is_control()).collect(),
        description: crate::render::sanitize(&spec.description),
    }];
    let meta = PackageMeta {
        decks: &decks,
        notetypes,
        media,
        build_time,
    };
    let (path, counts, unplaced) = match options.format {
        crate::export::Format::Apkg => {
            let path = options.out.join(format!("{}.apkg", spec.file_stem));
            let (counts, unplaced) =
                package::write_apkg_unplaced(meta, &path, options.archive, |collection| {
                    notes.add_to_collection(collection, notetypes)?;
                    if let Some(mut lock) = notes.embedded.take() {
                        // The deck's removed notes too, so that `diff` knows a note of a
                        // later deck that comes back as restored, not added.
                        if let Some(gone) = notes.resolution.gone.get(&spec.name) {
                            let mut gone: Vec<_> = gone.iter().collect();
                            gone.sort_unstable_by(|a, b| a.0.cmp(b.0));
                            for (key, note) in gone {
                                lock.gone(&spec.name, key, note);
                            }
                        }
                        collection.embed_lock(lock.finish());
                    }
                    Ok(())
                })?;
            (path, counts, Some(unplaced))
        }
        format => export_deck(options, notes, meta, format)?,
    };
    let report = DeckReport {
        name: spec.name.clone(),
        notes: counts.notes,
        cards: counts.cards,
        media: media.len(),
        path,
    };
    Ok((report, unplaced))
}

/// CSV and JSON are for small decks and tools: the package is built in memory. The file waits
/// under a temporary name, like a package, until the lock is in place.
fn export_deck(
    options: &BuildOptions,
    mut notes: SpilledNotes<'_>,
    meta: PackageMeta<'_>,
    format: crate::export::Format,
) -> Result<(PathBuf, package::Counts, Option<crate::fs::Unplaced>)> {
    let mut all = Vec::new();
    let deck_id = notes.deck.id;
    notes.for_each(|note, assigned| {
        all.push(identity::into_note(
            note.kind,
            std::mem::take(&mut note.fields).into_vec(),
            std::mem::take(&mut note.tags),
            assigned,
            deck_id,
        ));
        Ok(())
    })?;
    let package = Package {
        decks: meta.decks.to_vec(),
        notetypes: meta.notetypes.to_vec(),
        notes: all,
        media: meta.media.to_vec(),
        build_time: meta.build_time,
    };
    let counts = package::Counts {
        notes: package.notes.len(),
        cards: package.notes.iter().map(|n| n.cards.len()).sum(),
    };
    let (path, unplaced) = crate::export::write_unplaced(
        &package,
        &options.out,
        &notes.deck.file_stem,
        format,
        options.archive,
    )?;
    Ok((path, counts, unplaced))
}

/// One deck's notes read back from the spill, with their identities, in document order.
struct SpilledNotes<'a> {
    pass: &'a FirstPass,
    resolution: &'a identity::Resolution,
    deck: &'a DeckSpec,
    /// The deck's GUID namespace (see `Lock::namespace`).
    namespace: &'a str,
    /// Indices of the deck's files in `pass.files`.
    files: &'a [usize],
    /// The new lock, when it is being written.
    lock: Option<&'a mut NewLock>,
    /// Where the deck's lock lines wait instead, when the decks are written on all cores.
    lock_lines: Option<&'a mut String>,
    /// The lock lines of this deck, for the package to carry (`None` once they pass
    /// [`EMBEDDED_LOCK_LIMIT`]), escaped for the collection's config as they come.
    embedded: Option<LockWriter<JsonText>>,
}

/// A package carries its lock lines only up to this size (about 300,000 notes), so that a
/// huge deck's lock is never held in memory; a bigger deck relies on the lock file alone.
const EMBEDDED_LOCK_LIMIT: usize = 64 << 20;

/// The room a note's escaped lock line is given up front: most take about 200 bytes (the
/// fixed columns, the deck name and the key, an escape a tab).
const LOCK_LINE_ROOM: usize = 256;

/// The fewest bytes a note's lock line can take: `note`, nine tabs and a newline, a digit each
/// for the note id and mtime, the 16-digit content hash, the 64-character signature, the type
/// (`basic` or `cloze`) and the cloze items (`-` at least), with an empty GUID, deck and key.
const MIN_LOCK_LINE: usize =
    4 + 9 + 1 + 1 + 1 + 16 + 2 * crate::identity::similarity::SLOTS + 5 + 1;

impl SpilledNotes<'_> {
    /// Adds the notes to `collection`. A second thread reads the spill and prepares each row
    /// (fields joined, sort field, checksum, lock line) while this one runs SQLite, so the
    /// two overlap; batches through a bounded channel keep memory flat.
    fn add_to_collection(
        &mut self,
        collection: &mut CollectionWriter<'_>,
        notetypes: &[Notetype],
    ) -> Result<()> {
        const BATCH: usize = 512;
        let deck_id = self.deck.id;
        std::thread::scope(|scope| {
            let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<NoteRow>>(4);
            let producer = scope.spawn(move || {
                let mut batch = Vec::with_capacity(BATCH);
                let result = self.for_each(|note, assigned| {
                    let (notetype_id, cards) = identity::cards_of(
                        note.kind,
                        &note.fields.front,
                        assigned.note_id,
                        deck_id,
                    );
                    let ids = RowIds {
                        id: assigned.note_id,
                        guid: assigned.guid,
                        notetype_id,
                        mtime: assigned.mtime,
                        cards,
                    };
                    batch.push(NoteRow::from_parts(
                        ids,
                        &note.fields.texts(),
                        &note.tags,
                        notetypes,
                    ));
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        // The receiver only goes away after an error, which it reports.
                        sender.send(full).map_err(|_| Error::new("stopped"))?;
                    }
                    Ok(())
                });
                if result.is_ok() && !batch.is_empty() {
                    let _ = sender.send(batch);
                }
                result
            });
            let mut inserted = Ok(());
            for batch in receiver {
                if let Err(e) = batch
                    .into_iter()
                    .try_for_each(|row| collection.add_row(row))
                {
                    inserted = Err(e);
                    break;
                }
            }
            let produced = producer
                .join()
                .unwrap_or_else(|_| Err(Error::new("a worker thread panicked")));
            inserted.and(produced)
        })
    }

    /// Calls `add` with every note, read back into one reused buffer (which `add` may empty),
    /// and its identity; writes each note's lock line on the way.
    fn for_each(
        &mut self,
        mut add: impl FnMut(&mut SpilledNote, identity::Assigned) -> Result<()>,
    ) -> Result<()> {
        // Two notes of one package with one GUID would be one note to Anki, which would give
        // one the other's content: never write such a package.
        let mut guids: GuidSet = HashSet::default();
        let mut line = String::new();
        let mut spilled = SpilledNote::default();
        for &file_index in self.files {
            let file = &self.pass.files[file_index];
            let segment = self.pass.segments[file_index];
            let mut reader = spill::SpillReader::new(&self.pass.spills[segment.worker], segment)
                .map_err(read_back_error)?;
            for index in 0..file.len() {
                if !reader.next_into(&mut spilled).map_err(read_back_error)? {
                    return Err(spill_ended());
                }
                let renumbered = identity::renumber_renamed(
                    self.resolution,
                    (file_index, index),
                    &mut spilled.fields,
                    &spilled.tags,
                    self.deck.id,
                );
                let mut locked = identity::locked_note(
                    (self.namespace, &spilled.identity),
                    &self.pass.files,
                    self.resolution,
                    (file_index, index),
                    (spilled.signature, &spilled.fields.front),
                );
                identity::apply_renumbered(&mut locked, renumbered);
                // The same line goes to the lock file and to the deck's copy: formatted once.
                line.clear();
                identity::lock::note_line(&mut line, &self.deck.name, &spilled.identity, &locked);
                if let Some(lock) = self.lock.as_deref_mut() {
                    lock.note(&line)?;
                }
                if let Some(lines) = self.lock_lines.as_deref_mut() {
                    lines.push_str(&line);
                }
                if let Some(embedded) = &mut self.embedded {
                    embedded.note_text(&line);
                    if embedded.output().len() > EMBEDDED_LOCK_LIMIT {
                        self.embedded = None;
                    }
                }
                let key: Option<[u8; identity::GUID_LEN]> = locked.guid.as_bytes().try_into().ok();
                if let Some(key) = key
                    && !guids.insert(key)
                {
                    return Err(Error::new(format!(
                        "internal error: two notes of deck \"{}\" have the GUID {} (one is \"{}\")",
                        self.deck.name, locked.guid, spilled.identity
                    ))
                    .help("please report this; the lock file was not changed"));
                }
                let assigned = identity::Assigned {
                    guid: locked.guid,
                    note_id: locked.note_id,
                    mtime: locked.mtime,
                };
                add(&mut spilled, assigned)?;
            }
        }
        Ok(())
    }
}

/// The lock file being written: a temporary beside it, renamed into place at the end.
struct NewLock {
    writer: LockWriter<IoText<std::io::BufWriter<tempfile::NamedTempFile>>>,
    path: PathBuf,
}

impl NewLock {
    fn create(
        path: &Path,
        decks: &BTreeMap<String, LockedDeck>,
        notetypes: &BTreeMap<i64, LockedNotetype>,
    ) -> Result<NewLock> {
        let temp = crate::fs::temporary_beside(path)?;
        let out = IoText {
            inner: std::io::BufWriter::with_capacity(1 << 20, temp),
            error: None,
        };
        Ok(NewLock {
            writer: LockWriter::new(out, decks, notetypes),
            path: path.to_path_buf(),
        })
    }

    /// Appends a note's line, made by `lock::note_line`.
    fn note(&mut self, line: &str) -> Result<()> {
        self.writer.note_text(line);
        self.check()
    }

    fn check(&mut self) -> Result<()> {
        match self.writer.output().error.take() {
            Some(e) => Err(Error::io("write", &self.path, e)),
            None => Ok(()),
        }
    }

    fn persist(self, path: &Path) -> Result<()> {
        use std::io::Write;
        let mut out = self.writer.finish();
        if let Some(e) = out.error.take() {
            return Err(Error::io("write", path, e));
        }
        out.inner.flush().map_err(|e| Error::io("write", path, e))?;
        let temp = out
            .inner
            .into_inner()
            .map_err(|e| Error::io("write", path, e.into_error()))?;
        crate::fs::put_in_place(temp, path)
    }
}

/// Text into an `io::Write`, keeping the first I/O error (`fmt::Write` cannot carry it).
struct IoText<W: std::io::Write> {
    inner: W,
    error: Option<std::io::Error>,
}

impl<W: std::io::Write> std::fmt::Write for IoText<W> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.error.is_none()
            && let Err(e) = self.inner.write_all(s.as_bytes())
        {
            self.error = Some(e);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_alike_are_found_and_others_are_not() {
        let mut guids: GuidSet = HashSet::default();
        for n in 0..10_000u32 {
            let guid = crate::identity::guid_for("Deck", &n.to_string());
            assert!(guids.insert(guid.as_bytes().try_into().unwrap()));
        }
        let again = crate::identity::guid_for("Deck", "77");
        assert!(!guids.insert(again.as_bytes().try_into().unwrap()));
    }
}
