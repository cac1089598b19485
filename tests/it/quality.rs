//! Card-quality detectors (see the house style, "Defect classes seen in generated cards"), shared
//! by the tests that read whole decks: each is a small function over the text of one note, with a
//! unit test in `card_quality.rs` that shows it fires on a bad example. Include it with
//! `mod quality;` and build a deck with [`build_deck`], then [`Counts::of`] it.
#![allow(dead_code)]

use crate::support;
pub use crate::support::primer_dir;

use std::path::{Path, PathBuf};

use primer_anki::check::quality::*;
use primer_anki::extract::Profile;
use primer_anki::render::NoteDraft;

/// Parses, extracts and renders `files` (relative to `root`) in-process.
pub fn build_deck(root: &Path, files: &[PathBuf], profile: Profile) -> Vec<NoteDraft> {
    support::render_files(root, files, profile, "Deck", &mut support::NameOnly)
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
