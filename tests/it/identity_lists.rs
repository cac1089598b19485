//! Identities of lists and of repeated keys, checked against the real Anki: a learner imports
//! v1 and reviews every card, then the source is edited, rebuilt with the lock and
//! re-imported. A list crossing 3↔4 items changes note type and so gets a new note (never a
//! conflicting one, never an aborted import); a cloze note's card follows its item through
//! reorders, insertions and removals; and no reviewed note takes another fact's content.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;

use crate::support::*;
use serde_json::Value;

const TOML: &str = r#"base_url = "https://example.org/lists/"

[[deck]]
name = "Lists"
id = 1900000000099
description = "Fixture deck for list identities."
profile = "topics"
sources = ["notes"]
tag_prefix = "lst"
file = "lists"
"#;

/// A content directory holding `notes/notes.md` with `markdown`.
fn content(dir: &Path, markdown: &str) -> std::path::PathBuf {
    let content = dir.join("content");
    std::fs::create_dir_all(content.join("notes")).unwrap();
    std::fs::write(content.join("primer-anki.toml"), TOML).unwrap();
    std::fs::write(content.join("notes/notes.md"), markdown).unwrap();
    content
}

fn write(content: &Path, markdown: &str) {
    std::fs::write(content.join("notes/notes.md"), markdown).unwrap();
}

/// `build` at a given epoch with a lock; returns the output (success or not).
fn run_at(content: &Path, out: &Path, lock: &Path, epoch: i64, extra: &[&str]) -> Output {
    build_with_lock(content, out, lock, epoch, extra)
}

fn build_at(content: &Path, out: &Path, lock: &Path, epoch: i64) -> String {
    let output = run_at(content, out, lock, epoch, &[]);
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "build failed:\n{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("{text}");
    text
}

/// Imports `packages` in turn into one collection (every card of the first reviewed), with
/// "Merge note types" on or off.
fn sequence(packages: &[&Path], merge: bool) -> Value {
    let mut args: Vec<String> = vec!["sequence".into(), "--answer".into(), "1000".into()];
    if merge {
        args.push("--merge-notetypes".into());
    }
    args.extend(packages.iter().map(|p| p.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    anki_check(&args)
}

/// The same through Anki's legacy importer (Anki ≤ 2.1.54, AnkiDroid ≤ 2.15), which has no
/// options: it updates a note whose mtime is newer and whose note type is unchanged.
fn legacy_sequence(packages: &[&Path]) -> Value {
    let mut args = vec!["sequence", "--importer", "legacy", "--answer", "1000"];
    let paths: Vec<String> = packages
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    args.extend(paths.iter().map(String::as_str));
    anki_check_with(&legacy_python(), &args)
}

/// [`assert_steps_clean`] for the legacy importer, which logs lines rather than counts: no
/// note left stale because its note type changed under its GUID ("note type has been
/// modified"), and the rest as there.
fn assert_legacy_steps_clean(verdict: &Value, what: &str) {
    assert_steps_keep_everything(verdict, what, |step, name| {
        assert_eq!(step["import"]["importer"], "legacy", "{name}");
        let log = step["import"]["log"].to_string();
        assert!(
            !log.contains("note type has been modified"),
            "{name}: {log}"
        );
    });
}

/// Every step imported, nothing conflicting, no GUID twice, every existing card's scheduling
/// and every review kept.
fn assert_steps_clean(verdict: &Value, what: &str) {
    assert_steps_keep_everything(verdict, what, |step, name| {
        assert_eq!(
            step["import"]["conflicting"].as_u64(),
            Some(0),
            "{name}: {}",
            step["import"]
        );
    });
}

/// Every step imported and passed `import_ok`, no GUID twice, no note lost, every existing
/// card's scheduling and every review kept.
fn assert_steps_keep_everything(verdict: &Value, what: &str, import_ok: impl Fn(&Value, &str)) {
    let steps = verdict["steps"].as_array().unwrap();
    assert!(!verdict["answered"].as_array().unwrap().is_empty());
    for (index, step) in steps.iter().enumerate() {
        let name = format!("{what}, step {}", index + 1);
        assert!(step.get("error").is_none(), "{name}: {}", step["error"]);
        import_ok(step, &name);
        assert_eq!(
            step["duplicate_guids"].as_array().map(Vec::len),
            Some(0),
            "{name}"
        );
        assert_eq!(
            step["guids"]["vanished"].as_array().map(Vec::len),
            Some(0),
            "{name}"
        );
        if index > 0 {
            assert_eq!(
                step["scheduling_preserved"],
                Value::Bool(true),
                "{name}: {}",
                step["scheduling_changes"]
            );
            assert_eq!(step["revlog_preserved"], Value::Bool(true), "{name}");
        }
    }
}

/// card id → (guid, what it asks, reps, revlog rows), after the last step.
fn final_cards(verdict: &Value) -> BTreeMap<i64, (String, String, i64, i64)> {
    verdict["final_cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["card_id"].as_i64().unwrap(),
                (
                    c["guid"].as_str().unwrap().to_string(),
                    c["asks"].as_str().unwrap().to_string(),
                    c["reps"].as_i64().unwrap(),
                    c["revlog"].as_i64().unwrap(),
                ),
            )
        })
        .collect()
}

const THREE: &str = "# Storage\n\n## Replication\n\nReplication keeps copies of every record on several machines, so that losing one machine loses no data.\n\nReplication topologies include:\n\n* Single leader\n* Multi leader\n* Leaderless\n";

const FOUR: &str = "# Storage\n\n## Replication\n\nReplication keeps copies of every record on several machines, so that losing one machine loses no data.\n\nReplication topologies include:\n\n* Single leader\n* Multi leader\n* Leaderless\n* Chain replication\n";

const LIST_KEY: &str = "lists/replication/list/replication topologies include";

#[test]
fn a_list_crossing_three_and_four_items_gets_a_new_note_and_never_conflicts() {
    let work = tempfile::tempdir().unwrap();
    let content = content(work.path(), THREE);
    let lock = work.path().join("lock");
    let out = |n: u32| work.path().join(format!("v{n}"));
    build_at(&content, &out(1), &lock, 1_700_000_000);
    let lock_v1 = std::fs::read_to_string(&lock).unwrap();
    assert!(
        lock_v1.contains(&format!("\tbasic\t-\tLists\t{LIST_KEY}\n")),
        "{lock_v1}"
    );

    // 3 → 4: `--locked` names the note whose type changed, then the build replaces it.
    write(&content, FOUR);
    let locked = run_at(&content, &out(2), &lock, 1_700_001_000, &["--locked"]);
    assert_eq!(locked.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&locked.stderr);
    assert!(
        stderr.contains(&format!(
            "removed: Lists: {LIST_KEY} (guid {}): note type changed: basic → cloze",
            guid_of(&lock_v1, LIST_KEY)
        )),
        "{stderr}"
    );
    let text = build_at(&content, &out(2), &lock, 1_700_001_000);
    assert!(
        text.contains("identities: 1 new, 0 changed, 1 unchanged, 1 removed"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "removed: Lists: {LIST_KEY} (guid {}): note type changed: basic → cloze",
            guid_of(&lock_v1, LIST_KEY)
        )),
        "{text}"
    );
    let lock_v2 = std::fs::read_to_string(&lock).unwrap();
    let cloze_guid = guid_of(&lock_v2, LIST_KEY);
    assert_ne!(cloze_guid, guid_of(&lock_v1, LIST_KEY));
    assert!(lock_v2.contains("\tcloze\t4/"), "{lock_v2}");

    // 4 → 3: back to a basic note, under yet another GUID.
    write(&content, THREE);
    let text = build_at(&content, &out(3), &lock, 1_700_002_000);
    assert!(
        text.contains(&format!(
            "removed: Lists: {LIST_KEY} (guid {cloze_guid}): note type changed: cloze → basic"
        )),
        "{text}"
    );
    let lock_v3 = std::fs::read_to_string(&lock).unwrap();
    let basic_again = guid_of(&lock_v3, LIST_KEY);
    assert!(basic_again != cloze_guid && basic_again != guid_of(&lock_v1, LIST_KEY));
    // The summary note never moved.
    for l in [&lock_v2, &lock_v3] {
        assert_eq!(
            guid_of(l, "lists/replication/summary"),
            guid_of(&lock_v1, "lists/replication/summary")
        );
    }

    let apkg = |n: u32| out(n).join("lists.apkg");
    for merge in [false, true] {
        // 3 → 4 → 3, every v1 card reviewed.
        let verdict = sequence(&[&apkg(1), &apkg(2), &apkg(3)], merge);
        let what = format!("3→4→3, merge {merge}");
        assert_steps_clean(&verdict, &what);
        let steps = verdict["steps"].as_array().unwrap();
        // Each flip adds the new note; the old one stays with its reviews (an import never
        // deletes), and the summary is untouched.
        assert_eq!(steps[0]["notes_total"].as_u64(), Some(2), "{what}");
        assert_eq!(steps[1]["import"]["new"].as_u64(), Some(1), "{what}");
        assert_eq!(steps[1]["notes_total"].as_u64(), Some(3), "{what}");
        assert_eq!(steps[2]["import"]["new"].as_u64(), Some(1), "{what}");
        assert_eq!(steps[2]["notes_total"].as_u64(), Some(4), "{what}");
        let cards = final_cards(&verdict);
        for answered in verdict["answered"].as_array().unwrap() {
            let id = answered["card_id"].as_i64().unwrap();
            let (guid, asks, reps, revlog) = &cards[&id];
            assert_eq!(guid, answered["guid"].as_str().unwrap(), "{what}");
            assert_eq!(asks, answered["asks"].as_str().unwrap(), "{what}");
            assert!(*reps >= 1 && *revlog >= 1, "{what}: review of {id} kept");
        }
        // The cloze note has one card per item.
        let cloze_cards = cards.values().filter(|c| c.0 == cloze_guid).count();
        assert_eq!(cloze_cards, 4, "{what}");

        // 4 → 3, starting from a collection where the cloze note's cards are reviewed.
        let verdict = sequence(&[&apkg(2), &apkg(3)], merge);
        let what = format!("4→3, merge {merge}");
        assert_steps_clean(&verdict, &what);
        let steps = verdict["steps"].as_array().unwrap();
        assert_eq!(steps[1]["import"]["new"].as_u64(), Some(1), "{what}");
        let cards = final_cards(&verdict);
        let reviewed_cloze = verdict["answered"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["guid"].as_str() == Some(cloze_guid.as_str()))
            .count();
        assert_eq!(reviewed_cloze, 4, "{what}");
        for answered in verdict["answered"].as_array().unwrap() {
            let id = answered["card_id"].as_i64().unwrap();
            assert_eq!(cards[&id].1, answered["asks"].as_str().unwrap(), "{what}");
        }
    }
}

#[test]
fn a_list_crossing_three_and_four_items_imports_cleanly_with_the_legacy_importer() {
    let work = tempfile::tempdir().unwrap();
    let content = content(work.path(), THREE);
    let lock = work.path().join("lock");
    let apkg = |n: u32| work.path().join(format!("v{n}/lists.apkg"));
    build_at(&content, &apkg(1).with_file_name(""), &lock, 1_700_000_000);
    write(&content, FOUR);
    build_at(&content, &apkg(2).with_file_name(""), &lock, 1_700_001_000);
    write(&content, THREE);
    build_at(&content, &apkg(3).with_file_name(""), &lock, 1_700_002_000);
    let cloze_guid = guid_of(&std::fs::read_to_string(&lock).unwrap(), LIST_KEY);

    // 3 → 4 → 3 with every v1 card reviewed: each flip is a new note, the old note stays
    // with its reviews, and nothing is refused as "note type modified".
    let verdict = legacy_sequence(&[&apkg(1), &apkg(2), &apkg(3)]);
    assert_legacy_steps_clean(&verdict, "legacy 3→4→3");
    let steps = verdict["steps"].as_array().unwrap();
    let totals: Vec<u64> = steps
        .iter()
        .map(|s| s["notes_total"].as_u64().unwrap())
        .collect();
    assert_eq!(totals, [2, 3, 4], "legacy 3→4→3");
    for step in &steps[1..] {
        assert_eq!(step["guids"]["new"].as_array().map(Vec::len), Some(1));
    }
    let cards = final_cards(&verdict);
    for answered in verdict["answered"].as_array().unwrap() {
        let id = answered["card_id"].as_i64().unwrap();
        let (guid, asks, reps, revlog) = &cards[&id];
        assert_eq!(guid, answered["guid"].as_str().unwrap());
        assert_eq!(asks, answered["asks"].as_str().unwrap());
        assert!(*reps >= 1 && *revlog >= 1, "legacy: review of {id} kept");
    }
    assert_ne!(cloze_guid, "");

    // 4 → 3 from a collection where the cloze note's 4 cards are reviewed.
    let verdict = legacy_sequence(&[&apkg(2), &apkg(3)]);
    assert_legacy_steps_clean(&verdict, "legacy 4→3");
    let cards = final_cards(&verdict);
    let answered = verdict["answered"].as_array().unwrap();
    assert!(answered.len() >= 5, "{answered:?}");
    for a in answered {
        let id = a["card_id"].as_i64().unwrap();
        assert_eq!(cards[&id].1, a["asks"].as_str().unwrap(), "legacy 4→3");
        assert!(cards[&id].3 >= 1, "legacy 4→3: review of {id} kept");
    }
}

/// The GUID of `key` in lock text.
fn guid_of(lock: &str, key: &str) -> String {
    lock.lines()
        .filter(|l| l.starts_with("note\t"))
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|p| p.last() == Some(&key))
        .unwrap_or_else(|| panic!("{key} in {lock}"))[1]
        .to_string()
}

const FIVE: &str = "# Storage\n\n## Partitioning\n\nPartitioning strategies include:\n\n* Range partitioning by key\n* Hash partitioning by key\n* Directory based partitioning\n* Geographic partitioning\n* Round robin partitioning\n";

/// Reordered, one item inserted at the top, one removed from the middle.
const FIVE_EDITED: &str = "# Storage\n\n## Partitioning\n\nPartitioning strategies include:\n\n* Consistent hashing ring\n* Round robin partitioning\n* Hash partitioning by key\n* Range partitioning by key\n* Geographic partitioning\n";

#[test]
fn list_items_keep_their_cards_through_reorder_insert_and_remove() {
    let work = tempfile::tempdir().unwrap();
    let content = content(work.path(), FIVE);
    let lock = work.path().join("lock");
    build_at(&content, &work.path().join("v1"), &lock, 1_700_000_000);
    write(&content, FIVE_EDITED);
    let text = build_at(&content, &work.path().join("v2"), &lock, 1_700_001_000);
    assert!(
        text.contains("identities: 0 new, 1 changed, 0 unchanged, 0 removed"),
        "{text}"
    );
    // The removed item's card is now empty, and the build says what to do about it.
    let emptied: Vec<&str> = text.lines().filter(|l| l.starts_with("emptied:")).collect();
    assert_eq!(emptied.len(), 1, "{text}");
    assert!(
        emptied[0].contains("card c3 ") && emptied[0].contains("Empty Cards"),
        "{text}"
    );
    let lock_text = std::fs::read_to_string(&lock).unwrap();
    assert!(lock_text.contains("\tcloze\t6/"), "{lock_text}");

    let verdict = sequence(
        &[
            &work.path().join("v1/lists.apkg"),
            &work.path().join("v2/lists.apkg"),
        ],
        false,
    );
    assert_steps_clean(&verdict, "reorder");
    let step = &verdict["steps"][1];
    assert_eq!(
        step["import"]["updated"].as_u64(),
        Some(1),
        "{}",
        step["import"]
    );
    assert_cards_follow_their_items(&verdict, "reorder");

    // The legacy importer updates the note in place the same way: same type, newer mtime.
    let legacy = legacy_sequence(&[
        &work.path().join("v1/lists.apkg"),
        &work.path().join("v2/lists.apkg"),
    ]);
    assert_legacy_steps_clean(&legacy, "legacy reorder");
    assert_eq!(
        legacy["steps"][1]["guids"]["updated"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "{}",
        legacy["steps"][1]
    );
    assert_cards_follow_their_items(&legacy, "legacy reorder");
}

/// After FIVE → FIVE_EDITED with every v1 card reviewed: each card asks for the same item
/// with the same history, the removed item's card is empty, and the inserted item has a new
/// card of its own.
fn assert_cards_follow_their_items(verdict: &Value, what: &str) {
    let cards = final_cards(verdict);
    let answered = verdict["answered"].as_array().unwrap();
    assert_eq!(answered.len(), 5, "{what}: every v1 card reviewed");
    let mut kept = BTreeSet::new();
    for a in answered {
        let id = a["card_id"].as_i64().unwrap();
        let before = a["asks"].as_str().unwrap();
        let (_, after, reps, revlog) = &cards[&id];
        // Same card, same item, same history; the removed item's card is empty.
        if before == "Directory based partitioning" {
            assert_eq!(after, "", "{what}: the removed item's card is empty");
        } else {
            assert_eq!(after, before, "{what}: card {id} follows its item");
            kept.insert(after.clone());
        }
        assert_eq!(*reps, a["reps"].as_i64().unwrap(), "{what}: card {id}: {a}");
        assert!(*revlog >= 1, "{what}: card {id} keeps its review");
    }
    assert_eq!(kept.len(), 4, "{what}");
    let new: Vec<_> = cards
        .values()
        .filter(|c| c.1 == "Consistent hashing ring")
        .collect();
    assert_eq!(new.len(), 1, "{what}: {cards:?}");
    assert_eq!((new[0].2, new[0].3), (0, 0), "{what}");
}

const FACTS: &str = "# Consistency

## Weak consistency

Once a value is written, a later read might return it or might not; this best-effort behaviour fits video calls and live multiplayer games, where a lost frame does not matter.

## Eventual consistency

Once a value is written, later reads return it after a short delay, usually milliseconds, since copies are updated asynchronously; email and DNS behave like this.

## Strong consistency

Once a value is written, every later read returns it immediately, since copies are updated synchronously; file systems and relational databases behave like this.

## Caches

* **Write-through cache** - the application writes every update to the cache, which stores it in the database before returning.
* **Refresh-ahead cache** - the cache reloads a recently used entry before it expires, so readers rarely wait for the database.

## Queues

* **Message queue** - holds messages until a worker takes them, so that producers never wait for slow consumers.
* **Task queue** - takes tasks with their data, runs them and hands back results, often on a schedule.

## Backpressure

If a queue grows past its memory, clients get an immediate busy answer and retry later with exponential backoff.

* Sent messages wait in memory
* Workers drain the queue
";

/// After `edit`, no reviewed note asks for another fact: every card a learner reviewed in v1
/// asks for the same thing after the import (or its note was left alone), and keeps its review.
fn assert_no_note_takes_another_fact(
    name: &str,
    edit: &dyn Fn(&str) -> String,
    expect_in_output: &[&str],
) {
    let work = tempfile::tempdir().unwrap();
    let content = content(work.path(), FACTS);
    let lock = work.path().join("lock");
    build_at(&content, &work.path().join("v1"), &lock, 1_700_000_000);
    write(&content, &edit(FACTS));
    let text = build_at(&content, &work.path().join("v2"), &lock, 1_700_001_000);
    let verdict = sequence(
        &[
            &work.path().join("v1/lists.apkg"),
            &work.path().join("v2/lists.apkg"),
        ],
        false,
    );
    assert_steps_clean(&verdict, name);
    let cards = final_cards(&verdict);
    for a in verdict["answered"].as_array().unwrap() {
        let id = a["card_id"].as_i64().unwrap();
        let (_, after, _, revlog) = &cards[&id];
        let before = a["asks"].as_str().unwrap();
        // The question names the section (its subject), which a rename changes: compare
        // what follows it.
        let tail = |s: &str| s.split_once(':').map_or(s, |(_, t)| t).trim().to_string();
        assert_eq!(
            tail(after),
            tail(before),
            "{name}: card {id} asks another fact"
        );
        assert!(*revlog >= 1, "{name}: card {id} keeps its review");
    }
    for expected in expect_in_output {
        assert!(text.contains(expected), "{name}: {expected:?} in\n{text}");
    }
}

#[test]
fn a_definition_deleted_while_a_similar_one_is_added_elsewhere_is_no_rename() {
    assert_no_note_takes_another_fact(
        "definition moved out, similar one added",
        &|text| {
            text.replace("* **Write-through cache** - the application writes every update to the cache, which stores it in the database before returning.\n", "")
                .replace("* **Task queue**", "* **Write-behind queue** - the application writes every update to the queue, which stores it in the database after returning.\n* **Task queue**")
        },
        &["removed: Lists: lists/caches/definition/writethrough cache"],
    );
}

#[test]
fn a_heading_renamed_to_its_siblings_title_does_not_take_the_siblings_note() {
    assert_no_note_takes_another_fact(
        "heading renamed to its sibling's title",
        &|text| text.replace("## Weak consistency", "## Eventual consistency"),
        &[
            "renamed: Lists: lists/weak consistency/summary -> lists/eventual consistency/summary ",
            "renamed: Lists: lists/eventual consistency/summary -> lists/eventual consistency/summary/2 ",
        ],
    );
}

#[test]
fn a_new_list_above_an_unintroduced_list_does_not_take_its_note() {
    assert_no_note_takes_another_fact(
        "new list above an unintroduced list",
        &|text| {
            text.replace(
                "## Backpressure\n\n",
                "## Backpressure\n\n* Clients see a busy answer\n* Clients retry with backoff\n\n",
            )
        },
        &["renamed: Lists: lists/backpressure/list -> lists/backpressure/list/2 "],
    );
}

/// A lock written before note types were recorded (v2): drops the type and cloze-items
/// columns of every note line.
fn as_v2_lock(lock: &str) -> String {
    lock.lines()
        .map(|line| {
            let parts: Vec<&str> = line.split('\t').collect();
            if parts.first() == Some(&"note") && parts.len() == 10 {
                [&parts[..6], &parts[8..]].concat().join("\t")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn an_old_lock_learns_note_types_from_the_decks_beside_it() {
    let work = tempfile::tempdir().unwrap();
    let content = content(work.path(), THREE);
    let out = work.path().join("decks");
    let lock = out.join("primer-anki.lock");
    build_at(&content, &out, &lock, 1_700_000_000);
    let v3 = std::fs::read_to_string(&lock).unwrap();
    let old_guid = guid_of(&v3, LIST_KEY);
    std::fs::write(&lock, as_v2_lock(&v3)).unwrap();
    assert!(
        !std::fs::read_to_string(&lock)
            .unwrap()
            .contains("\tbasic\t")
    );

    // The list grows to four items: with the previous deck beside the v2 lock, the build
    // knows the note was basic and gives the cloze note a new GUID.
    write(&content, FOUR);
    let text = build_at(&content, &out, &lock, 1_700_001_000);
    assert!(
        text.contains(&format!(
            "removed: Lists: {LIST_KEY} (guid {old_guid}): note type changed: basic → cloze"
        )),
        "{text}"
    );
    let new_lock = std::fs::read_to_string(&lock).unwrap();
    assert_ne!(guid_of(&new_lock, LIST_KEY), old_guid);
    assert!(new_lock.contains("\tcloze\t"), "{new_lock}");
}
