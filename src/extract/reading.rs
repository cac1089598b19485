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

/// The reading-list sections of a document, computed once per document (titles are
/// normalised once, not once per card).
pub struct ReadingLists {
    /// Each section's children that are reading lists, in document order.
    children: Vec<Vec<usize>>,
}

pub fn reading_sections(doc: &Document) -> ReadingLists {
    let mut children = vec![Vec::new(); doc.sections.len()];
    for (index, section) in doc.sections.iter().enumerate() {
        if let Some(parent) = section.parent
            && is_reading_title(&section.title_text)
            && let Some(list) = children.get_mut(parent)
        {
            list.push(index);
        }
    }
    ReadingLists { children }
}

/// Links for cards of `index`: the nearest reading list of the section or an ancestor, plus
/// the section's own footnote links. `reading` comes from [`reading_sections`].
pub fn for_section(doc: &Document, index: usize, reading: &ReadingLists) -> Vec<Link> {
    let mut links: Vec<Link> = Vec::new();
    for i in doc.ancestors(index) {
        let found: Vec<Link> = reading.children[i]
            .iter()
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
