//! Card-quality detectors (see the house style, "Defect classes seen in generated cards"), shared
//! by the tests that read whole decks: each is a small function over the text of one note, with a
//! unit test in `card_quality.rs` that shows it fires on a bad example. Include it with
//! `mod quality;` and build a deck with [`build_deck`], then [`Counts::of`] it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use primer_anki::check::quality::*;
use primer_anki::document::parse;
use primer_anki::extract::{ExtractOptions, Profile, extract};
use primer_anki::input::notebook::notebook_to_markdown;
use primer_anki::render::{MediaResolver, NoteDraft, RenderOptions, render};

/// Names media by file name, never reads it: the detectors look at text only.
struct NameOnly;

impl MediaResolver for NameOnly {
    fn resolve(
        &mut self,
        path: &Path,
        _origin: &primer_anki::SourceLocation,
    ) -> primer_anki::Result<String> {
        Ok(path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default())
    }
}

/// The primer checkout (`PRIMER_DIR`, default `../shared/primer`).
pub fn primer_dir() -> PathBuf {
    let dir = std::env::var_os("PRIMER_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/primer"));
    assert!(
        dir.join("README.md").is_file(),
        "the System Design Primer is not at {} (set PRIMER_DIR to a checkout)",
        dir.display()
    );
    dir
}

/// Parses, extracts and renders `files` (relative to `root`) in-process.
pub fn build_deck(root: &Path, files: &[PathBuf], profile: Profile) -> Vec<NoteDraft> {
    let mut drafts = Vec::new();
    for rel in files {
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        let text = if rel.extension().is_some_and(|e| e == "ipynb") {
            notebook_to_markdown(&text, rel).unwrap()
        } else {
            text
        };
        let doc = parse(&text, rel).unwrap();
        let (cards, _) = extract(&doc, &ExtractOptions { profile });
        let options = RenderOptions {
            deck: 0,
            deck_name: "Deck".into(),
            content_root: root.to_path_buf(),
            base_url: "https://example.org/".into(),
            tag_prefix: "t".into(),
        };
        let (d, _) = render(&doc, &cards, &options, &mut NameOnly).unwrap();
        drafts.extend(d);
    }
    drafts
}

/// Defect counts of a deck, with one example of each.
#[derive(Debug, Default)]
pub struct Counts {
    pub notes: usize,
    pub label_only_answers: usize,
    pub malformed_questions: usize,
    pub label_clozes: usize,
    pub pointer_answers: usize,
    pub answers_on_front: usize,
    pub long_deletions: usize,
    pub stray_lead_ins: usize,
    /// Uses of each subjectless template.
    pub templates: std::collections::BTreeMap<&'static str, usize>,
    pub examples: Vec<(&'static str, String)>,
}

impl Counts {
    pub fn of(drafts: &[NoteDraft]) -> Counts {
        Counts::of_notes(drafts.iter().map(NoteText::of))
    }

    /// Counts a deck exported with `build --format json` (to compare with another build).
    pub fn of_json(path: &Path) -> Counts {
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let notes = json["notes"]
            .as_array()
            .expect("a JSON export")
            .iter()
            .map(|n| {
                let field = |k: &str| n["fields"][k].as_str().unwrap_or("").to_string();
                let cloze = n["notetype"].as_str().unwrap_or("").contains("Cloze");
                let front = if cloze { field("Text") } else { field("Front") };
                let back = if cloze {
                    field("Back Extra")
                } else {
                    field("Back")
                };
                NoteText::from_html(cloze, &front, &back)
            });
        Counts::of_notes(notes)
    }

    pub fn of_notes(notes: impl Iterator<Item = NoteText>) -> Counts {
        let mut c = Counts::default();
        for note in notes {
            c.notes += 1;
            let mut flag = |name: &'static str, hit: bool, count: &mut usize| {
                if hit {
                    *count += 1;
                    c.examples
                        .push((name, format!("{} => {}", note.front, note.answer)));
                }
            };
            flag(
                "label-only answer",
                label_only_answer(&note),
                &mut c.label_only_answers,
            );
            flag(
                "malformed question",
                malformed_question(&note),
                &mut c.malformed_questions,
            );
            flag("label cloze", label_cloze(&note), &mut c.label_clozes);
            flag(
                "pointer answer",
                pointer_answer(&note),
                &mut c.pointer_answers,
            );
            flag(
                "answer on front",
                answer_on_front(&note),
                &mut c.answers_on_front,
            );
            flag("long deletion", long_deletion(&note), &mut c.long_deletions);
            flag("stray lead-in", stray_lead_in(&note), &mut c.stray_lead_ins);
            if let Some(t) = subjectless_template(&note) {
                *c.templates.entry(t).or_default() += 1;
            }
        }
        c
    }

    pub fn print(&self, deck: &str) {
        eprintln!(
            "{deck}: {} notes; label-only answers {}, malformed questions {}, label/colon clozes {}, \
             pointer answers {}, answers on the front {}, deletions over {MAX_DELETION} chars {}, \
             stray lead-ins {}, subjectless templates {:?}",
            self.notes,
            self.label_only_answers,
            self.malformed_questions,
            self.label_clozes,
            self.pointer_answers,
            self.answers_on_front,
            self.long_deletions,
            self.stray_lead_ins,
            self.templates
        );
        if std::env::var_os("QUALITY_EXAMPLES").is_some() {
            for (class, text) in &self.examples {
                eprintln!("  [{class}] {}", text.replace('\n', " | "));
            }
        }
    }
}
