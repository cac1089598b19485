//! Card-quality detectors (see the house style, "Defect classes seen in generated cards"), shared
//! by the tests that read whole decks: each is a small function over the text of one note, with a
//! unit test in `card_quality.rs` that shows it fires on a bad example. Include it with
//! `mod quality;` and build a deck with [`build_deck`], then [`Counts::of`] it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use primer_anki::document::parse;
use primer_anki::extract::{ExtractOptions, Profile, extract};
use primer_anki::input::notebook::notebook_to_markdown;
use primer_anki::package::model::NotetypeKind;
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

/// HTML to plain text: tags dropped (block ends become newlines), entities decoded.
pub fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut tag = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' if in_tag => {
                in_tag = false;
                let name = tag.trim_start_matches('/').split(' ').next().unwrap_or("");
                if matches!(name, "p" | "li" | "br" | "div" | "pre" | "tr") && !out.ends_with('\n')
                {
                    out.push('\n');
                }
            }
            _ if in_tag => tag.push(c),
            _ => out.push(c),
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// The text of a note as a learner reads it.
#[derive(Debug, Clone)]
pub struct NoteText {
    pub cloze: bool,
    /// The question (basic) or the cloze text (with `{{cN::…}}` markers).
    pub front: String,
    /// The answer (basic notes only; without diagram attributions).
    pub answer: String,
}

impl NoteText {
    pub fn of(d: &NoteDraft) -> NoteText {
        NoteText::from_html(
            d.kind == NotetypeKind::Cloze,
            &d.fields.front,
            &d.fields.back,
        )
    }

    /// From the front (or cloze text) and back HTML; a cloze note has no answer of its own.
    pub fn from_html(cloze: bool, front: &str, back: &str) -> NoteText {
        let answer = plain(back)
            .lines()
            .filter(|l| !l.trim_start().starts_with("Source:"))
            .collect::<Vec<_>>()
            .join("\n");
        NoteText {
            cloze,
            front: plain(front).trim().to_string(),
            answer: if cloze {
                String::new()
            } else {
                answer.trim().to_string()
            },
        }
    }

    pub fn basic(front: &str, answer: &str) -> NoteText {
        NoteText {
            cloze: false,
            front: front.into(),
            answer: answer.into(),
        }
    }

    pub fn cloze(text: &str) -> NoteText {
        NoteText {
            cloze: true,
            front: text.into(),
            answer: String::new(),
        }
    }
}

/// The deletions of a cloze text, in order.
pub fn deletions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{c") {
        let after = &rest[start..];
        let Some(body) = after.find("::") else { break };
        let Some(end) = after.find("}}") else { break };
        if end > body {
            out.push(after[body + 2..end].to_string());
        }
        rest = &after[end + 2..];
    }
    out
}

/// The cloze text with every deletion shown.
pub fn revealed(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{c") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        match (after.find("::"), after.find("}}")) {
            (Some(body), Some(end)) if end > body => {
                out.push_str(&after[body + 2..end]);
                rest = &after[end + 2..];
            }
            _ => {
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Section labels that carry no fact on their own.
const LABELS: &[&str] = &[
    "note",
    "notes",
    "disadvantage",
    "disadvantages",
    "disadvantage s",
    "advantages",
    "advantage s",
    "benefits",
    "pros",
    "cons",
    "goals",
    "goal",
    "use cases",
    "constraints",
    "assumptions",
    "constraints and assumptions",
    "trade offs alternatives and additional details",
    "tradeoffs alternatives and additional details",
    "example",
    "examples",
];

/// A label, not a fact: "Note:", "Disadvantages", "MapReduce implementation:", or any short
/// phrase ending in a colon (a lead-in whose content is elsewhere).
pub fn is_label(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() {
        return false;
    }
    let key = words(&t.replace(['-', '(', ')'], " ")).join(" ");
    if LABELS.contains(&key.as_str()) {
        return true;
    }
    let n = words(t).len();
    (t.ends_with(':') && n <= 6) || (key.ends_with(" implementation") && n <= 4)
}

/// Label-only answer: a basic card whose whole answer is a label.
pub fn label_only_answer(note: &NoteText) -> bool {
    !note.cloze && is_label(&note.answer)
}

/// Malformed question: ends in `:?`, `? ?`, or asks for a bare label ("Note:?", "… Goals?").
pub fn malformed_question(note: &NoteText) -> bool {
    if note.cloze {
        return false;
    }
    let q = note.front.lines().next().unwrap_or("").trim_end();
    let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.ends_with(":?") || compact.ends_with("??") {
        return true;
    }
    // The words after the subject ("Subject: …?") are a label.
    let tail = q.rsplit(": ").next().unwrap_or(q);
    tail.ends_with('?') && is_label(tail.trim_end_matches('?'))
}

/// A cloze that deletes a label, or whose text ends in a colon (its list is missing).
pub fn label_cloze(note: &NoteText) -> bool {
    if !note.cloze {
        return false;
    }
    let text = revealed(&note.front);
    let last = text.trim_end();
    last.ends_with(':')
        || deletions(&note.front)
            .iter()
            .any(|d| is_label(d) || d.trim_end().ends_with(':'))
}

/// A pointer, not a fact: "See the linked content above", "See Disadvantage(s): …".
pub fn is_pointer(text: &str) -> bool {
    let t = text.trim().trim_start_matches('(').to_lowercase();
    let see = t.starts_with("see ") || t.starts_with("refer to ");
    t.contains("linked content")
        || t.contains("see the diagram")
        || (see
            && (t.starts_with("see the ")
                || t.starts_with("see also")
                || [
                    "above",
                    "below",
                    "for details",
                    "for points",
                    "for more",
                    "section",
                    "disadvantage",
                ]
                .iter()
                .any(|w| t.contains(w))))
}

/// An answer, a line of an answer, a deletion or a cloze sentence that only points elsewhere.
pub fn pointer_answer(note: &NoteText) -> bool {
    if note.cloze {
        let text = revealed(&note.front);
        deletions(&note.front).iter().any(|d| is_pointer(d))
            || text
                .lines()
                .map(|l| l.split_once(": ").map_or(l, |(_, rest)| rest))
                .any(is_pointer)
    } else {
        note.answer
            .lines()
            .map(|l| l.trim().trim_start_matches("- "))
            .any(is_pointer)
    }
}

/// Lead-ins ("the following", "include", a colon at the end) that introduce a list.
pub fn is_lead_in(text: &str) -> bool {
    let t = text.trim().trim_end_matches(['.', '?']).to_lowercase();
    t.ends_with(':')
        || t.contains("the following")
        || t.ends_with(" include")
        || t.ends_with(" includes")
        || t.ends_with(" including")
}

/// A basic question that carries a stray lead-in line below it ("…: what is meant by SSL
/// termination? / Additional benefits include").
pub fn stray_lead_in(note: &NoteText) -> bool {
    !note.cloze && note.front.lines().skip(1).any(is_lead_in)
}

/// Stem of a word for the giveaway check: common suffixes off, at least four letters kept.
pub fn stem(word: &str) -> Option<String> {
    let w = word.to_lowercase();
    if w.chars().count() < 4 || !w.chars().any(char::is_alphabetic) {
        return None;
    }
    for suffix in [
        "ability", "ibility", "ation", "ition", "ency", "ence", "ance", "able", "ing", "ion",
        "ity", "ies", "ers", "er", "ed", "es", "ly", "s", "e", "y",
    ] {
        if let Some(s) = w.strip_suffix(suffix)
            && s.chars().count() >= 4
        {
            return Some(s.to_string());
        }
    }
    Some(w)
}

const STOP: &[&str] = &[
    "with", "from", "that", "this", "your", "into", "over", "when", "data", "the", "and",
];

/// A reverse card ("which term means …?", "which one is …?") whose front already contains the
/// term or an obvious stem of it.
pub fn answer_on_front(note: &NoteText) -> bool {
    if note.cloze {
        return false;
    }
    let q = &note.front;
    let Some(at) = q
        .find("which term means")
        .or_else(|| q.find("which one is"))
    else {
        return false;
    };
    let definition = words(&q[at..]);
    words(&note.answer)
        .iter()
        .filter(|w| !STOP.contains(&w.as_str()))
        .filter_map(|w| stem(w))
        .any(|s| definition.iter().skip(3).any(|d| d.starts_with(&s)))
}

/// Longest deletion allowed, in characters.
pub const MAX_DELETION: usize = 150;

/// A cloze deletion longer than [`MAX_DELETION`] characters: a reading test, not one fact.
pub fn long_deletion(note: &NoteText) -> bool {
    note.cloze
        && deletions(&note.front)
            .iter()
            .any(|d| d.trim().chars().count() > MAX_DELETION)
}

/// Which subjectless template a question uses, if any: "what is the one point made?", "what is
/// the approach?", "name the N." (no noun after the count).
pub fn subjectless_template(note: &NoteText) -> Option<&'static str> {
    if note.cloze {
        return None;
    }
    let q = note.front.lines().next().unwrap_or("").trim_end();
    if q.ends_with("what is the one point made?") {
        return Some("one point made");
    }
    if q.ends_with("what is the approach?") {
        return Some("approach");
    }
    let tail = q.rsplit("name the ").next().unwrap_or("");
    if q.contains("name the ")
        && tail.ends_with('.')
        && tail
            .trim_end_matches('.')
            .chars()
            .all(|c| c.is_ascii_digit())
    {
        return Some("name the N.");
    }
    None
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
