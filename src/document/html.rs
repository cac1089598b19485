//! Raw HTML in markdown: pins (`<!-- id: … -->`), `<br>`, footnote `<sup>` links and figure
//! captions inside HTML blocks and inline HTML, turned into document blocks and inlines.

use std::sync::LazyLock;

use regex::Regex;

use super::parse::{Builder, Frame};
use super::{Block, BlockKind, Figure, Image, Inline, Link};

static PIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*<!--\s*id:\s*([^\s>]+)\s*-->\s*$").unwrap());
static PIN_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*<!--\s*id:\s*([^\s>]+)\s*-->").unwrap());
static IMG_SRC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#).unwrap()
});
static CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?is)<(?:i|em|strong|b)>\s*<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>(.*?)</a>\s*</(?:i|em|strong|b)>"#,
    )
    .unwrap()
});
static HREF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?is)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#).unwrap());
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<[^>]*>").unwrap());
static BR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)^<br\s*/?>$").unwrap());

impl Builder<'_, '_> {
    /// A run of ignored frames is one counted frame, so that a search down the stack (here
    /// and in `ensure_inline_target`) skips it in one step: a frame each made every inline of
    /// deep nesting cost as much as the nesting.
    pub(super) fn push_ignored(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Ignored(n)) => *n += 1,
            _ => self.stack.push(Frame::Ignored(1)),
        }
    }

    pub(super) fn inline_html(&mut self, html: &str, line: usize) {
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

    pub(super) fn html_block_text(&mut self, html: &str) {
        if let Some(Frame::Html { text, .. }) = self.stack.last_mut() {
            text.push_str(html);
        }
    }

    pub(super) fn finish_html(&mut self, text: String, line: usize) {
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
                    .find(|f| !matches!(f, Frame::Ignored(_))),
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
}

fn capture_url(re: &Regex, text: &str) -> Option<String> {
    let caps = re.captures(text)?;
    caps.get(1)
        .or(caps.get(2))
        .or(caps.get(3))
        .map(|m| m.as_str().to_string())
}

/// `<p align="center"><img src=…><br/><i><a href=…>Source: …</a></i></p>` → a figure (the
/// caption link in `<i>`, `<em>`, `<strong>` or `<b>`: translations use each).
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
