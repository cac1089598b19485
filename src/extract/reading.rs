//! Rule 7 — further reading: "Source(s) and further reading" sections are not cards; their
//! links (and footnote links from the text) go on the cards of the section they belong to.

use super::text::normalize_key;
use crate::document::{BlockKind, Document, Inline, Link, plain_text};

pub fn is_reading_title(title: &str) -> bool {
    let key = normalize_key(title);
    [
        "sources and further reading",
        "source and further reading",
        "further reading",
        "references",
    ]
    .iter()
    .any(|p| key.starts_with(p))
}

/// Which sections are reading lists, computed once per document (titles are normalised once,
/// not once per card).
pub fn reading_sections(doc: &Document) -> Vec<bool> {
    doc.sections
        .iter()
        .map(|s| is_reading_title(&s.title_text))
        .collect()
}

/// Links for cards of `index`: the nearest reading list of the section or an ancestor, plus
/// the section's own footnote links. `is_reading` comes from [`reading_sections`].
pub fn for_section(doc: &Document, index: usize, is_reading: &[bool]) -> Vec<Link> {
    let mut links: Vec<Link> = Vec::new();
    for i in doc.ancestors(index) {
        let section = &doc.sections[i];
        let found: Vec<Link> = section
            .children
            .iter()
            .filter(|&&c| is_reading.get(c).copied().unwrap_or(false))
            .flat_map(|&c| section_links(doc, c))
            .collect();
        if !found.is_empty() {
            links.extend(found);
            break;
        }
    }
    for note in &doc.sections[index].footnotes {
        if !links.iter().any(|l| l.url == note.url) {
            links.push(Link {
                url: note.url.clone(),
                text: note.url.clone(),
            });
        }
    }
    links
}

fn section_links(doc: &Document, index: usize) -> Vec<Link> {
    let mut out = Vec::new();
    for block in &doc.sections[index].blocks {
        if let BlockKind::List(list) = &block.kind {
            for item in &list.items {
                if let Some(BlockKind::Paragraph(inlines)) = item.blocks.first().map(|b| &b.kind)
                    && let Some(link) = first_link(inlines)
                {
                    out.push(link);
                }
            }
        }
    }
    out
}

fn first_link(inlines: &[Inline]) -> Option<Link> {
    for inline in inlines {
        match inline {
            Inline::Link { url, children, .. } => {
                return Some(Link {
                    url: url.clone(),
                    text: plain_text(children),
                });
            }
            Inline::Strong(c) | Inline::Emphasis(c) => {
                if let Some(l) = first_link(c) {
                    return Some(l);
                }
            }
            _ => {}
        }
    }
    None
}
