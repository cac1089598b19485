//! Sections and blocks: where a finished block goes (the open container, else the current
//! section), how a heading opens a section (anchor, nesting, pin), and how a finished section
//! is handed on when parsing section by section.

use super::parse::{Builder, Frame, SectionNames, trim_inlines};
use super::{Block, BlockKind, Document, Figure, Image, Inline, Section, plain_text};

/// How many headings of a file so far had each anchor (before numbering).
pub(super) type Slugs = std::collections::HashMap<String, usize, foldhash::fast::FixedState>;

/// The anchor GitHub gives a heading titled `title_text`: its slug, numbered (`-1`, `-2`, …)
/// after the headings before it with the same slug, which `slugs` counts (this one included,
/// once given).
pub(super) fn numbered_anchor(title_text: &str, slugs: &mut Slugs) -> String {
    let base = github_slug(title_text);
    let count = slugs.entry(base.clone()).or_insert(0);
    let anchor = if *count == 0 {
        base
    } else {
        format!("{base}-{count}")
    };
    *count += 1;
    anchor
}

/// Pops from `open` (the open sections, outermost first) those a heading of `level` closes:
/// every one at its level or deeper. The root (0) is never closed; the innermost left is the
/// new section's parent.
pub(super) fn close_open_sections(open: &mut Vec<usize>, sections: &[Section], level: u8) {
    while let Some(&top) = open.last() {
        if top != 0 && sections[top].level >= level {
            open.pop();
        } else {
            break;
        }
    }
}

impl Builder<'_, '_> {
    pub(super) fn push_block(&mut self, mut block: Block) {
        if block.pin.is_none() && !matches!(block.kind, BlockKind::Paragraph(_)) {
            block.pin = self.pending_pin.take();
        }
        for frame in self.stack.iter_mut().rev() {
            match frame {
                Frame::Quote { blocks, .. } => {
                    blocks.push(block);
                    return;
                }
                Frame::Item { item } => {
                    item.blocks.push(block);
                    return;
                }
                _ => {}
            }
        }
        let section = self.current_section();
        self.sections[section].blocks.push(block);
    }

    pub(super) fn open_section(&mut self, level: u8, mut inlines: Vec<Inline>, line: usize) {
        let title_text = if self.names == SectionNames::Neither {
            String::new()
        } else {
            trim_inlines(&mut inlines);
            plain_text(&inlines)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let anchor = if self.names == SectionNames::TitleAndAnchor {
            numbered_anchor(&title_text, &mut self.slugs)
        } else {
            String::new()
        };
        close_open_sections(&mut self.open, &self.sections, level);
        let parent = self.current_section();
        let index = self.sections.len();
        // Blocks only ever go to the newest section: the one before this heading is complete.
        self.section_done(index - 1);
        self.sections.push(Section {
            level,
            title_text,
            anchor,
            parent: Some(parent),
            children: Vec::new(),
            blocks: Vec::new(),
            line,
            pin: self.pending_pin.take(),
            footnotes: Vec::new(),
        });
        self.sections[parent].children.push(index);
        self.open.push(index);
    }

    /// Hands a complete section to `on_done` (when parsing section by section), then drops
    /// its blocks.
    pub(super) fn section_done(&mut self, index: usize) {
        if self.failed.is_some() {
            return;
        }
        if let Some(done) = self.on_blocks.as_mut() {
            let blocks = std::mem::take(&mut self.sections[index].blocks);
            if let Err(e) = done(index, blocks) {
                self.failed = Some(e);
            }
            return;
        }
        let Some(done) = self.on_done.as_mut() else {
            return;
        };
        // The callback sees a `Document`; moving the sections in and out costs nothing.
        let doc = Document {
            file: self.file.to_path_buf(),
            sections: std::mem::take(&mut self.sections),
            warnings: Vec::new(),
            image_places: std::mem::take(&mut self.image_places),
        };
        let result = done(&doc, index);
        self.sections = doc.sections;
        self.image_places = doc.image_places;
        self.sections[index].blocks = Vec::new();
        if let Err(e) = result {
            self.failed = Some(e);
        }
    }

    pub(super) fn finish_paragraph(&mut self, mut inlines: Vec<Inline>, line: usize) {
        trim_inlines(&mut inlines);
        if inlines.is_empty() {
            return;
        }
        let only_images = inlines.iter().all(|i| match i {
            Inline::Image { .. } | Inline::SoftBreak | Inline::HardBreak => true,
            Inline::Text(t) => t.trim().is_empty(),
            _ => false,
        });
        if only_images {
            let images = inlines
                .iter()
                .filter_map(|i| match i {
                    Inline::Image { url, alt } => Some(Image {
                        src: url.clone(),
                        alt: alt.clone(),
                    }),
                    _ => None,
                })
                .collect();
            let pin = self.pending_pin.take();
            self.push_block(Block {
                kind: BlockKind::Figure(Figure {
                    images,
                    caption: None,
                }),
                line,
                pin,
            });
            return;
        }
        let pin = self.pending_pin.take();
        self.push_block(Block {
            kind: BlockKind::Paragraph(inlines),
            line,
            pin,
        });
    }
}

/// GitHub's heading anchor (before deduplication): lowercase, punctuation other than `-` and
/// `_` removed, spaces turned into `-`.
pub fn github_slug(title: &str) -> String {
    let title = title.trim();
    let mut out = String::with_capacity(title.len());
    for c in title.chars() {
        // ASCII, nearly every heading's every character, without the Unicode tables: a file
        // of many small sections spent 3% of its build here.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                out.push(c.to_ascii_lowercase());
            } else if c == ' ' {
                out.push('-');
            }
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
    out
}
