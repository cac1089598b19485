//! Card quality of the System Design Exercises and OO Design decks, counted on the primer
//! (licensed input, read in place; set `PRIMER_DIR`, default `../shared/primer`). Each defect
//! class of docs/card-quality.md that a machine can see has a small detector below, with a unit
//! test that shows it fires on a bad example. The counts are printed (`--nocapture`).

use crate::support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use primer_anki::extract::Profile;
use primer_anki::package::model::NotetypeKind;
use primer_anki::render::NoteDraft;

/// One note as the detectors see it: plain text, plus the HTML of the back.
#[derive(Debug, Clone)]
struct Note {
    /// The exercise (or notebook) it comes from: first part of the breadcrumb.
    exercise: String,
    question: String,
    /// The back (standard) or back extra (cloze), as HTML.
    back_html: String,
    /// What the learner must recall: the back as text (standard), or each deletion (cloze).
    answers: Vec<String>,
    further_reading: String,
    cloze: bool,
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The deletions of a cloze text, as plain text.
fn deletions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{c") {
        let after = &rest[start..];
        let Some(body) = after.find("::").map(|i| &after[i + 2..]) else {
            break;
        };
        let end = body.find("}}").unwrap_or(body.len());
        out.push(body[..end].trim().to_string());
        rest = &body[end..];
    }
    out
}

fn note_of(d: &NoteDraft) -> Note {
    let question = strip_tags(&d.fields.front);
    let answers = match d.kind {
        NotetypeKind::Standard => vec![strip_tags(&d.fields.back)],
        NotetypeKind::Cloze => deletions(&question),
    };
    Note {
        exercise: d
            .fields
            .context
            .split(" › ")
            .next()
            .unwrap_or_default()
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
        question,
        back_html: d.fields.back.clone(),
        answers,
        further_reading: d.fields.further_reading.clone(),
        cloze: d.kind == NotetypeKind::Cloze,
    }
}

// ---- detectors -------------------------------------------------------------------------

/// The whole answer is a code block (figures aside): nobody recalls code verbatim.
fn code_only_answer(n: &Note) -> bool {
    let html = n.back_html.trim();
    // A cloze's back extra is context: its answers are the deletions.
    if n.cloze || !html.starts_with("<pre") {
        return false;
    }
    // Take out the code blocks and the figures: is anything left?
    let mut rest = String::new();
    let mut s = html;
    while let Some(start) = s.find("<pre") {
        rest.push_str(&s[..start]);
        s = s[start..].split_once("</pre>").map(|x| x.1).unwrap_or("");
    }
    rest.push_str(s);
    let rest = match rest.find("<div class=\"diagram\"") {
        Some(i) => &rest[..i],
        None => rest.as_str(),
    };
    strip_tags(rest).is_empty()
}

/// The generic code question.
fn show_the_code(n: &Note) -> bool {
    n.question.contains("show the code")
}

/// An answer (or deletion) that is only a label or lead-in: "MapReduce implementation:",
/// "The Read API server does the following:".
fn label_only(n: &Note) -> bool {
    n.answers.iter().any(|a| {
        let a = a.trim();
        a.ends_with(':') && a.chars().count() <= 120 && !a.contains(". ")
    })
}

/// An answer that only points elsewhere.
fn pointer_answer(n: &Note) -> bool {
    n.answers.iter().any(|a| {
        let a = a.trim().to_lowercase();
        a.starts_with("see ") || a.starts_with("refer to ") || a.contains("see the linked")
    })
}

/// A yes/no answer: one bit of recall ("Yes", "- No.").
fn yes_no_answer(n: &Note) -> bool {
    n.answers.iter().any(|a| {
        let a: String = a
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase();
        a == "yes" || a == "no"
    })
}

/// A question with its exercise name taken out, normalised.
fn question_without_exercise(n: &Note) -> String {
    let q = n.question.replace(&n.exercise, "");
    let q: String = q
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect();
    q.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Notes whose question, without the exercise name, is asked in two or more exercises (every
/// such note counts, the first too).
fn repeated_across_exercises(notes: &[Note]) -> Vec<usize> {
    let mut by_question: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, n) in notes.iter().enumerate() {
        by_question
            .entry(question_without_exercise(n))
            .or_default()
            .push(i);
    }
    let mut out: Vec<usize> = by_question
        .values()
        .filter(|ix| {
            let first = &notes[ix[0]].exercise;
            ix.iter().any(|&i| &notes[i].exercise != first)
        })
        .flatten()
        .copied()
        .collect();
    out.sort();
    out
}

/// The scaled-design card that lists every bold word of step 4.
fn bag_of_bold_words(n: &Note) -> bool {
    n.question.contains("what does the scaled design add")
}

// ---- building the decks ------------------------------------------------------------------

fn build(root: &Path, files: &[PathBuf], profile: Profile, deck_name: &str) -> Vec<NoteDraft> {
    support::render_files(root, files, profile, deck_name, &mut support::NameOnly)
}

fn files_under(root: &Path, dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
        for f in std::fs::read_dir(e.path()).unwrap().flatten() {
            if f.path().extension().is_some_and(|x| x == ext)
                && (ext != "md" || f.file_name() == "README.md")
            {
                out.push(PathBuf::from(dir).join(e.file_name()).join(f.file_name()));
            }
        }
    }
    out.sort();
    out
}

struct Counts {
    notes: usize,
    code_only: usize,
    show_the_code: usize,
    label_only: usize,
    pointer: usize,
    yes_no: usize,
    repeated: usize,
    bag: usize,
    /// Notes carrying the latency-numbers footnote as further reading.
    latency_footnote: usize,
}

fn count(name: &str, notes: &[Note]) -> Counts {
    let c = |f: fn(&Note) -> bool| notes.iter().filter(|n| f(n)).count();
    let counts = Counts {
        notes: notes.len(),
        code_only: c(code_only_answer),
        show_the_code: c(show_the_code),
        label_only: c(label_only),
        pointer: c(pointer_answer),
        yes_no: c(yes_no_answer),
        repeated: repeated_across_exercises(notes).len(),
        bag: c(bag_of_bold_words),
        latency_footnote: notes
            .iter()
            .filter(|n| {
                n.further_reading
                    .contains("latency-numbers-every-programmer-should-know")
            })
            .count(),
    };
    eprintln!(
        "{name}: {} notes; code-only answers {}; \"show the code\" {}; label-only {}; \
         pointer {}; yes/no {}; repeated across exercises {}; bag of bold words {}; \
         latency footnote as further reading {}",
        counts.notes,
        counts.code_only,
        counts.show_the_code,
        counts.label_only,
        counts.pointer,
        counts.yes_no,
        counts.repeated,
        counts.bag,
        counts.latency_footnote
    );
    if std::env::var_os("PRIMER_PRINT_DEFECTS").is_some() {
        let repeated = repeated_across_exercises(notes);
        for (i, n) in notes.iter().enumerate() {
            let flags: Vec<&str> = [
                (code_only_answer(n), "code-only"),
                (show_the_code(n), "show-the-code"),
                (label_only(n), "label"),
                (pointer_answer(n), "pointer"),
                (yes_no_answer(n), "yes/no"),
                (repeated.contains(&i), "repeated"),
            ]
            .iter()
            .filter(|f| f.0)
            .map(|f| f.1)
            .collect();
            if !flags.is_empty() {
                eprintln!("  [{}] {}", flags.join(","), n.question);
            }
        }
    }
    counts
}

#[test]
fn exercise_and_oo_decks_count_no_defects() {
    let root = support::primer_dir();
    let exercises = files_under(&root, "solutions/system_design", "md");
    assert_eq!(exercises.len(), 8);
    let ex: Vec<Note> = build(
        &root,
        &exercises,
        Profile::Exercise,
        "System Design Exercises",
    )
    .iter()
    .map(note_of)
    .collect();
    let notebooks = files_under(&root, "solutions/object_oriented_design", "ipynb");
    assert_eq!(notebooks.len(), 6);
    let oo: Vec<Note> = build(&root, &notebooks, Profile::ObjectDesign, "OO Design")
        .iter()
        .map(note_of)
        .collect();

    let e = count("System Design Exercises", &ex);
    let o = count("OO Design", &oo);
    for (name, c, min) in [("Exercises", &e, 80), ("OO Design", &o, 30)] {
        assert!(c.notes >= min, "{name}: {} notes, want ≥ {min}", c.notes);
        assert!(
            c.code_only * 20 <= c.notes,
            "{name}: {} code-only answers of {} notes (> 5%)",
            c.code_only,
            c.notes
        );
        assert!(
            c.repeated * 20 <= c.notes,
            "{name}: {} questions repeated across exercises of {} (> 5%)",
            c.repeated,
            c.notes
        );
        assert_eq!(c.show_the_code, 0, "{name}: \"show the code\" questions");
        assert_eq!(c.label_only, 0, "{name}: label-only answers");
        assert_eq!(c.pointer, 0, "{name}: pointer answers");
        assert_eq!(c.bag, 0, "{name}: bag-of-bold-words answers");
    }
    assert_eq!(o.yes_no, 0, "OO Design: yes/no answers");
}

// ---- the detectors fire on bad examples ---------------------------------------------------

fn basic(exercise: &str, question: &str, back_html: &str) -> Note {
    Note {
        exercise: exercise.into(),
        question: question.into(),
        back_html: back_html.into(),
        answers: vec![strip_tags(back_html)],
        further_reading: String::new(),
        cloze: false,
    }
}

fn cloze(exercise: &str, text: &str) -> Note {
    Note {
        exercise: exercise.into(),
        question: text.into(),
        back_html: String::new(),
        answers: deletions(text),
        further_reading: String::new(),
        cloze: true,
    }
}

#[test]
fn code_only_fires_on_a_code_answer() {
    let bad = basic(
        "Design X",
        "Design X: The table — show the code.",
        "<pre class=\"code\"><code>id int</code></pre>",
    );
    assert!(code_only_answer(&bad));
    let with_figure = basic(
        "Design X",
        "q",
        "<pre class=\"code\"><code>id int</code></pre><div class=\"diagram\"><img src=\"a.png\"></div>",
    );
    assert!(code_only_answer(&with_figure));
    let good = basic(
        "Design X",
        "q",
        "<p>It indexes the id column.</p><pre class=\"code\"><code>id int</code></pre>",
    );
    assert!(!code_only_answer(&good));
}

#[test]
fn show_the_code_fires() {
    assert!(show_the_code(&basic(
        "E",
        "E: Sample calls — show the code.",
        "x"
    )));
    assert!(!show_the_code(&basic("E", "E: what does it return?", "x")));
}

#[test]
fn label_only_fires_on_labels_and_lead_ins() {
    assert!(label_only(&basic(
        "E",
        "E: what characterises MapReduce?",
        "<p>MapReduce implementation:</p>"
    )));
    assert!(label_only(&cloze(
        "E",
        "E: The {{c1::Read API server does the following:}}"
    )));
    assert!(!label_only(&basic("E", "q", "<p>Hashes the url: MD5.</p>")));
}

#[test]
fn pointer_fires() {
    assert!(pointer_answer(&basic(
        "E",
        "q",
        "<p>See the linked content above for details</p>"
    )));
    assert!(pointer_answer(&basic("E", "q", "<p>See the diagram.</p>")));
    assert!(!pointer_answer(&basic("E", "q", "<p>A queue.</p>")));
}

#[test]
fn yes_no_fires() {
    assert!(yes_no_answer(&basic("E", "Can we assume X?", "<p>Yes</p>")));
    assert!(yes_no_answer(&basic("E", "q", "<ul><li>No</li></ul>")));
    assert!(!yes_no_answer(&basic(
        "E",
        "q",
        "<p>Yes, design a generic deck then extend it</p>"
    )));
    assert!(!yes_no_answer(&cloze(
        "E",
        "E: {{c1::No redundancy/failover}}"
    )));
}

#[test]
fn repeats_fire_across_exercises_only() {
    let notes = vec![
        cloze(
            "Design A",
            "Design A — usage: {{c1::2.5 million}} seconds per month",
        ),
        cloze(
            "Design B",
            "Design B — usage: {{c1::2.5 million}} seconds per month",
        ),
        cloze("Design A", "Design A — usage: 10 users"),
        cloze("Design A", "Design A — usage: 10 users"),
    ];
    assert_eq!(repeated_across_exercises(&notes), [0, 1]);
}

#[test]
fn bag_fires() {
    assert!(bag_of_bold_words(&basic(
        "E",
        "E: scaling the design — what does the scaled design add to the initial one?",
        "<ul><li>Profile</li></ul>"
    )));
}
