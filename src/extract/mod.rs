//! Document tree → cards. Each rule is a small module; [`extract`] walks the sections and
//! hands each block to the rule that owns it. See `docs/extraction.md` for the rules in prose.
//!
//! Cards carry structured content ([`Piece`]s that point into the document's inline markup),
//! not HTML: the render stage owns HTML, links and media.

mod aliases;
mod breakdown;
mod by_chunk;
mod by_section;
mod code;
mod definitions;
mod exercise;
mod facts;
mod keyterms;
pub mod lang;
mod lists;
mod navigation;
mod object_design;
mod qa;
mod quiz;
mod reading;
#[cfg(test)]
mod rule_tests;
mod scaffolding;
mod summary;
mod tables;
pub(crate) mod text;

use crate::document::{Block, BlockKind, Document, Figure, Inline, Link, Section};
use crate::error::{Result, Warning};

pub use crate::input::{Lang, Profile};
pub use by_chunk::{Chunk, ChunkCards, ChunkReplay, ChunkRules, chunks};
pub use by_section::SectionBySection;
use by_section::{CardStream, Sink, section_figures};
pub use reading::ReadingLists;
pub use text::len as text_len;
pub use text::normalize_key;

#[derive(Debug, Clone)]
pub struct ExtractOptions {
    pub profile: Profile,
    /// The language the document is written in: questions are worded in it.
    pub lang: Lang,
}

impl ExtractOptions {
    /// English rules of a profile.
    pub fn new(profile: Profile) -> Self {
        ExtractOptions {
            profile,
            lang: Lang::En,
        }
    }
}

/// One note to be: where it comes from, which rule made it, and its content.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// Index of the section it comes from (`Document::sections`).
    pub section: usize,
    /// Heading path used for the breadcrumb, tags and identity key.
    pub path: Vec<String>,
    /// Rule name, part of the identity key (`summary`, `definition`, `list`, …).
    pub rule: &'static str,
    /// Item key within the section (bold term, row key, list intro, …); may be empty.
    pub item: String,
    /// 1-based source line.
    pub line: usize,
    /// Explicit identity pin (already suffixed with rule/item when it came from a section).
    pub pin: Option<String>,
    pub body: CardBody,
    /// Diagrams shown under the answer.
    pub figures: Vec<Figure>,
    /// Links shown below the answer.
    pub further_reading: Vec<Link>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CardBody {
    Basic {
        front: Vec<Piece>,
        back: Vec<Piece>,
    },
    /// `text` holds [`Piece::Cloze`]/[`Piece::ClozeList`] deletions; `extra` is the back extra.
    Cloze {
        text: Vec<Piece>,
        extra: Vec<Piece>,
    },
}

/// A piece of card content. Inline pieces flow together; block pieces start a new block.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Plain text (escaped when rendered).
    Text(String),
    /// Plain text shown in bold: the card's subject.
    Subject(String),
    /// Inline markup from the document.
    Inlines(Vec<Inline>),
    /// A paragraph of inline markup.
    Para(Vec<Inline>),
    /// A cloze deletion inline: number and content.
    Cloze(u32, Vec<Inline>),
    /// A bulleted list whose items are deletions (number 0 = shown, not deleted).
    ClozeList(Vec<(u32, Vec<Inline>)>),
    /// A simple bulleted list of inline items.
    List(Vec<Vec<Inline>>),
    /// A block from the document (list, table, code, quote, html).
    Block(Block),
    /// A code block, highlighted when rendered.
    Code { lang: Option<String>, text: String },
    /// A table built by a rule: header and rows of plain-text cells.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// Runs the profile's rules over the document.
pub fn extract(doc: &Document, options: &ExtractOptions) -> (Vec<Card>, Vec<Warning>) {
    let mut cards = Vec::new();
    let warnings = extract_each(doc, options, &mut |card| {
        cards.push(card);
        Ok(())
    });
    // Pushing onto a vector never fails: there is no error to lose.
    (cards, warnings.unwrap_or_default())
}

/// [`extract`] with each card handed to `each` as soon as it is final, in document order, so
/// that a section of many cards (a table of thousands of rows) is never held whole. Stops at
/// the first error `each` returns, and returns it.
pub fn extract_each(
    doc: &Document,
    options: &ExtractOptions,
    each: &mut dyn FnMut(Card) -> Result<()>,
) -> Result<Vec<Warning>> {
    // The same steps as section-by-section extraction (see `by_section`), over the whole tree.
    let mut stream = CardStream::new(doc, reading::ReadingLists::of(doc), each);
    let mut cx = Cx::new(doc, options.profile, has_single_title(doc));
    cx.lang = options.lang;
    cx.warnings.extend(doc.warnings.iter().cloned());
    cx.sink = Some(&mut stream);
    for index in 0..doc.sections.len() {
        cx.stream_section(index);
    }
    let warnings = std::mem::take(&mut cx.warnings);
    drop(cx);
    stream.finish()?;
    Ok(warnings)
}

/// For each section, whether it yields no card by a named rule: navigation, further reading.
pub fn skipped_sections(doc: &Document, options: &ExtractOptions) -> Vec<bool> {
    // One context for all: it counts the document's titles once (per section, that was
    // quadratic on a file of many sections).
    let cx = Cx::new(doc, options.profile, has_single_title(doc));
    (0..doc.sections.len()).map(|i| cx.skipped(i)).collect()
}

/// Whether a block is a list or table of references (links to read, not facts): the list
/// and table rules give it no card on purpose.
pub fn is_reference(block: &Block) -> bool {
    match &block.kind {
        BlockKind::List(list) => lists::is_reference_list(list),
        BlockKind::Table(table) => tables::is_reference_table(table),
        _ => false,
    }
}

/// The text a card shows, front and back, as plain text (what `check --coverage` looks for
/// a block's text in).
pub fn card_text(card: &Card) -> String {
    match &card.body {
        CardBody::Basic { front, back } => {
            format!("{} {}", text::pieces_text(front), text::pieces_text(back))
        }
        CardBody::Cloze { text: t, extra } => {
            format!("{} {}", text::pieces_text(t), text::pieces_text(extra))
        }
    }
}

/// Each heading anchor of a document, and the first section that has it (foldhash: one
/// entry per heading of a file, and only looked up, never iterated).
type AnchorIndex<'d> = std::collections::HashMap<&'d str, usize, foldhash::fast::FixedState>;

fn anchor_index(doc: &Document) -> AnchorIndex<'_> {
    let mut anchors = AnchorIndex::default();
    for (i, s) in doc.sections.iter().enumerate() {
        anchors.entry(s.anchor.as_str()).or_insert(i);
    }
    anchors
}

/// Whether the document has exactly one top-level title.
fn has_single_title(doc: &Document) -> bool {
    doc.sections.iter().filter(|s| s.level == 1).count() == 1
}

/// Extraction context shared by the rules.
pub(crate) struct Cx<'a> {
    pub doc: &'a Document,
    pub profile: Profile,
    pub lang: Lang,
    pub cards: Vec<Card>,
    pub warnings: Vec<Warning>,
    /// Whether the document has exactly one top-level title (computed once: it is asked for
    /// every card).
    single_title: bool,
    /// Where cards go once their section is done, or earlier (see [`Cx::hand_off`]); without
    /// one they stay in `cards`.
    sink: Option<&'a mut dyn Sink>,
    /// A quiz question waiting for the next section to answer it (see `quiz`).
    pub quiz: Option<quiz::Pending>,
    /// Each heading anchor's first section (see [`Cx::leads_to_skipped`]): the file's index,
    /// when the section-by-section paths share one (they make a `Cx` per section), else
    /// built when a link first asks.
    anchors: std::cell::OnceCell<std::borrow::Cow<'a, AnchorIndex<'a>>>,
    /// A piece of the file parsed apart from `doc`, its outline (see `by_chunk`).
    piece: Option<PieceView<'a>>,
    /// Which sections yield no cards (see [`Cx::skipped`]): the file's, from its outline's
    /// pass, when the section-by-section paths share it (their `doc` holds only the sections
    /// parsed so far, or none of their blocks), else worked out for the whole tree when first
    /// asked.
    skipped: std::cell::OnceCell<std::borrow::Cow<'a, SkippedSections>>,
}

/// Whether the sections under a title (normalised, `normalize_key`) yield no cards: reading
/// lists, and in topics files navigation (an index, a table of contents).
fn title_skips(key: &str, profile: Profile) -> bool {
    lang::is_reading_key(key) || (profile == Profile::Topics && navigation::is_navigation_key(key))
}

/// What a section's own title and blocks say of whether it yields cards (see
/// [`SkippedSections::own`]).
#[derive(Debug, Clone, Copy)]
pub struct OwnSkip {
    by_title: bool,
    navigation: bool,
}

/// Which sections of a file yield no cards: further reading, navigation. Worked out once a
/// section, in document order: for a whole tree when a rule first asks, or section by section
/// by the pass that makes a big file's outline, so that a section parsed on its own knows
/// what a link further down leads to, as the whole tree would (see
/// `Cx::leads_to_skipped`).
#[derive(Debug, Clone)]
pub struct SkippedSections {
    profile: Profile,
    /// By section: whether its title or an ancestor's says so.
    by_title: Vec<bool>,
    /// By section: whether it yields no cards.
    skipped: Vec<bool>,
}

impl SkippedSections {
    pub fn new(profile: Profile) -> Self {
        SkippedSections {
            profile,
            by_title: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// Every section of `doc`, a whole tree.
    fn of(doc: &Document, profile: Profile) -> Self {
        let mut skipped = SkippedSections::new(profile);
        for index in 0..doc.sections.len() {
            skipped.add(doc, index);
        }
        skipped
    }

    /// Takes note of section `index` of `doc`, whose blocks must be in `doc`. Sections must
    /// come in document order (a parent before its children).
    pub fn add(&mut self, doc: &Document, index: usize) {
        let section = &doc.sections[index];
        let own = self.own(section);
        self.add_own(index, section.parent, own);
    }

    /// What [`SkippedSections::add`] reads of a section itself (its title and blocks), not
    /// of its place in the tree: whether its title says so, and whether it is navigation.
    pub fn own(&self, section: &Section) -> OwnSkip {
        OwnSkip {
            by_title: title_skips(&normalize_key(&section.title_text), self.profile),
            navigation: self.profile == Profile::Topics
                && navigation::is_navigation_by_structure(section),
        }
    }

    /// Takes note of section `index`, child of `parent`, of which `own` was read
    /// ([`SkippedSections::own`]). Sections must come in document order.
    pub fn add_own(&mut self, index: usize, parent: Option<usize>, own: OwnSkip) {
        let inherited = parent.is_some_and(|p| self.by_title.get(p).copied().unwrap_or(false));
        let by_title = inherited || own.by_title;
        if self.skipped.len() <= index {
            self.by_title.resize(index + 1, false);
            self.skipped.resize(index + 1, false);
        }
        self.by_title[index] = by_title;
        self.skipped[index] = by_title || own.navigation;
    }

    fn is_skipped(&self, index: usize) -> bool {
        self.skipped.get(index).copied().unwrap_or(false)
    }
}

/// The one section of a piece of the file (parsed apart from the outline) whose rules run,
/// with its blocks, beside the file's outline. Its rules see what they would see parsing the
/// file section by section: its blocks, no blocks of the others, no section further down.
struct PieceView<'a> {
    /// Its index in the file.
    index: usize,
    section: &'a Section,
}

impl<'a> Cx<'a> {
    fn new(doc: &'a Document, profile: Profile, single_title: bool) -> Self {
        Cx {
            doc,
            profile,
            lang: Lang::En,
            cards: Vec::new(),
            warnings: Vec::new(),
            single_title,
            sink: None,
            quiz: None,
            anchors: std::cell::OnceCell::new(),
            piece: None,
            skipped: std::cell::OnceCell::new(),
        }
    }

    /// Section `index`: the piece's own when it is the current section of a piece (see
    /// [`PieceView`]), else the document's.
    fn section_at(&self, index: usize) -> &'a Section {
        if let Some(piece) = &self.piece
            && index == piece.index
        {
            return piece.section;
        }
        &self.doc.sections[index]
    }

    /// Section `index` through the rules, its cards handed to the sink.
    fn stream_section(&mut self, index: usize) {
        let figures = section_figures(self.section_at(index));
        if let Some(sink) = self.sink.as_mut() {
            sink.begin_section(index, figures);
        }
        self.section(index);
        if let Some(sink) = self.sink.as_mut() {
            for card in self.cards.drain(..) {
                sink.card(card);
            }
            sink.end_section();
        }
    }

    /// Called by a rule between the items of a block that may make thousands of cards (table
    /// rows, definition list items): hands the section's cards so far to the sink, but the
    /// last, which a later block may still add to (see `code::attach_as_context`). Topics
    /// only: the other profiles rework a section's cards once they are all made.
    pub fn hand_off(&mut self) {
        const AT_MOST: usize = 64;
        if self.profile != Profile::Topics || self.cards.len() <= AT_MOST {
            return;
        }
        if let Some(sink) = self.sink.as_mut() {
            let last = self.cards.pop();
            for card in self.cards.drain(..) {
                sink.card(card);
            }
            self.cards.extend(last);
        }
    }

    /// The cue words and question templates of the document's language.
    pub fn words(&self) -> &'static lang::Words {
        lang::words(self.lang)
    }

    /// The profile's rules over one section.
    fn section(&mut self, index: usize) {
        if self.skipped(index) {
            // A Q/A pair is a card wherever it stands (the primer keeps its one in the
            // study guide).
            if self.profile == Profile::Topics {
                self.qa_pairs(index);
            }
            return;
        }
        match self.profile {
            // Other people's quiz entries (a question heading, options, an answer) first.
            Profile::Topics => {
                if !quiz::section(self, index) {
                    self.generic_section(index, true);
                }
            }
            Profile::Exercise => exercise::section(self, index),
            Profile::ObjectDesign => object_design::section(self, index),
        }
    }

    /// Whether a section yields no cards at all: further reading, navigation.
    fn skipped(&self, index: usize) -> bool {
        self.skipped
            .get_or_init(|| std::borrow::Cow::Owned(SkippedSections::of(self.doc, self.profile)))
            .is_skipped(index)
    }

    /// Whether `url` (`#anchor`) leads to a section of this text that yields no cards (the
    /// index, further reading): a link there sends the reader on, it names no term to recall.
    pub fn leads_to_skipped(&self, url: &str) -> bool {
        let Some(anchor) = url.strip_prefix('#') else {
            return false;
        };
        let anchor = crate::markup::percent_decode(anchor);
        // Looked up, not searched: a file of many sections may link to them all.
        let anchors = self
            .anchors
            .get_or_init(|| std::borrow::Cow::Owned(anchor_index(self.doc)));
        anchors
            .get(anchor.as_str())
            .is_some_and(|&i| self.skipped(i))
    }

    /// Shares the file's anchor index ([`anchor_index`] of its outline) with this context.
    fn share_anchors(&mut self, anchors: &'a AnchorIndex<'a>) {
        self.anchors = std::cell::OnceCell::from(std::borrow::Cow::Borrowed(anchors));
    }

    /// Shares which of the file's sections yield no cards (from its outline's pass).
    fn share_skipped(&mut self, skipped: &'a SkippedSections) {
        self.skipped = std::cell::OnceCell::from(std::borrow::Cow::Borrowed(skipped));
    }

    /// The Q/A pairs of a section, and nothing else.
    fn qa_pairs(&mut self, index: usize) {
        let blocks = &self.section_at(index).blocks;
        let mut i = 0;
        while i < blocks.len() {
            i += qa::try_pair(self, index, blocks, i).unwrap_or(1);
        }
    }

    /// Heading path for cards of this profile: topic documents drop their single top title,
    /// except from the cards of the title's own section (the file's intro). Those keep it:
    /// with an empty path, the intros of two files of one deck would have one key.
    pub fn path(&self, index: usize) -> Vec<String> {
        let mut path = self.doc.heading_path(index);
        if self.profile == Profile::Topics && self.top_title_dropped() && path.len() > 1 {
            path.remove(0);
        }
        if self.profile == Profile::Topics {
            // A quiz's answer heading (`#### Answer: B`, inside a `<details>`) often stands
            // above the next question's level: it is no parent of what follows.
            let last = path.len().saturating_sub(1);
            let mut k = 0;
            path.retain(|title| {
                k += 1;
                k - 1 == last || !quiz::is_answer_title(title)
            });
        }
        path
    }

    fn top_title_dropped(&self) -> bool {
        self.single_title
    }

    /// The name a question uses for a section's topic, qualified by its parent when the title
    /// alone is generic ("Goals", "In sequence", "Disadvantage(s)") or the profile needs it.
    pub fn subject(&self, index: usize) -> String {
        let section = self.section_at(index);
        let title = text::clean_title(&section.title_text);
        let parent = section.parent.filter(|&p| self.doc.sections[p].level > 0);
        let mut subject = title.clone();
        if text::is_generic_title(&title)
            && let Some(p) = parent
            && !(self.profile != Profile::Topics
                && (self.doc.sections[p].level == 1
                    || normalize_key(&self.doc.sections[p].title_text).starts_with("step ")
                    || text::is_generic_title(&self.doc.sections[p].title_text)))
        {
            // Lower case joins an English title into the question; other scripts have no
            // case, and an English term inside them ("Layer 7 …") keeps its own.
            let title = match self.lang {
                Lang::En => text::lowercase_name(&title),
                _ => title.clone(),
            };
            subject = format!("{} — {}", self.subject(p), title);
        }
        if self.profile != Profile::Topics
            && let Some(top) = self.exercise_title(index)
            && top != subject
            && !subject.starts_with(&top)
        {
            subject = format!("{top} — {subject}");
        }
        subject
    }

    /// The document's top title (exercise name) for exercise and notebook profiles.
    pub fn exercise_title(&self, index: usize) -> Option<String> {
        let top = self
            .doc
            .ancestors(index)
            .into_iter()
            .rev()
            .find(|&i| self.doc.sections[i].level == 1)?;
        Some(text::clean_title(&self.doc.sections[top].title_text))
    }

    /// A card of one sentence's rule: a question whose answer is plain text.
    pub fn push_plain_answer(
        &mut self,
        index: usize,
        rule: &'static str,
        item: &str,
        line: usize,
        front: Vec<Piece>,
        answer: String,
    ) {
        let back = vec![Piece::Text(answer)];
        self.push(
            index,
            rule,
            item,
            line,
            None,
            CardBody::Basic { front, back },
        );
    }

    /// A cloze of one sentence, after the section's subject: "Subject: … {{c1::…}} …".
    pub fn push_sentence_cloze(
        &mut self,
        index: usize,
        rule: &'static str,
        item: &str,
        line: usize,
        cloze: Vec<Piece>,
    ) {
        let mut text = vec![
            Piece::Subject(self.subject(index)),
            Piece::Text(self.words().colon.into()),
        ];
        text.extend(cloze);
        let extra = Vec::new();
        self.push(
            index,
            rule,
            item,
            line,
            None,
            CardBody::Cloze { text, extra },
        );
    }

    pub fn push(
        &mut self,
        index: usize,
        rule: &'static str,
        item: &str,
        line: usize,
        pin: Option<String>,
        body: CardBody,
    ) {
        let section = self.section_at(index);
        let pin = pin.or_else(|| {
            section.pin.as_ref().map(|p| {
                let item = normalize_key(item);
                if item.is_empty() {
                    format!("{p}/{rule}")
                } else {
                    format!("{p}/{rule}/{item}")
                }
            })
        });
        self.cards.push(Card {
            section: index,
            path: self.path(index),
            rule,
            item: item.to_string(),
            line,
            pin,
            body,
            figures: Vec::new(),
            further_reading: Vec::new(),
        });
    }

    /// The generic rules, block by block. `summaries`: whether the opening paragraph becomes
    /// a summary card.
    pub fn generic_section(&mut self, index: usize, summaries: bool) {
        let section = self.section_at(index);
        if section.level == 0 {
            return;
        }
        let blocks = &section.blocks;
        let mut opening_done = !summaries;
        // Blocks asked by the sentence rules (`aliases`, `facts`), once the section's other
        // cards are made: those cards keep the section's diagrams they had before these rules
        // came.
        let mut later: Vec<Later<'_>> = Vec::new();
        let mut i = 0;
        while i < blocks.len() {
            let block = &blocks[i];
            let prev_intro = text::intro_before(blocks, i);
            match &block.kind {
                BlockKind::Paragraph(inlines) => {
                    if let Some(consumed) = qa::try_pair(self, index, blocks, i) {
                        i += consumed;
                        opening_done = true;
                        continue;
                    }
                    let is_intro = text::ends_with_colon(inlines)
                        && matches!(
                            blocks.get(i + 1).map(|b| &b.kind),
                            Some(BlockKind::List(_) | BlockKind::Code { .. } | BlockKind::Table(_))
                        );
                    if definitions::try_paragraph(self, index, block, inlines) {
                        opening_done = true;
                    } else if !opening_done && !is_intro {
                        summary::card(self, index, block, inlines);
                        opening_done = true;
                    } else if !is_intro {
                        let taken = keyterms::cards(self, index, block, inlines) > 0;
                        later.push(Later {
                            block,
                            leading: None,
                            taken,
                        });
                    }
                    if is_intro {
                        // "X does this. It also does that. It works as follows:" — the
                        // sentences before the introducing one still summarise the topic,
                        // or, further down, may state a fact of their own.
                        let mut leading = text::sentences(inlines);
                        leading.pop();
                        if !leading.is_empty() {
                            let leading = text::join_sentences(leading);
                            if opening_done {
                                later.push(Later {
                                    block,
                                    leading: Some(leading),
                                    taken: false,
                                });
                            } else {
                                summary::card(self, index, block, &leading);
                            }
                        }
                        opening_done = true;
                    }
                }
                BlockKind::List(list) => {
                    opening_done = true;
                    if !definitions::try_list(self, index, blocks, i, list) {
                        let examples = text::examples_before(blocks, i);
                        lists::card(self, index, block, list, prev_intro, examples);
                    }
                }
                BlockKind::Table(table) => {
                    opening_done = true;
                    tables::cards(self, index, block, table, prev_intro);
                }
                BlockKind::Code { lang, text } => {
                    code::cards(self, index, block, lang.as_deref(), text, prev_intro);
                }
                // Only at the top of the section (after its diagrams): a label quote further
                // down is an aside, not a fact about the topic.
                BlockKind::Quote(_)
                    if blocks[..i]
                        .iter()
                        .all(|b| matches!(b.kind, BlockKind::Figure(_))) =>
                {
                    later.push(Later {
                        block,
                        leading: None,
                        taken: false,
                    });
                }
                _ => {}
            }
            i += 1;
        }
        for Later {
            block,
            leading,
            taken,
        } in later
        {
            match (&block.kind, leading) {
                (BlockKind::Paragraph(_), Some(leading)) => {
                    facts::cards(self, index, block, &leading);
                }
                (BlockKind::Paragraph(inlines), None) => {
                    // A sentence fact only where no other rule asked the paragraph.
                    let asked = aliases::cards(self, index, block, inlines) > 0 || taken;
                    if !asked {
                        facts::cards(self, index, block, inlines);
                    }
                }
                (BlockKind::Quote(_), _) => aliases::labelled_quote(self, index, block),
                _ => {}
            }
        }
    }
}

/// A block the sentence rules ask once the section's other cards are made.
struct Later<'b> {
    block: &'b Block,
    /// The sentences before a lead-in that ends the paragraph, when only they are asked.
    leading: Option<Vec<Inline>>,
    /// Whether a key-term card already asks the paragraph.
    taken: bool,
}

/// No two cards of a document may ask the same question: a repeated question is qualified
/// with its breadcrumb, and failing that numbered (` #2`, ` #3`, … the first number not taken).
/// Cards are given in document order.
#[derive(Default)]
struct Questions {
    seen: crate::key::FingerprintSet,
    /// For each qualified question that needed a number, the number after the last one given:
    /// every smaller number is taken, so the search never starts over (a file of thousands
    /// of identical questions stays linear).
    next_number: crate::key::FingerprintMap<usize>,
    /// Room for a question's plain text and its key, reused from card to card.
    scratch: (String, String),
}

impl Questions {
    fn make_unique(&mut self, card: &mut Card) {
        // Questions are remembered by fingerprint (see `text::fingerprint`).
        let (text, key) = &mut self.scratch;
        text::question_key_into(card, (text, key));
        let mut fingerprint = text::fingerprint(key);
        if self.seen.contains(&fingerprint) {
            let mut key = std::mem::take(key);
            let crumb = card.path.join(" › ");
            if !key.contains(&normalize_key(&crumb)) {
                text::append_to_question(card, &format!(" ({crumb})"));
                key = text::question_key(card);
            }
            let qualified = text::fingerprint(&key);
            if self.seen.contains(&qualified) {
                let mut n = self.next_number.get(&qualified).copied().unwrap_or(2);
                let numbered = loop {
                    let mut candidate = card.clone();
                    text::append_to_question(&mut candidate, &format!(" #{n}"));
                    let candidate_key = text::question_key(&candidate);
                    n += 1;
                    if !self.seen.contains(&text::fingerprint(&candidate_key)) {
                        break (candidate, candidate_key);
                    }
                };
                self.next_number.insert(qualified, n);
                (*card, key) = numbered;
            }
            fingerprint = text::fingerprint(&key);
        }
        self.seen.insert(fingerprint);
    }
}
