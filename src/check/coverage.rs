//! `check --coverage`: how much of each source's text reaches a card, and every block that
//! reaches none, so that nothing is dropped in silence.
//!
//! Every block of a topic file ends in one of three places here: on a card (a card of its
//! section comes from a line inside it, or the block's whole text stands on one of its
//! section's cards: a lead-in on a list card, code under the answer it illustrates);
//! skipped by a named rule (navigation, further reading, reference lists and tables, the
//! text before the first heading); or listed, with its file, line and kind. A block of which
//! a card shows only part (a lead-in reworded into a question, code cut to its skeleton) is
//! listed: the list is what a reader checks by eye. Text is measured with
//! `extract::text_len` (a CJK character counts twice, as in the rules).

use std::path::{Path, PathBuf};

use crate::document::{self, Block, BlockKind, Document, Inline};
use crate::extract::{self, Card, ExtractOptions};
use crate::input::{self, Profile};

/// One file's coverage.
#[derive(Debug, Clone, PartialEq)]
pub struct FileCoverage {
    pub file: PathBuf,
    /// Text on a card, and text no named rule skipped (navigation, reading lists and
    /// reference lists and tables excluded).
    pub carded: usize,
    pub content: usize,
    /// Blocks of content that no card comes from: line and kind.
    pub untaken: Vec<(usize, &'static str)>,
}

impl FileCoverage {
    /// The share of content text on a card, in percent.
    pub fn percent(&self) -> f64 {
        if self.content == 0 {
            100.0
        } else {
            self.carded as f64 * 100.0 / self.content as f64
        }
    }
}

/// The coverage of every topics file of the content at `root` (exercise and notebook decks
/// keep their own rules, which leave their scaffolding out on purpose).
pub fn measure(root: &Path) -> crate::error::Result<Vec<FileCoverage>> {
    let content = input::load(root)?;
    let mut out = Vec::new();
    for deck in &content.decks {
        if deck.profile != Profile::Topics {
            continue;
        }
        for source in &deck.sources {
            let text = input::read_source(source, &mut Vec::new())?;
            let doc = document::parse(&text, &source.display)?;
            let options = ExtractOptions {
                profile: deck.profile,
                lang: deck.lang,
            };
            out.push(of_document(&doc, &options, &source.display));
        }
    }
    Ok(out)
}

/// The coverage of one parsed document.
pub fn of_document(doc: &Document, options: &ExtractOptions, file: &Path) -> FileCoverage {
    let (cards, _) = extract::extract(doc, options);
    of_cards(doc, options, &cards, file)
}

/// Blocks a learner would miss without a word: code that reaches no card, a `Q:` paragraph
/// that gave no Q/A card (its `A:` did not parse), and a figure that no card shows. Each as
/// (line, kind); `check` warns about each.
pub fn unplaced(
    doc: &Document,
    options: &ExtractOptions,
    cards: &[Card],
) -> Vec<(usize, &'static str)> {
    let mut out: Vec<(usize, &'static str)> = of_cards(doc, options, cards, Path::new(""))
        .untaken
        .into_iter()
        .filter(|(_, kind)| *kind == "code")
        .collect();
    let skipped = extract::skipped_sections(doc, options);
    for (index, section) in doc.sections.iter().enumerate() {
        if section.level == 0 || skipped[index] {
            continue;
        }
        for (i, block) in section.blocks.iter().enumerate() {
            match &block.kind {
                BlockKind::Figure(figure) if !cards.iter().any(|c| c.figures.contains(figure)) => {
                    out.push((block.line, "figure"));
                }
                // A question the Q/A rule did not take (another rule may have: it is asked
                // as something else, not as written). An empty `A:` after it is the
                // `empty-answer` error's to report.
                BlockKind::Paragraph(inlines)
                    if is_qa(inlines)
                        && !section.blocks.get(i + 1).is_some_and(is_answer)
                        && !cards.iter().any(|c| c.rule == "qa" && c.line == block.line) =>
                {
                    out.push((block.line, "Q/A"));
                }
                _ => {}
            }
        }
    }
    out.sort();
    out
}

/// The coverage of a document whose cards are made.
fn of_cards(doc: &Document, options: &ExtractOptions, cards: &[Card], file: &Path) -> FileCoverage {
    let mut coverage = FileCoverage {
        file: file.to_path_buf(),
        carded: 0,
        content: 0,
        untaken: Vec::new(),
    };
    // What the cards show, whitespace folded: a block whose text stands there whole (a
    // lead-in on a list card's question, code under an answer, a quiz answer's explanation
    // under its question's card) reaches a card too.
    let mut shown = String::new();
    // The lines cards come from, by section (a file of 100,000 sections has as many cards:
    // asking every card for every block was quadratic).
    let mut card_lines: std::collections::HashMap<usize, Vec<usize>> =
        std::collections::HashMap::new();
    for card in cards {
        shown.push_str(&fold(&extract::card_text(card)));
        shown.push('\n');
        card_lines.entry(card.section).or_default().push(card.line);
    }
    for lines in card_lines.values_mut() {
        lines.sort_unstable();
    }
    let skipped = extract::skipped_sections(doc, options);
    for (index, section) in doc.sections.iter().enumerate() {
        if section.level == 0 || skipped[index] {
            continue;
        }
        let end_of_section = doc
            .sections
            .get(index + 1)
            .map_or(usize::MAX, |next| next.line);
        let blocks = &section.blocks;
        let on_a_card: Vec<bool> = blocks
            .iter()
            .enumerate()
            .map(|(i, block)| {
                let end = blocks.get(i + 1).map_or(end_of_section, |b| b.line);
                card_lines
                    .get(&index)
                    // The first card line at or after the block's: inside it, or past it.
                    .and_then(|lines| lines.get(lines.partition_point(|&l| l < block.line)))
                    .is_some_and(|&l| l < end)
                    || is_shown(block, &shown)
            })
            .collect();
        for (i, block) in blocks.iter().enumerate() {
            let size = text_size(block);
            if size == 0
                || extract::is_reference(block)
                || is_pointer(block)
                || is_caption_of_references(blocks, i)
            {
                continue;
            }
            // A lead-in ("Additional benefits include:") is context of the block it
            // introduces: it reaches a card when that block does.
            let carded =
                on_a_card[i] || (is_lead_in(block) && on_a_card.get(i + 1).copied() == Some(true));
            coverage.content += size;
            if carded {
                coverage.carded += size;
            } else {
                coverage.untaken.push((block.line, kind(block)));
            }
        }
    }
    coverage
}

/// A paragraph whose every sentence introduces what follows ("Additional benefits include:",
/// "Below are common HTTP verbs:").
fn is_lead_in(block: &Block) -> bool {
    let BlockKind::Paragraph(inlines) = &block.kind else {
        return false;
    };
    extract::text::sentences(inlines)
        .iter()
        .all(|s| extract::text::is_lead_in(&document::plain_text(s)))
}

/// A paragraph whose every sentence sends the reader elsewhere or introduces what follows,
/// and at least one sends ("This topic is further discussed in the [Database] section:"):
/// navigation inside prose, left out with the rest of the navigation.
fn is_pointer(block: &Block) -> bool {
    let BlockKind::Paragraph(inlines) = &block.kind else {
        return false;
    };
    let sentences = extract::text::sentences(inlines);
    let points = |s: &[Inline]| {
        let plain = document::plain_text(s);
        extract::text::is_pointer(&plain) || extract::text::points_to_section(s, &plain)
    };
    sentences.iter().any(|s| points(s))
        && sentences.iter().all(|s| {
            let plain = document::plain_text(s);
            // A CJK sentence that points at what follows ("以下のステップに従って…") is
            // the lead-in English spells "the following".
            points(s)
                || extract::text::is_lead_in(&plain)
                || extract::lang::has_following_cue(&plain)
        })
}

/// A short quote or paragraph in a section that is otherwise a reference list or table
/// ("> Articles on how real world systems are designed." above a table of links): the
/// caption of the references, left out with them.
fn is_caption_of_references(blocks: &[Block], i: usize) -> bool {
    let short = match &blocks[i].kind {
        BlockKind::Paragraph(_) | BlockKind::Quote(_) => text_size(&blocks[i]) <= 200,
        _ => false,
    };
    short
        && blocks.iter().any(extract::is_reference)
        && blocks.iter().enumerate().all(|(j, b)| {
            j == i
                || extract::is_reference(b)
                || matches!(
                    b.kind,
                    BlockKind::Figure(_) | BlockKind::Html(_) | BlockKind::Rule
                )
        })
}

/// Whitespace folded to single spaces, a trailing colon dropped.
fn fold(text: &str) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    folded.trim_end_matches([':', '：']).trim_end().to_string()
}

/// Whether the block's whole text stands on one of the cards.
fn is_shown(block: &Block, shown: &str) -> bool {
    let text = fold(&document::blocks_text(std::slice::from_ref(block)));
    !text.is_empty() && shown.contains(&text)
}

fn kind(block: &Block) -> &'static str {
    match &block.kind {
        BlockKind::Paragraph(inlines) if is_qa(inlines) => "Q/A",
        BlockKind::Paragraph(_) => "paragraph",
        BlockKind::List(_) => "list",
        BlockKind::Table(_) => "table",
        BlockKind::Code { .. } => "code",
        BlockKind::Quote(_) => "quote",
        BlockKind::Figure(_) => "figure",
        BlockKind::Html(_) => "HTML",
        BlockKind::Rule => "rule",
    }
}

/// A paragraph that opens with an answer marker of any language (`A:`, `答：`, …).
fn is_answer(block: &Block) -> bool {
    let BlockKind::Paragraph(inlines) = &block.kind else {
        return false;
    };
    let text = document::plain_text(inlines);
    let text = text.trim_start();
    extract::lang::all().any(|w| w.answer_markers.iter().any(|m| text.starts_with(m)))
}

fn is_qa(inlines: &[Inline]) -> bool {
    let text = document::plain_text(inlines);
    let text = text.trim_start();
    ["Q:", "Q：", "问：", "問："]
        .iter()
        .any(|m| text.starts_with(m))
}

/// How much text a block holds (figures, HTML and rules hold none here: figures are placed
/// on cards by their own rule).
fn text_size(block: &Block) -> usize {
    match &block.kind {
        BlockKind::Paragraph(inlines) => extract::text_len(inlines),
        BlockKind::List(list) => list
            .items
            .iter()
            .flat_map(|item| &item.blocks)
            .map(text_size)
            .sum(),
        BlockKind::Table(table) => table
            .rows
            .iter()
            .flatten()
            .map(|cell| extract::text_len(cell))
            .sum(),
        BlockKind::Code { text, .. } => text.trim().chars().count(),
        BlockKind::Quote(blocks) => blocks.iter().map(text_size).sum(),
        BlockKind::Figure(_) | BlockKind::Html(_) | BlockKind::Rule => 0,
    }
}

/// The coverage report as text: one line per file, then its untaken blocks.
pub fn to_text(files: &[FileCoverage]) -> String {
    let mut out = String::new();
    for f in files {
        out.push_str(&format!(
            "{}: {:.1}% of the text reaches a card ({} of {}; navigation, reading lists and \
             references left out)\n",
            f.file.display(),
            f.percent(),
            f.carded,
            f.content
        ));
        for (line, kind) in &f.untaken {
            out.push_str(&format!(
                "  {}:{line}: {kind} reaches no card\n",
                f.file.display()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coverage(text: &str) -> FileCoverage {
        let doc = document::parse(text, Path::new("t.md")).unwrap();
        of_document(
            &doc,
            &ExtractOptions::new(Profile::Topics),
            Path::new("t.md"),
        )
    }

    #[test]
    fn carded_navigation_and_untaken_blocks_are_told_apart() {
        // The code under the cache's statement is shown on its card; the code alone under
        // "Setup" reaches none; the contents are navigation, left out.
        let text = "# T\n\n## Cache\n\nA cache keeps hot data in memory.\n\n```\nx = 1\n```\n\n\
                    ## Setup\n\n```\ny = 2\n```\n\n## Contents\n\n* [Cache](#cache)\n";
        let coverage = coverage(text);
        assert_eq!(coverage.untaken, [(13, "code")]);
        assert!(coverage.carded > 0 && coverage.carded < coverage.content);
    }

    #[test]
    fn lead_ins_follow_their_block_and_pointers_and_captions_are_left_out() {
        // "Benefits include:" introduces a carded list: it reaches a card with it. The
        // pointer and the caption of a reference list are left out; "Tools include:" before
        // a paragraph that reaches no card is listed.
        let text = "# T\n\n## Cache\n\nA cache keeps hot data in memory.\n\n\
                    Benefits include:\n\n* Lower latency\n* Less load on the database\n\n\
                    This is further discussed in the [Queue](#queue) section.\n\n\
                    ## Queue\n\nA queue holds work for later.\n\nTools include:\n\n\
                    Nothing here is asked.\n\n## Reading\n\n> Articles on queues.\n\n\
                    * [One](https://a.example)\n* [Two](https://b.example)\n";
        let coverage = coverage(text);
        assert_eq!(
            coverage.untaken,
            [(18, "paragraph"), (20, "paragraph")],
            "{coverage:?}"
        );
        let size = |s: &str| s.chars().count();
        // Carded: the summary, the lead-in and its list; content adds the two listed.
        let carded = size("A cache keeps hot data in memory.")
            + size("Benefits include:")
            + size("Lower latency")
            + size("Less load on the database")
            + size("A queue holds work for later.");
        assert_eq!(coverage.carded, carded);
        assert_eq!(
            coverage.content,
            carded + size("Tools include:") + size("Nothing here is asked.")
        );
    }

    #[test]
    fn reference_tables_are_left_out_and_unplaced_blocks_are_named() {
        let text = "# T\n\n## Reading\n\nArticles worth a look.\n\n\
                    | Topic | Link |\n|---|---|\n| Caches | [one](https://a.example) |\n\
                    | Queues | [two](https://b.example) |\n\n\
                    ## Ask\n\nQ: What is a queue?\n\n![alt](x.png)\n";
        let doc = document::parse(text, Path::new("t.md")).unwrap();
        let options = ExtractOptions::new(Profile::Topics);
        let of = of_document(&doc, &options, Path::new("t.md"));
        // The table is references: not content, not listed.
        assert!(
            of.untaken.iter().all(|(_, kind)| *kind != "table"),
            "{of:?}"
        );
        let (cards, _) = extract::extract(&doc, &options);
        let unplaced = unplaced(&doc, &options, &cards);
        assert_eq!(unplaced, [(14, "Q/A")]);
    }
}
