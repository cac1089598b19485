//! Navigation sections: a table of contents, a link table, a row of badges, a list of links.
//! They point at content and hold none, so they yield no card in any language.
//!
//! Found by structure: a section whose every block is made of links (link-only paragraphs,
//! lists whose items are links with at most a few words around them, tables whose cells are
//! links, marks or short labels, badges and figures). The front-matter sections of the primer
//! whose prose is about the project rather than the topic (motivation, contributing, credits,
//! contact, license) are named by title in each language's table (`lang::Words::navigation`),
//! a hint the structural test cannot replace.

use super::lang;
use super::text::{self, normalize_key};
use crate::document::{Block, BlockKind, Inline, Section, plain_text};

/// Whether a section is navigation by its structure (see the module docs).
pub fn is_navigation_by_structure(section: &Section) -> bool {
    let mut links = 0;
    for block in &section.blocks {
        match navigational(block) {
            Some(n) => links += n,
            None => return false,
        }
    }
    links > 0
}

/// Whether a title, normalised (`normalize_key`), names a navigation section in some
/// language's table.
pub fn is_navigation_key(key: &str) -> bool {
    // Asked for every section and its ancestors: the titles are normalised once, not per
    // call (that was most of the time of a file of many small sections).
    static KEYS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        lang::all()
            .flat_map(|w| w.navigation.iter().map(|t| normalize_key(t)))
            .collect()
    });
    KEYS.iter().any(|k| k == key)
}

/// How many links a block holds when it is navigation; `None` when it holds content.
fn navigational(block: &Block) -> Option<usize> {
    match &block.kind {
        BlockKind::Paragraph(inlines) => link_line(inlines),
        BlockKind::List(list) => {
            let mut links = 0;
            for item in &list.items {
                for b in &item.blocks {
                    links += navigational(b)?;
                }
            }
            (links > 0).then_some(links)
        }
        BlockKind::Table(table) => {
            let mut links = 0;
            for row in &table.rows {
                for cell in row {
                    if text::is_link_only(cell) {
                        links += 1;
                    } else if !is_mark(cell) {
                        return None;
                    }
                }
            }
            (links > 0 || table.rows.iter().flatten().all(|c| is_mark(c))).then_some(links)
        }
        BlockKind::Figure(_) | BlockKind::Rule => Some(0),
        BlockKind::Quote(blocks) => {
            let mut links = 0;
            for b in blocks {
                links += navigational(b)?;
            }
            Some(links)
        }
        BlockKind::Html(html) => (!html.contains('\n') || html.contains("<a ")).then_some(0),
        BlockKind::Code { .. } => None,
    }
}

/// A paragraph of links (and images): the number of links, when nothing else of substance is
/// there (a separator, a word or two such as "or").
fn link_line(inlines: &[Inline]) -> Option<usize> {
    // Nearly every paragraph has no link at all: no need to count its words.
    if !has_link(inlines) {
        return None;
    }
    let mut links = 0;
    let mut words = 0;
    count(inlines, &mut links, &mut words);
    (links > 0 && words <= links).then_some(links)
}

/// Whether `count` would find a link in `inlines`.
fn has_link(inlines: &[Inline]) -> bool {
    inlines.iter().any(|inline| match inline {
        Inline::Link { .. } => true,
        Inline::Strong(c) | Inline::Emphasis(c) => has_link(c),
        _ => false,
    })
}

fn count(inlines: &[Inline], links: &mut usize, words: &mut usize) {
    for inline in inlines {
        match inline {
            Inline::Link { .. } => *links += 1,
            Inline::Image { .. } => {}
            Inline::Strong(c) | Inline::Emphasis(c) => count(c, links, words),
            other => {
                let text = plain_text(std::slice::from_ref(other));
                *words += text
                    .split_whitespace()
                    .filter(|w| w.chars().any(char::is_alphanumeric))
                    .count();
            }
        }
    }
}

/// A cell that is a mark, not a fact: empty, an emoji shortcode (`:+1:`), a dash or a tick.
fn is_mark(cell: &[Inline]) -> bool {
    let text = plain_text(cell);
    let text = text.trim();
    text.is_empty()
        || (text.starts_with(':') && text.ends_with(':') && !text.contains(' '))
        || text.chars().all(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse;
    use std::path::Path;

    fn nav(markdown: &str) -> bool {
        let doc = parse(markdown, Path::new("t.md")).unwrap();
        is_navigation_by_structure(doc.sections.last().unwrap())
    }

    #[test]
    fn link_lists_tables_and_badges_are_navigation() {
        assert!(nav("# T\n## 目次\n* [一](#a)\n  * [二](#b)\n* [三](#c)\n"));
        assert!(nav(
            "# T\n## Guide\n| topic | short | long |\n|---|---|---|\n| [Caching](#c) | :+1: | :+1: |\n"
        ));
        assert!(nav(
            "# T\n## Badges\n[![ci](b.svg)](https://ci) [![x](c.svg)](https://x)\n"
        ));
        assert!(nav("# T\n## Problems\n![d](d.png)\n\n[Solution](s.md)\n"));
    }

    #[test]
    fn prose_code_and_fact_tables_are_content() {
        assert!(!nav(
            "# T\n## Cache\nA cache keeps hot data close to [the app](#a).\n"
        ));
        assert!(!nav(
            "# T\n## Table\n| level | downtime |\n|---|---|\n| 99% | 3 days |\n"
        ));
        assert!(!nav("# T\n## Code\n[doc](#d)\n\n```\nx = 1\n```\n"));
        assert!(!nav("# T\n## Empty\n"));
    }
}
