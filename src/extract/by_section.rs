//! Extraction one section at a time, and the steps both extraction paths share.
//!
//! Topic files too big to hold as one document tree are never whole here: the parser hands
//! over each section as it completes and drops its blocks after
//! ([`crate::document::parse_each_section`]). What the rules need from the rest of the file
//! comes from a first, block-free pass over it: the headings (for paths, the single-title rule
//! and subtrees) and the reading lists' links.
//!
//! Both paths, this one and [`extract`](super::extract) over a whole tree, feed each section's
//! cards through the same [`FigureQueue`] and [`CardFinisher`], so they give the same cards in
//! the same order (tests/it/by_section.rs checks it). Figures are what makes this more than a
//! loop: a section's figure goes on its first card without one, else on the first such card of
//! its subtree, which may come much later, else on the subtree's first card. So cards are held
//! back while some section still waits for a card to put a figure on, and released once none
//! does. That is rarely more than a few cards.

use std::collections::VecDeque;

use super::reading::{self, ReadingLists};
use super::{
    AnchorIndex, Card, Cx, Profile, Questions, SkippedSections, anchor_index, has_single_title,
};
use crate::document::{BlockKind, Document, Figure, Link, Section};
use crate::error::{Error, Result, Warning};

/// Extracts a topics document section by section (see the module docs).
pub struct SectionBySection<'s, 'e> {
    single_title: bool,
    lang: super::Lang,
    stream: CardStream<'s, 'e>,
    /// Warnings from the rules (the parser's own are the caller's).
    pub warnings: Vec<Warning>,
    /// A quiz question waiting for the next section (see `quiz`): carried from one section's
    /// rules to the next, as one `Cx` carries it over a whole tree.
    quiz: Option<super::quiz::Pending>,
    /// The outline's anchors, shared by every section's `Cx` (built per section, that was
    /// quadratic in a file of many `#` links).
    anchors: AnchorIndex<'s>,
    /// Which of the outline's sections yield no cards.
    skipped: &'s SkippedSections,
}

impl<'s, 'e> SectionBySection<'s, 'e> {
    /// `outline` is the file parsed without blocks, `reading` its reading lists and
    /// `skipped` its sections that yield no cards (all from a first
    /// [`parse_each_section`](crate::document::parse_each_section) pass). Each card goes to
    /// `each` as soon as it is final, in document order.
    pub fn new(
        outline: &'s Document,
        (reading, skipped): (ReadingLists, &'s SkippedSections),
        lang: super::Lang,
        each: &'e mut dyn FnMut(Card) -> Result<()>,
    ) -> Self {
        SectionBySection {
            single_title: has_single_title(outline),
            lang,
            stream: CardStream::new(outline, reading, each),
            warnings: Vec::new(),
            quiz: None,
            anchors: anchor_index(outline),
            skipped,
        }
    }

    /// The cards of section `index` of `doc` (the file parsed so far, that section's blocks
    /// included). Stops at the first error `each` returns, and returns it.
    pub fn section(&mut self, doc: &Document, index: usize) -> Result<()> {
        let mut cx = Cx::new(doc, Profile::Topics, self.single_title);
        cx.lang = self.lang;
        cx.sink = Some(&mut self.stream);
        cx.share_anchors(&self.anchors);
        cx.share_skipped(self.skipped);
        cx.quiz = self.quiz.take();
        cx.stream_section(index);
        self.quiz = cx.quiz.take();
        self.warnings.append(&mut cx.warnings);
        self.stream.result()
    }

    /// The cards still held back, once every section has been seen.
    pub fn finish(self) -> Result<Vec<Warning>> {
        self.stream.finish()?;
        Ok(self.warnings)
    }
}

/// Where the rules hand their cards as they make them (see [`Cx::hand_off`]), so that a
/// section of many cards is never held whole.
pub(super) trait Sink {
    /// Section `index`, whose figures are `figures`, starts.
    fn begin_section(&mut self, index: usize, figures: Vec<Figure>);
    /// The next card of the current section.
    fn card(&mut self, card: Card);
    /// The current section has no more cards.
    fn end_section(&mut self);
}

/// The steps after the rules, card by card: figures placed, questions made unique, further
/// reading attached; then the card goes to `each`.
pub(super) struct CardStream<'d, 'e> {
    figures: FigureQueue,
    finisher: CardFinisher<'d>,
    /// Cards the figure queue released, on their way to `each`.
    ready: Vec<Card>,
    each: &'e mut dyn FnMut(Card) -> Result<()>,
    /// The first error of `each`: the cards after it are dropped, and the caller gets it.
    failed: Option<Error>,
}

impl<'d, 'e> CardStream<'d, 'e> {
    /// `doc`: the document's outline at least (the finisher needs no blocks).
    pub(super) fn new(
        doc: &'d Document,
        reading: ReadingLists,
        each: &'e mut dyn FnMut(Card) -> Result<()>,
    ) -> Self {
        CardStream {
            figures: FigureQueue::new(doc),
            finisher: CardFinisher::new(doc, reading),
            ready: Vec::new(),
            each,
            failed: None,
        }
    }

    fn flush(&mut self) {
        self.finisher.finish(&mut self.ready);
        for card in self.ready.drain(..) {
            if self.failed.is_none()
                && let Err(e) = (self.each)(card)
            {
                self.failed = Some(e);
            }
        }
    }

    /// The error `each` returned, if it did (it is given once).
    pub(super) fn result(&mut self) -> Result<()> {
        self.failed.take().map_or(Ok(()), Err)
    }

    /// Every section seen: the cards still held back go out.
    pub(super) fn finish(mut self) -> Result<()> {
        self.figures.finish(&mut self.ready);
        self.flush();
        self.result()
    }
}

impl Sink for CardStream<'_, '_> {
    fn begin_section(&mut self, index: usize, figures: Vec<Figure>) {
        self.figures.begin_section(index, figures, &mut self.ready);
        self.flush();
    }

    fn card(&mut self, card: Card) {
        self.figures.card(card, &mut self.ready);
        self.flush();
    }

    fn end_section(&mut self) {
        self.figures.end_section(&mut self.ready);
        self.flush();
    }
}

/// The figures of a section (images standing alone), in document order.
pub(super) fn section_figures(section: &Section) -> Vec<Figure> {
    section
        .blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Figure(f) if !f.images.is_empty() => Some(f.clone()),
            _ => None,
        })
        .collect()
}

/// What extraction does to cards once their figures are placed: repeated questions are
/// numbered and further reading attached. Cards come in document order.
pub(super) struct CardFinisher<'d> {
    /// The document's outline (blocks are not needed).
    doc: &'d Document,
    reading: ReadingLists,
    questions: Questions,
    /// Further reading of the section of the last card (a section's cards come together).
    last_reading: Option<(usize, Vec<Link>)>,
}

impl<'d> CardFinisher<'d> {
    pub(super) fn new(doc: &'d Document, reading: ReadingLists) -> Self {
        CardFinisher {
            doc,
            reading,
            questions: Questions::default(),
            last_reading: None,
        }
    }

    pub(super) fn finish(&mut self, cards: &mut [Card]) {
        for card in cards {
            self.questions.make_unique(card);
            if !matches!(&self.last_reading, Some((section, _)) if *section == card.section) {
                let links = reading::for_section(self.doc, card.section, &self.reading);
                self.last_reading = Some((card.section, links));
            }
            if let Some((_, links)) = &self.last_reading {
                card.further_reading = links.clone();
            }
        }
    }
}

/// Figure placement as each section's cards arrive (see the module docs):
/// - a section places its figures when it is seen, after every ancestor placed theirs, on its
///   own cards and then its subtree's, always on the first card without a figure;
/// - a figure no such card took goes, when the section's subtree is over, onto the subtree's
///   first card; such leftovers come after every figure placed the first way, in section order.
pub(super) struct FigureQueue {
    /// Index past the last section of each section's subtree.
    subtree_end: Vec<usize>,
    /// Cards not yet released; `held[0]` is card number `first_held`.
    held: VecDeque<Card>,
    first_held: usize,
    /// Number of the next card to arrive.
    next_card: usize,
    /// Sections with figures left to place, outermost first (each is inside the one before).
    waiting: Vec<Waiting>,
    /// Leftover figures of closed sections: (section, card number, figures).
    leftovers: Vec<(usize, usize, Vec<Figure>)>,
    /// The section whose cards are coming.
    own: Own,
}

/// The section whose cards are coming, and its figures not placed yet.
#[derive(Default)]
struct Own {
    section: usize,
    figures: VecDeque<Figure>,
    /// Number of its first card (if it has one: the next card once it ends).
    first_card: usize,
}

struct Waiting {
    section: usize,
    figures: VecDeque<Figure>,
    /// Number of the first card of the section's subtree, once one has arrived.
    first_card: Option<usize>,
}

impl FigureQueue {
    pub(super) fn new(outline: &Document) -> Self {
        let count = outline.sections.len();
        // Sections are in document order, so a subtree is a run of sections: it ends where
        // its last descendant ends.
        let mut subtree_end: Vec<usize> = (1..=count).collect();
        for index in (0..count).rev() {
            if let Some(&last) = outline.sections[index].children.last() {
                subtree_end[index] = subtree_end[last];
            }
        }
        FigureQueue {
            subtree_end,
            held: VecDeque::new(),
            first_held: 0,
            next_card: 0,
            waiting: Vec::new(),
            leftovers: Vec::new(),
            own: Own::default(),
        }
    }

    /// Section `index` starts; `figures` are its own. Cards come one by one after.
    pub(super) fn begin_section(
        &mut self,
        index: usize,
        figures: Vec<Figure>,
        ready: &mut Vec<Card>,
    ) {
        // Sections whose subtree ended before this one stop waiting.
        while let Some(last) = self.waiting.last() {
            let end = self.subtree_end.get(last.section).copied().unwrap_or(0);
            if end > index {
                break;
            }
            self.close_last();
        }
        self.own = Own {
            section: index,
            figures: figures.into(),
            first_card: self.next_card,
        };
        // Leftovers go on cards before this section's, which nothing below changes: they
        // can be placed now rather than when the section ends.
        if self.waiting.is_empty() && self.own.figures.is_empty() {
            self.release(ready);
        }
    }

    /// The next card of the current section.
    pub(super) fn card(&mut self, mut card: Card, ready: &mut Vec<Card>) {
        // The outermost waiting section takes the new card (it has no figure yet).
        if let Some(waiting) = self.waiting.first_mut()
            && let Some(figure) = waiting.figures.pop_front()
        {
            card.figures.push(figure);
        }
        for waiting in &mut self.waiting {
            waiting.first_card.get_or_insert(self.next_card);
        }
        self.waiting.retain(|w| !w.figures.is_empty());
        // Then the section's own figures, on its cards that have none, in order.
        if card.figures.is_empty()
            && let Some(figure) = self.own.figures.pop_front()
        {
            card.figures.push(figure);
        }
        self.held.push_back(card);
        self.next_card += 1;
        // A card is final once no section waits to put a figure on it, and the section's
        // own figures are placed (what is left of them goes on its first card).
        if self.waiting.is_empty() && self.own.figures.is_empty() {
            self.release(ready);
        }
    }

    /// The current section has no more cards: its figures left wait for its subtree's.
    pub(super) fn end_section(&mut self, ready: &mut Vec<Card>) {
        let own = std::mem::take(&mut self.own);
        if !own.figures.is_empty() {
            self.waiting.push(Waiting {
                section: own.section,
                figures: own.figures,
                first_card: (self.next_card > own.first_card).then_some(own.first_card),
            });
        }
        if self.waiting.is_empty() {
            self.release(ready);
        }
    }

    pub(super) fn finish(&mut self, ready: &mut Vec<Card>) {
        while !self.waiting.is_empty() {
            self.close_last();
        }
        self.release(ready);
    }

    /// The innermost waiting section's subtree is over: its figures go on the subtree's first
    /// card, or nowhere if the subtree has no card.
    fn close_last(&mut self) {
        if let Some(waiting) = self.waiting.pop()
            && let Some(first) = waiting.first_card
        {
            self.leftovers
                .push((waiting.section, first, waiting.figures.into()));
        }
    }

    /// Nothing waits for cards any more: leftovers go on, in section order, and every held
    /// card is final.
    fn release(&mut self, ready: &mut Vec<Card>) {
        self.leftovers.sort_by_key(|(section, _, _)| *section);
        for (_, number, figures) in self.leftovers.drain(..) {
            if let Some(card) = self.held.get_mut(number - self.first_held) {
                card.figures.extend(figures);
            }
        }
        self.first_held = self.next_card;
        ready.extend(self.held.drain(..));
    }
}
