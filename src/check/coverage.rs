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
    for (index, section) in doc.sections.iter().enumerate() {
        if section.level == 0 || extract::is_skipped_section(doc, options, index) {
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
    for card in cards {
        shown.push_str(&fold(&extract::card_text(card)));
        shown.push('\n');
    }
    for (index, section) in doc.sections.iter().enumerate() {
        if section.level == 0 || extract::is_skipped_section(doc, options, index) {
            continue;
        }
        let end_of_section = doc
            .sections
            .get(index + 1)
            .map_or(usize::MAX, |next| next.line);
        for (i, block) in section.blocks.iter().enumerate() {
            let size = text_size(block);
            if size == 0 || extract::is_reference(block) {
                continue;
            }
            let end = section.blocks.get(i + 1).map_or(end_of_section, |b| b.line);
            let carded = cards
                .iter()
                .any(|c| c.section == index && (block.line..end).contains(&c.line))
                || is_shown(block, &shown);
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
