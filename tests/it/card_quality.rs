//! Card quality of the primer's System Design deck, counted by defect class (see the house
//! style's "Defect classes seen in generated cards"). The detectors live in `quality/mod.rs` so
//! the tests of the other decks can share them; each has a unit test here that shows it fires on
//! a bad example and stays quiet on a good one. Set `QUALITY_EXAMPLES=1` to print every hit.

use std::path::PathBuf;

use crate::quality::*;
use primer_anki::check::quality::*;
use primer_anki::extract::Profile;

#[test]
fn label_only_answers_are_found() {
    assert!(label_only_answer(&NoteText::basic(
        "Cache: what characterises Node?",
        "Node implementation:"
    )));
    assert!(label_only_answer(&NoteText::basic("X: notes?", "Note:")));
    assert!(label_only_answer(&NoteText::basic("X?", "Disadvantages")));
    assert!(!label_only_answer(&NoteText::basic(
        "Load balancer: what is it?",
        "Load balancers distribute incoming client requests to computing resources."
    )));
}

#[test]
fn malformed_questions_are_found() {
    assert!(malformed_question(&NoteText::basic(
        "Design Mint.com — Calculate usage: Size per transaction:?",
        "5 KB"
    )));
    assert!(malformed_question(&NoteText::basic("X: Note:?", "a")));
    assert!(malformed_question(&NoteText::basic(
        "Step 2: What is it? ?",
        "a"
    )));
    assert!(malformed_question(&NoteText::basic("Cache: Goals?", "a")));
    assert!(!malformed_question(&NoteText::basic(
        "Cache — when to update the cache?",
        "a"
    )));
}

#[test]
fn label_and_colon_clozes_are_found() {
    assert!(label_cloze(&NoteText::cloze(
        "Mint: The {{c1::Read API}} server does the following:"
    )));
    assert!(label_cloze(&NoteText::cloze(
        "X (2 items)\n{{c1::Disadvantages}}\n{{c2::Slow writes}}"
    )));
    assert!(label_cloze(&NoteText::cloze(
        "X (2 items)\n{{c1::The server does the following:}}\n{{c2::Slow writes}}"
    )));
    assert!(!label_cloze(&NoteText::cloze(
        "TCP also implements {{c1::flow control}}."
    )));
}

#[test]
fn pointer_answers_are_found() {
    assert!(pointer_answer(&NoteText::basic(
        "X: what is it?",
        "See the linked content above for details."
    )));
    assert!(pointer_answer(&NoteText::cloze(
        "X: {{c1::See Disadvantage(s): replication for both.}}"
    )));
    assert!(!pointer_answer(&NoteText::basic(
        "Caching at the object level: what is it?",
        "See your data as an object, similar to your application code."
    )));
}

#[test]
fn answers_on_the_front_are_found() {
    assert!(answer_on_front(&NoteText::basic(
        "Reverse proxy: which term means “Serve static content directly”?",
        "Static content"
    )));
    assert!(answer_on_front(&NoteText::basic(
        "Reverse proxy: which term means “Compress server responses”?",
        "Compression"
    )));
    assert!(answer_on_front(&NoteText::basic(
        "BASE: which term means “The system will become consistent over time”?",
        "Eventual consistency"
    )));
    assert!(!answer_on_front(&NoteText::basic(
        "ACID: which term means “Each transaction is all or nothing”?",
        "Atomicity"
    )));
}

#[test]
fn pointers_inside_answers_and_cloze_sentences_are_found() {
    assert!(pointer_answer(&NoteText::basic(
        "Replication: name the 2.",
        "- Promotion needs extra logic.\n- See Disadvantage(s): replication for points related to both."
    )));
    assert!(pointer_answer(&NoteText::cloze(
        "Replication: See {{c1::Disadvantage(s): replication}} for points related to {{c2::both}}."
    )));
}

#[test]
fn stray_lead_ins_are_found() {
    assert!(stray_lead_in(&NoteText::basic(
        "Proxy: what is meant by SSL termination?\nAdditional benefits include",
        "a"
    )));
    assert!(!stray_lead_in(&NoteText::basic(
        "RPC: what is meant by Client stub?\nRPC is a request-response protocol",
        "a"
    )));
}

#[test]
fn long_deletions_are_found() {
    let long = "word ".repeat(40);
    assert!(long_deletion(&NoteText::cloze(&format!(
        "X (2 items)\n{{{{c1::{long}}}}}\n{{{{c2::short}}}}"
    ))));
    assert!(!long_deletion(&NoteText::cloze("X: {{c1::short}} fact.")));
}

#[test]
fn subjectless_templates_are_found() {
    let t = |q: &str| subjectless_template(&NoteText::basic(q, "a"));
    assert_eq!(
        t("Partition tables: what is the one point made?"),
        Some("one point made")
    );
    assert_eq!(
        t("Mint — Category service: what is the approach?"),
        Some("approach")
    );
    assert_eq!(
        t("Write-through: The application does this — name the 3."),
        Some("name the N.")
    );
    assert_eq!(t("Write-through: name the 3 steps."), None);
    assert_eq!(t("Cache: what is it?"), None);
}

#[test]
fn the_system_design_deck_has_no_defects() {
    let root = primer_dir();
    let drafts = build_deck(&root, &[PathBuf::from("README.md")], Profile::Topics);
    let counts = Counts::of(&drafts);
    counts.print("System Design");
    assert!(
        counts.notes >= 300,
        "{} notes, want at least 300",
        counts.notes
    );
    assert_eq!(counts.label_only_answers, 0, "label-only answers");
    assert_eq!(counts.malformed_questions, 0, "malformed questions");
    assert_eq!(
        counts.label_clozes, 0,
        "clozes that delete a label or end in a colon"
    );
    assert_eq!(counts.pointer_answers, 0, "pointer answers");
    assert_eq!(counts.answers_on_front, 0, "answers shown on the front");
    assert_eq!(
        counts.long_deletions, 0,
        "deletions over {MAX_DELETION} characters"
    );
    assert_eq!(counts.stray_lead_ins, 0, "stray lead-ins in questions");
    for (template, n) in &counts.templates {
        assert!(*n <= 3, "template {template:?} used {n} times");
    }
}
