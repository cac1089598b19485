//! Rule 7 — further reading: "Source(s) and further reading" sections are not cards; their
//! links (and footnote links from the text) go on the cards of the section they belong to.

use crate::document::{BlockKind, Document, Inline, Link, plain_text};

/// Whether a section title names a reading list, in any language (see `lang`).
pub fn is_reading_title(title: &str) -> bool {
    super::lang::is_reading_title(title)
}

/// The links of every section's reading-list children, gathered once per document (titles
/// are normalised once, not once per card).
#[derive(Debug, Default)]
pub struct ReadingLists {
    /// By section: the links of its reading-list children, in document order.
    by_parent: Vec<Vec<Link>>,
}

impl ReadingLists {
    pub fn of(doc: &Document) -> Self {
        let mut lists = ReadingLists::default();
        for index in 0..doc.sections.len() {
            lists.add(doc, index);
        }
        lists
    }

    /// Takes note of section `index` if it is a reading list (its blocks must be in `doc`).
    /// Sections must come in document order.
    pub fn add(&mut self, doc: &Document, index: usize) {
        if let Some(parent) = doc.sections[index].parent
            && let Some(links) = Self::own_links(doc, index)
        {
            self.add_links(parent, links);
        }
    }

    /// The links of section `index` when it is a reading list: what [`ReadingLists::add`]
    /// reads of the section itself (its title and blocks), not of its place in the tree.
    pub fn own_links(doc: &Document, index: usize) -> Option<Vec<Link>> {
        is_reading_title(&doc.sections[index].title_text).then(|| section_links(doc, index))
    }

    /// Takes note of a reading list of `parent`'s with `links` ([`ReadingLists::own_links`]),
    /// in document order.
    pub fn add_links(&mut self, parent: usize, links: Vec<Link>) {
        if self.by_parent.len() <= parent {
            self.by_parent.resize_with(parent + 1, Vec::new);
        }
        self.by_parent[parent].extend(links);
    }
}

/// Links for cards of `index`: the nearest reading list of the section or an ancestor, plus
/// the section's own footnote links. `reading` comes from [`ReadingLists`].
pub fn for_section(doc: &Document, index: usize, reading: &ReadingLists) -> Vec<Link> {
    let mut links: Vec<Link> = Vec::new();
    for i in doc.ancestors(index) {
        if let Some(found) = reading.by_parent.get(i)
            && !found.is_empty()
        {
            links.extend(found.iter().cloned());
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
