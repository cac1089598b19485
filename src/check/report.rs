//! Findings for people (rustc-style snippets via codespan-reporting) and for machines (JSON).

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::{Files as _, SimpleFiles};
use codespan_reporting::term::{self, Chars, Config};
use serde::Serialize;

use super::{CheckReport, Finding, Severity};

/// Lines longer than this (bytes) are shown as an excerpt around each finding.
const LONG_LINE: usize = 300;
/// Bytes of context either side of a finding on a long line.
const CONTEXT: usize = 100;

fn config() -> Config {
    Config {
        chars: Chars::ascii(),
        ..Config::default()
    }
}

struct Prepared {
    files: SimpleFiles<String, String>,
    ids: HashMap<PathBuf, usize>,
}

impl Prepared {
    fn new(report: &CheckReport) -> Self {
        let mut files = SimpleFiles::new();
        let mut ids = HashMap::new();
        for (path, text) in &report.sources {
            ids.insert(
                path.clone(),
                files.add(path.display().to_string(), text.clone()),
            );
        }
        Self { files, ids }
    }

    /// Where the line holding byte `at` of file `id` starts and ends (before its newline), from
    /// the file's index of line starts: searching the text for them took a pass over the line
    /// per finding, n squared for n findings on one line.
    fn line_bounds(&self, id: usize, at: usize) -> Option<(usize, usize)> {
        let text = self.files.get(id).ok()?.source();
        let line = self
            .files
            .line_range(id, self.files.line_index(id, at).ok()?)
            .ok()?;
        // The range runs through the line's newline, if it has one.
        let end = if line.end > line.start && text.as_bytes()[line.end - 1] == b'\n' {
            line.end - 1
        } else {
            line.end
        };
        Some((line.start, end))
    }

    /// A finding on a line longer than [`LONG_LINE`] is not shown with the whole line: its
    /// note gives the place, an excerpt around the span and a caret line, so that many
    /// findings on one long line print that line's bytes once at most, not once per finding.
    fn long_line_excerpt(
        &self,
        id: usize,
        place: &super::Place,
        span: &Range<usize>,
    ) -> Option<String> {
        let text = self.files.get(id).ok()?.source();
        let start = span.start.min(text.len());
        let (line_start, line_end) = self.line_bounds(id, start)?;
        if line_end - line_start <= LONG_LINE {
            return None;
        }
        let floor = |mut i: usize| {
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let from = floor(start.saturating_sub(CONTEXT).max(line_start));
        let end = floor(span.end.min(start + CONTEXT).max(start));
        let to = floor((end + CONTEXT).min(line_end));
        let lead = if from > line_start { "…" } else { "" };
        let tail = if to < line_end { "…" } else { "" };
        let pad = lead.chars().count() + text[from..start].chars().count();
        let carets = text[start..end].chars().count().max(1);
        Some(format!(
            "at {}:{}:{}\n{lead}{}{tail}\n{}{} {}",
            place.file.display(),
            place.line,
            place.column,
            &text[from..to],
            " ".repeat(pad),
            "^".repeat(carets),
            place.label
        ))
    }

    fn diagnostic(&self, finding: &Finding) -> Diagnostic<usize> {
        let base = match finding.severity {
            Severity::Error => Diagnostic::error(),
            Severity::Warning => Diagnostic::warning(),
        };
        let mut labels = Vec::new();
        let mut notes = Vec::new();
        let mut add =
            |place: &super::Place, primary: bool| match (&place.span, self.ids.get(&place.file)) {
                (Some(span), Some(&id)) => {
                    if let Some(excerpt) = self.long_line_excerpt(id, place, span) {
                        notes.push(excerpt);
                        return;
                    }
                    let label = if primary {
                        Label::primary(id, span.clone())
                    } else {
                        Label::secondary(id, span.clone())
                    };
                    labels.push(label.with_message(place.label.clone()));
                }
                _ => {
                    let mut at = place.file.display().to_string();
                    if place.line > 0 {
                        at.push_str(&format!(":{}", place.line));
                    }
                    notes.push(if primary {
                        format!("in {at}")
                    } else {
                        format!("{}: {at}", place.label)
                    });
                }
            };
        add(&finding.place, true);
        if let Some(related) = &finding.related {
            add(related, false);
        }
        notes.push(format!("help: {}", finding.help));
        base.with_code(finding.code)
            .with_message(&finding.message)
            .with_labels(labels)
            .with_notes(notes)
    }
}

/// Every finding as a rustc-style snippet, then a summary line. No colour.
pub fn to_text(report: &CheckReport) -> String {
    let prepared = Prepared::new(report);
    let config = config();
    let mut out = String::new();
    for finding in &report.findings {
        let diagnostic = prepared.diagnostic(finding);
        match term::emit_into_string(&config, &prepared.files, &diagnostic) {
            Ok(text) => out.push_str(&text),
            Err(_) => out.push_str(&format!(
                "{}[{}]: {}\n  --> {}:{}:{}\n  = help: {}\n\n",
                if finding.severity == Severity::Error {
                    "error"
                } else {
                    "warning"
                },
                finding.code,
                finding.message,
                finding.place.file.display(),
                finding.place.line,
                finding.place.column,
                finding.help
            )),
        }
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

/// The findings written to a colour terminal (stderr-style stream), then the summary.
pub fn write_color(
    report: &CheckReport,
    stream: &mut dyn term::termcolor::WriteColor,
) -> std::io::Result<()> {
    let prepared = Prepared::new(report);
    let config = config();
    for finding in &report.findings {
        let diagnostic = prepared.diagnostic(finding);
        term::emit_to_write_style(stream, &config, &prepared.files, &diagnostic)
            .map_err(std::io::Error::other)?;
    }
    writeln!(stream, "{}", summary(report))
}

/// `check: 1 error, 2 warnings in 3 files (40 notes, 52 cards)`.
pub fn summary(report: &CheckReport) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "check: {}, {} in {} ({}, {})",
        plural(report.errors(), "error"),
        plural(report.warnings(), "warning"),
        plural(report.files, "file"),
        plural(report.notes, "note"),
        plural(report.cards, "card")
    )
}

#[derive(Serialize)]
struct JsonReport<'a> {
    errors: usize,
    warnings: usize,
    files: usize,
    notes: usize,
    cards: usize,
    findings: &'a [Finding],
}

/// The report as pretty JSON: counts, then every finding with its place and help.
pub fn to_json(report: &CheckReport) -> String {
    let json = JsonReport {
        errors: report.errors(),
        warnings: report.warnings(),
        files: report.files,
        notes: report.notes,
        cards: report.cards,
        findings: &report.findings,
    };
    serde_json::to_string_pretty(&json).expect("findings serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lines_bounds_are_the_newlines_around_the_byte() {
        for text in [
            "",
            "a",
            "abc\n",
            "\n\n",
            "one\r\ntwo\n\nthé end",
            "x\ny",
            "\nlast",
        ] {
            let mut files = SimpleFiles::new();
            let id = files.add("f".to_string(), text.to_string());
            let prepared = Prepared {
                files,
                ids: HashMap::new(),
            };
            let bytes = text.as_bytes();
            for at in 0..=text.len() {
                // What the text itself says: the newline before `at`, the newline from `at` on.
                let start = bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let end = bytes[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(text.len(), |i| at + i);
                assert_eq!(
                    prepared.line_bounds(id, at),
                    Some((start, end)),
                    "{text:?} at {at}"
                );
            }
        }
    }
}
