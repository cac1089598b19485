//! `check --coverage`: how much of each source's text reaches a card, and every block that
//! reaches none, so that nothing is dropped in silence.
//!
//! Every block of a topic file ends in one of three places here: on a card (a card of its
//! section comes from a line inside it); skipped by a named rule (navigation, further
//! reading, the text before the first heading); or listed, with its file, line and kind. A
//! block that stands as context on a card of another block (a lead-in, code under a
//! statement) is listed too: the list is what a reader checks by eye. Text is measured with
//! `extract::text_len` (a CJK character counts twice, as in the rules).

use std::path::{Path, PathBuf};

use crate::document::{self, Block, BlockKind, Document, Inline};
use crate::extract::{self, ExtractOptions};
use crate::input::{self, Profile};

/// One file's coverage.
#[derive(Debug, Clone, PartialEq)]
pub struct FileCoverage {
    pub file: PathBuf,
    /// Text on a card, and text no named rule skipped (navigation, reading lists excluded).
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
    let mut coverage = FileCoverage {
        file: file.to_path_buf(),
        carded: 0,
        content: 0,
        untaken: Vec::new(),
    };
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
            if size == 0 {
                continue;
            }
            let end = section.blocks.get(i + 1).map_or(end_of_section, |b| b.line);
            let carded = cards
                .iter()
                .any(|c| c.section == index && (block.line..end).contains(&c.line));
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
            "{}: {:.1}% of the text reaches a card ({} of {}; navigation and reading lists \
             left out)\n",
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

    #[test]
    fn carded_navigation_and_untaken_blocks_are_told_apart() {
        let text = "# T\n\n## Cache\n\nA cache keeps hot data in memory.\n\n```\nx = 1\n```\n\n\
                    ## Contents\n\n* [Cache](#cache)\n";
        let doc = document::parse(text, Path::new("t.md")).unwrap();
        let coverage = of_document(
            &doc,
            &ExtractOptions::new(Profile::Topics),
            Path::new("t.md"),
        );
        assert_eq!(coverage.untaken, [(7, "code")]);
        assert!(coverage.carded > 0 && coverage.carded < coverage.content);
    }
}
