//! Card pieces → sanitised HTML fields; links made absolute; images resolved to media.
//!
//! Every fragment that carries document content goes through [`sanitize`] (an ammonia
//! allow-list) before it is wrapped in our own structure (cloze markers, classed containers),
//! so raw HTML from the content can never add scripts, handlers or `javascript:` URLs.
//!
//! CSS classes used: `subject`, `cloze-list`, `diagram`, `attribution`, `further-reading`,
//! `content-table`, `code` (on `<pre>`), `hl` plus `language-LANG` (on `<code>`), and syntect
//! scope classes prefixed `hl-` on `<span>`s (e.g. `hl-keyword`, `hl-string`). The note types'
//! stylesheet (package/assets/style.css) styles each; tests/it/style.rs checks that it does.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::LazyLock;

use super::highlight::highlight;
use super::remote;
use super::sanitize::sanitize;
use super::{MediaResolver, RemoteImages, RenderOptions};
use crate::document::{Block, BlockKind, Document, Figure, ImagePlace, Inline, Link, MAX_DEPTH};
use crate::error::{Result, SourceLocation, Warning, WarningKind};
use crate::extract::Piece;
use crate::markup::{escape, file_url, has_scheme, join_relative, percent_decode};

pub(super) struct Renderer<'a> {
    pub(super) doc: &'a Document,
    pub(super) options: &'a RenderOptions,
    pub(super) media: &'a mut dyn MediaResolver,
    pub(super) warnings: Vec<Warning>,
    pub(super) line: usize,
    /// Where each image path is first written, by path: made when an image first asks, so
    /// that a file of many images finds each in one look-up, not a scan of them all.
    pub(super) image_places: std::cell::OnceCell<HashMap<&'a str, &'a ImagePlace>>,
}

impl<'a> Renderer<'a> {
    fn origin(&self) -> SourceLocation {
        SourceLocation::new(&self.doc.file, self.line, 0)
    }

    /// Where the image `src` is written, else the card's line.
    fn image_origin(&self, src: &str) -> SourceLocation {
        let doc: &'a Document = self.doc;
        let places = self.image_places.get_or_init(|| {
            let mut places = HashMap::with_capacity(doc.image_places.len());
            for place in &doc.image_places {
                places.entry(place.src.as_str()).or_insert(place);
            }
            places
        });
        places.get(src).map_or_else(
            || self.origin(),
            |p| SourceLocation::new(&self.doc.file, p.line, p.column),
        )
    }

    fn warn(&mut self, kind: WarningKind, message: String) {
        self.warnings
            .push(Warning::new(kind, self.origin(), message));
    }

    /// In-document anchors and relative links → absolute URLs online.
    fn link_url(&self, url: &str) -> String {
        let url = url.trim();
        if url.starts_with("//") {
            return format!("https:{url}");
        }
        if has_scheme(url) {
            return url.to_string();
        }
        if url.starts_with('#') {
            return format!(
                "{}{}{}",
                self.options.base_url,
                file_url(&self.doc.file),
                url
            );
        }
        let (path, fragment) = match url.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (url, None),
        };
        let dir = self.doc.file.parent().unwrap_or(Path::new(""));
        let joined = if let Some(stripped) = path.strip_prefix('/') {
            join_relative(Path::new(""), stripped)
        } else {
            join_relative(dir, path)
        };
        let mut out = match joined {
            Some(p) => format!("{}{}", self.options.base_url, file_url(&p)),
            None => self.options.base_url.clone(),
        };
        if let Some(f) = fragment {
            out.push('#');
            out.push_str(f);
        }
        out
    }

    /// A remote image the content has no copy of: kept, dropped or an error, as
    /// `--remote-images` says; reported in every case, since offline it shows nothing.
    fn still_remote(&mut self, src: &str, as_link: bool) -> Result<Option<String>> {
        let url = if src.starts_with("//") {
            format!("https:{src}")
        } else {
            src.to_string()
        };
        let policy = self.options.remote_images;
        let what = match policy {
            RemoteImages::Link if as_link => "a link to it takes its place on the card",
            // Raw HTML's `<img>` keeps its markup: it cannot become a link.
            RemoteImages::Link => "left out (an image in raw HTML cannot become a link)",
            RemoteImages::Keep => "kept as a remote image, so it shows nothing offline",
            RemoteImages::Drop => "left out (--remote-images drop)",
            RemoteImages::Error => "an error (--remote-images error)",
        };
        self.warn(
            WarningKind::RemoteImage,
            format!(
                "image `{url}` is remote and the content has no copy of it: {what}; put the \
                 file in images/ under the URL's file name to bundle it"
            ),
        );
        Ok(match policy {
            RemoteImages::Keep => Some(url),
            RemoteImages::Link if as_link => Some(url),
            RemoteImages::Link | RemoteImages::Drop | RemoteImages::Error => None,
        })
    }

    /// An `<img>` for a markdown image, a link in its place (`--remote-images link`: nothing
    /// broken offline, one click online), or nothing.
    fn image_html(&mut self, src: &str, alt: &str) -> Result<String> {
        let as_link = self.options.remote_images == RemoteImages::Link;
        Ok(match self.image_src(src, as_link)? {
            // A packed media name is never a URL: a remote one here is one to link to.
            Some(href) if as_link && remote::is_remote(&href) => {
                let alt = if alt.trim().is_empty() {
                    "image"
                } else {
                    alt.trim()
                };
                format!(
                    "<a class=\"remote-image\" href=\"{}\">{} (image online)</a>",
                    escape(&href),
                    escape(alt)
                )
            }
            Some(src) => format!("<img src=\"{}\" alt=\"{}\">", escape(&src), escape(alt)),
            None => String::new(),
        })
    }

    /// The `src` an image gets: a packed media name, a remote URL, or nothing (missing file).
    /// `as_link`: the caller shows a remote URL as a link (markdown images), not raw HTML.
    fn image_src(&mut self, src: &str, as_link: bool) -> Result<Option<String>> {
        let src = src.trim();
        let root = &self.options.content_root;
        let dir = self
            .doc
            .file
            .parent()
            .unwrap_or(Path::new(""))
            .to_path_buf();
        if remote::is_remote(src) {
            if let Some(local) = remote::local_copy(root, self.doc, src) {
                let origin = self.image_origin(src);
                return Ok(Some(self.media.resolve(&local, &origin)?));
            }
            return self.still_remote(src, as_link);
        }
        if has_scheme(src) {
            self.warn(
                WarningKind::ImageScheme,
                format!("image `{src}` has an unsupported URL scheme; it is left out"),
            );
            return Ok(None);
        }
        let path = percent_decode(src.split(['?', '#']).next().unwrap_or(""));
        let Some(rel) = join_relative(&dir, &path) else {
            self.warn(
                WarningKind::ImageOutsideContent,
                format!("image `{src}` points outside the content; it is left out"),
            );
            return Ok(None);
        };
        let full = root.join(&rel);
        // The resolver decides what a missing or broken file means: the build stops (a card
        // that silently loses its diagram is a broken card), `check` reports it in place. Both
        // point at the path as written, not at the card that shows it.
        let origin = self.image_origin(src);
        Ok(Some(self.media.resolve(&full, &origin)?))
    }

    pub(super) fn pieces(&mut self, pieces: &[Piece]) -> Result<String> {
        let mut out = String::new();
        let mut inline = String::new();
        let flush = |out: &mut String, inline: &mut String| {
            if !inline.trim().is_empty() {
                out.push_str("<p>");
                out.push_str(inline.trim());
                out.push_str("</p>");
            }
            inline.clear();
        };
        let single_inline = pieces.iter().all(|p| {
            matches!(
                p,
                Piece::Text(_) | Piece::Subject(_) | Piece::Inlines(_) | Piece::Cloze(..)
            )
        });
        for piece in pieces {
            match piece {
                Piece::Text(t) => inline.push_str(&escape(t)),
                Piece::Subject(t) => {
                    let _ = write!(inline, "<span class=\"subject\">{}</span>", escape(t));
                }
                Piece::Inlines(i) => inline.push_str(&self.inlines(i)?),
                Piece::Cloze(n, i) => {
                    let content = cloze_safe(&self.inlines(i)?);
                    let _ = write!(inline, "{{{{c{n}::{content}}}}}");
                }
                Piece::Para(i) => {
                    flush(&mut out, &mut inline);
                    let html = self.inlines(i)?;
                    if !html.trim().is_empty() {
                        let _ = write!(out, "<p>{html}</p>");
                    }
                }
                Piece::ClozeList(items) => {
                    flush(&mut out, &mut inline);
                    out.push_str("<ul class=\"cloze-list\">");
                    for (n, i) in items {
                        let content = self.inlines(i)?;
                        if *n == 0 {
                            let _ = write!(out, "<li>{content}</li>");
                        } else {
                            let _ = write!(out, "<li>{{{{c{n}::{}}}}}</li>", cloze_safe(&content));
                        }
                    }
                    out.push_str("</ul>");
                }
                Piece::List(items) => {
                    flush(&mut out, &mut inline);
                    out.push_str("<ul>");
                    for i in items {
                        let _ = write!(out, "<li>{}</li>", self.inlines(i)?);
                    }
                    out.push_str("</ul>");
                }
                Piece::Block(b) => {
                    flush(&mut out, &mut inline);
                    let html = self.block(b, 0)?;
                    out.push_str(&html);
                }
                Piece::Code { lang, text } => {
                    flush(&mut out, &mut inline);
                    out.push_str(&highlight(text, lang.as_deref()));
                }
                Piece::Table { header, rows } => {
                    flush(&mut out, &mut inline);
                    out.push_str(&plain_table(header, rows));
                }
            }
        }
        if single_inline {
            return Ok(inline.trim().to_string());
        }
        flush(&mut out, &mut inline);
        Ok(out)
    }

    /// Inline markup → sanitised HTML.
    fn inlines(&mut self, inlines: &[Inline]) -> Result<String> {
        let mut raw = String::new();
        self.push_inlines(inlines, &mut raw, 0)?;
        Ok(sanitize(&raw))
    }

    fn push_inlines(&mut self, inlines: &[Inline], out: &mut String, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH * 2 {
            return Ok(());
        }
        for inline in inlines {
            match inline {
                Inline::Text(t) => out.push_str(&escape(t)),
                Inline::Code(t) => out.push_str(&format!("<code>{}</code>", escape(t))),
                Inline::Emphasis(c) => {
                    out.push_str("<em>");
                    self.push_inlines(c, out, depth + 1)?;
                    out.push_str("</em>");
                }
                Inline::Strong(c) => {
                    out.push_str("<strong>");
                    self.push_inlines(c, out, depth + 1)?;
                    out.push_str("</strong>");
                }
                Inline::Strikethrough(c) => {
                    out.push_str("<del>");
                    self.push_inlines(c, out, depth + 1)?;
                    out.push_str("</del>");
                }
                Inline::Link { url, children, .. } => {
                    out.push_str(&format!("<a href=\"{}\">", escape(&self.link_url(url))));
                    self.push_inlines(children, out, depth + 1)?;
                    out.push_str("</a>");
                }
                Inline::Image { url, alt } => out.push_str(&self.image_html(url, alt)?),
                Inline::Html(h) => out.push_str(&self.rewrite_html_urls(h)?),
                Inline::SoftBreak => out.push(' '),
                Inline::HardBreak => out.push_str("<br>"),
            }
        }
        Ok(())
    }

    /// Raw HTML keeps its markup (sanitised later), but its links and images are made absolute
    /// or resolved like markdown ones.
    fn rewrite_html_urls(&mut self, html: &str) -> Result<String> {
        static ATTR: LazyLock<regex::Regex> = LazyLock::new(|| {
            regex::Regex::new(r#"(?i)\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#)
                .unwrap()
        });
        let mut out = String::new();
        let mut last = 0;
        for caps in ATTR.captures_iter(html) {
            let whole = caps.get(0).unwrap();
            let value = caps
                .get(2)
                .or(caps.get(3))
                .or(caps.get(4))
                .map(|m| m.as_str())
                .unwrap_or("");
            out.push_str(&html[last..whole.start()]);
            let attr = caps[1].to_ascii_lowercase();
            let new = if attr == "src" {
                self.image_src(value, false)?.unwrap_or_default()
            } else {
                self.link_url(value)
            };
            out.push_str(&format!("{attr}=\"{}\"", escape(&new)));
            last = whole.end();
        }
        out.push_str(&html[last..]);
        Ok(out)
    }

    fn block(&mut self, block: &Block, depth: usize) -> Result<String> {
        if depth > MAX_DEPTH * 2 {
            return Ok(String::new());
        }
        Ok(match &block.kind {
            BlockKind::Paragraph(i) => format!("<p>{}</p>", self.inlines(i)?),
            BlockKind::List(list) => {
                let tag = if list.ordered { "ol" } else { "ul" };
                let mut s = if list.ordered && list.start != 1 {
                    format!("<ol start=\"{}\">", list.start)
                } else {
                    format!("<{tag}>")
                };
                for item in &list.items {
                    s.push_str("<li>");
                    // Tight items: the first paragraph without <p>.
                    for (k, b) in item.blocks.iter().enumerate() {
                        match (&b.kind, k) {
                            (BlockKind::Paragraph(i), 0) => s.push_str(&self.inlines(i)?),
                            _ => s.push_str(&self.block(b, depth + 1)?),
                        }
                    }
                    s.push_str("</li>");
                }
                s.push_str(&format!("</{tag}>"));
                s
            }
            BlockKind::Table(t) => {
                let mut s = String::from("<table class=\"content-table\"><thead><tr>");
                for h in &t.header {
                    s.push_str(&format!("<th>{}</th>", self.inlines(h)?));
                }
                s.push_str("</tr></thead><tbody>");
                for row in &t.rows {
                    s.push_str("<tr>");
                    for c in row {
                        s.push_str(&format!("<td>{}</td>", self.inlines(c)?));
                    }
                    s.push_str("</tr>");
                }
                s.push_str("</tbody></table>");
                s
            }
            BlockKind::Code { lang, text } => highlight(text, lang.as_deref()),
            BlockKind::Quote(blocks) => {
                let mut s = String::from("<blockquote>");
                for b in blocks {
                    s.push_str(&self.block(b, depth + 1)?);
                }
                s.push_str("</blockquote>");
                s
            }
            BlockKind::Figure(f) => self.figure(f)?,
            BlockKind::Html(h) => {
                let rewritten = self.rewrite_html_urls(h)?;
                sanitize(&rewritten)
            }
            BlockKind::Rule => "<hr>".to_string(),
        })
    }

    pub(super) fn figure(&mut self, figure: &Figure) -> Result<String> {
        let mut imgs = String::new();
        for image in &figure.images {
            imgs.push_str(&self.image_html(&image.src, &image.alt)?);
        }
        if imgs.is_empty() {
            return Ok(String::new());
        }
        let mut html = format!("<div class=\"diagram\">{imgs}");
        if let Some(caption) = &figure.caption {
            let text = if caption.text.is_empty() {
                caption.url.clone()
            } else {
                caption.text.clone()
            };
            html.push_str(&format!(
                "<p class=\"attribution\"><small><a href=\"{}\">{}</a></small></p>",
                escape(&self.link_url(&caption.url)),
                escape(&text)
            ));
        }
        html.push_str("</div>");
        Ok(sanitize(&html))
    }

    pub(super) fn further_reading(&mut self, links: &[Link]) -> String {
        if links.is_empty() {
            return String::new();
        }
        let mut html = String::from("<ul class=\"further-reading\">");
        for link in links {
            let text = if link.text.trim().is_empty() {
                &link.url
            } else {
                &link.text
            };
            html.push_str(&format!(
                "<li><a href=\"{}\">{}</a></li>",
                escape(&self.link_url(&link.url)),
                escape(text)
            ));
        }
        html.push_str("</ul>");
        sanitize(&html)
    }
}

/// Cloze content must not close the deletion early or start a hint.
fn cloze_safe(html: &str) -> String {
    html.replace("}}", "}&#125;").replace("::", ":&#58;")
}

fn plain_table(header: &[String], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table class=\"content-table\"><thead><tr>");
    for h in header {
        s.push_str(&format!("<th>{}</th>", escape(h)));
    }
    s.push_str("</tr></thead><tbody>");
    for row in rows {
        s.push_str("<tr>");
        for c in row {
            s.push_str(&format!("<td>{}</td>", escape(c)));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}
