//! Unit tests of [`super::resolve`], through [`super::assign`]: note type changes, lock lines
//! of older versions, renames (of cloze notes too) and the GUIDs new notes may not take.

use crate::error::SourceLocation;
use crate::identity::lock::Lock;
use crate::identity::similarity::Signature;
use crate::identity::{DeckDrafts, assign, guid_for, guid_for_kind};
use crate::render::{NoteDraft, NoteFields, NotetypeKind};

fn draft(key: &str, rule: &'static str, kind: NotetypeKind, front: &str) -> NoteDraft {
    NoteDraft {
        key: key.into(),
        pin: None,
        rule,
        repeat: 1,
        deck: 0,
        kind,
        fields: NoteFields {
            front: front.into(),
            back: "answer".into(),
            ..NoteFields::default()
        },
        tags: Vec::new(),
        card_count: 1,
        origin: SourceLocation::new("f.md", 1, 0),
    }
}

fn build(
    lock: &mut Lock,
    now: i64,
    drafts: &[NoteDraft],
) -> (Vec<crate::identity::Note>, crate::identity::IdentityReport) {
    let decks = [DeckDrafts {
        name: "Deck",
        id: 7,
        drafts,
    }];
    let (mut notes, report) = assign(&decks, lock, now).unwrap();
    (notes.remove(0), report)
}

#[test]
fn a_key_that_changes_note_type_gets_a_fresh_guid_and_the_old_note_is_removed() {
    let key = "deck/s/list/kinds";
    let basic = draft(key, "list", NotetypeKind::Standard, "name the 3");
    let cloze = draft(
        key,
        "list",
        NotetypeKind::Cloze,
        "<ul><li>{{c1::a}}</li><li>{{c2::b}}</li><li>{{c3::c}}</li><li>{{c4::d}}</li></ul>",
    );
    let mut lock = Lock::default();
    let (v1, _) = build(&mut lock, 1_000, std::slice::from_ref(&basic));
    assert_eq!(v1[0].guid, guid_for("Deck", key));
    let (v2, report) = build(&mut lock, 2_000, std::slice::from_ref(&cloze));
    assert_eq!(v2[0].guid, guid_for_kind("Deck", key, NotetypeKind::Cloze));
    assert_ne!(v2[0].id, v1[0].id, "a new note id");
    assert_eq!(v2[0].mtime, 2_000);
    assert_eq!(v2[0].cards.len(), 4);
    assert_eq!(
        (report.added, report.changed, report.removed.len()),
        (1, 0, 1)
    );
    let removed = &report.removed[0];
    assert_eq!(
        (removed.guid.as_str(), removed.reason.as_deref()),
        (
            v1[0].guid.as_str(),
            Some("note type changed: basic → cloze")
        )
    );
    assert_eq!(
        lock.get("Deck", key).unwrap().kind,
        Some(NotetypeKind::Cloze)
    );
    // Unchanged next time; back to basic is yet another note.
    let (again, report) = build(&mut lock, 3_000, std::slice::from_ref(&cloze));
    assert_eq!(
        (again[0].guid.clone(), report.unchanged),
        (v2[0].guid.clone(), 1)
    );
    let (v3, report) = build(&mut lock, 4_000, std::slice::from_ref(&basic));
    assert_eq!(
        v3[0].guid,
        guid_for_kind("Deck", key, NotetypeKind::Standard)
    );
    assert_eq!(
        report.removed[0].reason.as_deref(),
        Some("note type changed: cloze → basic")
    );
}

#[test]
fn a_lock_line_without_a_type_keeps_the_note() {
    let key = "deck/s/list/kinds";
    let cloze = draft(key, "list", NotetypeKind::Cloze, "{{c1::a}} {{c2::b}}");
    let mut lock = Lock::default();
    let (v1, _) = build(&mut lock, 1_000, std::slice::from_ref(&cloze));
    // As a v2 lock file has it: no type, no items.
    let mut old = lock.clone();
    let note = old.decks.get_mut("Deck").unwrap().get_mut(key).unwrap();
    (note.kind, note.clozes) = (None, None);
    let (v2, report) = build(&mut old, 2_000, std::slice::from_ref(&cloze));
    assert_eq!(
        (v2[0].guid.clone(), v2[0].mtime),
        (v1[0].guid.clone(), 1_000)
    );
    assert_eq!((report.unchanged, report.removed.len()), (1, 0));
    assert_eq!(old, lock, "the next build writes the type and the items");
}

#[test]
fn a_new_note_closest_to_an_unchanged_one_takes_no_vanished_guid() {
    let a = "the application writes every update to the cache and to the database at once";
    let b = "the application writes every update to the cache and to the database a bit later";
    let c = "the application writes every update to the cache and to the database much later";
    let answer = |t: &str| Signature::of(t, "answer");
    // The scenario: the newcomer is like the vanished note, and more like the unchanged one.
    let (to_vanished, to_unchanged) = (
        answer(c).similarity(&answer(a)),
        answer(c).similarity(&answer(b)),
    );
    assert!(
        to_vanished + 0.0 >= super::RENAME_THRESHOLD,
        "{to_vanished}"
    );
    assert!(to_unchanged > to_vanished, "{to_unchanged} {to_vanished}");
    let old_a = draft(
        "deck/x/definition/a",
        "definition",
        NotetypeKind::Standard,
        a,
    );
    let old_b = draft(
        "deck/y/definition/b",
        "definition",
        NotetypeKind::Standard,
        b,
    );
    let new_c = draft(
        "deck/y/definition/c",
        "definition",
        NotetypeKind::Standard,
        c,
    );
    let mut lock = Lock::default();
    let (v1, _) = build(&mut lock, 1_000, &[old_a, old_b.clone()]);
    let (v2, report) = build(&mut lock, 2_000, &[old_b, new_c]);
    assert!(report.renamed.is_empty(), "{:?}", report.renamed);
    assert_eq!(report.removed[0].guid, v1[0].guid);
    assert_eq!(v2[1].guid, guid_for("Deck", "deck/y/definition/c"));
}

#[test]
fn a_renamed_cloze_note_keeps_its_items_numbers() {
    let list = |key: &str, items: &[&str]| {
        let front: String = items
            .iter()
            .enumerate()
            .map(|(i, t)| format!("<li>{{{{c{}::{t}}}}}</li>", i + 1))
            .collect();
        let mut d = draft(
            key,
            "list",
            NotetypeKind::Cloze,
            &format!("<ul>{front}</ul>"),
        );
        d.card_count = items.len() as u32;
        d
    };
    let mut lock = Lock::default();
    let (k1, k2) = ("deck/a/list/kinds", "deck/b/list/kinds");
    build(&mut lock, 1_000, &[list(k1, &["alpha", "beta", "gamma"])]);
    let (v2, _) = build(&mut lock, 2_000, &[list(k1, &["gamma", "alpha", "beta"])]);
    let expected = "<ul><li>{{c3::gamma}}</li><li>{{c1::alpha}}</li><li>{{c2::beta}}</li></ul>";
    assert_eq!(v2[0].fields[0], expected);
    // The heading is renamed: the note is matched by its text and keeps its numbers.
    let (v3, report) = build(&mut lock, 3_000, &[list(k2, &["gamma", "alpha", "beta"])]);
    assert_eq!(report.renamed.len(), 1, "{report:?}");
    assert_eq!(
        (v3[0].guid.clone(), v3[0].id),
        (v2[0].guid.clone(), v2[0].id)
    );
    assert_eq!(v3[0].fields[0], expected);
    // And the lock now holds the numbers and the hash of what was written.
    let (v4, report) = build(&mut lock, 4_000, &[list(k2, &["gamma", "alpha", "beta"])]);
    assert_eq!((report.unchanged, v4[0].mtime), (1, v3[0].mtime));
    assert_eq!(v4[0].fields[0], expected);
}

#[test]
fn a_new_note_at_a_key_renamed_away_does_not_take_the_renamed_notes_guid() {
    let text = "the application writes every update to the cache and to the database at once";
    let other = "a tombstone marks a deleted entry so that replicas learn of the deletion";
    let (a, b) = ("deck/a/summary", "deck/b/summary");
    let mut lock = Lock::default();
    let (v1, _) = build(
        &mut lock,
        1_000,
        &[draft(a, "summary", NotetypeKind::Standard, text)],
    );
    // Heading a renamed to b: the note keeps the GUID key a derived.
    let (v2, report) = build(
        &mut lock,
        2_000,
        &[draft(b, "summary", NotetypeKind::Standard, text)],
    );
    assert_eq!(
        (report.renamed.len(), v2[0].guid.clone()),
        (1, v1[0].guid.clone())
    );
    // A new heading a: a new note, under a GUID of its own.
    let (v3, report) = build(
        &mut lock,
        3_000,
        &[
            draft(b, "summary", NotetypeKind::Standard, text),
            draft(a, "summary", NotetypeKind::Standard, other),
        ],
    );
    assert_eq!((report.added, report.unchanged), (1, 1));
    assert_eq!(v3[0].guid, v1[0].guid);
    assert_ne!(v3[1].guid, v1[0].guid);
    assert_ne!(v3[1].guid, guid_for("Deck", a));
    // ... which it keeps.
    let (v4, report) = build(
        &mut lock,
        4_000,
        &[
            draft(b, "summary", NotetypeKind::Standard, text),
            draft(a, "summary", NotetypeKind::Standard, other),
        ],
    );
    assert_eq!(
        (report.unchanged, v4[1].guid.clone()),
        (2, v3[1].guid.clone())
    );
}

#[test]
fn a_deck_renamed_in_the_manifest_keeps_every_guid_and_derives_new_ones_as_before() {
    let a = draft(
        "deck/s/definition/a",
        "definition",
        NotetypeKind::Standard,
        "A?",
    );
    let b = draft(
        "deck/s/definition/b",
        "definition",
        NotetypeKind::Standard,
        "B?",
    );
    let mut lock = Lock::default();
    let (v1, _) = build(&mut lock, 1_000, std::slice::from_ref(&a));
    let decks = [DeckDrafts {
        name: "Renamed",
        id: 7,
        drafts: &[a.clone(), b.clone()],
    }];
    let (notes, report) = assign(&decks, &mut lock, 2_000).unwrap();
    assert_eq!(report.deck_renames.len(), 1, "{report:?}");
    assert!(report.changes_lock(), "a deck rename rewrites the lock");
    let locked =
        crate::identity::describe_lock_changes(&report, &Lock::default(), &Default::default());
    assert!(
        locked.contains("  deck renamed: Deck → Renamed"),
        "{locked}"
    );
    assert_eq!(
        (
            report.deck_renames[0].from.as_str(),
            report.deck_renames[0].to.as_str()
        ),
        ("Deck", "Renamed")
    );
    assert!(report.removed.is_empty(), "{:?}", report.removed);
    assert_eq!((report.unchanged, report.added), (1, 1));
    assert_eq!(notes[0][0].guid, v1[0].guid);
    assert_eq!(notes[0][0].mtime, v1[0].mtime, "unchanged");
    // A new note of the renamed deck derives its GUID in the deck's first namespace, so the
    // same build from scratch under the old name would give it the same GUID.
    assert_eq!(notes[0][1].guid, guid_for("Deck", "deck/s/definition/b"));
    assert_eq!(lock.namespace("Renamed"), "Deck");
}

#[test]
fn a_removed_note_whose_key_comes_back_is_restored_with_its_guid_id_and_cloze_numbers() {
    let keep = draft("deck/s/summary", "summary", NotetypeKind::Standard, "kept");
    let back = draft("deck/t/summary", "summary", NotetypeKind::Standard, "back");
    let list = draft(
        "deck/t/list/kinds",
        "list",
        NotetypeKind::Cloze,
        "<ul><li>{{c1::a}}</li><li>{{c2::b}}</li><li>{{c3::c}}</li><li>{{c4::d}}</li></ul>",
    );
    let mut lock = Lock::default();
    let (v1, _) = build(
        &mut lock,
        1_000,
        &[keep.clone(), back.clone(), list.clone()],
    );
    // v2: the section goes; the lock keeps its notes as `gone` lines, which survive a reload.
    let (_, report) = build(&mut lock, 2_000, std::slice::from_ref(&keep));
    assert_eq!(report.removed.len(), 2);
    assert_eq!(lock.gone["Deck"].len(), 2);
    let text = lock.render();
    assert!(
        text.contains(&format!("\ngone\t{}\t", v1[1].guid)),
        "{text}"
    );
    let mut lock = Lock::parse(&text, std::path::Path::new("x")).unwrap();
    // v3: it comes back, the list with "a" dropped and "e" added: the same notes, updated.
    let edited = draft(
        "deck/t/list/kinds",
        "list",
        NotetypeKind::Cloze,
        "<ul><li>{{c1::b}}</li><li>{{c2::c}}</li><li>{{c3::d}}</li><li>{{c4::e}}</li></ul>",
    );
    let (v3, report) = build(&mut lock, 3_000, &[keep, back, edited]);
    assert_eq!((report.added, report.changed, report.unchanged), (0, 0, 1));
    assert_eq!(report.restored.len(), 2, "{report:?}");
    assert_eq!((&v3[1].guid, v3[1].id), (&v1[1].guid, v1[1].id));
    assert_eq!(
        v3[1].mtime, v1[1].mtime,
        "unchanged since removed: its old mtime"
    );
    assert_eq!((&v3[2].guid, v3[2].id), (&v1[2].guid, v1[2].id));
    assert_eq!(
        v3[2].mtime, 3_000,
        "changed: strictly newer, so Anki updates it"
    );
    // b, c, d keep their cloze numbers 2, 3, 4; e takes 5, never the number a had.
    let ords: Vec<u32> = v3[2].cards.iter().map(|c| c.ord).collect();
    assert_eq!(ords, vec![1, 2, 3, 4]);
    assert!(lock.gone.is_empty(), "{:?}", lock.gone);
}

#[test]
fn a_new_note_never_takes_the_guid_of_a_removed_one() {
    // Back under the other note type, a key's note is new: the removed note's GUID would
    // leave it conflicting in Anki.
    let key = "deck/s/list/kinds";
    let basic = draft(key, "list", NotetypeKind::Standard, "name the 3");
    let other = draft("deck/s/summary", "summary", NotetypeKind::Standard, "x");
    let cloze = draft(
        key,
        "list",
        NotetypeKind::Cloze,
        "<ul><li>{{c1::a}}</li><li>{{c2::b}}</li><li>{{c3::c}}</li><li>{{c4::d}}</li></ul>",
    );
    let mut lock = Lock::default();
    let (v1, _) = build(&mut lock, 1_000, &[basic, other.clone()]);
    build(&mut lock, 2_000, std::slice::from_ref(&other));
    let (v3, report) = build(&mut lock, 3_000, &[other, cloze]);
    assert!(report.restored.is_empty());
    assert_eq!(report.added, 1);
    assert_ne!(v3[1].guid, v1[0].guid);
    assert_ne!(v3[1].id, v1[0].id);
    // The key is live again: the lock's line for it is its note's, no `gone` line.
    assert!(lock.gone.is_empty(), "{:?}", lock.gone);
}
