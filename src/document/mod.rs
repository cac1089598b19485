//! Markdown → document tree: sections (one per heading), their blocks and inline markup, each
//! with the 1-based source line it starts on.
//!
//! The tree is plain data; [`parse`] builds it (see `parse.rs`, the only place that knows about
//! pulldown-cmark), or [`pieces`] in parts, one a core, joined into the same tree. Nesting is capped at [`MAX_DEPTH`] containers (lists, quotes) and
//! [`MAX_DEPTH`] inline spans: deeper content is kept, flattened into the deepest allowed
//! container, and a warning is recorded, so no later stage recurses unboundedly.

mod html;
mod parse;
pub mod pieces;
mod sections;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use crate::error::Warning;

pub use parse::{
    BlocksDone, Cut, Outline, SectionDone, parse, parse_each_section, parse_outline, parse_piece,
};
pub use sections::github_slug;

/// Deepest nesting of block containers (and, separately, of inline spans) kept in the tree.
pub const MAX_DEPTH: usize = 32;

/// One markdown file as a flat list of sections in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Display path relative to the content root (used in locations and links).
    pub file: PathBuf,
    /// `sections[0]` is the root: level 0, no title, holding anything before the first heading.
    pub sections: Vec<Section>,
    /// Problems found while parsing that do not stop the build (e.g. nesting too deep).
    pub warnings: Vec<Warning>,
    /// Where each image's path is written (markdown `![](…)` and HTML `<img src>`), in document
    /// order: an image that cannot be packed is reported there, at the line and column
    /// `check` gives.
    pub image_places: Vec<ImagePlace>,
}

/// An image path as written, and where it starts (1-based line; column in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePlace {
    pub src: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Heading level 1–6; 0 for the root section.
    pub level: u8,
    /// The title as plain text (markup stripped, spaces collapsed): all that any stage uses of
    /// a heading, so its inline markup is not kept (a big file keeps every heading).
    pub title_text: String,
    /// GitHub-style anchor, deduplicated within the document (`-1`, `-2`, …).
    pub anchor: String,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    pub blocks: Vec<Block>,
    pub line: usize,
    /// `<!-- id: … -->` directly before the heading.
    pub pin: Option<String>,
    /// Links from footnote-style references (`<sup><a href=…>1</a></sup>`) in the section text.
    pub footnotes: Vec<Link>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    pub line: usize,
    /// `<!-- id: … -->` directly before the block (lists and tables).
    pub pin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph(Vec<Inline>),
    List(List),
    Table(Table),
    Code {
        lang: Option<String>,
        text: String,
    },
    Quote(Vec<Block>),
    /// An image (or images) standing alone, with an optional attribution line.
    Figure(Figure),
    /// Raw HTML block (sanitised when rendered).
    Html(String),
    Rule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    pub ordered: bool,
    pub start: u64,
    pub items: Vec<ListItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    pub blocks: Vec<Block>,
    pub line: usize,
    /// `<!-- id: … -->` at the start of the item.
    pub pin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<Vec<Inline>>,
    pub rows: Vec<Vec<Vec<Inline>>>,
    /// Line of each row.
    pub row_lines: Vec<usize>,
    /// `<!-- id: … -->` at the start of a row's first cell.
    pub row_pins: Vec<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub images: Vec<Image>,
    pub caption: Option<Link>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub src: String,
    pub alt: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub url: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Code(String),
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    Strikethrough(Vec<Inline>),
    Link {
        url: String,
        title: String,
        children: Vec<Inline>,
    },
    Image {
        url: String,
        alt: String,
    },
    /// Raw inline HTML (sanitised when rendered).
    Html(String),
    SoftBreak,
    HardBreak,
}

impl Document {
    /// Indices of `index` and all its ancestors, root last.
    pub fn ancestors(&self, index: usize) -> Vec<usize> {
        let mut out = vec![index];
        let mut current = index;
        while let Some(parent) = self.sections.get(current).and_then(|s| s.parent) {
            out.push(parent);
            current = parent;
        }
        out
    }

    /// Titles from the top-level heading down to `index` (the root contributes nothing).
    pub fn heading_path(&self, index: usize) -> Vec<String> {
        let mut path: Vec<String> = self
            .ancestors(index)
            .into_iter()
            .filter(|&i| self.sections[i].level > 0)
            .map(|i| self.sections[i].title_text.clone())
            .collect();
        path.reverse();
        path
    }

    /// `index` and every section below it, in document order.
    pub fn subtree(&self, index: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![index];
        while let Some(i) = stack.pop() {
            out.push(i);
            for &child in self.sections[i].children.iter().rev() {
                stack.push(child);
            }
        }
        out
    }
}

/// Plain text of inline markup (images give their alt text, breaks a space).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain(inlines, &mut out);
    out
}

/// Whether [`plain_text`] of `inlines` is empty or whitespace, without building it.
pub fn is_blank(inlines: &[Inline]) -> bool {
    inlines.iter().all(|inline| match inline {
        Inline::Text(t) | Inline::Code(t) => t.trim().is_empty(),
        Inline::Emphasis(c) | Inline::Strong(c) | Inline::Strikethrough(c) => is_blank(c),
        Inline::Link { children, .. } => is_blank(children),
        Inline::Image { alt, .. } => alt.trim().is_empty(),
        Inline::Html(_) | Inline::SoftBreak | Inline::HardBreak => true,
    })
}

/// [`plain_text`] appended to `out`.
pub fn push_plain(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Emphasis(c) | Inline::Strong(c) | Inline::Strikethrough(c) => {
                push_plain(c, out)
            }
            Inline::Link { children, .. } => push_plain(children, out),
            Inline::Image { alt, .. } => out.push_str(alt),
            Inline::Html(_) => {}
            Inline::SoftBreak | Inline::HardBreak => out.push(' '),
        }
    }
}

/// Plain text of a run of blocks, paragraphs separated by a space.
pub fn blocks_text(blocks: &[Block]) -> String {
    let mut parts = Vec::new();
    for block in blocks {
        match &block.kind {
            BlockKind::Paragraph(inlines) => parts.push(plain_text(inlines)),
            BlockKind::List(list) => {
                for item in &list.items {
                    parts.push(blocks_text(&item.blocks));
                }
            }
            BlockKind::Code { text, .. } => parts.push(text.clone()),
            BlockKind::Quote(inner) => parts.push(blocks_text(inner)),
            BlockKind::Table(t) => {
                for row in &t.rows {
                    for cell in row {
                        parts.push(plain_text(cell));
                    }
                }
            }
            _ => {}
        }
    }
    parts.join(" ")
}
