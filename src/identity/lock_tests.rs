//! Unit tests of the lock file: its lines, old versions, and deck renames.

use super::*;

#[test]
fn round_trips() {
    let mut lock = Lock::default();
    lock.notetypes.insert(
        5,
        LockedNotetype {
            mtime: 10,
            hash: "ab".into(),
        },
    );
    lock.insert(
        "Deck",
        "deck/a b/summary",
        LockedNote {
            guid: "g".into(),
            note_id: 1,
            mtime: 2,
            hash: 0xab,
            signature: Some(Signature::of("q", "a")),
            kind: Some(NotetypeKind::Standard),
            clozes: None,
        },
    );
    lock.insert(
        "Deck",
        "deck/a b/list",
        LockedNote {
            guid: "h".into(),
            note_id: 3000,
            mtime: 4,
            hash: 0xcd,
            signature: Some(Signature::of("q", "a")),
            kind: Some(NotetypeKind::Cloze),
            clozes: Some(ClozeItems {
                high: 5,
                items: vec![(0x3f2a_9c1e, 1), (0x0000_00ab, 2), (0xffff_ffff, 5)],
            }),
        },
    );
    lock.deck_info.insert(
        "Deck".into(),
        LockedDeck {
            id: 7,
            namespace: "Old deck".into(),
        },
    );
    let text = lock.render();
    assert!(text.starts_with("# primer-anki lock v4"), "{text}");
    assert!(text.contains("\ndeck\t7\tOld deck\tDeck\n"), "{text}");
    assert!(
        text.contains("\tcloze\t5/3f2a9c1e=1,000000ab=2,ffffffff=5\tDeck\tdeck/a b/list\n"),
        "{text}"
    );
    assert!(
        text.contains("\tbasic\t-\tDeck\tdeck/a b/summary\n"),
        "{text}"
    );
    assert_eq!(Lock::parse(&text, Path::new("x")).unwrap(), lock);
}

fn one_note_lock(deck: &str) -> Lock {
    let mut lock = Lock::default();
    lock.insert(
        deck,
        "k",
        LockedNote {
            guid: "g".into(),
            note_id: 1,
            mtime: 2,
            hash: 3,
            signature: None,
            kind: None,
            clozes: None,
        },
    );
    lock
}

#[test]
fn a_renamed_deck_keeps_its_notes_and_namespace() {
    // A v3 lock: no deck lines, so the namespace is the name.
    let mut lock = one_note_lock("A");
    assert!(
        lock.follow_deck_renames(&[("A", 7)], &BTreeMap::new())
            .is_empty()
    );
    assert_eq!(lock.namespace("A"), "A");
    let renames = lock.follow_deck_renames(&[("B", 7)], &BTreeMap::new());
    assert_eq!(
        renames,
        vec![DeckRename {
            id: 7,
            from: "A".into(),
            to: "B".into()
        }]
    );
    assert_eq!(lock.get("B", "k").map(|n| n.guid.as_str()), Some("g"));
    assert!(!lock.decks.contains_key("A"));
    assert_eq!(lock.namespace("B"), "A");
    // Through the text, and renamed again: still A's namespace.
    let mut again = Lock::parse(&lock.render(), Path::new("x")).unwrap();
    assert_eq!(again.namespace("B"), "A");
    assert_eq!(
        again
            .follow_deck_renames(&[("C", 7)], &BTreeMap::new())
            .len(),
        1
    );
    assert_eq!(again.namespace("C"), "A");
}

#[test]
fn a_deck_of_another_id_or_still_in_the_manifest_is_no_rename() {
    let mut lock = one_note_lock("A");
    lock.follow_deck_renames(&[("A", 7)], &BTreeMap::new());
    // Another id: a new deck beside the one removed.
    assert!(
        lock.follow_deck_renames(&[("B", 8)], &BTreeMap::new())
            .is_empty()
    );
    // Both names in the manifest: A is not renamed.
    let mut lock = one_note_lock("A");
    lock.follow_deck_renames(&[("A", 7)], &BTreeMap::new());
    assert!(
        lock.follow_deck_renames(&[("A", 9), ("B", 7)], &BTreeMap::new())
            .is_empty()
    );
}

#[test]
fn a_v3_lock_learns_deck_ids_from_known_decks() {
    let mut lock = one_note_lock("A");
    assert!(
        lock.follow_deck_renames(&[("B", 7)], &BTreeMap::new())
            .is_empty()
    );
    let mut lock = one_note_lock("A");
    let known = BTreeMap::from([(7, "A".to_string())]);
    assert_eq!(lock.follow_deck_renames(&[("B", 7)], &known).len(), 1);
    assert_eq!(lock.namespace("B"), "A");
}

#[test]
fn reads_v2_lines_without_a_type() {
    let signature = Signature::of("q", "a").to_hex();
    let lock = Lock::parse(
        &format!("note\tg\t1\t2\t00000000000000ff\t{signature}\tDeck\tdeck/a/list\n"),
        Path::new("x"),
    )
    .unwrap();
    let note = lock.get("Deck", "deck/a/list").unwrap();
    assert_eq!(note.signature, Some(Signature::of("q", "a")));
    assert_eq!((note.kind, &note.clozes), (None, &None));
}

#[test]
fn rejects_bad_type_and_item_columns() {
    let signature = Signature::of("q", "a").to_hex();
    for (kind, items) in [
        ("note", "-"),
        ("basic", "1/"),
        ("cloze", "-"),
        ("cloze", "2/3f2a9c1e=3"),
        ("cloze", "2/3f2a9c=1"),
        ("cloze", "x/"),
    ] {
        let line = format!("note\tg\t1\t2\tff\t{signature}\t{kind}\t{items}\tDeck\tk\n");
        assert!(Lock::parse(&line, Path::new("x")).is_err(), "{line}");
    }
}

#[test]
fn reads_v1_lines_without_a_signature() {
    let lock = Lock::parse(
        "note\tg\t1\t2\t00000000000000ff\tDeck\tdeck/a/summary\n",
        Path::new("x"),
    )
    .unwrap();
    let note = lock.get("Deck", "deck/a/summary").unwrap();
    assert_eq!(note.hash, 0xff);
    assert_eq!(note.signature, None);
    assert_eq!(note.mtime, 2);
    assert_eq!((note.kind, &note.clozes), (None, &None));
}

#[test]
fn malformed_lines_name_the_line() {
    let err = Lock::parse("# c\nnote\tbroken\n", Path::new("x.lock")).unwrap_err();
    assert_eq!(err.location.unwrap().line, 2);
}

#[test]
fn gone_lines_follow_the_notes_read_back_and_move_with_a_renamed_deck() {
    let mut lock = one_note_lock("A");
    let mut removed = lock.get("A", "k").unwrap().clone();
    removed.guid = "h".into();
    lock.gone
        .entry("A".into())
        .or_default()
        .insert("gone key".into(), removed.clone());
    let text = lock.render();
    let note_at = text.find("\nnote\tg\t").unwrap();
    let gone_at = text.find("\ngone\th\t1\t2\t").unwrap();
    assert!(note_at < gone_at, "{text}");
    assert!(text.ends_with("\tA\tgone key\n"), "{text}");
    let mut read = Lock::parse(&text, Path::new("x")).unwrap();
    assert_eq!(read.render(), text);
    let removed = read.gone_note("A", "gone key").unwrap().clone();
    assert!(
        !read.contains("A", "gone key"),
        "a removed note is not a note"
    );
    // A lock without removals has no gone line.
    assert!(!one_note_lock("A").render().contains("gone"));
    read.follow_deck_renames(&[("A", 7)], &BTreeMap::new());
    read.follow_deck_renames(&[("B", 7)], &BTreeMap::new());
    assert_eq!(read.gone_note("B", "gone key"), Some(&removed));
    assert!(read.gone_note("A", "gone key").is_none());
}

#[test]
fn a_lock_from_a_newer_build_says_so_instead_of_calling_itself_broken() {
    let path = Path::new("primer-anki.lock");
    let newer_header = "# primer-anki lock v5: note identities\nnote\tg\t1\t2\tff\tdeck\tkey\n";
    let message = Lock::parse(newer_header, path).unwrap_err().to_string();
    assert!(message.contains("newer primer-anki (lock v5"), "{message}");
    assert!(message.contains("primer-anki.lock:1"), "{message}");

    let unknown_kind = "# primer-anki lock v4: x\nsplit\tg\t1\t2\n";
    let message = Lock::parse(unknown_kind, path).unwrap_err().to_string();
    assert!(
        message.contains("newer primer-anki (`split` lines"),
        "{message}"
    );
    assert!(message.contains("primer-anki.lock:2"), "{message}");

    // A damaged line is still malformed, and the help no longer says to delete the lock.
    let damaged = "note\tg\tnot-a-number\t2\tff\tdeck\tkey\n";
    let error = Lock::parse(damaged, path).unwrap_err();
    let shown = format!("{error:?}{error}");
    assert!(shown.contains("malformed lock file line"), "{shown}");
}

/// The line as `write!` formatted it before `push_line` built it by hand.
fn formatted_line(tag: &str, deck: &str, identity: &str, n: &LockedNote) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = write!(
        out,
        "{tag}\t{}\t{}\t{}\t{:016x}\t",
        n.guid, n.note_id, n.mtime, n.hash
    );
    match n.signature {
        Some(s) => s.write_hex(&mut out),
        None => out.push_str(&"-".repeat(SLOTS * 2)),
    }
    let kind = n.kind.unwrap_or(NotetypeKind::Standard);
    let _ = write!(out, "\t{}\t", kind_name(kind));
    match (&n.clozes, kind) {
        (Some(c), NotetypeKind::Cloze) => {
            let _ = write!(out, "{}/", c.high);
            for (index, (fp, number)) in c.items.iter().enumerate() {
                let comma = if index > 0 { "," } else { "" };
                let _ = write!(out, "{comma}{fp:08x}={number}");
            }
        }
        (None, NotetypeKind::Cloze) => out.push_str("0/"),
        _ => out.push('-'),
    }
    let cleaned = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let _ = writeln!(out, "\t{}\t{}", cleaned(deck), cleaned(identity));
    out
}

proptest::proptest! {
    /// The hand-built line is the one `write!` formats, for any numbers, kinds and text.
    #[test]
    fn hand_built_lines_are_the_formatted_ones(
        guid in "\\PC{0,20}",
        note_id in proptest::num::i64::ANY,
        mtime in proptest::num::i64::ANY,
        hash in proptest::num::u64::ANY,
        signature in proptest::option::of(proptest::array::uniform32(proptest::num::u8::ANY)),
        kind in proptest::option::of(proptest::bool::ANY),
        clozes in proptest::option::of((
            proptest::num::u32::ANY,
            proptest::collection::vec((proptest::num::u32::ANY, proptest::num::u32::ANY), 0..4),
        )),
        deck in "[a-z\t\n\r é]{0,12}",
        identity in "\\PC{0,30}|[a-z/\t\r\n]{0,30}",
        gone in proptest::bool::ANY,
    ) {
        let note = LockedNote {
            guid,
            note_id,
            mtime,
            hash,
            signature: signature.map(Signature),
            kind: kind.map(|c| if c { NotetypeKind::Cloze } else { NotetypeKind::Standard }),
            clozes: clozes.map(|(high, items)| ClozeItems { high, items }),
        };
        let tag = if gone { "gone" } else { "note" };
        let mut line = String::from("before");
        push_line(&mut line, tag, &deck, &identity, &note);
        proptest::prop_assert_eq!(
            line,
            format!("before{}", formatted_line(tag, &deck, &identity, &note))
        );
    }
}
