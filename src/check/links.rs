//! Links, anchors and images: a second pulldown-cmark parse of each file finds every link
//! and image (markdown and inline HTML), and each is resolved like GitHub does: relative to
//! the file, inside the content directory, with `#anchor`s matched against headings.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag};
use regex::Regex;

use super::text::closest;
use super::{Checker, Finding, Parsed, Severity};
use crate::document::{self, Document};
use crate::fs::read;
use crate::markup::{decode_entities, has_scheme, join_relative, percent_decode};

static HTML_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<(a|img)\b[^>]*?\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#)
        .unwrap()
});
static HTML_ANCHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<[a-z][^>]*?\b(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#).unwrap()
});

impl Checker<'_> {
    /// Links and images of one document.
    pub(super) fn links(&mut self, p: &Parsed) {
        let mut options = Options::empty();
        options.insert(Options::ENABLE_TABLES);
        options.insert(Options::ENABLE_STRIKETHROUGH);
        let mut found: Vec<(bool, String, Range<usize>)> = Vec::new();
        for (event, range) in Parser::new_ext(&p.markdown, options).into_offset_iter() {
            match event {
                Event::Start(Tag::Link { dest_url, .. }) => {
                    found.push((
                        false,
                        dest_url.to_string(),
                        url_span(&p.markdown, &range, &dest_url),
                    ));
                }
                Event::Start(Tag::Image { dest_url, .. }) => {
                    found.push((
                        true,
                        dest_url.to_string(),
                        url_span(&p.markdown, &range, &dest_url),
                    ));
                }
                Event::Html(html) | Event::InlineHtml(html) => {
                    let base = range.start;
                    // The event text can differ from the source slice (HTML blocks keep it).
                    let slice = &p.markdown[range.clone()];
                    let offset_in = if slice == html.as_ref() {
                        0
                    } else {
                        usize::MAX
                    };
                    for c in HTML_URL.captures_iter(&html) {
                        let image = c[1].eq_ignore_ascii_case("img");
                        let Some(m) = c.get(3).or_else(|| c.get(4)).or_else(|| c.get(5)) else {
                            continue;
                        };
                        let span = if offset_in == 0 {
                            base + m.start()..base + m.end()
                        } else {
                            match slice.find(m.as_str()) {
                                Some(i) => base + i..base + i + m.len(),
                                None => range.clone(),
                            }
                        };
                        found.push((image, decode_entities(m.as_str()), span));
                    }
                }
                _ => {}
            }
        }
        for (image, url, span) in found {
            self.link(p, image, &url, span);
        }
    }

    /// One link or image: empty, outside the content, missing, or (for a link into a markdown
    /// file) an anchor no heading defines.
    fn link(&mut self, p: &Parsed, image: bool, url: &str, md_span: Range<usize>) {
        let url = url.trim();
        if url.is_empty() {
            return self.link_problem(
                p,
                md_span,
                if image {
                    "missing-image"
                } else {
                    "broken-link"
                },
                if image {
                    "an image with no source"
                } else {
                    "a link with no target"
                },
                "empty",
                "give the link a target, or remove it",
            );
        }
        if url.starts_with("//") || has_scheme(url) {
            return;
        }
        let (path, fragment) = match url.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (url, None),
        };
        let path = path.split('?').next().unwrap_or("");
        let here = &p.source.display;
        let Some(target) = resolve(here, path) else {
            let (code, what) = if image {
                (
                    "missing-image",
                    format!("image `{url}` points outside the content directory"),
                )
            } else {
                (
                    "broken-link",
                    format!("link `{url}` points outside the content directory"),
                )
            };
            return self.link_problem(
                p,
                md_span,
                code,
                &what,
                "outside the content",
                "link to a file inside the content directory, or use an absolute https:// URL",
            );
        };
        let full = self.root.join(&target);
        if !path.is_empty() && !full.exists() {
            return self.missing_target(p, md_span, image, &target);
        }
        let Some(fragment) = fragment.filter(|f| !f.is_empty()) else {
            return;
        };
        if image || full.is_dir() || !is_markdown(&target) {
            return;
        }
        self.anchor(p, md_span, &target, fragment);
    }

    /// A link or image whose file does not exist.
    fn missing_target(&mut self, p: &Parsed, md_span: Range<usize>, image: bool, target: &Path) {
        if image {
            return self.link_problem(
                p,
                md_span,
                "missing-image",
                &format!("image not found: {}", target.display()),
                "no such file",
                "fix the image path, or add the file (paths are relative to this file)",
            );
        }
        self.link_problem(
            p,
            md_span,
            "broken-link",
            &format!("link target not found: {}", target.display()),
            "no such file",
            "fix the path (it is relative to this file), or link to the page online with https://",
        );
    }

    /// A `#fragment` of a link into the markdown file `target`: reported (with the closest
    /// anchor as a suggestion) if no heading of the file defines it.
    fn anchor(&mut self, p: &Parsed, md_span: Range<usize>, target: &Path, fragment: &str) {
        let anchors = self.anchors_for(target);
        let Some(anchors) = anchors else { return };
        let wanted = percent_decode(fragment).to_lowercase();
        if anchors.contains(&wanted) {
            return;
        }
        let suggestion = closest(&wanted, anchors);
        let here = target == p.source.display;
        let mut help = if here {
            "link to the anchor of a heading in this file (GitHub's form: lowercase, spaces as -, punctuation dropped)".to_string()
        } else {
            format!(
                "link to the anchor of a heading in {} (GitHub's form: lowercase, spaces as -, punctuation dropped)",
                target.display()
            )
        };
        if let Some(s) = suggestion {
            help = format!("did you mean `#{s}`? {help}");
        }
        let message = if here {
            format!("no heading in this file has the anchor `#{fragment}`")
        } else {
            format!(
                "no heading in {} has the anchor `#{fragment}`",
                target.display()
            )
        };
        self.link_problem(
            p,
            md_span,
            "broken-anchor",
            &message,
            "no such anchor",
            &help,
        );
    }

    fn link_problem(
        &mut self,
        p: &Parsed,
        md_span: Range<usize>,
        code: &'static str,
        message: &str,
        label: &str,
        help: &str,
    ) {
        let span = self.to_raw(p, md_span);
        let place = self.place(&self.shown(&p.source.display), &p.raw, span, label);
        let severity = if code == "missing-image" {
            Severity::Error
        } else {
            Severity::Warning
        };
        self.push(Finding {
            severity,
            code,
            message: message.to_string(),
            place,
            help: help.to_string(),
            related: None,
        });
    }

    /// Anchors of a markdown file in the content (read on demand), or `None` if unreadable.
    fn anchors_for(&mut self, target: &Path) -> Option<&HashSet<String>> {
        if !self.anchors.contains_key(target) {
            let anchors =
                read::read_text_inside(self.root, &self.root.join(target), read::MAX_TEXT_BYTES)
                    .ok()
                    .and_then(|text| {
                        document::parse(&text, target)
                            .ok()
                            .map(|doc| anchors_of(&doc, &text))
                    });
            self.anchors.insert(target.to_path_buf(), anchors);
        }
        self.anchors.get(target).and_then(|a| a.as_ref())
    }
}

/// The file a link's path (percent-encoded, no `?query` or `#fragment`) points to, relative to
/// the content root: `here` itself for an empty path, `None` outside the content.
fn resolve(here: &Path, path: &str) -> Option<PathBuf> {
    if path.is_empty() {
        return Some(here.to_path_buf());
    }
    let decoded = percent_decode(path);
    match decoded.strip_prefix('/') {
        Some(abs) => join_relative(Path::new(""), abs),
        None => join_relative(here.parent().unwrap_or(Path::new("")), &decoded),
    }
}

/// Anchors a document defines: its headings' (deduplicated GitHub-style) and any HTML `id` or
/// `name` attribute, lowercased.
pub(super) fn anchors_of(doc: &Document, markdown: &str) -> HashSet<String> {
    let mut out: HashSet<String> = doc
        .sections
        .iter()
        .map(|s| s.anchor.to_lowercase())
        .filter(|a| !a.is_empty())
        .collect();
    for c in HTML_ANCHOR.captures_iter(markdown) {
        if let Some(m) = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3)) {
            out.insert(m.as_str().to_lowercase());
        }
    }
    out
}

/// The span of the URL inside a markdown link's range, or the whole link.
fn url_span(text: &str, range: &Range<usize>, url: &str) -> Range<usize> {
    let slice = &text[range.clone()];
    if !url.is_empty() {
        if let Some(paren) = slice.rfind("](")
            && let Some(i) = slice[paren..].find(url)
        {
            let start = range.start + paren + i;
            return start..start + url.len();
        }
        if let Some(i) = slice.rfind(url) {
            return range.start + i..range.start + i + url.len();
        }
    }
    // A link spanning lines: underline its first line.
    let end = slice.find('\n').map_or(range.end, |n| range.start + n);
    range.start..end
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_like_github() {
        assert_eq!(
            join_relative(Path::new("a/b"), "../c.md"),
            Some(PathBuf::from("a/c.md"))
        );
        assert_eq!(join_relative(Path::new("a"), "../../c.md"), None);
        assert!(has_scheme("https://x") && has_scheme("mailto:x") && !has_scheme("a/b:c"));
        assert_eq!(percent_decode("a%20b"), "a b");
    }
}
