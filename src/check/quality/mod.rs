//! The quality lint: card defects a script can find (docs of the house style, "Defect classes
//! seen in generated cards"). Each detector is a small function over the text of one note;
//! [`deck_defects`] runs them all over a deck, with the budgets a deck may spend on the
//! classes a few cards may have (a template with no subject, code as the answer, a question
//! repeated across exercises). `check` reports what it finds under `quality-*` codes.

use std::collections::HashMap;

use crate::key::normalize_key;

mod card_text;

use card_text::words;
pub use card_text::{NoteText, deletions, plain, revealed};

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
        return cloze_gives_away(note);
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

/// A deletion whose words the card shows anyway: again outside the deletion, or in the
/// subject ("Add MySQL read replicas: … {{c1::MySQL Read Replicas}} …").
fn cloze_gives_away(note: &NoteText) -> bool {
    // Outside the subject: a subject may name the choices a deletion picks from
    // ("Performance vs scalability: … a {{c1::performance}} problem …").
    let shown = format!(" {} ", normalize_key(&revealed(&note.question_core)));
    deletions(&note.front).iter().any(|d| {
        let d = normalize_key(d);
        !d.is_empty() && shown.matches(&format!(" {d} ")).count() >= 2
    })
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

/// A basic card whose whole answer is code: nobody recalls code verbatim.
pub fn code_only_answer(note: &NoteText) -> bool {
    note.code_only
}

/// A class of defect the lint reports.
#[derive(Debug, PartialEq, Eq)]
pub struct Defect {
    /// The finding's code (`quality-…`).
    pub code: &'static str,
    /// What is wrong, for the message.
    pub what: &'static str,
    /// What to do.
    pub help: &'static str,
}

pub const LABEL_ANSWER: Defect = Defect {
    code: "quality-label-answer",
    what: "the answer is a label, not a fact",
    help: "make the label the context of the card that holds its content, or write the fact out",
};
pub const MALFORMED_QUESTION: Defect = Defect {
    code: "quality-malformed-question",
    what: "the question is malformed (it ends in \":?\" or asks for a label)",
    help: "ask about the fact under the label; a label alone is no question",
};
pub const LABEL_CLOZE: Defect = Defect {
    code: "quality-label-cloze",
    what: "the cloze deletes a label or a lead-in, or ends in a colon with its list missing",
    help: "delete the facts, keep the lead-in as context with the list it introduces",
};
pub const POINTER: Defect = Defect {
    code: "quality-pointer",
    what: "the answer only points elsewhere (\"see …\")",
    help: "put the fact itself on the card, or make no card",
};
pub const ANSWER_ON_FRONT: Defect = Defect {
    code: "quality-answer-on-front",
    what: "the question already contains its answer",
    help: "drop the reverse card, or reword the definition so it does not name the term",
};
pub const LONG_DELETION: Defect = Defect {
    code: "quality-long-deletion",
    what: "a cloze deletion is longer than 150 characters",
    help: "delete a short phrase, or ask about the item on a card of its own",
};
pub const STRAY_LEAD_IN: Defect = Defect {
    code: "quality-stray-lead-in",
    what: "the question carries a stray lead-in line",
    help: "keep the lead-in with the list it introduces",
};
pub const GENERIC_QUESTION: Defect = Defect {
    code: "quality-generic-question",
    what: "a question template with no subject is used more than 3 times in this deck",
    help: "ask about what the text says, naming what is asked (\"name the 3 steps of …\")",
};
pub const CODE_ANSWER: Defect = Defect {
    code: "quality-code-answer",
    what: "the answer is only code, in a deck where more than 5% of the answers are",
    help: "ask what the code does or why; show it as context of that card",
};
pub const REPEATED_QUESTION: Defect = Defect {
    code: "quality-repeated-question",
    what: "the same question, with the same answer, is asked in several files of this deck, in more than 5% of it",
    help: "ask a fact that every file repeats once, in one place",
};

/// The defects of one note that are never acceptable.
pub fn note_defects(note: &NoteText) -> Vec<&'static Defect> {
    let checks: [(bool, &'static Defect); 7] = [
        (label_only_answer(note), &LABEL_ANSWER),
        (malformed_question(note), &MALFORMED_QUESTION),
        (label_cloze(note), &LABEL_CLOZE),
        (pointer_answer(note), &POINTER),
        (answer_on_front(note), &ANSWER_ON_FRONT),
        (long_deletion(note), &LONG_DELETION),
        (stray_lead_in(note), &STRAY_LEAD_IN),
    ];
    checks
        .into_iter()
        .filter(|(hit, _)| *hit)
        .map(|(_, d)| d)
        .collect()
}

/// Template uses a deck may spend before they are reported.
pub const TEMPLATE_BUDGET: usize = 3;
/// The share of a deck (in percent) that may be code-only answers, or repeated questions.
pub const SHARE_BUDGET: usize = 5;

/// Every defect of a deck: `notes` are (source file, note) in deck order; `exercises` says
/// the deck's files are exercises that share a structure, where a question asked again in
/// another file (its subject, the exercise, left out) is one fact reviewed twice. Returns
/// (index into `notes`, defect), in note order.
pub fn deck_defects(notes: &[(usize, NoteText)], exercises: bool) -> Vec<(usize, &'static Defect)> {
    let mut found: Vec<(usize, &'static Defect)> = Vec::new();
    for (i, (_, note)) in notes.iter().enumerate() {
        found.extend(note_defects(note).into_iter().map(|d| (i, d)));
    }
    let over_share = |n: usize| n * 100 > notes.len() * SHARE_BUDGET;
    // Templates with no subject: tolerated up to the budget, per template.
    let mut templates: HashMap<&'static str, Vec<usize>> = HashMap::new();
    for (i, (_, note)) in notes.iter().enumerate() {
        if let Some(t) = subjectless_template(note) {
            templates.entry(t).or_default().push(i);
        }
    }
    for uses in templates.values().filter(|u| u.len() > TEMPLATE_BUDGET) {
        found.extend(uses.iter().map(|&i| (i, &GENERIC_QUESTION)));
    }
    let code: Vec<usize> = (0..notes.len())
        .filter(|&i| code_only_answer(&notes[i].1))
        .collect();
    if over_share(code.len()) {
        found.extend(code.iter().map(|&i| (i, &CODE_ANSWER)));
    }
    let repeated = if exercises {
        repeated_across_files(notes)
    } else {
        Vec::new()
    };
    if over_share(repeated.len()) {
        found.extend(repeated.iter().map(|&i| (i, &REPEATED_QUESTION)));
    }
    found.sort_by_key(|(i, d)| (*i, d.code));
    found
}

/// Notes whose fact (question with its subject left out, and answer) another file of the deck
/// asks too; the first asking is not counted. The same question with another answer ("Design
/// Mint: sketch the high-level design") asks about each exercise, and is no repeat.
pub fn repeated_across_files(notes: &[(usize, NoteText)]) -> Vec<usize> {
    let mut first_file: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, (file, note)) in notes.iter().enumerate() {
        if note.question_core.is_empty() {
            continue;
        }
        match first_file.get(note.question_core.as_str()) {
            Some(&f) if f != *file => out.push(i),
            Some(_) => {}
            None => {
                first_file.insert(&note.question_core, *file);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic_html(front: &str, back: &str) -> NoteText {
        NoteText::from_html(false, front, back)
    }

    #[test]
    fn code_only_answers_are_found_and_code_with_prose_is_not() {
        let code = "<pre class=\"code\"><code class=\"hl\">get(key)</code></pre>";
        assert!(code_only_answer(&basic_html("Q?", code)));
        assert!(!code_only_answer(&basic_html(
            "Q?",
            &format!("<p>Reads go through the cache.</p>{code}")
        )));
        assert!(!code_only_answer(&basic_html("Q?", "<p>No code here.</p>")));
    }

    #[test]
    fn the_subject_is_left_out_of_the_question_core() {
        let note = basic_html(
            "<span class=\"subject\">Design Mint</span> — Calculate usage: requests per month?",
            "<p>2.5 million seconds per month</p>",
        );
        assert_eq!(
            note.question_core,
            "calculate usage: requests per month? => 2.5 million seconds per month"
        );
    }

    #[test]
    fn deck_budgets_report_a_class_only_past_its_budget() {
        let code = "<pre class=\"code\"><code>x</code></pre>";
        let prose = |i: usize| (i, basic_html(&format!("Q{i}?"), "<p>A fact.</p>"));
        // 1 code answer in 40 notes: within 5%.
        let mut notes: Vec<(usize, NoteText)> = (0..39).map(prose).collect();
        notes.push((39, basic_html("Q code?", code)));
        assert!(deck_defects(&notes, false).is_empty());
        // 3 in 40: over, and each is reported.
        notes.push((40, basic_html("Q code 2?", code)));
        notes.push((41, basic_html("Q code 3?", code)));
        let found = deck_defects(&notes, false);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found.iter().all(|(_, d)| **d == CODE_ANSWER));

        // The same question in three exercise files: two repeats, over 5% of 12 notes.
        let subject = |s: &str| format!("<span class=\"subject\">{s}</span> — How many requests?");
        let mut notes: Vec<(usize, NoteText)> = (0..9).map(prose).collect();
        for (file, name) in ["Mint", "Pastebin", "Crawler"].iter().enumerate() {
            notes.push((
                100 + file,
                basic_html(&subject(name), "<p>About 40 per second.</p>"),
            ));
        }
        let found = deck_defects(&notes, true);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|(_, d)| **d == REPEATED_QUESTION));
        assert!(
            deck_defects(&notes, false).is_empty(),
            "only exercise decks"
        );

        // A template with no subject, 4 times: all 4 reported; 3 times: none.
        let generic = |i: usize| {
            (
                i,
                NoteText::basic(&format!("S{i}: what is the approach?"), "x"),
            )
        };
        let notes: Vec<(usize, NoteText)> = (0..4).map(generic).collect();
        assert_eq!(deck_defects(&notes, false).len(), 4);
        assert!(deck_defects(&notes[..3], false).is_empty());
    }

    #[test]
    fn every_note_level_class_is_found() {
        let cases: [(NoteText, &Defect); 7] = [
            (
                NoteText::basic("Tag: what goes on it?", "Note:"),
                &LABEL_ANSWER,
            ),
            (
                NoteText::basic("Size per transaction:?", "x"),
                &MALFORMED_QUESTION,
            ),
            (
                NoteText::cloze("Budget: the service does the {{c1::following:}}"),
                &LABEL_CLOZE,
            ),
            (
                NoteText::basic("Timing?", "See the linked content above."),
                &POINTER,
            ),
            (
                NoteText::basic(
                    "which term means \"serve static content\"?",
                    "Static content",
                ),
                &ANSWER_ON_FRONT,
            ),
            (
                NoteText::cloze(&format!("X: {{{{c1::{}}}}}", "word ".repeat(40))),
                &LONG_DELETION,
            ),
            (
                NoteText::basic("SSL: what is it?\nAdditional benefits include", "x"),
                &STRAY_LEAD_IN,
            ),
        ];
        for (note, defect) in &cases {
            assert!(
                note_defects(note).contains(defect),
                "{} on {note:?}",
                defect.code
            );
        }
    }

    #[test]
    fn a_cloze_whose_deletion_stands_elsewhere_on_the_card_is_found() {
        let note = |html: &str| NoteText::from_html(true, html, "");
        assert!(answer_on_front(&note(
            "<span class=\"subject\">Schema</span>: use {{c1::TEXT}} for posts; TEXT allows search."
        )));
        // The subject names the choices: no giveaway.
        assert!(!answer_on_front(&note(
            "<span class=\"subject\">Performance vs scalability</span>: a {{c1::performance}} problem is slow for one user."
        )));
        // `user_id` is not `id`.
        assert!(!answer_on_front(&note(
            "<span class=\"subject\">Mint</span>: an index on {{c1::id}} and {{c2::user_id}}."
        )));
    }
}
