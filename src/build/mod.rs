//! Runs the pipeline for a content directory: input → document → extract → render → identity
//! → package, one `.apkg` per deck, then updates the lock file.
//!
//! In two passes, so that memory does not grow with the text of the notes: the first renders
//! every file on all cores and keeps a digest per note (the text goes to a spill file, see
//! [`spill`]); identities are then decided at once; the second streams the notes from the
//! spill into each package and the lock. [`render_content`] is the in-memory variant `preview`
//! uses. Within a file, a big topics file goes through parse, extract and render section by
//! section ([`render_text`]), so that no file is held as one tree either.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result, Warning};
use crate::identity::lock::{Lock, LockWriter, LockedNotetype};
use crate::identity::similarity::Signature;
use crate::identity::{self, DeckRef, FileNotes, IdentityReport};
use crate::input::{self, Content, DeckSpec};
use crate::package::collection::{CollectionWriter, NoteRow};
use crate::package::media::MediaPacker;
use crate::package::model::{Deck, MediaFile, Note, Notetype, Package, PackageMeta};
use crate::package::{self, ArchiveOptions, notetypes};
use crate::render::{self, MediaResolver, NoteDraft, RenderOptions};
use crate::{document, extract};

pub mod spill;
pub mod stamp;

/// The lock file's name when it sits beside the decks.
pub const LOCK_FILE_NAME: &str = "primer-anki.lock";

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub content: PathBuf,
    pub out: PathBuf,
    /// Where the lock file lives; `None` means `<out>/primer-anki.lock`.
    pub lock: Option<PathBuf>,
    /// Overrides the content's base URL for links.
    pub base_url: Option<String>,
    /// Build time in seconds: `SOURCE_DATE_EPOCH`, or the clock.
    pub now: i64,
    pub archive: ArchiveOptions,
    /// Fail instead of changing the lock file (for CI).
    pub locked: bool,
    /// An existing deck whose notes give their GUIDs to the cards of the same heading.
    pub adopt: Option<PathBuf>,
    /// What to write per deck: `.apkg` (the default), Anki's CSV, or JSON.
    pub format: crate::export::Format,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeckReport {
    pub name: String,
    pub notes: usize,
    pub cards: usize,
    pub media: usize,
    pub path: PathBuf,
}

#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    pub decks: Vec<DeckReport>,
    pub warnings: Vec<Warning>,
    pub identity: IdentityReport,
    pub lock_path: PathBuf,
    pub lock_changed: bool,
    /// Nothing changed since the last build into this directory: nothing was written.
    pub up_to_date: bool,
    /// Wall time of each stage (`--verbose` prints them).
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// Everything one deck produced before identities are assigned.
pub struct RenderedDeck {
    pub spec: DeckSpec,
    pub drafts: Vec<NoteDraft>,
    pub media: Vec<MediaFile>,
}

/// Every source file of `content` as (deck index, file), in manifest order: the order of the
/// output, whatever order the workers finish in.
fn source_jobs(content: &Content) -> Vec<(usize, &input::SourceFile)> {
    content
        .decks
        .iter()
        .enumerate()
        .flat_map(|(index, spec)| spec.sources.iter().map(move |source| (index, source)))
        .collect()
}

/// Runs `work` on every job, on all cores. Each worker starts with its own state from `start`
/// and stops at its first error. Returns each job's result in job order (`None` for a job no
/// worker reached, which only happens after every worker stopped on an error) and each
/// worker's final state, by worker index.
fn on_all_cores<J: Sync, S: Send, R: Send>(
    jobs: &[J],
    start: impl Fn() -> Result<S> + Sync,
    work: impl Fn(&mut S, usize, &J) -> Result<R> + Sync,
) -> (Vec<Option<Result<R>>>, Vec<Result<S>>) {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Result<R>>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    let states = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                let (next, results, start, work) = (&next, &results, &start, &work);
                scope.spawn(move || -> Result<S> {
                    let mut state = start()?;
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(index) else {
                            break;
                        };
                        let output = work(&mut state, worker, job);
                        let failed = output.is_err();
                        if let Ok(mut slot) = results[index].lock() {
                            *slot = Some(output);
                        }
                        if failed {
                            break;
                        }
                    }
                    Ok(state)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(Error::new("a worker thread panicked")))
            })
            .collect::<Vec<_>>()
    });
    let results = results
        .into_iter()
        .map(|slot| slot.into_inner().ok().flatten())
        .collect();
    (results, states)
}

/// The error for a job no worker finished: a worker's own failure if one stopped before it
/// could take jobs (e.g. it could not create its spill file), else a generic one.
fn lost_job<S>(states: &mut Vec<Result<S>>) -> Error {
    if let Some(index) = states.iter().position(Result::is_err)
        && let Err(e) = states.swap_remove(index)
    {
        return e;
    }
    Error::new("a worker thread stopped before finishing its file")
}

/// Read, parse, extract and render every deck of `content`, with the drafts in memory (for
/// `preview`; `build` digests and spills them instead). Files are processed on all cores;
/// results are put back in source order, so the output does not depend on scheduling.
pub fn render_content(
    content: &Content,
    base_url: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<RenderedDeck>> {
    let jobs = source_jobs(content);
    let (results, mut states) = on_all_cores(
        &jobs,
        || Ok(()),
        |(), _, &job| {
            let mut drafts = Vec::new();
            let (found, media) = render_file(content, job, base_url, &mut |draft| {
                drafts.push(draft);
                Ok(())
            })?;
            Ok((drafts, found, media))
        },
    );
    let mut decks: Vec<(Vec<NoteDraft>, BTreeMap<String, MediaFile>)> = content
        .decks
        .iter()
        .map(|_| (Vec::new(), BTreeMap::new()))
        .collect();
    for ((deck, _), output) in jobs.iter().zip(results) {
        let (mut drafts, mut found, media) = output.ok_or_else(|| lost_job(&mut states))??;
        warnings.append(&mut found);
        decks[*deck].0.append(&mut drafts);
        for file in media {
            decks[*deck].1.insert(file.name.clone(), file);
        }
    }
    Ok(content
        .decks
        .iter()
        .zip(decks)
        .map(|(spec, (drafts, media))| RenderedDeck {
            spec: spec.clone(),
            drafts,
            media: media.into_values().collect(),
        })
        .collect())
}

/// One source file through read → parse → extract → render. Each draft goes to `each` as soon
/// as it is rendered; returns the warnings and the packed media.
fn render_file(
    content: &Content,
    (deck, source): (usize, &input::SourceFile),
    base_url: &str,
    each: &mut dyn FnMut(NoteDraft) -> Result<()>,
) -> Result<(Vec<Warning>, Vec<MediaFile>)> {
    let spec = &content.decks[deck];
    let mut warnings = Vec::new();
    let mut resolver = MediaPacker::new(&content.root);
    let text = input::read_source(source, &mut warnings)?;
    let options = RenderOptions {
        deck,
        deck_name: spec.name.clone(),
        content_root: content.root.clone(),
        base_url: base_url.to_string(),
        tag_prefix: spec.tag_prefix.clone(),
    };
    let by_section = text.len() > BY_SECTION_BYTES;
    let mut found = render_text(
        text,
        &source.display,
        spec.profile,
        (&options, &mut resolver),
        by_section,
        each,
    )?;
    warnings.append(&mut found);
    Ok((warnings, resolver.into_media()))
}

/// Topic files above this size are parsed and extracted section by section, so that memory
/// does not grow with the file: a document tree takes about six times the file's size, and
/// its cards as much again. Smaller files take one pass instead of two.
pub const BY_SECTION_BYTES: usize = 4 << 20;

/// One file's markdown through parse → extract → render; each draft goes to `each` as soon
/// as it is rendered. Returns the warnings. `by_section` (topics profile only) gives the same
/// drafts and warnings with the file never held as a whole tree: see
/// [`extract::SectionBySection`].
pub fn render_text(
    text: String,
    file: &Path,
    profile: extract::Profile,
    (options, media): (&RenderOptions, &mut dyn MediaResolver),
    by_section: bool,
    each: &mut dyn FnMut(NoteDraft) -> Result<()>,
) -> Result<Vec<Warning>> {
    if by_section && profile == extract::Profile::Topics {
        return render_by_section(&text, file, (options, media), each);
    }
    let doc = document::parse(&text, file)?;
    drop(text);
    let (cards, mut warnings) = extract::extract(&doc, &extract::ExtractOptions { profile });
    warnings.append(&mut render::render_each(&doc, cards, options, media, each)?);
    Ok(warnings)
}

fn render_by_section(
    text: &str,
    file: &Path,
    (options, media): (&RenderOptions, &mut dyn MediaResolver),
    each: &mut dyn FnMut(NoteDraft) -> Result<()>,
) -> Result<Vec<Warning>> {
    // First pass: the outline (headings, tree, footnotes) and the reading lists' links.
    let mut reading = extract::ReadingLists::default();
    let outline = document::parse_each_section(text, file, &mut |doc, index| {
        reading.add(doc, index);
        Ok(())
    })?;
    // Second pass: each section's cards, rendered as soon as they are final.
    let mut extractor = extract::SectionBySection::new(&outline, reading);
    let mut renderer = render::FileRenderer::new(&outline, options, media);
    let mut ready = Vec::new();
    document::parse_each_section(text, file, &mut |doc, index| {
        extractor.section(doc, index, &mut ready);
        for card in ready.drain(..) {
            each(renderer.card(card)?)?;
        }
        Ok(())
    })?;
    extractor.finish(&mut ready);
    for card in ready {
        each(renderer.card(card)?)?;
    }
    let mut warnings = outline.warnings.clone();
    warnings.append(&mut extractor.warnings);
    warnings.append(&mut renderer.into_warnings());
    Ok(warnings)
}

/// What the first pass keeps of one source file.
struct DigestedFile {
    notes: FileNotes,
    segment: spill::Segment,
    warnings: Vec<Warning>,
    media: Vec<MediaFile>,
}

/// The first pass over all content: every file rendered (on all cores), its notes digested
/// for the identity stage and its text spilled to disk.
struct FirstPass {
    files: Vec<FileNotes>,
    segments: Vec<spill::Segment>,
    /// One spill file per worker.
    spills: Vec<std::fs::File>,
    /// Packed media per deck, by name.
    media: Vec<BTreeMap<String, MediaFile>>,
}

fn first_pass(
    content: &Content,
    base_url: &str,
    (old_lock, now, for_adoption): (&Lock, i64, bool),
    spill_dir: &Path,
    warnings: &mut Vec<Warning>,
) -> Result<FirstPass> {
    let jobs = source_jobs(content);
    let spill_error = |e: std::io::Error| Error::io("write a temporary file", spill_dir, e);
    let (results, mut states) = on_all_cores(
        &jobs,
        || {
            tempfile::tempfile_in(spill_dir)
                .map(spill::SpillWriter::new)
                .map_err(spill_error)
        },
        |spill, worker, &job| {
            digest_file(
                content,
                job,
                base_url,
                (old_lock, now, for_adoption),
                (spill, worker, spill_dir),
            )
        },
    );
    let mut pass = FirstPass {
        files: Vec::with_capacity(jobs.len()),
        segments: Vec::with_capacity(jobs.len()),
        spills: Vec::with_capacity(states.len()),
        media: content.decks.iter().map(|_| BTreeMap::new()).collect(),
    };
    for ((deck, _), output) in jobs.iter().zip(results) {
        let mut file = output.ok_or_else(|| lost_job(&mut states))??;
        warnings.append(&mut file.warnings);
        for media in file.media {
            pass.media[*deck].insert(media.name.clone(), media);
        }
        pass.files.push(file.notes);
        pass.segments.push(file.segment);
    }
    for state in states {
        pass.spills.push(state?.finish().map_err(spill_error)?);
    }
    Ok(pass)
}

/// One source file rendered, digested and spilled, note by note.
fn digest_file(
    content: &Content,
    (deck, source): (usize, &input::SourceFile),
    base_url: &str,
    (old_lock, now, for_adoption): (&Lock, i64, bool),
    (spill, worker, spill_dir): (&mut spill::SpillWriter, usize, &Path),
) -> Result<DigestedFile> {
    let spec = &content.decks[deck];
    let mut notes = FileNotes::new(deck, source.display.clone());
    let cx = identity::DigestContext {
        deck: DeckRef {
            name: &spec.name,
            id: spec.id,
        },
        old: old_lock,
        now,
        for_adoption,
    };
    let start = spill.position();
    let (warnings, media) = render_file(content, (deck, source), base_url, &mut |draft| {
        let identity = notes.push(&draft, cx)?;
        // Computed here, on all cores, rather than on the one thread that feeds SQLite in
        // the second pass.
        let signature = Signature::of(&draft.fields.front, &draft.fields.back);
        spill
            .write(&draft, &identity, &signature)
            .map_err(|e| Error::io("write a temporary file", spill_dir, e))
    })?;
    // Kept until the end of the build, for every file: no spare capacity.
    notes.shrink_to_fit();
    Ok(DigestedFile {
        notes,
        segment: spill::Segment {
            worker,
            start,
            end: spill.position(),
        },
        warnings,
        media,
    })
}

/// Build every deck of `options.content` into `options.out`.
///
/// Two passes keep memory bounded: the first renders everything but keeps only a digest per
/// note (the text goes to a temporary spill file); identities are then decided for all notes
/// at once; the second pass streams the notes from the spill into each package and the lock.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    build_content(options, &input::load(&options.content)?)
}

/// [`build`] for content the caller has already loaded from `options.content`.
pub fn build_content(options: &BuildOptions, content: &Content) -> Result<BuildReport> {
    let lock_path = options
        .lock
        .clone()
        .unwrap_or_else(|| options.out.join(LOCK_FILE_NAME));
    // A rebuild with nothing changed (same inputs, options, lock and program, outputs still
    // in place) writes nothing: the stamp from the last build says so.
    let fingerprint = stamp::fingerprint(options, content, &lock_path);
    if let Some(decks) = stamp::unchanged(&options.out, &fingerprint) {
        return Ok(BuildReport {
            decks,
            lock_path,
            up_to_date: true,
            ..BuildReport::default()
        });
    }
    let base_url = options
        .base_url
        .clone()
        .unwrap_or_else(|| content.base_url.clone());
    let mut report = BuildReport::default();

    std::fs::create_dir_all(&options.out)
        .map_err(|e| Error::io("create the output directory", &options.out, e))?;
    // Two builds into one directory take turns: each reads the lock file and writes the decks
    // and the lock as one step. The lock is on the directory itself, so no file is left behind.
    let out_dir = std::fs::File::open(&options.out)
        .map_err(|e| Error::io("open the output directory", &options.out, e))?;
    out_dir
        .lock()
        .map_err(|e| Error::io("lock the output directory", &options.out, e))?;

    let old_lock_text = match std::fs::read(&lock_path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io("read the lock file", &lock_path, e)),
    };
    let old_lock = match &old_lock_text {
        Some(bytes) => Lock::parse(&String::from_utf8_lossy(bytes), &lock_path)?,
        None => Lock::default(),
    };

    let mut clock = std::time::Instant::now();
    let mut lap = |report: &mut BuildReport, stage: &'static str| {
        report.timings.push((stage, clock.elapsed()));
        clock = std::time::Instant::now();
    };
    let mut pass = first_pass(
        content,
        &base_url,
        (&old_lock, options.now, options.adopt.is_some()),
        &options.out,
        &mut report.warnings,
    )?;

    lap(&mut report, "read, parse, extract, render");
    let mut notetype_locks = old_lock.notetypes.clone();
    let notetypes = assign_notetypes(&content.extra_css, &mut notetype_locks, options.now);
    let deck_refs: Vec<DeckRef<'_>> = content
        .decks
        .iter()
        .map(|d| DeckRef {
            name: &d.name,
            id: d.id,
        })
        .collect();
    let adoptions = match &options.adopt {
        Some(path) => {
            let decks: Vec<identity::adopt::AdoptDeck<'_>> = deck_refs
                .iter()
                .enumerate()
                .map(|(index, deck)| identity::adopt::AdoptDeck {
                    name: deck.name,
                    candidates: pass
                        .files
                        .iter()
                        .filter(|f| f.deck == index)
                        .flat_map(|f| &f.adopt)
                        .collect(),
                })
                .collect();
            identity::adopt::plan(&decks, &old_notes(path)?, &old_lock)
        }
        None => identity::adopt::Plan::default(),
    };
    let resolution = {
        let (files, segments, spills) = (&mut pass.files, &pass.segments, &pass.spills);
        identity::resolve(
            &deck_refs,
            files,
            &old_lock,
            options.now,
            &adoptions,
            &mut |file, index| read_identity(spills, segments[file], index),
        )?
    };
    report.lock_changed = resolution.report.changes_lock()
        || notetype_locks != old_lock.notetypes
        || !lock_text_unchanged(
            old_lock_text.as_deref(),
            &old_lock,
            &notetype_locks,
            &deck_refs,
            &pass,
            &resolution,
        )?;
    report.lock_path = lock_path.clone();
    lap(&mut report, "identities");
    if options.locked && report.lock_changed {
        return Err(Error::new(format!(
            "the lock file would change:\n{}",
            identity::describe_lock_changes(&resolution.report, &old_lock, &notetype_locks)
        ))
        .in_file(&lock_path)
        .help(
            "run `primer-anki build` without --locked and commit the updated lock file and decks",
        ));
    }

    // Second pass: the notes from the spill into each deck's package, and into the new lock.
    let mut lock_out = if report.lock_changed {
        Some(NewLock::create(&lock_path, &notetype_locks)?)
    } else {
        None
    };
    for (deck_index, spec) in content.decks.iter().enumerate() {
        let files: Vec<usize> = (0..pass.files.len())
            .filter(|&f| pass.files[f].deck == deck_index)
            .collect();
        // The package's own timestamps come from its content, not the clock, so an unchanged
        // deck rebuilds byte for byte.
        let build_time = files
            .iter()
            .flat_map(|&f| pass.files[f].notes.iter().map(|n| n.mtime))
            .chain(notetypes.iter().map(|nt| nt.mtime))
            .max()
            .unwrap_or(options.now);
        let decks = [Deck {
            id: spec.id,
            name: spec.name.clone(),
            description: spec.description.clone(),
        }];
        let media: Vec<MediaFile> = std::mem::take(&mut pass.media[deck_index])
            .into_values()
            .collect();
        let meta = PackageMeta {
            decks: &decks,
            notetypes: &notetypes,
            media: &media,
            build_time,
        };
        let mut notes = SpilledNotes {
            pass: &pass,
            resolution: &resolution,
            deck: spec,
            files: &files,
            lock: lock_out.as_mut(),
        };
        let (path, counts) = match options.format {
            crate::export::Format::Apkg => {
                let path = options.out.join(format!("{}.apkg", spec.file_stem));
                let counts =
                    package::write_apkg_streaming(meta, &path, options.archive, |collection| {
                        notes.add_to_collection(collection, &notetypes)
                    })?;
                (path, counts)
            }
            format => {
                // CSV and JSON are for small decks and tools: built in memory.
                let mut all = Vec::new();
                notes.for_each(|note| {
                    all.push(note);
                    Ok(())
                })?;
                let package = Package {
                    decks: decks.to_vec(),
                    notetypes: notetypes.clone(),
                    notes: all,
                    media: media.clone(),
                    build_time,
                };
                let counts = package::Counts {
                    notes: package.notes.len(),
                    cards: package.notes.iter().map(|n| n.cards.len()).sum(),
                };
                let path = crate::export::write(
                    &package,
                    &options.out,
                    &spec.file_stem,
                    format,
                    options.archive,
                )?;
                (path, counts)
            }
        };
        report.decks.push(DeckReport {
            name: spec.name.clone(),
            notes: counts.notes,
            cards: counts.cards,
            media: media.len(),
            path,
        });
    }
    if let Some(lock) = lock_out {
        lock.persist(&lock_path)?;
    }
    lap(&mut report, "packages and lock");
    report.identity = resolution.report;
    // Fingerprint again: the lock may have just changed, and the stamp must describe the
    // state after this build.
    let fingerprint = stamp::fingerprint(options, content, &lock_path);
    stamp::write(&options.out, &fingerprint, &report.decks)?;
    Ok(report)
}

/// One deck's notes read back from the spill, with their identities, in document order.
struct SpilledNotes<'a> {
    pass: &'a FirstPass,
    resolution: &'a identity::Resolution,
    deck: &'a DeckSpec,
    /// Indices of the deck's files in `pass.files`.
    files: &'a [usize],
    /// The new lock, when it is being written.
    lock: Option<&'a mut NewLock>,
}

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
        std::thread::scope(|scope| {
            let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<NoteRow>>(4);
            let producer = scope.spawn(move || {
                let mut batch = Vec::with_capacity(BATCH);
                let result = self.for_each(|note| {
                    batch.push(NoteRow::new(&note, notetypes));
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

    fn for_each(&mut self, mut add: impl FnMut(Note) -> Result<()>) -> Result<()> {
        for &file_index in self.files {
            let file = &self.pass.files[file_index];
            let segment = self.pass.segments[file_index];
            let mut reader = spill::SpillReader::new(&self.pass.spills[segment.worker], segment)
                .map_err(read_back_error)?;
            for index in 0..file.len() {
                let spilled = reader
                    .next_note()
                    .map_err(read_back_error)?
                    .ok_or_else(spill_ended)?;
                let locked = identity::locked_note(
                    (&self.deck.name, &spilled.identity),
                    &self.pass.files,
                    self.resolution,
                    (file_index, index),
                    spilled.signature,
                );
                if let Some(lock) = self.lock.as_deref_mut() {
                    lock.note(&self.deck.name, &spilled.identity, &locked)?;
                }
                add(identity::into_note(
                    spilled.kind,
                    spilled.card_count,
                    spilled.fields.into_vec(),
                    spilled.tags,
                    identity::Assigned {
                        guid: locked.guid,
                        note_id: locked.note_id,
                        mtime: locked.mtime,
                    },
                    self.deck.id,
                ))?;
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
    fn create(path: &Path, notetypes: &BTreeMap<i64, LockedNotetype>) -> Result<NewLock> {
        let temp = crate::fs::temporary_beside(path)?;
        let out = IoText {
            inner: std::io::BufWriter::with_capacity(1 << 20, temp),
            error: None,
        };
        Ok(NewLock {
            writer: LockWriter::new(out, notetypes),
            path: path.to_path_buf(),
        })
    }

    fn note(
        &mut self,
        deck: &str,
        identity: &str,
        note: &identity::lock::LockedNote,
    ) -> Result<()> {
        self.writer.note(deck, identity, note);
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

/// Text into a SHA-256.
struct HashText(Sha256);

impl std::fmt::Write for HashText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

/// When no note changed, the lock would still be rewritten if its lines were in another order
/// or format: compare the text it would have with the file's, by hash.
fn lock_text_unchanged(
    old_text: Option<&[u8]>,
    old: &Lock,
    notetypes: &BTreeMap<i64, LockedNotetype>,
    decks: &[DeckRef<'_>],
    pass: &FirstPass,
    resolution: &identity::Resolution,
) -> Result<bool> {
    let Some(old_text) = old_text else {
        return Ok(false);
    };
    let mut writer = LockWriter::new(HashText(Sha256::new()), notetypes);
    for (file_index, file) in pass.files.iter().enumerate() {
        let deck = decks[file.deck].name;
        let segment = pass.segments[file_index];
        let mut reader = spill::SpillReader::new(&pass.spills[segment.worker], segment)
            .map_err(read_back_error)?;
        for index in 0..file.len() {
            let identity = reader
                .next_note()
                .map_err(read_back_error)?
                .ok_or_else(spill_ended)?
                .identity;
            // Every note is unchanged, so the old lock has its signature.
            let Some(signature) = old.get(deck, &identity).and_then(|n| n.signature) else {
                return Ok(false);
            };
            let locked = identity::locked_note(
                (deck, &identity),
                &pass.files,
                resolution,
                (file_index, index),
                signature,
            );
            writer.note(deck, &identity, &locked);
        }
    }
    Ok(writer.finish().0.finalize()[..] == Sha256::digest(old_text)[..])
}

/// The identity of note `index` of a spilled segment (read back only to confirm a duplicate).
fn read_identity(
    spills: &[std::fs::File],
    segment: spill::Segment,
    index: usize,
) -> Result<String> {
    let mut reader =
        spill::SpillReader::new(&spills[segment.worker], segment).map_err(read_back_error)?;
    for _ in 0..index {
        reader.next_note().map_err(read_back_error)?;
    }
    Ok(reader
        .next_note()
        .map_err(read_back_error)?
        .ok_or_else(spill_ended)?
        .identity)
}

fn read_back_error(e: std::io::Error) -> Error {
    Error::new("cannot read back a temporary file").caused_by(e)
}

fn spill_ended() -> Error {
    Error::new("a temporary file ended early")
}

/// Our note types with mtimes from the lock: a note type keeps its mtime until its content
/// (templates, fields, stylesheet) changes, so Anki updates it exactly then.
fn assign_notetypes(
    extra_css: &str,
    locked: &mut BTreeMap<i64, LockedNotetype>,
    now: i64,
) -> Vec<Notetype> {
    let mut out = notetypes::all(0, extra_css);
    for nt in &mut out {
        let hash = notetype_hash(nt);
        let mtime = match locked.get(&nt.id) {
            Some(old) if old.hash == hash => old.mtime,
            Some(old) => now.max(old.mtime + 1),
            None => now,
        };
        nt.mtime = mtime;
        locked.insert(nt.id, LockedNotetype { mtime, hash });
    }
    out
}

fn notetype_hash(nt: &Notetype) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!("{nt:?}").as_bytes());
    let digest = hasher.finalize();
    crate::key::hex(&digest[..8])
}

/// The notes of an old package, as `--adopt` needs them.
fn old_notes(path: &Path) -> Result<Vec<identity::adopt::OldNote>> {
    Ok(crate::apkg::read_apkg(path)?
        .notes
        .into_iter()
        .map(|note| identity::adopt::OldNote {
            front: note.fields.into_iter().next().unwrap_or_default(),
            guid: note.guid,
            deck: note.deck,
            mtime: note.mtime,
        })
        .collect())
}
