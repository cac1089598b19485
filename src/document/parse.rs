//! The only place that knows pulldown-cmark: events (with byte offsets) → [`Document`].
//!
//! The builder is iterative: containers live on an explicit stack, so nesting depth costs heap,
//! not call stack. Containers deeper than [`MAX_DEPTH`] are dropped (their content kept).

use std::collections::HashMap;
use std::path::Path;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::{
    Block, BlockKind, Document, ImagePlace, Inline, List, ListItem, MAX_DEPTH, Section, Table,
    plain_text,
};
use crate::error::{Result, SourceLocation, Warning, WarningKind};
use crate::markup::{self, TextPlace};

/// Parses markdown into a [`Document`]. `file` is the display path relative to the content root.
pub fn parse(text: &str, file: &Path) -> Result<Document> {
    let mut builder = Builder::new(text, file, None);
    run(text, &mut builder);
    builder.finish()
}

/// What [`parse_each_section`] calls as each section is complete: the document so far (every
/// section up to and including that one, whose blocks are all there) and the section's index.
pub type SectionDone<'f> = dyn FnMut(&Document, usize) -> Result<()> + 'f;

/// Parses markdown section by section, for files too big to hold as a tree: `done` sees each
/// section once its blocks are complete (when the next heading starts, or at the end), after
/// which the blocks are dropped. Returns the document without blocks: every section's heading,
/// anchor, place in the tree, pin and footnotes. Stops at the first error `done` returns.
///
/// `sections`: how many sections to make room for at once (the outline's count when the
/// file is parsed a second time; 0 when not known). A file of 100k small sections keeps 20 MB
/// of them: room made by doubling would leave up to twice that.
pub fn parse_each_section(
    text: &str,
    file: &Path,
    sections: usize,
    done: &mut SectionDone<'_>,
) -> Result<Document> {
    outline_with(text, file, sections, done, false).map(|outline| outline.doc)
}

/// A heading where the file can be cut: parsed from there on alone, the text gives the same
/// blocks as it does in the whole file (see [`parse_outline`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// The section the heading opens.
    pub section: usize,
    /// Where the heading's line starts.
    pub byte: usize,
    /// That line (1-based).
    pub line: usize,
}

/// A file's outline (see [`parse_each_section`]) and where it can be cut into pieces parsed
/// apart ([`parse_piece`]).
pub struct Outline {
    pub doc: Document,
    /// In document order. Empty when a piece may read what another defines: a link reference
    /// definition (`[x]: url`) is resolved across the whole file.
    pub cuts: Vec<Cut>,
}

/// [`parse_each_section`], with the headings where the file can be cut. A heading is a cut
/// when nothing is open at its start: no container (list, quote, HTML block, table), no
/// paragraph, no `<sup>` footnote. Markdown's blocks then start afresh, as they do at the
/// top of a file.
pub fn parse_outline(
    text: &str,
    file: &Path,
    sections: usize,
    done: &mut SectionDone<'_>,
) -> Result<Outline> {
    outline_with(text, file, sections, done, true)
}

/// The outline of [`parse_each_section`], and its cuts when `find_cuts` (none otherwise).
fn outline_with(
    text: &str,
    file: &Path,
    sections: usize,
    done: &mut SectionDone<'_>,
    find_cuts: bool,
) -> Result<Outline> {
    let mut builder = Builder::new(text, file, Some(done));
    builder.sections.reserve_exact(sections.saturating_sub(1));
    if find_cuts {
        builder.cuts = Some(Vec::new());
    }
    let definitions = run(text, &mut builder);
    let cuts = builder.cuts.take().unwrap_or_default();
    let mut doc = builder.finish()?;
    // Kept for the whole file (an outline lives until the file is done): no spare room.
    doc.sections.shrink_to_fit();
    Ok(Outline {
        doc,
        cuts: if definitions { Vec::new() } else { cuts },
    })
}

/// What [`parse_piece`] calls as each section of the piece is complete: the section's index
/// in the piece (0 is what comes before the piece's first heading) and its blocks.
pub type BlocksDone<'f> = dyn FnMut(usize, Vec<Block>) -> Result<()> + 'f;

/// Parses a piece of a file that starts at a [`Cut`] (or at the top), section by section:
/// `done` gets each section's blocks, with lines counted from `first_line`. Stops at the first
/// error `done` returns. Returns how many sections the piece has, the one before its first
/// heading included. `sections`: how many to make room for at once, as for
/// [`parse_each_section`] (pieces are parsed one after the other: room made by doubling would
/// be paged in again for each).
pub fn parse_piece(
    text: &str,
    file: &Path,
    (first_line, sections): (usize, usize),
    done: &mut BlocksDone<'_>,
) -> Result<usize> {
    let mut builder = Builder::new(text, file, None);
    builder.sections.reserve_exact(sections.saturating_sub(1));
    builder.on_blocks = Some(done);
    // `done` is handed blocks alone: the sections' titles and anchors are the outline's.
    builder.names = SectionNames::Neither;
    builder.line_offset = first_line.saturating_sub(1);
    run(text, &mut builder);
    Ok(builder.finish()?.sections.len())
}

/// Feeds `text` to `builder`. Returns whether it defines link references.
pub(super) fn run(text: &str, builder: &mut Builder<'_, '_>) -> bool {
    // Other people's markdown too: task lists, math for MathJax. Front matter (YAML between
    // `---` lines, TOML between `+++` lines, at the top) is metadata, not content.
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_MATH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
    let mut metadata = false;
    let mut events = Parser::new_ext(text, options).into_offset_iter();
    for (event, range) in events.by_ref() {
        let edge = matches!(
            event,
            Event::Start(Tag::MetadataBlock(_)) | Event::End(TagEnd::MetadataBlock(_))
        );
        metadata ^= edge;
        if metadata || edge {
            continue;
        }
        let line = builder.line_of(range.start);
        if matches!(event, Event::Start(Tag::Heading { .. })) {
            if builder.stop_at == Some(range.start) {
                // The next piece's heading (see `pieces`): how things stand there is all
                // this piece needs of it.
                builder.stopped_clean = Some(builder.is_clean());
                break;
            }
            builder.note_cut(text, range.start, line);
        }
        builder.place_images(&event, text, range);
        builder.event(event, line);
        if builder.failed.is_some() {
            break;
        }
    }
    events.reference_definitions().iter().next().is_some()
}

/// The index of the last of `starts` (ascending, the first 0) at or before `offset`, searched
/// from index `hint` outwards in steps that double, then halved within the last step.
fn line_index(starts: &[usize], offset: usize, hint: usize) -> usize {
    let last = starts.len().saturating_sub(1);
    let hint = hint.min(last);
    if starts.get(hint).is_some_and(|&s| s <= offset) {
        // Forward: `starts[low] <= offset`, and `offset` is before `starts[high]` (or the end).
        let (mut low, mut step) = (hint, 1);
        let high = loop {
            let probe = low + step;
            if probe > last {
                break last + 1;
            }
            if starts[probe] > offset {
                break probe;
            }
            low = probe;
            step *= 2;
        };
        low + starts[low..high].partition_point(|&s| s <= offset) - 1
    } else {
        // Backward: `offset` is before `starts[high]`.
        let (mut high, mut step) = (hint, 1);
        let low = loop {
            let Some(probe) = high.checked_sub(step) else {
                break 0;
            };
            if starts[probe] <= offset {
                break probe;
            }
            high = probe;
            step *= 2;
        };
        (low + starts[low..high].partition_point(|&s| s <= offset)).saturating_sub(1)
    }
}

pub(super) enum Frame {
    /// Nested frames past the depth cap or unmodelled, counted (see `push_ignored`).
    Ignored(usize),
    Quote {
        blocks: Vec<Block>,
        line: usize,
        pin: Option<String>,
    },
    List {
        list: List,
        line: usize,
        pin: Option<String>,
    },
    Item {
        item: ListItem,
    },
    Paragraph {
        inlines: Vec<Inline>,
        line: usize,
        implicit: bool,
    },
    Heading {
        level: u8,
        inlines: Vec<Inline>,
        line: usize,
    },
    Code {
        lang: Option<String>,
        text: String,
        line: usize,
    },
    Html {
        text: String,
        line: usize,
    },
    Table {
        table: Table,
        line: usize,
        pin: Option<String>,
        in_head: bool,
    },
    Row {
        cells: Vec<Vec<Inline>>,
        line: usize,
        pin: Option<String>,
    },
    Cell {
        inlines: Vec<Inline>,
    },
    Span {
        kind: SpanKind,
        children: Vec<Inline>,
    },
    Image {
        url: String,
        alt: Vec<Inline>,
    },
}

pub(super) enum SpanKind {
    Emphasis,
    Strong,
    Strike,
    Link { url: String, title: String },
}

/// What a heading gives its section of its name while a text is parsed. Where the name comes
/// from elsewhere, working it out again is waste: a big file is a heading every few lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SectionNames {
    /// Its title's text and its anchor, numbered after the headings before it.
    TitleAndAnchor,
    /// Its title's text alone: a piece after a file's first, whose anchors the join numbers
    /// as the whole file does (see `pieces::join_parts`).
    TitleOnly,
    /// Neither: a chunk of a file whose outline gives its sections their names (see
    /// [`parse_piece`]).
    Neither,
}

pub(super) struct Builder<'a, 'f> {
    pub(super) file: &'a Path,
    /// Called with each finished section when parsing section by section.
    pub(super) on_done: Option<&'a mut SectionDone<'f>>,
    /// Called with each finished section's blocks when parsing a piece of a file.
    pub(super) on_blocks: Option<&'a mut BlocksDone<'f>>,
    /// Lines of the file before the text parsed (a piece of it).
    pub(super) line_offset: usize,
    /// Where the heading that ends a piece starts (see `pieces`): the parse stops there.
    pub(super) stop_at: Option<usize>,
    /// Whether nothing was open at `stop_at` (`None`: no heading started there).
    pub(super) stopped_clean: Option<bool>,
    /// Headings where the file can be cut, when asked for (see [`parse_outline`]).
    pub(super) cuts: Option<Vec<Cut>>,
    /// The first error `on_done` returned.
    pub(super) failed: Option<crate::error::Error>,
    pub(super) line_starts: Vec<usize>,
    /// The index in `line_starts` of the line [`Builder::line_of`] found last.
    line_hint: usize,
    /// Where each image path is written (see `Document::image_places`).
    pub(super) image_places: Vec<ImagePlace>,
    /// Where the last image placed is written.
    last_image: Option<TextPlace>,
    pub(super) sections: Vec<Section>,
    /// Open sections (indices), innermost last.
    pub(super) open: Vec<usize>,
    pub(super) stack: Vec<Frame>,
    pub(super) block_depth: usize,
    pub(super) inline_depth: usize,
    pub(super) pending_pin: Option<String>,
    /// What a heading gives its section of its name.
    pub(super) names: SectionNames,
    /// How many headings so far had each anchor. Hashed with foldhash, not SipHash: a big
    /// file has a heading per few lines, and nothing here needs protection from crafted keys.
    pub(super) slugs: super::sections::Slugs,
    pub(super) warnings: Vec<Warning>,
    pub(super) warned_depth: bool,
    /// Inside `<sup>…</sup>` (a footnote reference): inline content is dropped, links kept.
    pub(super) in_sup: bool,
}

impl<'a, 'f> Builder<'a, 'f> {
    pub(super) fn new(
        text: &str,
        file: &'a Path,
        on_done: Option<&'a mut SectionDone<'f>>,
    ) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let root = Section {
            level: 0,
            title_text: String::new(),
            anchor: String::new(),
            parent: None,
            children: Vec::new(),
            blocks: Vec::new(),
            line: 1,
            pin: None,
            footnotes: Vec::new(),
        };
        Builder {
            file,
            on_done,
            on_blocks: None,
            line_offset: 0,
            stop_at: None,
            stopped_clean: None,
            cuts: None,
            failed: None,
            line_starts,
            line_hint: 0,
            image_places: Vec::new(),
            last_image: None,
            sections: vec![root],
            open: vec![0],
            stack: Vec::new(),
            block_depth: 0,
            inline_depth: 0,
            pending_pin: None,
            names: SectionNames::TitleAndAnchor,
            slugs: HashMap::default(),
            warnings: Vec::new(),
            warned_depth: false,
            in_sup: false,
        }
    }

    /// Records where the image paths of `event` (found at `range` of `text`) are written.
    fn place_images(&mut self, event: &Event<'_>, text: &str, range: std::ops::Range<usize>) {
        let written = text.get(range.clone()).unwrap_or("");
        let mut found: Vec<(String, usize)> = Vec::new();
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                // The path as written follows `](`; escapes aside, it reads as parsed.
                let at = written
                    .find("](")
                    .map(|i| i + 2)
                    .and_then(|i| written[i..].find(dest_url.as_ref()).map(|j| i + j))
                    .unwrap_or(0);
                found.push((dest_url.to_string(), at));
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                for (at, src) in html_image_sources(html) {
                    found.push((src, at));
                }
            }
            _ => {}
        }
        for (src, at) in found {
            let offset = range.start + at;
            let line = self.line_of(offset);
            let line_start = TextPlace {
                offset: self
                    .line_starts
                    .get((line - self.line_offset).saturating_sub(1))
                    .copied()
                    .unwrap_or(0)
                    .min(offset),
                line,
                column: 1,
            };
            // Counted on from the last image when it is earlier on the same line, else from
            // the line's start: a line of n images costs n, not n squared.
            let from = self
                .last_image
                .filter(|last| last.line == line)
                .unwrap_or(line_start);
            let column = markup::count_on(text, from, offset)
                .or_else(|| markup::count_on(text, line_start, offset))
                .map_or(1, |place| place.column);
            self.last_image = Some(TextPlace {
                offset,
                line,
                column,
            });
            self.image_places.push(ImagePlace {
                src: src.trim().to_string(),
                line,
                column,
            });
        }
    }

    /// The line (counted from 1, plus `line_offset`) that `offset` is on. Every event asks,
    /// and events come in about the order of the text (an end goes back to its start, a few
    /// lines up): the search starts from the line found last and widens from there, rather
    /// than halving all of a big file's lines each time.
    fn line_of(&mut self, offset: usize) -> usize {
        self.line_hint = line_index(&self.line_starts, offset, self.line_hint);
        self.line_offset + self.line_hint + 1
    }

    /// Whether nothing is open: no container (list, quote, HTML block, table), no paragraph,
    /// no `<sup>` footnote. Markdown's blocks start afresh after it, as at the top of a file.
    pub(super) fn is_clean(&self) -> bool {
        self.stack.is_empty() && !self.in_sup && self.failed.is_none()
    }

    /// A heading starts at `offset` of `text`, on `line`: a [`Cut`] if nothing is open.
    fn note_cut(&mut self, text: &str, offset: usize, line: usize) {
        let clean = self.is_clean();
        let Some(cuts) = self.cuts.as_mut() else {
            return;
        };
        let byte = text
            .get(..offset)
            .and_then(|before| before.rfind('\n'))
            .map_or(0, |i| i + 1);
        // Only indentation may stand before the heading on its line.
        let indented = text.get(byte..offset).is_some_and(|t| t.trim().is_empty());
        if clean && indented {
            cuts.push(Cut {
                section: self.sections.len(),
                byte,
                line,
            });
        }
    }

    pub(super) fn current_section(&self) -> usize {
        *self.open.last().unwrap_or(&0)
    }

    fn warn_depth(&mut self, line: usize) {
        if !self.warned_depth {
            self.warned_depth = true;
            self.warnings.push(Warning::new(
                WarningKind::DeepNesting,
                SourceLocation::new(self.file, line, 0),
                format!("nesting deeper than {MAX_DEPTH} levels is flattened; simplify the markup"),
            ));
        }
    }

    fn event(&mut self, event: Event<'_>, line: usize) {
        match event {
            Event::Start(tag) => self.start(tag, line),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.push_inline(Inline::Text(t.into_string()), line),
            Event::Code(t) => self.push_inline(Inline::Code(t.into_string()), line),
            // Anki's MathJax reads \(…\) and \[…\].
            Event::InlineMath(t) => self.push_inline(Inline::Text(format!("\\({t}\\)")), line),
            Event::DisplayMath(t) => self.push_inline(Inline::Text(format!("\\[{t}\\]")), line),
            Event::TaskListMarker(done) => self.push_inline(Inline::Text(box_of(done)), line),
            Event::Html(html) => self.html_block_text(&html),
            Event::InlineHtml(html) => self.inline_html(&html, line),
            Event::SoftBreak => self.push_inline(Inline::SoftBreak, line),
            Event::HardBreak => self.push_inline(Inline::HardBreak, line),
            Event::Rule => self.push_block(Block {
                kind: BlockKind::Rule,
                line,
                pin: None,
            }),
            Event::FootnoteReference(_) => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, line: usize) {
        match tag {
            Tag::Paragraph => {
                self.close_implicit();
                self.stack.push(Frame::Paragraph {
                    inlines: Vec::new(),
                    line,
                    implicit: false,
                })
            }
            Tag::Heading { level, .. } => {
                self.close_implicit();
                self.stack.push(Frame::Heading {
                    level: level as u8,
                    inlines: Vec::new(),
                    line,
                })
            }
            Tag::BlockQuote(_) | Tag::List(_) | Tag::Item => self.start_container(tag, line),
            Tag::CodeBlock(kind) => self.start_code(kind, line),
            Tag::HtmlBlock => {
                self.close_implicit();
                self.stack.push(Frame::Html {
                    text: String::new(),
                    line,
                })
            }
            Tag::Table(_) => {
                self.close_implicit();
                self.stack.push(Frame::Table {
                    table: Table {
                        header: Vec::new(),
                        rows: Vec::new(),
                        row_lines: Vec::new(),
                        row_pins: Vec::new(),
                    },
                    line,
                    pin: self.pending_pin.take(),
                    in_head: false,
                })
            }
            Tag::TableHead => {
                if let Some(Frame::Table { in_head, .. }) = self.stack.last_mut() {
                    *in_head = true;
                }
                self.stack.push(Frame::Row {
                    cells: Vec::new(),
                    line,
                    pin: None,
                })
            }
            Tag::TableRow => self.stack.push(Frame::Row {
                cells: Vec::new(),
                line,
                pin: None,
            }),
            Tag::TableCell => self.stack.push(Frame::Cell {
                inlines: Vec::new(),
            }),
            Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } => {
                self.start_span(tag, line)
            }
            Tag::Image { dest_url, .. } => {
                self.ensure_inline_target(line);
                self.stack.push(Frame::Image {
                    url: dest_url.into_string(),
                    alt: Vec::new(),
                })
            }
            _ => {
                self.close_implicit();
                self.push_ignored()
            }
        }
    }

    /// A block quote, list or list item: a container of blocks, up to [`MAX_DEPTH`] deep.
    fn start_container(&mut self, tag: Tag<'_>, line: usize) {
        self.close_implicit();
        if self.block_depth >= MAX_DEPTH {
            self.warn_depth(line);
            self.push_ignored();
            return;
        }
        self.block_depth += 1;
        let frame = match tag {
            Tag::BlockQuote(_) => Frame::Quote {
                blocks: Vec::new(),
                line,
                pin: self.pending_pin.take(),
            },
            Tag::List(start) => Frame::List {
                list: List {
                    ordered: start.is_some(),
                    start: start.unwrap_or(1),
                    items: Vec::new(),
                },
                line,
                pin: self.pending_pin.take(),
            },
            _ => Frame::Item {
                item: ListItem {
                    blocks: Vec::new(),
                    line,
                    pin: None,
                },
            },
        };
        self.stack.push(frame);
    }

    /// A code block; its language is the first word of a fence's info string.
    fn start_code(&mut self, kind: CodeBlockKind<'_>, line: usize) {
        self.close_implicit();
        let lang = match kind {
            CodeBlockKind::Fenced(info) => info
                .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                .next()
                .filter(|l| !l.is_empty())
                .map(str::to_string),
            CodeBlockKind::Indented => None,
        };
        self.stack.push(Frame::Code {
            lang,
            text: String::new(),
            line,
        });
    }

    /// Emphasis, strong, strikethrough or a link: an inline span, up to [`MAX_DEPTH`] deep.
    fn start_span(&mut self, tag: Tag<'_>, line: usize) {
        self.ensure_inline_target(line);
        if self.inline_depth >= MAX_DEPTH {
            self.warn_depth(line);
            self.push_ignored();
            return;
        }
        self.inline_depth += 1;
        let kind = match tag {
            Tag::Emphasis => SpanKind::Emphasis,
            Tag::Strong => SpanKind::Strong,
            Tag::Strikethrough => SpanKind::Strike,
            Tag::Link {
                dest_url, title, ..
            } => SpanKind::Link {
                url: dest_url.into_string(),
                title: title.into_string(),
            },
            _ => unreachable!("matched above"),
        };
        self.stack.push(Frame::Span {
            kind,
            children: Vec::new(),
        });
    }

    fn end(&mut self, tag: TagEnd) {
        // Block-level ends close an implicit (tight list) paragraph first.
        if matches!(tag, TagEnd::Item | TagEnd::BlockQuote(_) | TagEnd::List(_)) {
            self.close_implicit();
        }
        let Some(frame) = self.stack.pop() else {
            return;
        };
        match frame {
            Frame::Ignored(n) if n > 1 => self.stack.push(Frame::Ignored(n - 1)),
            Frame::Ignored(_) => {}
            Frame::Quote { blocks, line, pin } => {
                self.block_depth -= 1;
                self.push_block(Block {
                    kind: BlockKind::Quote(blocks),
                    line,
                    pin,
                });
            }
            Frame::List { list, line, pin } => {
                self.block_depth -= 1;
                self.push_block(Block {
                    kind: BlockKind::List(list),
                    line,
                    pin,
                });
            }
            Frame::Item { item } => {
                self.block_depth -= 1;
                match self.stack.last_mut() {
                    Some(Frame::List { list, .. }) => list.items.push(item),
                    _ => {
                        // The list frame was dropped by the depth cap: keep the content.
                        for block in item.blocks {
                            self.push_block(block);
                        }
                    }
                }
            }
            Frame::Paragraph { inlines, line, .. } => self.finish_paragraph(inlines, line),
            Frame::Heading {
                level,
                inlines,
                line,
            } => self.open_section(level, inlines, line),
            Frame::Code { lang, text, line } => self.push_block(Block {
                kind: BlockKind::Code { lang, text },
                line,
                pin: None,
            }),
            Frame::Html { text, line } => self.finish_html(text, line),
            Frame::Table {
                table, line, pin, ..
            } => self.push_block(Block {
                kind: BlockKind::Table(table),
                line,
                pin,
            }),
            Frame::Row {
                mut cells,
                line,
                pin,
            } => {
                // A table may have thousands of rows, each kept until its section is done:
                // no spare capacity.
                cells.shrink_to_fit();
                if let Some(Frame::Table { table, in_head, .. }) = self.stack.last_mut() {
                    if *in_head {
                        table.header = cells;
                        *in_head = false;
                    } else {
                        table.rows.push(cells);
                        table.row_lines.push(line);
                        table.row_pins.push(pin);
                    }
                }
            }
            Frame::Cell { mut inlines } => {
                trim_inlines(&mut inlines);
                // A cell is mostly one text, in a vector that grew to room for four inlines.
                inlines.shrink_to_fit();
                if let Some(Frame::Row { cells, .. }) = self.stack.last_mut() {
                    cells.push(inlines);
                }
            }
            Frame::Span { kind, children } => {
                self.inline_depth -= 1;
                let inline = match kind {
                    SpanKind::Emphasis => Inline::Emphasis(children),
                    SpanKind::Strong => Inline::Strong(children),
                    SpanKind::Strike => Inline::Strikethrough(children),
                    SpanKind::Link { url, title } => Inline::Link {
                        url,
                        title,
                        children,
                    },
                };
                self.attach_inline(inline);
            }
            Frame::Image { url, alt } => self.attach_inline(Inline::Image {
                url,
                alt: plain_text(&alt),
            }),
        }
    }

    /// Where inline content goes: the innermost inline container, opening an implicit
    /// paragraph inside a list item or quote (tight lists have no paragraph events).
    fn ensure_inline_target(&mut self, line: usize) {
        let nearest = self
            .stack
            .iter()
            .rev()
            .find(|f| !matches!(f, Frame::Ignored(_)));
        let needs_paragraph = matches!(
            nearest,
            None | Some(Frame::Item { .. }) | Some(Frame::Quote { .. }) | Some(Frame::List { .. })
        );
        if needs_paragraph {
            self.stack.push(Frame::Paragraph {
                inlines: Vec::new(),
                line,
                implicit: true,
            });
        }
    }

    fn close_implicit(&mut self) {
        if let Some(Frame::Paragraph { implicit: true, .. }) = self.stack.last()
            && let Some(Frame::Paragraph { inlines, line, .. }) = self.stack.pop()
        {
            self.finish_paragraph(inlines, line);
        }
    }

    pub(super) fn push_inline(&mut self, inline: Inline, line: usize) {
        if self.in_sup {
            return;
        }
        match self.stack.last_mut() {
            // Text right under an ignored element: front matter, never card text.
            Some(Frame::Ignored(_)) => return,
            Some(Frame::Code { text, .. }) => {
                if let Inline::Text(t) = inline {
                    text.push_str(&t);
                }
                return;
            }
            Some(Frame::Html { text, .. }) => {
                if let Inline::Text(t) = inline {
                    text.push_str(&t);
                }
                return;
            }
            _ => {}
        }
        self.ensure_inline_target(line);
        self.attach_inline(inline);
    }

    fn attach_inline(&mut self, inline: Inline) {
        // Merge adjacent text so later stages see whole runs.
        let target = match self.stack.last_mut() {
            Some(Frame::Paragraph { inlines, .. })
            | Some(Frame::Heading { inlines, .. })
            | Some(Frame::Cell { inlines }) => inlines,
            Some(Frame::Span { children, .. }) => children,
            Some(Frame::Image { alt, .. }) => alt,
            _ => {
                // An ignored inline span or other frame: find the nearest inline container.
                let Some(container) = self.stack.iter_mut().rev().find_map(|f| match f {
                    Frame::Paragraph { inlines, .. }
                    | Frame::Heading { inlines, .. }
                    | Frame::Cell { inlines } => Some(inlines),
                    Frame::Span { children, .. } => Some(children),
                    Frame::Image { alt, .. } => Some(alt),
                    _ => None,
                }) else {
                    return;
                };
                container
            }
        };
        if let (Inline::Text(new), Some(Inline::Text(last))) = (&inline, target.last_mut()) {
            last.push_str(new);
            return;
        }
        target.push(inline);
    }

    pub(super) fn finish(mut self) -> Result<Document> {
        // Unclosed frames cannot happen with pulldown-cmark, but never lose content.
        while !self.stack.is_empty() {
            self.end(TagEnd::Paragraph);
        }
        self.section_done(self.sections.len() - 1);
        if let Some(e) = self.failed {
            return Err(e);
        }
        Ok(Document {
            file: self.file.to_path_buf(),
            sections: self.sections,
            warnings: self.warnings,
            image_places: self.image_places,
        })
    }
}

/// The `src` values of the `<img>` tags of an HTML chunk, with their byte offsets in it.
fn html_image_sources(html: &str) -> Vec<(usize, String)> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(tag) = lower[from..].find("<img").map(|i| from + i) {
        let end = lower[tag..].find('>').map_or(lower.len(), |i| tag + i);
        if let Some(attr) = lower[tag..end].find("src=").map(|i| tag + i + 4) {
            let quote = html[attr..]
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'');
            let start = attr + quote.map_or(0, char::len_utf8);
            let stop = match quote {
                Some(q) => html[start..end].find(q).map_or(end, |i| start + i),
                None => html[start..end]
                    .find(char::is_whitespace)
                    .map_or(end, |i| start + i),
            };
            out.push((start, html[start..stop].to_string()));
        }
        from = end.max(tag + 4);
    }
    out
}

pub(super) fn trim_inlines(inlines: &mut Vec<Inline>) {
    while matches!(inlines.last(), Some(Inline::SoftBreak | Inline::HardBreak)) {
        inlines.pop();
    }
    while matches!(inlines.first(), Some(Inline::SoftBreak | Inline::HardBreak)) {
        inlines.remove(0);
    }
    if let Some(Inline::Text(t)) = inlines.first_mut() {
        *t = t.trim_start().to_string();
    }
    if let Some(Inline::Text(t)) = inlines.last_mut() {
        *t = t.trim_end().to_string();
    }
    inlines.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
}

/// A GFM task list's checkbox, as text.
fn box_of(done: bool) -> String {
    if done { "☑ " } else { "☐ " }.into()
}

#[cfg(test)]
mod tests {
    use super::line_index;

    /// What the search from a hint must agree with: the last line start at or before `offset`.
    fn halving(starts: &[usize], offset: usize) -> usize {
        match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    #[test]
    fn the_line_found_from_any_hint_is_the_line_found_by_halving() {
        let text = "a\n\nbb\nccc\n\n\ndddd\ne\n";
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        for offset in 0..=text.len() + 3 {
            for hint in 0..starts.len() + 2 {
                assert_eq!(
                    line_index(&starts, offset, hint),
                    halving(&starts, offset),
                    "offset {offset}, hint {hint}"
                );
            }
        }
        // A big file, offsets far from the hint both ways.
        let starts: Vec<usize> = (0..10_000).map(|i| i * 7 + i % 3).collect();
        for (offset, hint) in [
            (0, 9_999),
            (69_999, 0),
            (35_000, 35),
            (12, 5_000),
            (70_500, 9),
        ] {
            assert_eq!(line_index(&starts, offset, hint), halving(&starts, offset));
        }
        assert_eq!(line_index(&[0], 5, 0), 0);
    }
}
