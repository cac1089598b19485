//! Findings for people (rustc-style snippets via codespan-reporting) and for machines (JSON).

use std::collections::HashMap;
use std::path::PathBuf;

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Chars, Config};
use serde::Serialize;

use super::{CheckReport, Finding, Severity};

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
