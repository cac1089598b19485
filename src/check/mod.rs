//! `primer-anki check`: lints a content directory without writing anything.
//!
//! It reads every source the way `build` does (manifest or primer layout, notebooks converted
//! to markdown), then looks for what a learner would trip over:
//!
//! | code                 | severity | what                                                    |
//! |----------------------|----------|---------------------------------------------------------|
//! | `broken-anchor`      | warning  | `#anchor` that no heading (or `id`/`name`) defines       |
//! | `broken-link`        | warning  | relative link to a file that does not exist              |
//! | `missing-image`      | error    | local image that does not exist                          |
//! | `empty-answer`       | error    | a card whose answer (or question, or cloze) is empty     |
//! | `long-answer`        | warning  | an answer longer than [`CheckOptions::max_answer_words`]  |
//! | `duplicate-question` | warning  | one deck asks the same `Q:` question twice               |
//! | `identity-collision` | error    | two cards of one deck get the same identity (GUID)       |
//! | `bad-notebook`       | error    | a `.ipynb` that is not notebook JSON                     |
//! | `unreadable-source`  | error    | a source that is not UTF-8 text, or fails to build       |
//! | `bad-content`        | error    | no manifest, or a manifest that does not parse           |
//! | `content`            | warning  | any other warning the build would print                  |
//!
//! Every finding has a location (`file:line:column`), the offending text, and what to do.
//! [`report`] renders findings rustc-style (codespan-reporting) or as JSON.

pub mod report;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag};
use regex::Regex;
use serde::Serialize;

use crate::document::{self, Block, BlockKind, Document, Inline, plain_text};
use crate::error::{Error, Warning};
use crate::extract;
use crate::identity::identity_of;
use crate::input::{self, SourceFile, SourceFormat};
use crate::markup::{
    decode_entities, has_scheme, html_to_text, join_relative, percent_decode, shorten,
};
use crate::package::media::MediaPacker;
use crate::package::model::NotetypeKind;
use crate::render::{self, NoteDraft, RenderOptions};

/// How strict the check is.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Answers with more words than this are reported as too long for a card.
    pub max_answer_words: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            max_answer_words: DEFAULT_MAX_ANSWER_WORDS,
        }
    }
}

/// About what a learner reads in the few seconds a review takes (a phone screen and a half).
pub const DEFAULT_MAX_ANSWER_WORDS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A place in a source file. `line` and `column` are 1-based (0: unknown); `span` is the byte
/// range in the text [`CheckReport::sources`] holds for the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The path as shown: the content directory joined with the file's path in it.
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// What is underlined.
    pub text: String,
    /// The short note under the underline.
    pub label: String,
    #[serde(skip)]
    pub span: Option<Range<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    #[serde(flatten)]
    pub place: Place,
    /// What to do about it.
    pub help: String,
    /// Another place involved (the first of two duplicates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Place>,
}

#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Sorted by file, line, column.
    pub findings: Vec<Finding>,
    /// Source files read.
    pub files: usize,
    /// Cards the content would build.
    pub cards: usize,
    /// Text of every file a finding points into, by shown path (for snippets).
    pub sources: BTreeMap<PathBuf, String>,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count()
    }
}

/// One source file, read and parsed.
struct Parsed {
    source: SourceFile,
    deck: usize,
    /// The file's text (for notebooks: the JSON), what snippets show.
    raw: String,
    /// The markdown the pipeline reads (for notebooks: converted).
    markdown: String,
    doc: Document,
}

struct Checker<'a> {
    root: &'a Path,
    options: &'a CheckOptions,
    report: CheckReport,
    /// Anchors of markdown files by path relative to the root (lowercased).
    anchors: HashMap<PathBuf, Option<HashSet<String>>>,
    /// Q/A questions as written, by deck and normalised text: where first asked.
    asked: HashMap<(usize, String), Place>,
}

/// Lint the content directory `root`. Never writes anything.
pub fn check(root: &Path, options: &CheckOptions) -> CheckReport {
    let mut checker = Checker {
        root,
        options,
        report: CheckReport::default(),
        anchors: HashMap::new(),
        asked: HashMap::new(),
    };
    checker.run();
    let mut report = checker.report;
    report.findings.sort_by(|a, b| {
        (&a.place.file, a.place.line, a.place.column, a.code).cmp(&(
            &b.place.file,
            b.place.line,
            b.place.column,
            b.code,
        ))
    });
    report.findings.dedup();
    report
}

static HTML_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<(a|img)\b[^>]*?\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#)
        .unwrap()
});
static HTML_ANCHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<[a-z][^>]*?\b(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#).unwrap()
});

impl Checker<'_> {
    fn shown(&self, display: &Path) -> PathBuf {
        self.root.join(display)
    }

    fn run(&mut self) {
        let content = match input::load(self.root) {
            Ok(content) => content,
            Err(error) => {
                self.error_finding("bad-content", &error, None);
                return;
            }
        };
        let mut parsed = Vec::new();
        let mut seen = HashSet::new();
        for (deck, spec) in content.decks.iter().enumerate() {
            for source in &spec.sources {
                if seen.insert((deck, source.display.clone()))
                    && let Some(p) = self.read(source, deck)
                {
                    parsed.push(p);
                }
            }
        }
        self.report.files = seen.len();
        for p in &parsed {
            let anchors = anchors_of(&p.doc, &p.markdown);
            self.anchors.insert(p.source.display.clone(), Some(anchors));
        }
        for p in &parsed {
            self.links(p);
            self.written_answers(p);
        }
        self.cards(&content, &parsed);
    }

    /// Read and parse one source; a failure becomes a finding.
    fn read(&mut self, source: &SourceFile, deck: usize) -> Option<Parsed> {
        let shown = self.shown(&source.display);
        let bytes = match std::fs::read(&source.path) {
            Ok(bytes) => bytes,
            Err(e) => {
                let error = Error::io("read the source file", &source.display, e);
                self.error_finding("unreadable-source", &error, None);
                return None;
            }
        };
        let raw = String::from_utf8_lossy(&bytes).into_owned();
        self.report.sources.insert(shown.clone(), raw.clone());
        if source.format == SourceFormat::Notebook
            && !bytes.contains(&0)
            && let Err(e) = serde_json::from_slice::<serde_json::Value>(&bytes)
        {
            let span = offset_of(&raw, e.line(), e.column()).map(|o| {
                let end = raw[o..].find('\n').map_or(raw.len(), |n| o + n);
                o..end.max(o)
            });
            let place = self.place(&shown, &raw, span, "the JSON breaks here");
            self.push(Finding {
                    severity: Severity::Error,
                    code: "bad-notebook",
                    message: format!("the notebook is not valid JSON: {e}"),
                    place,
                    help: "open the notebook in Jupyter and save it again, or fix the JSON by hand (a missing comma or quote)".into(),
                    related: None,
                });
            return None;
        }
        let mut warnings = Vec::new();
        let markdown = match input::read_source(source, &mut warnings) {
            Ok(markdown) => markdown,
            Err(error) => {
                let code = if source.format == SourceFormat::Notebook {
                    "bad-notebook"
                } else {
                    "unreadable-source"
                };
                self.error_finding(code, &error, Some(&raw));
                return None;
            }
        };
        let doc = match document::parse(&markdown, &source.display) {
            Ok(doc) => doc,
            Err(error) => {
                self.error_finding("unreadable-source", &error, Some(&raw));
                return None;
            }
        };
        let p = Parsed {
            source: source.clone(),
            deck,
            raw,
            markdown,
            doc,
        };
        for w in warnings {
            self.warning_finding(&p, &w);
        }
        Some(p)
    }

    fn push(&mut self, finding: Finding) {
        self.report.findings.push(finding);
    }

    /// A [`Place`] for a span of `text` (the shown file's text).
    fn place(&self, shown: &Path, text: &str, span: Option<Range<usize>>, label: &str) -> Place {
        let (line, column) = span.as_ref().map_or((0, 0), |s| line_col(text, s.start));
        Place {
            file: shown.to_path_buf(),
            line,
            column,
            text: span
                .as_ref()
                .map(|s| text[s.clone()].to_string())
                .unwrap_or_default(),
            label: label.to_string(),
            span,
        }
    }

    /// A build error as a finding, at its line if it has one.
    fn error_finding(&mut self, code: &'static str, error: &Error, raw: Option<&str>) {
        let file = error
            .location
            .as_ref()
            .map(|l| l.file.clone())
            .unwrap_or_default();
        let shown = if file.is_absolute() || file.starts_with(self.root) {
            file.clone()
        } else {
            self.shown(&file)
        };
        let line = error.location.as_ref().map_or(0, |l| l.line);
        let text = raw
            .map(str::to_string)
            .or_else(|| self.report.sources.get(&shown).cloned())
            .or_else(|| std::fs::read_to_string(&shown).ok());
        let span = text.as_deref().and_then(|t| line_span(t, line));
        if let (Some(t), Some(_)) = (&text, &span) {
            self.report
                .sources
                .entry(shown.clone())
                .or_insert_with(|| t.clone());
        }
        let mut message = error.message.clone();
        if let Some(source) = &error.source {
            message.push_str(&format!(": {source}"));
        }
        let place = self.place(&shown, text.as_deref().unwrap_or(""), span, "here");
        self.push(Finding {
            severity: Severity::Error,
            code,
            message,
            place,
            help: error
                .help
                .clone()
                .unwrap_or_else(|| "fix the file and run check again".into()),
            related: None,
        });
    }

    /// A build warning (from parsing, extraction or rendering) as a finding on its line.
    fn warning_finding(&mut self, p: &Parsed, warning: &Warning) {
        let span = self.span_of_line(p, warning.location.line);
        let place = self.place(&self.shown(&p.source.display), &p.raw, span, "here");
        self.push(Finding {
            severity: Severity::Warning,
            code: "content",
            message: warning.message.clone(),
            place,
            help: "the build prints this warning too; fix the source if the card should differ"
                .into(),
            related: None,
        });
    }

    /// The span in `p.raw` of markdown line `line` (trimmed), or `None`.
    fn span_of_line(&self, p: &Parsed, line: usize) -> Option<Range<usize>> {
        let md = line_span(&p.markdown, line)?;
        self.to_raw(p, md)
    }

    /// A span of `p.markdown` as a span of `p.raw` (identical for markdown; for notebooks the
    /// same text is found in the JSON).
    fn to_raw(&self, p: &Parsed, md: Range<usize>) -> Option<Range<usize>> {
        if p.source.format == SourceFormat::Markdown {
            return Some(md);
        }
        let text = &p.markdown[md];
        let first_line = text.lines().next().unwrap_or("").trim();
        for needle in [text, first_line] {
            if needle.is_empty() {
                continue;
            }
            let escaped = serde_json::to_string(needle).unwrap_or_default();
            let escaped = &escaped[1..escaped.len().saturating_sub(1)];
            if let Some(start) = p.raw.find(escaped) {
                return Some(start..start + escaped.len());
            }
        }
        None
    }

    /// Links and images of one document.
    fn links(&mut self, p: &Parsed) {
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
        let here = p.source.display.clone();
        let target = if path.is_empty() {
            Some(here.clone())
        } else {
            let decoded = percent_decode(path);
            match decoded.strip_prefix('/') {
                Some(abs) => join_relative(Path::new(""), abs),
                None => join_relative(here.parent().unwrap_or(Path::new("")), &decoded),
            }
        };
        let Some(target) = target else {
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
            return self.link_problem(
                p,
                md_span,
                "broken-link",
                &format!("link target not found: {}", target.display()),
                "no such file",
                "fix the path (it is relative to this file), or link to the page online with https://",
            );
        }
        let Some(fragment) = fragment.filter(|f| !f.is_empty()) else {
            return;
        };
        if image || full.is_dir() || !is_markdown(&target) {
            return;
        }
        let anchors = self.anchors_for(&target);
        let Some(anchors) = anchors else { return };
        let wanted = percent_decode(fragment).to_lowercase();
        if anchors.contains(&wanted) {
            return;
        }
        let suggestion = closest(&wanted, anchors);
        let mut help = if target == here {
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
        let message = if target == here {
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
            let anchors = std::fs::read_to_string(self.root.join(target))
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

    /// Answers the author started but left empty (`A:` with nothing after it, `**Term** -`
    /// with no definition): extraction drops them silently, so no card is made.
    fn written_answers(&mut self, p: &Parsed) {
        let mut found: Vec<(usize, String, &'static str)> = Vec::new();
        let mut asked: Vec<(usize, String)> = Vec::new();
        for section in &p.doc.sections {
            empty_answers_in(&section.blocks, &mut found, &mut asked);
        }
        for (line, question) in asked {
            let span = self.span_of_line(p, line);
            let key = (p.deck, normalize_text(&question));
            if let Some(first) = self.asked.get(&key).cloned() {
                let place = self.place(&self.shown(&p.source.display), &p.raw, span, "asked again");
                self.push(Finding {
                    severity: Severity::Warning,
                    code: "duplicate-question",
                    message: format!(
                        "the question \"{}\" is asked twice in one deck; the second card gets its heading appended to tell them apart",
                        shorten(&question, 80)
                    ),
                    place,
                    help: "make the questions differ (name what is different about each), or merge the two answers into one card".into(),
                    related: Some(first),
                });
            } else {
                let place = self.place(
                    &self.shown(&p.source.display),
                    &p.raw,
                    span,
                    "asked first here",
                );
                self.asked.insert(key, place);
            }
        }
        for (line, subject, help) in found {
            let span = self.span_of_line(p, line);
            let place = self.place(&self.shown(&p.source.display), &p.raw, span, "no answer");
            self.push(Finding {
                severity: Severity::Error,
                code: "empty-answer",
                message: format!(
                    "\"{}\" has an empty answer, so no card is made for it",
                    shorten(&subject, 80)
                ),
                place,
                help: help.into(),
                related: None,
            });
        }
    }

    /// Card-level checks: runs extraction and rendering like `build` does, except that a
    /// missing image does not stop the file (it is reported above, at its exact place).
    fn cards(&mut self, content: &input::Content, parsed: &[Parsed]) {
        let mut per_deck: Vec<Vec<(usize, NoteDraft)>> = vec![Vec::new(); content.decks.len()];
        for (index, p) in parsed.iter().enumerate() {
            let spec = &content.decks[p.deck];
            let (cards, warnings) = extract::extract(
                &p.doc,
                &extract::ExtractOptions {
                    profile: spec.profile,
                },
            );
            for w in &warnings {
                self.warning_finding(p, w);
            }
            let options = RenderOptions {
                deck: p.deck,
                deck_name: spec.name.clone(),
                content_root: content.root.clone(),
                base_url: content.base_url.clone(),
                tag_prefix: spec.tag_prefix.clone(),
            };
            let mut packer = ImagesCheckedElsewhere(MediaPacker::new(&content.root));
            match render::render(&p.doc, &cards, &options, &mut packer) {
                Ok((drafts, warnings)) => {
                    for w in &warnings {
                        // Images are checked above, with the exact place.
                        if !w.message.starts_with("image `") {
                            self.warning_finding(p, w);
                        }
                    }
                    per_deck[p.deck].extend(drafts.into_iter().map(|d| (index, d)));
                }
                Err(error) => self.error_finding("unreadable-source", &error, Some(&p.raw)),
            }
        }
        for (deck, drafts) in per_deck.iter().enumerate() {
            self.report.cards += drafts.len();
            let mut identities: HashMap<String, usize> = HashMap::new();
            for (i, (index, draft)) in drafts.iter().enumerate() {
                let p = &parsed[*index];
                self.card(p, draft);
                let identity = identity_of(draft);
                if let Some(&first) = identities.get(&identity) {
                    let (fi, fd) = &drafts[first];
                    let related =
                        self.card_place(&parsed[*fi], fd, "the first card with this identity");
                    let place = self.card_place(p, draft, "same identity");
                    self.push(Finding {
                        severity: Severity::Error,
                        code: "identity-collision",
                        message: format!(
                            "two cards of deck \"{}\" have the same identity `{identity}`; the build refuses them",
                            content.decks[deck].name
                        ),
                        place,
                        help: "give one of them a different heading or term, or pin one with <!-- id: some-unique-id --> on the line before".into(),
                        related: Some(related),
                    });
                } else {
                    identities.insert(identity, i);
                }
            }
        }
    }

    fn card_place(&self, p: &Parsed, draft: &NoteDraft, label: &str) -> Place {
        let span = self.span_of_line(p, draft.origin.line);
        self.place(&self.shown(&p.source.display), &p.raw, span, label)
    }

    /// Empty and too-long answers of one card.
    fn card(&mut self, p: &Parsed, draft: &NoteDraft) {
        let front = html_to_text(&draft.fields.front);
        let back = html_to_text(&draft.fields.back);
        let has_media = |html: &str| html.contains("<img");
        let question = shorten(&display_text(&front), 80);
        let (problem, help) = match draft.kind {
            NotetypeKind::Standard
                if front.trim().is_empty() && !has_media(&draft.fields.front) =>
            {
                (
                    Some("a card with an empty question".to_string()),
                    "give the heading, term or list a text the card can ask about",
                )
            }
            NotetypeKind::Standard if back.trim().is_empty() && !has_media(&draft.fields.back) => (
                Some(format!("the card \"{question}\" has an empty answer")),
                "write the answer under the heading or after the term, or remove the empty item",
            ),
            NotetypeKind::Cloze if !draft.fields.front.contains("{{c") => (
                Some(format!("the cloze card \"{question}\" hides nothing")),
                "give the list or sentence something to hide, or remove it",
            ),
            _ => (None, ""),
        };
        if let Some(message) = problem {
            let place = self.card_place(p, draft, "this card");
            self.push(Finding {
                severity: Severity::Error,
                code: "empty-answer",
                message,
                place,
                help: help.into(),
                related: None,
            });
            return;
        }
        let answer = if draft.kind == NotetypeKind::Cloze {
            &front
        } else {
            &back
        };
        let words = answer.split_whitespace().count();
        if words > self.options.max_answer_words {
            let place = self.card_place(p, draft, "this card");
            self.push(Finding {
                severity: Severity::Warning,
                code: "long-answer",
                message: format!(
                    "the answer of \"{question}\" has {words} words, more than the {} a card should hold",
                    self.options.max_answer_words
                ),
                place,
                help: "split the section with subheadings or lists so each card asks one thing"
                    .into(),
                related: None,
            });
        }
    }
}

/// Q/A pairs with an empty `A:` and bold terms with a dash or colon but no definition.
fn empty_answers_in(
    blocks: &[Block],
    found: &mut Vec<(usize, String, &'static str)>,
    asked: &mut Vec<(usize, String)>,
) {
    for (i, block) in blocks.iter().enumerate() {
        match &block.kind {
            BlockKind::Paragraph(inlines) => {
                let text = plain_text(inlines);
                let text = text.trim();
                if let Some(q) = text.strip_prefix("Q:") {
                    if !q.trim().is_empty() {
                        asked.push((block.line, q.trim().to_string()));
                    }
                    let next = blocks.get(i + 1).and_then(|b| match &b.kind {
                        BlockKind::Paragraph(a) => Some((b.line, plain_text(a))),
                        _ => None,
                    });
                    if let Some((line, a)) = next
                        && let Some(rest) = a.trim().strip_prefix("A:")
                        && rest.trim().is_empty()
                    {
                        found.push((line, q.trim().to_string(), "write the answer after `A:` on the same paragraph, or remove the question"));
                    }
                }
            }
            BlockKind::List(list) => {
                for item in &list.items {
                    if let Some(Block {
                        kind: BlockKind::Paragraph(inlines),
                        ..
                    }) = item.blocks.first()
                        && let Some(Inline::Strong(term)) = inlines.first()
                    {
                        let rest = plain_text(&inlines[1..]);
                        let rest = rest.trim();
                        if item.blocks.len() == 1 && ["-", ":", "–", "—"].contains(&rest) {
                            found.push((item.line, plain_text(term), "write the definition after the dash, or drop the dash if the list only names things"));
                        }
                    }
                    empty_answers_in(&item.blocks, found, asked);
                }
            }
            BlockKind::Quote(inner) => empty_answers_in(inner, found, asked),
            _ => {}
        }
    }
}

/// Anchors a document defines: its headings' (deduplicated GitHub-style) and any HTML `id` or
/// `name` attribute, lowercased.
fn anchors_of(doc: &Document, markdown: &str) -> HashSet<String> {
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

static CLOZE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}").unwrap());

/// Text as shown in a message: cloze markers removed, whitespace collapsed.
fn display_text(s: &str) -> String {
    let s = CLOZE.replace_all(s, "$1");
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" :", ":")
}

/// Whitespace collapsed, lowercased: what makes two questions "the same".
fn normalize_text(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The closest anchor to `wanted` by edit distance, if it is close.
fn closest<'a>(wanted: &str, anchors: &'a HashSet<String>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for a in anchors {
        let d = edit_distance(wanted, a);
        if d <= (wanted.len() / 3).max(2) && best.is_none_or(|(bd, ba)| (d, a.as_str()) < (bd, ba))
        {
            best = Some((d, a));
        }
    }
    best.map(|(_, a)| a)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// 1-based line and column (in characters) of byte `offset`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

/// Byte offset of 1-based `line` and `column` (characters), if inside the text.
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let start = line_start(text, line)?;
    let rest = &text[start..];
    let col = column.saturating_sub(1);
    Some(start + rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i))
}

fn line_start(text: &str, line: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    Some(start)
}

/// The span of 1-based `line` without its leading and trailing whitespace.
fn line_span(text: &str, line: usize) -> Option<Range<usize>> {
    let start = line_start(text, line)?;
    let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
    let slice = &text[start..end];
    let lead = slice.len() - slice.trim_start().len();
    let trimmed = slice.trim();
    if trimmed.is_empty() {
        return Some(start..start);
    }
    Some(start + lead..start + lead + trimmed.len())
}

/// Packs media like the build, but lets rendering go on past a missing image: `check` reports
/// missing images itself, with their exact place, and still checks the file's cards.
struct ImagesCheckedElsewhere(MediaPacker);

impl crate::render::MediaResolver for ImagesCheckedElsewhere {
    fn resolve(
        &mut self,
        path: &std::path::Path,
        origin: &crate::error::SourceLocation,
    ) -> crate::Result<String> {
        if !path.is_file() {
            return Ok(path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default());
        }
        self.0.resolve(path, origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let text = "ab\ncdé f\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (2, 4));
        assert_eq!(offset_of(text, 2, 4), Some(7));
        assert_eq!(line_span(" x y \nz", 1), Some(1..4));
    }

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

    #[test]
    fn suggestions_are_close() {
        let anchors: HashSet<String> = ["sharding".to_string(), "replication".into()].into();
        assert_eq!(closest("shardin", &anchors), Some("sharding"));
        assert_eq!(closest("queues", &anchors), None);
    }
}
