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
//! | `unplaced-code`      | warning  | a code block of a topics file that reaches no card       |
//! | `unparsed-qa`        | warning  | a `Q:` paragraph with no `A:` after it: no card          |
//! | `unplaced-figure`    | warning  | a figure of a topics file that no card shows             |
//! | `content`            | warning  | any other warning the build would print                  |
//!
//! `check --coverage` adds, per topics file, the share of its text that reaches a card and
//! every block that reaches none ([`coverage`]).
//!
//! Every finding has a location (`file:line:column`), the offending text, and what to do.
//! [`report`] renders findings rustc-style (codespan-reporting) or as JSON.
//!
//! This file holds the types and the driver (reading each source, turning build errors and
//! warnings into findings); `links` checks links, anchors and images, `cards` the cards, and
//! `text` converts between byte offsets and lines and columns.

mod cards;
pub mod coverage;
mod links;
pub mod quality;
pub mod report;
mod text;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::document::{self, Document};
use crate::error::{Error, Warning};
use crate::fs::read;
use crate::input::{self, SourceFile, SourceFormat};

pub use text::line_col;
use text::{line_span, offset_of};

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
    /// Notes the content would build.
    pub notes: usize,
    /// Cards those notes give (a cloze note gives one per deletion).
    pub cards: usize,
    /// What the content's loading said once (a build by convention, a missing base URL).
    pub notices: Vec<String>,
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
    positions: text::Positions,
}

/// Lint the content directory `root`. Never writes anything.
pub fn check(root: &Path, options: &CheckOptions) -> CheckReport {
    let mut checker = Checker {
        root,
        options,
        report: CheckReport::default(),
        anchors: HashMap::new(),
        asked: HashMap::new(),
        positions: text::Positions::default(),
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
        self.report.notices = content.notices.clone();
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
            let anchors = links::anchors_of(&p.doc, &p.markdown);
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
        let bytes = match read::read_regular(&source.path, &source.display, read::MAX_TEXT_BYTES) {
            Ok(bytes) => bytes,
            Err(error) => {
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
        let (line, column) = span
            .as_ref()
            .map_or((0, 0), |s| self.positions.line_col(text, s.start));
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
            .or_else(|| {
                let bytes = read::read_regular(&shown, &shown, read::MAX_TEXT_BYTES).ok()?;
                String::from_utf8(bytes).ok()
            });
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
}
