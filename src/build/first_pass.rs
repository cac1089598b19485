//! The first pass: every source file read, parsed, extracted and rendered on all cores. The
//! build keeps a small digest of each note for the identity stage and spills its text to disk
//! ([`first_pass`]); `preview` keeps the drafts in memory instead ([`render_content`]).

use std::collections::BTreeMap;
use std::path::Path;

use super::pool::{in_job_order, lost_job, on_all_cores};
use super::spill;
use crate::error::{Error, Result, Warning};
use crate::identity::lock::Lock;
use crate::identity::{self, DeckRef, FileNotes};
use crate::input::{self, Content, DeckSpec};
use crate::package::media::{MediaPacker, PackedImages};
use crate::package::model::MediaFile;
use crate::render::{self, MediaResolver, NoteDraft, RenderOptions};
use crate::{document, extract};

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

/// What one source file gave: its drafts, warnings and packed media.
pub struct RenderedFile {
    pub drafts: Vec<NoteDraft>,
    pub warnings: Vec<Warning>,
    pub media: Vec<MediaFile>,
}

/// Read, parse, extract and render every deck of `content`, with the drafts in memory (for
/// `preview`; `build` digests and spills them instead). Files are processed on all cores;
/// results are put back in source order, so the output does not depend on scheduling.
pub fn render_content(
    content: &Content,
    base_url: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<RenderedDeck>> {
    let files = render_files(content, base_url, &|_, _| true)?;
    let mut decks: Vec<(Vec<NoteDraft>, BTreeMap<String, MediaFile>)> = content
        .decks
        .iter()
        .map(|_| (Vec::new(), BTreeMap::new()))
        .collect();
    for ((deck, _), file) in source_jobs(content).iter().zip(files) {
        let Some(mut file) = file else { continue };
        warnings.append(&mut file.warnings);
        decks[*deck].0.append(&mut file.drafts);
        for media in file.media {
            decks[*deck].1.insert(media.name.clone(), media);
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

/// Render the source files of `content` that `wanted` picks (by deck index and file), on all
/// cores. Returns one entry per source file in manifest order, `None` for a file not picked:
/// `preview --watch` re-renders only the files a save touched and keeps the others' cards.
pub fn render_files(
    content: &Content,
    base_url: &str,
    wanted: &dyn Fn(usize, &input::SourceFile) -> bool,
) -> Result<Vec<Option<RenderedFile>>> {
    let jobs = source_jobs(content);
    let picked: Vec<_> = jobs
        .iter()
        .copied()
        .filter(|&(deck, source)| wanted(deck, source))
        .collect();
    let spare = has_spare_core(picked.len());
    let packed = PackedImages::default();
    let (results, mut states) = on_all_cores(
        &picked,
        || Ok(()),
        |(), _, &job| {
            let mut drafts = Vec::new();
            let key_deck = &content.decks[job.0].name;
            let (warnings, media) = render_file(
                content,
                job,
                (base_url, key_deck, spare),
                &packed,
                &mut |draft| {
                    drafts.push(draft);
                    Ok(())
                },
            )?;
            Ok(RenderedFile {
                drafts,
                warnings,
                media,
            })
        },
    );
    let mut results = results.into_iter();
    let mut files = Vec::with_capacity(jobs.len());
    for &(deck, source) in &jobs {
        files.push(if wanted(deck, source) {
            let output = results.next().flatten();
            Some(output.ok_or_else(|| lost_job(&mut states))??)
        } else {
            None
        });
    }
    Ok(files)
}

/// Whether fewer files than cores leave a core with no file of its own: then each file's
/// cards are rendered on a second thread (see [`Flow::TwoThreads`]). A corpus of one big file
/// otherwise runs its first pass on one core.
fn has_spare_core(files: usize) -> bool {
    super::pool::cores() > files
}

/// One source file through read → parse → extract → render. Each draft goes to `each` as soon
/// as it is rendered; returns the warnings and the packed media. Keys start with `key_deck`:
/// the deck's GUID namespace (its first name, see `Lock::namespace`), so that renaming a deck
/// changes no key. `spare_core`: a core has no file of its own (see [`has_spare_core`]).
fn render_file(
    content: &Content,
    (deck, source): (usize, &input::SourceFile),
    (base_url, key_deck, spare_core): (&str, &str, bool),
    packed: &PackedImages,
    each: &mut (dyn FnMut(NoteDraft) -> Result<()> + Send),
) -> Result<(Vec<Warning>, Vec<MediaFile>)> {
    let spec = &content.decks[deck];
    let mut warnings = Vec::new();
    let mut resolver = MediaPacker::new(&content.root, packed);
    let text = input::read_source(source, &mut warnings)?;
    let options = RenderOptions {
        deck,
        deck_name: key_deck.to_string(),
        content_root: content.root.clone(),
        base_url: base_url.to_string(),
        tag_prefix: spec.tag_prefix.clone(),
        remote_images: content.remote_images,
    };
    let flow = if text.len() > BY_SECTION_BYTES && spare_core {
        Flow::InChunks
    } else if text.len() > BY_SECTION_BYTES {
        Flow::BySection
    } else if spare_core && text.len() >= TWO_THREADS_BYTES {
        Flow::TwoThreads
    } else {
        Flow::Whole
    };
    let mut found = render_text(
        text,
        &source.display,
        &extract::ExtractOptions {
            profile: spec.profile,
            lang: spec.lang,
        },
        (&options, &mut resolver),
        flow,
        each,
    )?;
    warnings.append(&mut found);
    Ok((warnings, resolver.into_media()))
}

/// Topic files above this size are parsed and extracted section by section, so that memory
/// does not grow with the file: a document tree takes about six times the file's size, and
/// its cards as much again. Smaller files take one pass instead of two.
pub const BY_SECTION_BYTES: usize = 4 << 20;

/// A file below this size is not worth a second thread: a thread and its hand-overs cost
/// about what rendering a few dozen cards does.
const TWO_THREADS_BYTES: usize = 64 << 10;

/// How one file goes through parse → extract → render. Every flow gives the same drafts in
/// the same order, and the same warnings (tests/it/by_section.rs checks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// The whole tree, extracted and rendered on this thread.
    Whole,
    /// The whole tree, parsed in pieces on all cores (`document::pieces`), then
    /// extracted on this thread while another renders the cards (and hands them to `each`):
    /// for a file with a core to spare, whose first pass would otherwise leave that core
    /// idle. Measured on one file of 10k one-paragraph sections: the build about a fifth
    /// faster.
    TwoThreads,
    /// Section by section, on two threads (topics profile only; the others take
    /// [`Flow::TwoThreads`]): the file is never held as a whole tree, see
    /// [`extract::SectionBySection`].
    BySection,
    /// [`Flow::BySection`] on all cores (topics profile only): cut into chunks of whole
    /// sections, parsed and extracted on every core, rendered in order on this thread (see
    /// [`extract::ChunkRules`]). A file that cannot be cut takes [`Flow::BySection`].
    /// Only for files past [`BY_SECTION_BYTES`]: below, the outline pass is a parse that
    /// [`Flow::TwoThreads`] does without, and costs more than the second core saves (one file
    /// of 10k one-paragraph sections, 1.6 MB: 0.26 s a build in chunks, 0.21 s on two
    /// threads).
    InChunks,
}

/// One file's markdown through parse → extract → render, in the given [`Flow`]; each draft
/// goes to `each` as soon as it is rendered. Returns the warnings.
pub fn render_text(
    text: String,
    file: &Path,
    rules: &extract::ExtractOptions,
    (options, media): (&RenderOptions, &mut (dyn MediaResolver + Send)),
    flow: Flow,
    each: &mut (dyn FnMut(NoteDraft) -> Result<()> + Send),
) -> Result<Vec<Warning>> {
    if matches!(flow, Flow::BySection | Flow::InChunks) && rules.profile == extract::Profile::Topics
    {
        let in_chunks = flow == Flow::InChunks;
        return render_by_section(&text, file, (rules.lang, options, media), in_chunks, each);
    }
    let doc = if flow == Flow::TwoThreads {
        parse_on_all_cores(&text, file)?
    } else {
        document::parse(&text, file)?
    };
    drop(text);
    if flow != Flow::Whole {
        let (extracted, mut rendered) =
            render_on_second_thread(&doc, (options, media), each, |send_card| {
                extract::extract_each(&doc, rules, send_card)
            })?;
        let mut warnings = extracted?;
        warnings.append(&mut rendered);
        return Ok(warnings);
    }
    // Each card is rendered as soon as it is final: a file's cards are never held all at once.
    let mut renderer = render::FileRenderer::new(&doc, options, media);
    let mut warnings = extract::extract_each(&doc, rules, &mut |card| each(renderer.card(card)?))?;
    warnings.append(&mut renderer.into_warnings());
    Ok(warnings)
}

/// `text` parsed in pieces, one a core (see `document::pieces`), or as a whole when the
/// pieces guessed cannot be joined. One file of 10k one-paragraph sections (1.6 MB): its
/// parse, alone on one core while the other waited for the tree, took about a sixth of the
/// build.
fn parse_on_all_cores(text: &str, file: &Path) -> Result<document::Document> {
    use document::pieces;
    let cores = super::pool::cores();
    let cuts = pieces::guess_cuts(text, cores);
    if cuts.is_empty() {
        return document::parse(text, file);
    }
    let parts = each_piece_on_a_thread(text, cuts, |piece| pieces::parse_part(text, file, piece))?;
    match pieces::join_parts(text, parts) {
        Some(joined) => Ok(joined.doc),
        None => document::parse(text, file),
    }
}

/// `parse` run on each piece of `text` cut at `cuts`, the first on this thread and every
/// other on a thread of its own; what each gave, in order.
fn each_piece_on_a_thread<T: Send>(
    text: &str,
    cuts: Vec<usize>,
    parse: impl Fn(std::ops::Range<usize>) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let bounds: Vec<usize> = std::iter::once(0)
        .chain(cuts)
        .chain(std::iter::once(text.len()))
        .collect();
    let parse = &parse;
    std::thread::scope(|scope| {
        let others: Vec<_> = bounds[1..]
            .windows(2)
            .map(|piece| {
                let piece = piece[0]..piece[1];
                scope.spawn(move || parse(piece))
            })
            .collect();
        let first = parse(0..bounds[1]);
        std::iter::once(first)
            .chain(others.into_iter().map(|other| {
                other
                    .join()
                    .unwrap_or_else(|_| Err(Error::new("a worker thread panicked")))
            }))
            .collect()
    })
}

/// Items (cards to render, drafts to digest) handed from one thread to the next at a time:
/// enough to make the hand-over cheap, few enough to keep memory flat.
const CARD_BATCH: usize = 256;

/// Chunks of a file cut for [`Flow::InChunks`] are about this size, or smaller so that there
/// are at least [`MIN_CHUNKS`]. Big enough that a chunk's hand-over and its own parser cost
/// little; small enough that the chunks in flight (parsed, their cards recorded, waiting
/// their turn) take a few megabytes.
const CHUNK_BYTES: usize = 256 << 10;
const MIN_CHUNKS: usize = 16;

/// Chunks parsed and extracted ahead of the one being rendered, per worker.
const CHUNKS_AHEAD: usize = 2;

/// A big topics file: parsed once for its outline, then section by section. On two threads
/// ([`Flow::BySection`]): this one parses it again and extracts each section's cards; the
/// other renders the cards it is handed, in the same order, and passes each draft to `each`
/// (which, in a build, digests and spills it). One such file can be the whole corpus: it
/// still gets two cores. With `in_chunks` ([`Flow::InChunks`]), when the file can be cut,
/// the second parse and the rules run on all cores instead, and this thread renders.
fn render_by_section(
    text: &str,
    file: &Path,
    (lang, options, media): (
        extract::Lang,
        &RenderOptions,
        &mut (dyn MediaResolver + Send),
    ),
    in_chunks: bool,
    each: &mut (dyn FnMut(NoteDraft) -> Result<()> + Send),
) -> Result<Vec<Warning>> {
    // First pass: the outline (headings, tree, footnotes) and the reading lists' links.
    let (outline, reading, skipped) = outline_on_all_cores(text, file)?;
    let chunks = if in_chunks {
        let size = CHUNK_BYTES.min(text.len() / MIN_CHUNKS);
        extract::chunks(text, &outline, size)
    } else {
        Vec::new()
    };
    let outline = outline.doc;
    if chunks.len() > 1 {
        let mut warnings = outline.warnings.clone();
        let rules = extract::ChunkRules::new((&outline, &skipped), text, lang);
        let workers = super::pool::cores();
        // This thread replays and renders every card in order, which is what the chunk
        // workers wait on: what `each` does with a draft (in a build, its signature, hash and
        // spill, about a third of the work) runs on a thread of its own.
        warnings.append(&mut each_on_second_thread(each, |each| {
            let mut renderer = render::FileRenderer::new(&outline, options, media);
            let mut render_card = |card| each(renderer.card(card)?);
            let mut replay = extract::ChunkReplay::new(&outline, reading, &mut render_card);
            in_job_order(
                &chunks,
                (workers, workers * CHUNKS_AHEAD),
                |chunk| rules.run(chunk),
                |index, recorded| replay.chunk(&rules, &chunks[index], recorded),
            )?;
            let mut warnings = replay.finish()?;
            warnings.append(&mut renderer.into_warnings());
            Ok(warnings)
        })?);
        return Ok(warnings);
    }
    // Second pass: each section's cards, handed to the renderer as soon as they are final.
    let (extracted, mut render_warnings) =
        render_on_second_thread(&outline, (options, media), each, |send_card| {
            let mut extractor =
                extract::SectionBySection::new(&outline, (reading, &skipped), lang, send_card);
            // The second parse makes the outline's sections again: room for them all at once.
            let sections = outline.sections.len();
            document::parse_each_section(text, file, sections, &mut |doc, index| {
                extractor.section(doc, index)
            })
            .and_then(|_| extractor.finish())
        })?;
    let mut warnings = outline.warnings.clone();
    warnings.append(&mut extracted?);
    warnings.append(&mut render_warnings);
    Ok(warnings)
}

/// A big topics file's outline, with its reading lists and the sections that yield no cards:
/// parsed in pieces, one a core (see `document::pieces`), or whole when the pieces guessed
/// cannot be joined. One file of 100k one-paragraph sections: the outline took 0.38 s of a
/// 2.2 s build on one core, while the other waited for it.
fn outline_on_all_cores(text: &str, file: &Path) -> Result<OutlineAndLists> {
    let cores = super::pool::cores();
    outline_in_pieces(text, file, cores)
}

/// A topics file's outline, its reading lists and the sections that yield no cards.
type OutlineAndLists = (
    document::Outline,
    extract::ReadingLists,
    extract::SkippedSections,
);

/// [`outline_on_all_cores`] in `count` pieces at most.
fn outline_in_pieces(text: &str, file: &Path, count: usize) -> Result<OutlineAndLists> {
    use document::pieces;
    let mut reading = extract::ReadingLists::default();
    let mut skipped = extract::SkippedSections::new(extract::Profile::Topics);
    let cuts = pieces::guess_cuts(text, count);
    if !cuts.is_empty() {
        // What each section's own heading and blocks say, by its index in its piece: the
        // pieces do not know their sections' places in the whole tree, the join does.
        type Own = (Option<Vec<document::Link>>, extract::OwnSkip);
        let rules = &skipped;
        let parse = |piece: std::ops::Range<usize>| -> Result<(pieces::Part, Vec<Own>)> {
            let mut own = Vec::new();
            let part = pieces::parse_outline_part(text, file, piece, &mut |doc, index| {
                own.push((
                    extract::ReadingLists::own_links(doc, index),
                    rules.own(&doc.sections[index]),
                ));
                debug_assert_eq!(own.len(), index + 1);
                Ok(())
            })?;
            Ok((part, own))
        };
        let parsed = each_piece_on_a_thread(text, cuts, parse)?;
        let (parts, owns): (Vec<_>, Vec<_>) = parsed.into_iter().unzip();
        if let Some(mut joined) = pieces::join_parts(text, parts) {
            // As the outline's pass takes note of each section once complete, in order.
            for (k, own) in owns.into_iter().enumerate() {
                // A later piece's section 0 is the empty root before its first heading.
                for (local, (links, own_skip)) in
                    own.into_iter().enumerate().skip(usize::from(k > 0))
                {
                    let index = local + joined.offsets[k];
                    let parent = joined.doc.sections[index].parent;
                    if let (Some(parent), Some(links)) = (parent, links) {
                        reading.add_links(parent, links);
                    }
                    skipped.add_own(index, parent, own_skip);
                }
            }
            // Kept for the whole file, as the outline's pass keeps it: no spare room.
            joined.doc.sections.shrink_to_fit();
            let outline = document::Outline {
                doc: joined.doc,
                cuts: joined.cuts,
            };
            return Ok((outline, reading, skipped));
        }
    }
    let outline = document::parse_outline(text, file, 0, &mut |doc, index| {
        reading.add(doc, index);
        skipped.add(doc, index);
        Ok(())
    })?;
    Ok((outline, reading, skipped))
}

/// Runs `extract` on this thread, handing the cards it makes to another thread that renders
/// them against `doc` in the same order and passes each draft to `each`. Returns what
/// `extract` returned and the renderer's warnings; the renderer's error comes first (a
/// failed hand-over is only its consequence). Every card extracted before an extraction error
/// is rendered, as when one thread does both.
fn render_on_second_thread(
    doc: &document::Document,
    (options, media): (&RenderOptions, &mut (dyn MediaResolver + Send)),
    each: &mut (dyn FnMut(NoteDraft) -> Result<()> + Send),
    extract: impl FnOnce(&mut dyn FnMut(extract::Card) -> Result<()>) -> Result<Vec<Warning>>,
) -> Result<(Result<Vec<Warning>>, Vec<Warning>)> {
    let (extracted, rendered) = hand_to_second_thread(
        move |batches| {
            let mut renderer = render::FileRenderer::new(doc, options, media);
            for batch in batches {
                for card in batch {
                    each(renderer.card(card)?)?;
                }
            }
            Ok(renderer.into_warnings())
        },
        extract,
    );
    Ok((extracted, rendered?))
}

/// Runs `produce` on this thread, handing the drafts it makes to another thread that passes
/// them to `each` in the same order. Returns what `produce` returned; an error of `each`
/// comes first (the failed hand-over is only its consequence). Every draft made before an
/// error of `produce` reaches `each`, as when one thread does both.
fn each_on_second_thread(
    each: &mut (dyn FnMut(NoteDraft) -> Result<()> + Send),
    produce: impl FnOnce(&mut dyn FnMut(NoteDraft) -> Result<()>) -> Result<Vec<Warning>>,
) -> Result<Vec<Warning>> {
    let (produced, taken) = hand_to_second_thread(
        move |batches| {
            for batch in batches {
                batch.into_iter().try_for_each(&mut *each)?;
            }
            Ok(())
        },
        produce,
    );
    taken.and(produced)
}

/// Runs `produce` on this thread and `take` on another, which receives, in batches and in
/// order, every item `produce` hands over. Returns what each returned. `produce` learns that
/// `take` stopped (after an error) from a failed hand-over; every item handed over before
/// `produce` returns, even with an error, reaches `take`.
fn hand_to_second_thread<T: Send, P, R: Send>(
    take: impl FnOnce(std::sync::mpsc::Receiver<Vec<T>>) -> Result<R> + Send,
    produce: impl FnOnce(&mut dyn FnMut(T) -> Result<()>) -> Result<P>,
) -> (Result<P>, Result<R>) {
    let (batches, received) = std::sync::mpsc::sync_channel::<Vec<T>>(4);
    std::thread::scope(|scope| {
        let taker = scope.spawn(move || take(received));
        let hand_over = |batch: Vec<T>| {
            // The taker stopped: its error, returned below, says why.
            batches
                .send(batch)
                .map_err(|_| Error::new("the thread taking the work stopped"))
        };
        let mut batch = Vec::with_capacity(CARD_BATCH);
        let mut send = |item| {
            batch.push(item);
            if batch.len() < CARD_BATCH {
                return Ok(());
            }
            hand_over(std::mem::replace(
                &mut batch,
                Vec::with_capacity(CARD_BATCH),
            ))
        };
        let produced = produce(&mut send);
        // What was made before an error too, as one thread would have taken it.
        let last = hand_over(std::mem::take(&mut batch));
        let produced = produced.and_then(|found| last.map(|()| found));
        drop(batches);
        let taken = taker
            .join()
            .unwrap_or_else(|_| Err(Error::new("a worker thread panicked")));
        (produced, taken)
    })
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
pub(super) struct FirstPass {
    pub files: Vec<FileNotes>,
    pub segments: Vec<spill::Segment>,
    /// One spill file per worker.
    pub spills: Vec<std::fs::File>,
    /// Packed media per deck, by name.
    pub media: Vec<BTreeMap<String, MediaFile>>,
}

impl FirstPass {
    /// Indices in `files` of deck `deck`'s files, in manifest order.
    pub(super) fn files_of(&self, deck: usize) -> Vec<usize> {
        (0..self.files.len())
            .filter(|&f| self.files[f].deck == deck)
            .collect()
    }

    /// How many notes deck `deck` has.
    pub(super) fn note_count(&self, deck: usize) -> usize {
        self.files
            .iter()
            .filter(|f| f.deck == deck)
            .map(|f| f.len())
            .sum()
    }
}

/// Renders every file of `content` on all cores, each worker spilling into its own temporary
/// file in `spill_dir`; the warnings go to `warnings` in source order.
pub(super) fn first_pass(
    content: &Content,
    base_url: &str,
    (old_lock, now, for_adoption): (&Lock, i64, bool),
    spill_dir: &Path,
    warnings: &mut Vec<Warning>,
) -> Result<FirstPass> {
    let jobs = source_jobs(content);
    let spill_error = |e: std::io::Error| Error::io("write a temporary file", spill_dir, e);
    let spare = has_spare_core(jobs.len());
    let packed = PackedImages::default();
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
                (base_url, spare, &packed),
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
    (base_url, spare_core, packed): (&str, bool, &PackedImages),
    (old_lock, now, for_adoption): (&Lock, i64, bool),
    (spill, worker, spill_dir): (&mut spill::SpillWriter, usize, &Path),
) -> Result<DigestedFile> {
    let spec = &content.decks[deck];
    let mut notes = FileNotes::new(deck, source.display.clone());
    let cx = identity::DigestContext {
        deck: DeckRef {
            name: &spec.name,
            id: spec.id,
            namespace: old_lock.namespace(&spec.name),
        },
        old: old_lock,
        now,
        for_adoption,
    };
    let start = spill.position();
    let key_deck = old_lock.namespace(&spec.name);
    let spill_failed = |e| Error::io("write a temporary file", spill_dir, e);
    // The signature is computed here, on all cores, rather than on the one thread that feeds
    // SQLite in the second pass.
    let mut digest = |mut draft: NoteDraft| -> Result<()> {
        let (identity, signature) = notes.push(&mut draft, cx)?;
        spill
            .write(&draft, &identity, &signature)
            .map_err(spill_failed)
    };
    let (warnings, media) = render_file(
        content,
        (deck, source),
        (base_url, key_deck, spare_core),
        packed,
        &mut digest,
    )?;
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

/// A spill file could not be read back.
pub(super) fn read_back_error(e: std::io::Error) -> Error {
    Error::new("cannot read back a temporary file").caused_by(e)
}

/// A spill file holds fewer notes than its file's digest.
pub(super) fn spill_ended() -> Error {
    Error::new("a temporary file ended early")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::SourceLocation;
    use crate::render::{NoteFields, NotetypeKind};

    fn draft(n: usize) -> NoteDraft {
        NoteDraft {
            key: format!("deck/{n}"),
            pin: None,
            rule: "summary",
            repeat: 1,
            deck: 0,
            kind: NotetypeKind::Standard,
            fields: NoteFields::default(),
            tags: Vec::new(),
            card_count: 1,
            origin: SourceLocation::new("f.md", n, 0),
        }
    }

    #[test]
    fn an_outline_in_pieces_is_the_outline_parsed_whole() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let readme = std::fs::read_to_string(root.join("../shared/primer/README.md"))
            .expect("the primer's README (CI has ../shared)");
        // Reading lists and navigation on either side of the cuts, and a pin before one.
        let made = "# Top\n\n## Index\n\n- [One](#one)\n- [Two](#two)\n\n## One\n\ntext\n\n\
            ### Further reading\n\n- [a](https://a.example)\n\n<!-- id: two -->\n## Two\n\n\
            text\n\n### Source(s) and further reading\n\n- [b](https://b.example)\n\n# Next\n\n\
            ## One\n\ntext\n";
        for text in [readme.as_str(), made] {
            let whole = outline_in_pieces(text, Path::new("t.md"), 1).unwrap();
            for count in [2, 3, 7] {
                let cut = outline_in_pieces(text, Path::new("t.md"), count).unwrap();
                assert!(cut.0.doc == whole.0.doc, "{count} pieces");
                assert_eq!(cut.0.cuts, whole.0.cuts, "{count} pieces");
                assert_eq!(format!("{:?}", cut.1), format!("{:?}", whole.1));
                assert_eq!(format!("{:?}", cut.2), format!("{:?}", whole.2));
            }
        }
    }

    /// More drafts than a batch, so that several hand-overs happen.
    const DRAFTS: usize = 3 * CARD_BATCH + 7;

    #[test]
    fn drafts_handed_over_arrive_all_and_in_order() {
        let mut taken = Vec::new();
        let warnings = each_on_second_thread(
            &mut |d: NoteDraft| {
                taken.push(d.key);
                Ok(())
            },
            |send| {
                (0..DRAFTS).try_for_each(|n| send(draft(n)))?;
                Ok(vec![Warning::new(
                    crate::error::WarningKind::EmptyFile,
                    SourceLocation::new("f.md", 1, 0),
                    "w",
                )])
            },
        )
        .unwrap();
        let expected: Vec<String> = (0..DRAFTS).map(|n| format!("deck/{n}")).collect();
        assert_eq!(taken, expected);
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn the_takers_error_comes_first_and_stops_the_maker() {
        let mut made = 0;
        let error = each_on_second_thread(
            &mut |d: NoteDraft| {
                if d.key == "deck/5" {
                    return Err(Error::new("cannot spill"));
                }
                Ok(())
            },
            |send| {
                for n in 0..100 * CARD_BATCH {
                    send(draft(n))?;
                    made += 1;
                }
                Ok(Vec::new())
            },
        )
        .unwrap_err();
        assert!(error.to_string().contains("cannot spill"), "{error}");
        // The maker runs a few batches ahead at most, not to its end.
        assert!(made < 100 * CARD_BATCH, "{made}");
    }

    #[test]
    fn drafts_made_before_the_makers_error_are_all_taken() {
        let mut taken = 0;
        let error = each_on_second_thread(
            &mut |_| {
                taken += 1;
                Ok(())
            },
            |send| {
                (0..DRAFTS).try_for_each(|n| send(draft(n)))?;
                Err(Error::new("bad markdown"))
            },
        )
        .unwrap_err();
        assert!(error.to_string().contains("bad markdown"), "{error}");
        assert_eq!(taken, DRAFTS);
    }
}
