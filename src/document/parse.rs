//! The only place that knows pulldown-cmark: events (with byte offsets) → [`Document`].
//!
//! The builder is iterative: containers live on an explicit stack, so nesting depth costs heap,
//! not call stack. Containers deeper than [`MAX_DEPTH`] are dropped (their content kept).

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use regex::Regex;

use super::{
    Block, BlockKind, Document, Figure, Image, Inline, Link, List, ListItem, MAX_DEPTH, Section,
    Table, plain_text,
};
use crate::error::{Result, SourceLocation, Warning, WarningKind};

static PIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*<!--\s*id:\s*([^\s>]+)\s*-->\s*$").unwrap());
static PIN_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*<!--\s*id:\s*([^\s>]+)\s*-->").unwrap());
static IMG_SRC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#).unwrap()
});
static CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?is)<i>\s*<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>(.*?)</a>\s*</i>"#,
    )
    .unwrap()
});
static HREF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?is)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#).unwrap());
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<[^>]*>").unwrap());
static BR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)^<br\s*/?>$").unwrap());

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
pub fn parse_each_section(text: &str, file: &Path, done: &mut SectionDone<'_>) -> Result<Document> {
    let mut builder = Builder::new(text, file, Some(done));
    run(text, &mut builder);
    builder.finish()
}

fn run(text: &str, builder: &mut Builder<'_, '_>) {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        let line = builder.line_of(range.start);
        builder.event(event, line);
        if builder.failed.is_some() {
            return;
        }
    }
}

/// GitHub's heading anchor (before deduplication): lowercase, punctuation other than `-` and
/// `_` removed, spaces turned into `-`.
pub fn github_slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.trim().chars() {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            out.extend(c.to_lowercase());
        } else if c == ' ' {
            out.push('-');
        }
    }
    out
}

enum Frame {
    /// A container past the depth cap, or a construct we do not model.
    Ignored,
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

enum SpanKind {
    Emphasis,
    Strong,
    Strike,
    Link { url: String, title: String },
}

struct Builder<'a, 'f> {
    file: &'a Path,
    /// Called with each finished section when parsing section by section.
    on_done: Option<&'a mut SectionDone<'f>>,
    /// The first error `on_done` returned.
    failed: Option<crate::error::Error>,
    line_starts: Vec<usize>,
    sections: Vec<Section>,
    /// Open sections (indices), innermost last.
    open: Vec<usize>,
    stack: Vec<Frame>,
    block_depth: usize,
    inline_depth: usize,
    pending_pin: Option<String>,
    slugs: HashMap<String, usize>,
    warnings: Vec<Warning>,
    warned_depth: bool,
    /// Inside `<sup>…</sup>` (a footnote reference): inline content is dropped, links kept.
    in_sup: bool,
}

impl<'a, 'f> Builder<'a, 'f> {
    fn new(text: &str, file: &'a Path, on_done: Option<&'a mut SectionDone<'f>>) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let root = Section {
            level: 0,
            title: Vec::new(),
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
            failed: None,
            line_starts,
            sections: vec![root],
            open: vec![0],
            stack: Vec::new(),
            block_depth: 0,
            inline_depth: 0,
            pending_pin: None,
            slugs: HashMap::new(),
            warnings: Vec::new(),
            warned_depth: false,
            in_sup: false,
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    fn current_section(&self) -> usize {
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
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.push_inline(Inline::Code(t.into_string()), line)
            }
            Event::Html(html) => self.html_block_text(&html),
            Event::InlineHtml(html) => self.inline_html(&html, line),
            Event::SoftBreak => self.push_inline(Inline::SoftBreak, line),
            Event::HardBreak => self.push_inline(Inline::HardBreak, line),
            Event::Rule => self.push_block(Block {
                kind: BlockKind::Rule,
                line,
                pin: None,
            }),
            Event::FootnoteReference(_) | Event::TaskListMarker(_) => {}
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
            Tag::BlockQuote(_) | Tag::List(_) | Tag::Item => {
                self.close_implicit();
                if self.block_depth >= MAX_DEPTH {
                    self.warn_depth(line);
                    self.stack.push(Frame::Ignored);
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
            Tag::CodeBlock(kind) => {
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
                })
            }
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
                self.ensure_inline_target(line);
                if self.inline_depth >= MAX_DEPTH {
                    self.warn_depth(line);
                    self.stack.push(Frame::Ignored);
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
                })
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
                self.stack.push(Frame::Ignored)
            }
        }
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
            Frame::Ignored => {}
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
            Frame::Row { cells, line, pin } => {
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
            .find(|f| !matches!(f, Frame::Ignored));
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

    fn push_inline(&mut self, inline: Inline, line: usize) {
        if self.in_sup {
            return;
        }
        match self.stack.last_mut() {
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

    fn inline_html(&mut self, html: &str, line: usize) {
        let trimmed = html.trim();
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with("<sup") {
            self.in_sup = true;
            return;
        }
        if lower.starts_with("</sup") {
            self.in_sup = false;
            return;
        }
        if self.in_sup {
            if let Some(url) = capture_url(&HREF, trimmed) {
                let section = self.current_section();
                self.sections[section].footnotes.push(Link {
                    url,
                    text: String::new(),
                });
            }
            return;
        }
        if let Some(pin) = PIN.captures(trimmed) {
            // A pin at the start of a list item pins the item.
            if let Some(Frame::Paragraph { inlines, .. }) = self.stack.last()
                && inlines.is_empty()
                && let Some(Frame::Item { item }) = self.stack.iter_mut().rev().nth(1)
            {
                item.pin = Some(pin[1].to_string());
                return;
            }
            if let Some(Frame::Item { item }) = self.stack.last_mut() {
                item.pin = Some(pin[1].to_string());
            }
            // A pin in a table row's first cell pins the row.
            if let [
                ..,
                Frame::Row {
                    cells,
                    pin: row_pin,
                    ..
                },
                Frame::Cell { inlines },
            ] = self.stack.as_mut_slice()
                && cells.is_empty()
                && inlines.is_empty()
            {
                *row_pin = Some(pin[1].to_string());
            }
            return;
        }
        if trimmed.starts_with("<!--") {
            return;
        }
        if BR.is_match(trimmed) {
            self.push_inline(Inline::HardBreak, line);
            return;
        }
        self.push_inline(Inline::Html(html.to_string()), line);
    }

    fn html_block_text(&mut self, html: &str) {
        if let Some(Frame::Html { text, .. }) = self.stack.last_mut() {
            text.push_str(html);
        }
    }

    fn finish_html(&mut self, text: String, line: usize) {
        // `* <!-- id: x --> text`: an HTML block inside a list item that starts with a pin.
        let mut rest = text.as_str();
        let mut pin = None;
        while let Some(c) = PIN_PREFIX.captures(rest) {
            pin = Some(c[1].to_string());
            rest = &rest[c.get(0).map_or(0, |m| m.end())..];
        }
        if let Some(pin) = pin
            && !rest.trim().is_empty()
        {
            let in_item = matches!(
                self.stack
                    .iter()
                    .rev()
                    .find(|f| !matches!(f, Frame::Ignored)),
                Some(Frame::Item { .. })
            );
            if in_item && let Some(Frame::Item { item }) = self.stack.last_mut() {
                item.pin = Some(pin);
            } else {
                self.pending_pin = Some(pin);
            }
            let inlines = vec![Inline::Text(
                rest.split_whitespace().collect::<Vec<_>>().join(" "),
            )];
            self.finish_paragraph(inlines, line);
            return;
        }
        let trimmed = text.trim();
        if let Some(pin) = PIN.captures(trimmed) {
            self.pending_pin = Some(pin[1].to_string());
            return;
        }
        if trimmed.starts_with("<!--") && trimmed.ends_with("-->") {
            return;
        }
        if let Some(figure) = html_figure(trimmed) {
            self.push_block(Block {
                kind: BlockKind::Figure(figure),
                line,
                pin: None,
            });
            return;
        }
        self.push_block(Block {
            kind: BlockKind::Html(text),
            line,
            pin: None,
        });
    }

    fn finish_paragraph(&mut self, mut inlines: Vec<Inline>, line: usize) {
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

    fn push_block(&mut self, mut block: Block) {
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

    fn open_section(&mut self, level: u8, mut inlines: Vec<Inline>, line: usize) {
        trim_inlines(&mut inlines);
        // Titles outlive their section's blocks (a big file keeps every heading): no spare room.
        inlines.shrink_to_fit();
        let title_text = plain_text(&inlines)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let base = github_slug(&title_text);
        let anchor = {
            let count = self.slugs.entry(base.clone()).or_insert(0);
            let anchor = if *count == 0 {
                base.clone()
            } else {
                format!("{base}-{count}")
            };
            *count += 1;
            anchor
        };
        while let Some(&top) = self.open.last() {
            if top != 0 && self.sections[top].level >= level {
                self.open.pop();
            } else {
                break;
            }
        }
        let parent = self.current_section();
        let index = self.sections.len();
        // Blocks only ever go to the newest section: the one before this heading is complete.
        self.section_done(index - 1);
        self.sections.push(Section {
            level,
            title: inlines,
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
    fn section_done(&mut self, index: usize) {
        let Some(done) = self.on_done.as_mut() else {
            return;
        };
        if self.failed.is_some() {
            return;
        }
        // The callback sees a `Document`; moving the sections in and out costs nothing.
        let doc = Document {
            file: self.file.to_path_buf(),
            sections: std::mem::take(&mut self.sections),
            warnings: Vec::new(),
        };
        let result = done(&doc, index);
        self.sections = doc.sections;
        self.sections[index].blocks = Vec::new();
        if let Err(e) = result {
            self.failed = Some(e);
        }
    }

    fn finish(mut self) -> Result<Document> {
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
        })
    }
}

fn capture_url(re: &Regex, text: &str) -> Option<String> {
    let caps = re.captures(text)?;
    caps.get(1)
        .or(caps.get(2))
        .or(caps.get(3))
        .map(|m| m.as_str().to_string())
}

/// `<p align="center"><img src=…><br/><i><a href=…>Source: …</a></i></p>` → a figure.
fn html_figure(html: &str) -> Option<Figure> {
    let lower = html.to_ascii_lowercase();
    if !(lower.starts_with("<p") || lower.starts_with("<div") || lower.starts_with("<img")) {
        return None;
    }
    let images: Vec<Image> = IMG_SRC
        .captures_iter(html)
        .filter_map(|c| c.get(1).or(c.get(2)).or(c.get(3)))
        .map(|m| Image {
            src: m.as_str().to_string(),
            alt: String::new(),
        })
        .collect();
    let caption = CAPTION.captures(html).map(|c| {
        let url = c
            .get(1)
            .or(c.get(2))
            .or(c.get(3))
            .map(|m| m.as_str())
            .unwrap_or("");
        let text = TAG.replace_all(c.get(4).map(|m| m.as_str()).unwrap_or(""), "");
        Link {
            url: url.to_string(),
            text: crate::markup::decode_entities(text.trim()),
        }
    });
    // Anything else of substance in the block means it is not just a figure.
    let rest = CAPTION.replace_all(html, "");
    let rest = TAG.replace_all(&rest, "");
    if !rest.trim().is_empty() || (images.is_empty() && caption.is_none()) {
        return None;
    }
    Some(Figure { images, caption })
}

fn trim_inlines(inlines: &mut Vec<Inline>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        parse(text, Path::new("t.md")).unwrap()
    }

    #[test]
    fn slugs_follow_github() {
        assert_eq!(
            github_slug("Disadvantage(s): failover"),
            "disadvantages-failover"
        );
        assert_eq!(
            github_slug("CP - consistency and partition"),
            "cp---consistency-and-partition"
        );
        assert_eq!(
            github_slug("Reverse proxy (web server)"),
            "reverse-proxy-web-server"
        );
    }

    #[test]
    fn duplicate_anchors_get_suffixes() {
        let d = doc("# A\n## Notes\n## Notes\n## Notes\n");
        let anchors: Vec<_> = d.sections.iter().map(|s| s.anchor.as_str()).collect();
        assert_eq!(anchors, ["", "a", "notes", "notes-1", "notes-2"]);
    }

    #[test]
    fn sections_nest_and_know_lines() {
        let d = doc("intro\n\n# Top\n\ntext\n\n## Sub\n\n* a\n* b\n\n# Next\n");
        assert_eq!(d.sections.len(), 4);
        assert_eq!(d.sections[2].parent, Some(1));
        assert_eq!(d.sections[2].line, 7);
        assert_eq!(d.sections[2].blocks[0].line, 9);
        assert_eq!(d.sections[3].parent, Some(0));
        assert_eq!(d.heading_path(2), ["Top", "Sub"]);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let lists: String = (0..10_000)
            .map(|i| format!("{}* x\n", "  ".repeat(i)))
            .collect();
        let d = doc(&lists);
        assert!(!d.warnings.is_empty());
        let quotes = ">".repeat(10_000) + " deep\n";
        let d = doc(&quotes);
        assert!(!d.warnings.is_empty());
        let emphasis = "*".repeat(10_000) + "x" + &"*".repeat(10_000);
        doc(&emphasis);
        let links = "[".repeat(10_000) + "x" + &"](u)".repeat(10_000);
        doc(&links);
    }

    #[test]
    fn caption_html_becomes_figure() {
        let d = doc(
            "# T\n\n<p align=\"center\">\n  <img src=\"images/a.png\">\n  <br/>\n  <i><a href=http://x.org/y>Source: Somewhere</a></i>\n</p>\n",
        );
        let BlockKind::Figure(f) = &d.sections[1].blocks[0].kind else {
            panic!()
        };
        assert_eq!(f.images[0].src, "images/a.png");
        assert_eq!(f.caption.as_ref().unwrap().url, "http://x.org/y");
        assert_eq!(f.caption.as_ref().unwrap().text, "Source: Somewhere");
    }

    #[test]
    fn pins_attach_to_headings_lists_and_items() {
        let d = doc("<!-- id: top -->\n# T\n\n<!-- id: lst -->\n* <!-- id: one --> a\n* b\n");
        assert_eq!(d.sections[1].pin.as_deref(), Some("top"));
        let b = &d.sections[1].blocks[0];
        assert_eq!(b.pin.as_deref(), Some("lst"));
        let BlockKind::List(l) = &b.kind else {
            panic!()
        };
        assert_eq!(l.items[0].pin.as_deref(), Some("one"));
    }

    #[test]
    fn sup_footnotes_become_links() {
        let d = doc("# T\n\nText.<sup><a href=http://e.org/1>1</a></sup> More.\n");
        assert_eq!(d.sections[1].footnotes[0].url, "http://e.org/1");
        let BlockKind::Paragraph(p) = &d.sections[1].blocks[0].kind else {
            panic!()
        };
        assert_eq!(plain_text(p), "Text. More.");
    }
}
