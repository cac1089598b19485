//! Extraction of a big topics file on several threads, giving what [`SectionBySection`]
//! gives.
//!
//! Once the file's outline is known, a section's rules need nothing of the other sections'
//! blocks: they read its own blocks and the outline's headings. So the file is cut into
//! chunks at headings where markdown starts afresh ([`document::parse_outline`]'s cuts), and
//! each chunk is parsed and put through the rules on its own, on any thread
//! ([`ChunkRules::run`]), which records what the rules hand their sink. The steps that span
//! the whole file (figures placed across sections, questions made unique, further reading)
//! stay sequential: the recordings are replayed in document order into the one
//! [`CardStream`] ([`ChunkReplay`]).
//!
//! The one state the rules carry from a section to the next is a quiz question waiting for
//! its answer. A chunk is run without one; if the chunk before it ends with one, the replay
//! runs the chunk again with it.
//!
//! [`SectionBySection`]: super::SectionBySection

use std::ops::Range;

use super::by_section::{CardStream, Sink};
use super::reading::ReadingLists;
use super::{
    AnchorIndex, Card, Cx, PieceView, Profile, SkippedSections, anchor_index, has_single_title,
    quiz,
};
use crate::document::{self, Block, Document, Figure, Section};
use crate::error::{Error, Result, Warning};

/// A run of whole sections of a file, parsed apart from the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Its bytes in the file.
    pub bytes: Range<usize>,
    /// Its sections (indices in the outline).
    pub sections: Range<usize>,
    /// The line it starts on.
    pub first_line: usize,
}

/// `text` (whose outline is `outline`) cut into chunks of about `size` bytes, at its cuts.
/// Fewer than two chunks when it cannot be cut.
pub fn chunks(text: &str, outline: &document::Outline, size: usize) -> Vec<Chunk> {
    let count = outline.doc.sections.len();
    let mut chunks = Vec::new();
    let mut start = Chunk {
        bytes: 0..0,
        sections: 0..0,
        first_line: 1,
    };
    for cut in &outline.cuts {
        // Cuts come in document order; one that does not is no cut at all.
        if cut.byte < start.bytes.start + size.max(1)
            || cut.section <= start.sections.start
            || cut.section >= count
        {
            continue;
        }
        chunks.push(Chunk {
            bytes: start.bytes.start..cut.byte,
            sections: start.sections.start..cut.section,
            first_line: start.first_line,
        });
        start = Chunk {
            bytes: cut.byte..cut.byte,
            sections: cut.section..cut.section,
            first_line: cut.line,
        };
    }
    chunks.push(Chunk {
        bytes: start.bytes.start..text.len(),
        sections: start.sections.start..count,
        first_line: start.first_line,
    });
    chunks
}

/// What a section's rules handed their sink, in order.
enum Event {
    Begin(usize, Vec<Figure>),
    Card(Card),
    End,
}

#[derive(Default)]
struct Recorder(Vec<Event>);

impl Sink for Recorder {
    fn begin_section(&mut self, index: usize, figures: Vec<Figure>) {
        self.0.push(Event::Begin(index, figures));
    }

    fn card(&mut self, card: Card) {
        self.0.push(Event::Card(card));
    }

    fn end_section(&mut self) {
        self.0.push(Event::End);
    }
}

/// A chunk's rules, recorded (see the module docs).
pub struct ChunkCards {
    events: Vec<Event>,
    warnings: Vec<Warning>,
    /// The quiz question left waiting at the chunk's end.
    quiz: Option<quiz::Pending>,
}

/// The rules of a topics file whose outline is known, chunk by chunk, on any thread.
pub struct ChunkRules<'o> {
    outline: &'o Document,
    text: &'o str,
    single_title: bool,
    lang: super::Lang,
    /// Recordings replayed, kept for the next chunks: a chunk's is a few megabytes, which
    /// the allocator hands back to the system when freed (big content, see `cli::build`),
    /// so that a new one would fault its pages in again.
    spare: std::sync::Mutex<Vec<Vec<Event>>>,
    /// The outline's anchors, shared by every section's `Cx`.
    anchors: AnchorIndex<'o>,
    /// Which of the outline's sections yield no cards.
    skipped: &'o SkippedSections,
}

impl<'o> ChunkRules<'o> {
    /// `outline`: `text` parsed without blocks ([`document::parse_outline`]), which gave
    /// `skipped`, its sections that yield no cards.
    pub fn new(
        (outline, skipped): (&'o Document, &'o SkippedSections),
        text: &'o str,
        lang: super::Lang,
    ) -> Self {
        ChunkRules {
            outline,
            text,
            single_title: has_single_title(outline),
            lang,
            spare: std::sync::Mutex::new(Vec::new()),
            anchors: anchor_index(outline),
            skipped,
        }
    }

    /// Parses `chunk` and runs the rules over its sections, recording their cards.
    pub fn run(&self, chunk: &Chunk) -> Result<ChunkCards> {
        self.run_after(chunk, None)
    }

    /// [`Self::run`], with a quiz question the chunks before left waiting.
    fn run_after(&self, chunk: &Chunk, quiz: Option<quiz::Pending>) -> Result<ChunkCards> {
        let text = self.text.get(chunk.bytes.clone()).ok_or_else(mismatch)?;
        let spare = self.spare.lock().ok().and_then(|mut spare| spare.pop());
        let mut recorded = ChunkCards {
            events: spare.unwrap_or_default(),
            warnings: Vec::new(),
            quiz,
        };
        // A chunk after the first starts at a heading: its first section (what comes before
        // that heading) is empty, and no section of the outline.
        let skip = usize::from(chunk.sections.start > 0);
        // Each section through the rules as soon as its blocks are complete, as
        // `SectionBySection` does: a chunk's tree is never whole.
        let count = document::parse_piece(
            text,
            &self.outline.file,
            (chunk.first_line, chunk.sections.len() + skip),
            &mut |local, blocks| {
                if local < skip {
                    return if blocks.is_empty() {
                        Ok(())
                    } else {
                        Err(mismatch())
                    };
                }
                let index = chunk.sections.start + local - skip;
                if !chunk.sections.contains(&index) || index >= self.outline.sections.len() {
                    return Err(mismatch());
                }
                self.section(index, blocks, &mut recorded);
                Ok(())
            },
        )?;
        if count != chunk.sections.len() + skip {
            return Err(mismatch());
        }
        Ok(recorded)
    }

    /// Section `index`, whose blocks are `blocks`, through the rules.
    fn section(&self, index: usize, blocks: Vec<Block>, recorded: &mut ChunkCards) {
        let heading = &self.outline.sections[index];
        let section = Section {
            level: heading.level,
            title_text: heading.title_text.clone(),
            anchor: heading.anchor.clone(),
            parent: heading.parent,
            // Parsing section by section, a section's children come after it.
            children: Vec::new(),
            blocks,
            line: heading.line,
            pin: heading.pin.clone(),
            footnotes: heading.footnotes.clone(),
        };
        let mut sink = Recorder(std::mem::take(&mut recorded.events));
        let mut cx = Cx::new(self.outline, Profile::Topics, self.single_title);
        cx.lang = self.lang;
        cx.quiz = recorded.quiz.take();
        cx.piece = Some(PieceView {
            index,
            section: &section,
        });
        cx.sink = Some(&mut sink);
        cx.share_anchors(&self.anchors);
        cx.share_skipped(self.skipped);
        cx.stream_section(index);
        recorded.quiz = cx.quiz.take();
        recorded.warnings.append(&mut cx.warnings);
        drop(cx);
        recorded.events = sink.0;
    }
}

/// A chunk parsed alone did not give the outline's sections: a cut that was none (a bug:
/// `parse_outline` makes a cut only where markdown starts afresh).
fn mismatch() -> Error {
    Error::new("a chunk of the file parsed apart does not match its outline")
}

/// The recorded chunks, replayed in document order into the steps that span the file; each
/// card goes to `each` as soon as it is final, as [`SectionBySection`] hands it.
///
/// [`SectionBySection`]: super::SectionBySection
pub struct ChunkReplay<'s, 'e> {
    stream: CardStream<'s, 'e>,
    warnings: Vec<Warning>,
    /// The quiz question the last chunk left waiting.
    quiz: Option<quiz::Pending>,
}

impl<'s, 'e> ChunkReplay<'s, 'e> {
    /// `outline` and `reading` as for [`SectionBySection::new`](super::SectionBySection::new).
    pub fn new(
        outline: &'s Document,
        reading: ReadingLists,
        each: &'e mut dyn FnMut(Card) -> Result<()>,
    ) -> Self {
        ChunkReplay {
            stream: CardStream::new(outline, reading, each),
            warnings: Vec::new(),
            quiz: None,
        }
    }

    /// The next chunk, `recorded` by `rules`. Stops at the first error `each` returns, and
    /// returns it.
    pub fn chunk(
        &mut self,
        rules: &ChunkRules<'_>,
        chunk: &Chunk,
        recorded: ChunkCards,
    ) -> Result<()> {
        let recorded = match self.quiz.take() {
            // Its first sections may answer the question: the recording is not theirs.
            Some(waiting) => rules.run_after(chunk, Some(waiting))?,
            None => recorded,
        };
        self.quiz = recorded.quiz;
        let mut events = recorded.events;
        for event in events.drain(..) {
            match event {
                Event::Begin(index, figures) => self.stream.begin_section(index, figures),
                Event::Card(card) => self.stream.card(card),
                Event::End => {
                    self.stream.end_section();
                    self.stream.result()?;
                }
            }
        }
        self.warnings.extend(recorded.warnings);
        if let Ok(mut spare) = rules.spare.lock() {
            spare.push(events);
        }
        Ok(())
    }

    /// The cards still held back, once every chunk has been replayed; returns the rules'
    /// warnings.
    pub fn finish(self) -> Result<Vec<Warning>> {
        self.stream.finish()?;
        Ok(self.warnings)
    }
}
