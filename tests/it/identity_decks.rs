//! Identities across decks, checked against the real Anki: a deck renamed in the manifest
//! keeps every GUID; a lost lock is recovered from our own last published deck, which carries
//! its lock; and several old decks are adopted in one build.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::*;
use serde_json::Value;

/// The identity fixture copied into `dir`, its deck renamed to `name` when given.
fn fixture_copy(dir: &Path, name: Option<&str>) -> PathBuf {
    let content = dir.join("content");
    copy_dir(&repo().join("tests/fixtures/identity"), &content);
    if let Some(name) = name {
        rename_deck(&content, name);
    }
    content
}

/// Gives the fixture's deck another name (its id stays).
fn rename_deck(content: &Path, name: &str) {
    let toml = content.join("primer-anki.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let old = "name = \"Identity Fixture\"";
    assert_eq!(text.matches(old).count(), 1);
    std::fs::write(&toml, text.replace(old, &format!("name = \"{name}\""))).unwrap();
}

fn built(output: Output) -> String {
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "build failed:\n{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("{text}");
    text
}

/// GUID → key of every note line of a lock.
fn lock_guids(lock: &Path) -> std::collections::BTreeMap<String, String> {
    std::fs::read_to_string(lock)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("note\t"))
        .map(|l| {
            let parts: Vec<&str> = l.split('\t').collect();
            (parts[1].to_string(), parts[parts.len() - 1].to_string())
        })
        .collect()
}

fn sequence(packages: &[&Path], merge: bool) -> Value {
    let mut args: Vec<String> = vec!["sequence".into(), "--answer".into(), "1000".into()];
    if merge {
        args.push("--merge-notetypes".into());
    }
    args.extend(packages.iter().map(|p| p.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    anki_check(&args)
}

/// The second import of a sequence added nothing, duplicated nothing, conflicted with nothing
/// and kept every review.
fn assert_second_import_adds_nothing(verdict: &Value, what: &str) {
    let step = &verdict["steps"][1];
    assert!(step.get("error").is_none(), "{what}: {}", step["error"]);
    assert_eq!(
        step["import"]["new"].as_u64(),
        Some(0),
        "{what}: {}",
        step["import"]
    );
    assert_eq!(step["import"]["conflicting"].as_u64(), Some(0), "{what}");
    assert_eq!(
        step["guids"]["new"].as_array().map(Vec::len),
        Some(0),
        "{what}"
    );
    assert_eq!(
        step["duplicate_guids"].as_array().map(Vec::len),
        Some(0),
        "{what}"
    );
    assert_eq!(step["scheduling_preserved"], Value::Bool(true), "{what}");
    assert_eq!(step["revlog_preserved"], Value::Bool(true), "{what}");
    assert_eq!(
        step["notes_total"], verdict["steps"][0]["notes_total"],
        "{what}: no note exists twice"
    );
}

#[test]
fn a_deck_renamed_in_the_manifest_keeps_every_guid() {
    let work = tempfile::tempdir().unwrap();
    let content = fixture_copy(work.path(), None);
    let lock = work.path().join("lock");
    let (v1, v2) = (work.path().join("v1"), work.path().join("v2"));
    built(build_with_lock(&content, &v1, &lock, 1_700_000_000, &[]));
    let before = lock_guids(&lock);
    assert!(before.len() > 10, "{before:?}");

    rename_deck(&content, "Identity Fixture, renamed");
    let text = built(build_with_lock(&content, &v2, &lock, 1_700_001_000, &[]));
    assert!(
        text.contains("deck renamed: Identity Fixture → Identity Fixture, renamed"),
        "{text}"
    );
    assert!(
        text.contains(" 0 new, 0 changed,") && text.contains(" 0 removed"),
        "{text}"
    );
    assert_eq!(lock_guids(&lock), before, "every GUID and key kept");
    let lock_text = std::fs::read_to_string(&lock).unwrap();
    assert!(
        lock_text.contains("\tIdentity Fixture\tIdentity Fixture, renamed\n"),
        "the lock ties the new name to the old namespace"
    );
    // Built again from the same lock: nothing to do.
    let again = built(build_with_lock(
        &content,
        &v2,
        &lock,
        1_700_002_000,
        &["--locked"],
    ));
    assert!(!again.contains("deck renamed"), "{again}");

    let apkg = |dir: &Path| {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "apkg"))
            .unwrap()
    };
    let verdict = sequence(&[&apkg(&v1), &apkg(&v2)], false);
    assert_second_import_adds_nothing(&verdict, "deck renamed");
}

#[test]
fn a_v3_lock_learns_a_renamed_decks_id_from_the_deck_beside_it() {
    let work = tempfile::tempdir().unwrap();
    let content = fixture_copy(work.path(), None);
    let out = work.path().join("decks");
    let lock = out.join("primer-anki.lock");
    built(build(&content, &out, &[]));
    let before = lock_guids(&lock);
    // As a v3 lock: without the deck lines.
    let text = std::fs::read_to_string(&lock).unwrap();
    let v3: String = text
        .lines()
        .filter(|l| !l.starts_with("deck\t"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&lock, v3).unwrap();
    rename_deck(&content, "Renamed");
    let text = built(build(&content, &out, &[]));
    assert!(
        text.contains("deck renamed: Identity Fixture → Renamed"),
        "{text}"
    );
    assert!(text.contains(" 0 new,"), "{text}");
    assert_eq!(lock_guids(&lock), before);
}

/// Replace `from` (which must occur exactly once) by `to` in `file`.
fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} in {}",
        file.display()
    );
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

fn only_apkg(dir: &Path) -> PathBuf {
    dir.join("identity-fixture.apkg")
}

/// The notes of v1, then a heading rename (5 notes keep GUIDs their new keys do not derive),
/// published as v2; the lock is then lost.
fn published_twice(work: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let content = fixture_copy(work, None);
    let lock = work.join("lock");
    let (v1, v2) = (work.join("v1"), work.join("v2"));
    built(build_with_lock(&content, &v1, &lock, 1_700_000_000, &[]));
    edit(
        &content.join("notes/caching.md"),
        "## Cache warming",
        "## Cache priming",
    );
    let text = built(build_with_lock(&content, &v2, &lock, 1_700_001_000, &[]));
    assert_eq!(text.matches("\nrenamed: ").count(), 5, "{text}");
    std::fs::remove_file(&lock).unwrap();
    (content, v1, v2)
}

#[test]
fn a_lost_lock_is_restored_from_our_last_published_deck() {
    let work = tempfile::tempdir().unwrap();
    let (content, v1, v2) = published_twice(work.path());
    let lock = work.path().join("lock");
    // An edit after the lock was lost, so the rebuilt deck has something to update.
    edit(
        &content.join("notes/caching.md"),
        "per secnod,",
        "per second,",
    );
    // Rebuilt in place: the old deck is read before it is rewritten.
    let published = work.path().join("published.apkg");
    std::fs::copy(only_apkg(&v2), &published).unwrap();
    let v3 = v2;
    let old = only_apkg(&v3);
    let text = built(build_with_lock(
        &content,
        &v3,
        &lock,
        1_700_002_000,
        &["--adopt", old.to_str().unwrap()],
    ));
    let old = published;
    assert!(
        text.contains("restored: 17 identities from the lock"),
        "{text}"
    );
    assert!(
        text.contains(" 0 new, 1 changed, 16 unchanged, 0 removed"),
        "{text}"
    );
    assert!(!text.contains("note: no lock file"), "{text}");
    let verdict = sequence(&[&only_apkg(&v1), &old, &only_apkg(&v3)], false);
    let step = &verdict["steps"][2];
    assert!(step.get("error").is_none(), "{}", step["error"]);
    assert_eq!(
        step["import"]["new"].as_u64(),
        Some(0),
        "{}",
        step["import"]
    );
    assert_eq!(
        step["import"]["updated"].as_u64(),
        Some(1),
        "{}",
        step["import"]
    );
    assert_eq!(step["import"]["conflicting"].as_u64(), Some(0));
    assert_eq!(len(&step["duplicate_guids"]), 0);
    assert_eq!(
        step["notes_total"].as_u64(),
        Some(17),
        "no note exists twice"
    );
    assert_eq!(step["scheduling_preserved"], Value::Bool(true));
    assert_eq!(step["revlog_preserved"], Value::Bool(true));
}

#[test]
fn without_a_lock_or_an_old_deck_the_build_says_what_a_learner_sees() {
    let work = tempfile::tempdir().unwrap();
    let (content, v1, v2) = published_twice(work.path());
    let published = work.path().join("published.apkg");
    std::fs::copy(only_apkg(&v2), &published).unwrap();
    // Rebuilt where the last decks were, as after `rm decks/primer-anki.lock`.
    let v3 = v2.clone();
    let text = built(build_with_lock(
        &content,
        &v3,
        &work.path().join("lock"),
        1_700_002_000,
        &[],
    ));
    assert!(
        text.contains("note: no lock file, but decks of an earlier build"),
        "{text}"
    );
    assert!(text.contains("renamed, moved or adopted since it was first built as a new note"));
    // And so it is: the 5 renamed notes come again as new notes; the 12 others are updated.
    let verdict = sequence(&[&only_apkg(&v1), &published, &only_apkg(&v3)], false);
    let step = &verdict["steps"][2];
    assert_eq!(
        step["import"]["new"].as_u64(),
        Some(5),
        "{}",
        step["import"]
    );
    assert_eq!(
        step["import"]["updated"].as_u64(),
        Some(12),
        "{}",
        step["import"]
    );
    assert_eq!(step["notes_total"].as_u64(), Some(22));
    assert_eq!(step["revlog_preserved"], Value::Bool(true));
}

fn len(v: &Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

/// The three decks of 2017, in the order of our decks.
const DECKS_2017: [(&str, &str, usize); 3] = [
    ("System Design", "system-design.apkg", 37),
    ("System Design Exercises", "system-design-exercises.apkg", 8),
    ("OO Design", "oo-design.apkg", 6),
];

/// GUIDs of an array of strings.
fn guid_set(v: &Value) -> std::collections::BTreeSet<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|g| g.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The learner has all three 2017 decks, every card reviewed, and imports our three decks
/// with "Merge note types" on: every adopted note is updated in place. Anki 26.9.3's merge then
/// empties the extra fields (Context, Source, Further Reading) of our Basic notes already in the
/// collection whenever it moves more old notes into that note type; README's remedy, importing
/// our decks once more with "Update notes: Always", restores every one of them.
/// The primer built into `work/decks` adopting the three 2017 decks: their paths, the output
/// directory and what the build printed.
fn adopting_2017_decks(work: &Path) -> (Vec<PathBuf>, PathBuf, String) {
    let old: Vec<PathBuf> = DECKS_2017
        .iter()
        .map(|(name, _, _)| primer_dir().join(format!("resources/flash_cards/{name}.apkg")))
        .collect();
    let out = work.join("decks");
    let mut args = vec!["--adopt"];
    args.extend(old.iter().map(|p| p.to_str().unwrap()));
    let text = built(build_with_lock(
        &primer_dir(),
        &out,
        &work.join("lock"),
        1_700_000_000,
        &args,
    ));
    (old, out, text)
}

#[test]
fn all_three_2017_decks_are_adopted_in_one_build() {
    let work = tempfile::tempdir().unwrap();
    let (old, out, text) = adopting_2017_decks(work.path());
    // The legacy importer note, once.
    assert_eq!(text.matches("Anki 2.1.54 or older").count(), 1, "{text}");
    let mut sequence_args: Vec<String> = [
        "sequence",
        "--answer",
        "1000",
        "--answer-at",
        "3",
        "--always-from",
        "7",
    ]
    .map(String::from)
    .to_vec();
    sequence_args.push("--merge-notetypes".into());
    sequence_args.extend(old.iter().map(|p| p.to_string_lossy().into_owned()));
    for _ in 0..2 {
        for (_, file, _) in DECKS_2017 {
            sequence_args.push(out.join(file).to_string_lossy().into_owned());
        }
    }
    let verdict = anki_check(&sequence_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(len(&verdict["answered"]), 56, "every 2017 card reviewed");
    let steps = verdict["steps"].as_array().unwrap();
    let mut emptied = std::collections::BTreeSet::new();
    for (index, (deck, _, count)) in DECKS_2017.iter().enumerate() {
        let adopted: std::collections::BTreeSet<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("adopted: {deck}: ")))
            .map(|l| {
                l.split_once("(guid ")
                    .unwrap()
                    .1
                    .rsplit_once(") -> ")
                    .unwrap()
                    .0
                    .to_string()
            })
            .collect();
        assert_eq!(adopted.len(), *count, "{deck}");
        let step = &steps[3 + index];
        assert!(step.get("error").is_none(), "{deck}: {}", step["error"]);
        assert_eq!(
            guid_set(&step["import"]["guids"]["updated"]),
            adopted,
            "{deck}: every adopted note updated in place"
        );
        assert_eq!(step["import"]["conflicting"].as_u64(), Some(0), "{deck}");
        assert_eq!(len(&step["duplicate_guids"]), 0, "{deck}");
        assert_eq!(step["scheduling_preserved"], Value::Bool(true), "{deck}");
        assert_eq!(step["revlog_preserved"], Value::Bool(true), "{deck}");
        emptied.extend(
            guid_set(&step["guids"]["updated"])
                .difference(&adopted)
                .cloned(),
        );
    }
    let restored: std::collections::BTreeSet<String> = steps[6..]
        .iter()
        .flat_map(|step| guid_set(&step["guids"]["updated"]))
        .collect();
    eprintln!(
        "{} notes emptied by the merge, {} restored",
        emptied.len(),
        restored.len()
    );
    assert!(
        emptied.is_subset(&restored),
        "every emptied note is restored"
    );
    let last = &steps[8];
    assert!(last.get("error").is_none(), "{}", last["error"]);
    assert_eq!(
        last["notes_total"], steps[5]["notes_total"],
        "no note twice"
    );
    assert_eq!(
        last["revlog_rows_after"].as_u64(),
        Some(56),
        "every review kept"
    );
    assert_eq!(last["scheduling_preserved"], Value::Bool(true));
}

const LIST_TOML: &str = "base_url = \"https://example.org/kinds/\"\n\n[[deck]]\nname = \"Kinds\"\nid = 1900000000123\ndescription = \"Fixture deck for diff.\"\nprofile = \"topics\"\nsources = [\"notes\"]\ntag_prefix = \"knd\"\nfile = \"kinds\"\n";

const THREE_KINDS: &str = "# Queues\n\n## Delivery\n\nA queue hands each message to a consumer, and may retry it when the consumer fails.\n\nDelivery guarantees include:\n\n* At most once\n* At least once\n* Exactly once\n";

#[test]
fn diff_flags_a_note_type_change_that_anki_takes_as_a_new_note() {
    let work = tempfile::tempdir().unwrap();
    let content = work.path().join("content");
    std::fs::create_dir_all(content.join("notes")).unwrap();
    std::fs::write(content.join("primer-anki.toml"), LIST_TOML).unwrap();
    std::fs::write(content.join("notes/notes.md"), THREE_KINDS).unwrap();
    let lock = work.path().join("lock");
    let (v1, v2) = (work.path().join("v1"), work.path().join("v2"));
    built(build_with_lock(&content, &v1, &lock, 1_700_000_000, &[]));
    let four = format!("{THREE_KINDS}* Effectively once\n");
    std::fs::write(content.join("notes/notes.md"), four).unwrap();
    let text = built(build_with_lock(&content, &v2, &lock, 1_700_001_000, &[]));
    assert!(text.contains("note type changed: basic → cloze"), "{text}");
    let output = primer_anki()
        .args(["diff", "--json"])
        .arg(v1.join("kinds.apkg"))
        .arg(v2.join("kinds.apkg"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let changed = json["type_changed"]
        .as_array()
        .expect("type_changed listed");
    assert_eq!(changed.len(), 1, "{json}");
    assert_eq!(changed[0]["from"], "basic");
    assert_eq!(changed[0]["to"], "cloze");
    assert!(
        changed[0]["key"]
            .as_str()
            .unwrap()
            .ends_with("delivery guarantees include")
    );
    assert_ne!(changed[0]["old"]["guid"], changed[0]["new"]["guid"]);
    // Neither an addition nor a removal: the same card under another note type.
    assert!(
        !json["added"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["guid"] == changed[0]["new"]["guid"])
    );
    assert!(
        !json["removed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["guid"] == changed[0]["old"]["guid"])
    );
    let markdown = primer_anki()
        .arg("diff")
        .arg(v1.join("kinds.apkg"))
        .arg(v2.join("kinds.apkg"))
        .output()
        .unwrap();
    let markdown = String::from_utf8_lossy(&markdown.stdout);
    assert!(markdown.contains("## Note type changed (1)"), "{markdown}");
    assert!(markdown.contains("(basic → cloze; old guid"), "{markdown}");
}

/// `diff OLD NEW` of two builds of the fixture, as JSON and as markdown.
fn diff_of(old: &Path, new: &Path) -> (Value, String) {
    let run = |json: bool| {
        let mut command = primer_anki();
        command.arg("diff");
        if json {
            command.arg("--json");
        }
        let output = command.arg(old).arg(new).output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    (serde_json::from_str(&run(true)).unwrap(), run(false))
}

fn guids_of(notes: &Value) -> Vec<String> {
    let mut out: Vec<String> = notes
        .as_array()
        .map(|a| a.iter().map(|n| n["guid"].as_str().unwrap().to_string()))
        .into_iter()
        .flatten()
        .collect();
    out.sort();
    out
}

#[test]
fn a_section_removed_and_put_back_is_restored_in_diff_and_updated_by_anki() {
    let work = tempfile::tempdir().unwrap();
    let content = fixture_copy(work.path(), None);
    let lock = work.path().join("lock");
    let [v1, v2, v3] = ["v1", "v2", "v3"].map(|v| work.path().join(v));
    let caching = content.join("notes/caching.md");
    let original = std::fs::read_to_string(&caching).unwrap();
    let section_at = original.find("## Cache warming").unwrap();
    let section_end = original.find("## Eviction budget").unwrap();
    built(build_with_lock(&content, &v1, &lock, 1_700_000_000, &[]));

    // v2 without the section: its notes are removed; the lock keeps them as gone lines.
    let without = format!("{}{}", &original[..section_at], &original[section_end..]);
    std::fs::write(&caching, without).unwrap();
    let text = built(build_with_lock(&content, &v2, &lock, 1_700_001_000, &[]));
    assert!(text.contains("removed: Identity Fixture: "), "{text}");
    let apkg = |dir: &Path| dir.join("identity-fixture.apkg");
    let (removed, _) = diff_of(&apkg(&v1), &apkg(&v2));
    let removed = guids_of(&removed["removed"]);
    assert!(removed.len() >= 2, "{removed:?}");

    // v3 with it back, one sentence edited: the same notes, restored.
    let edited = original.replace("fills a cold cache", "fills a cold or new cache");
    assert_ne!(edited, original);
    std::fs::write(&caching, edited).unwrap();
    let text = built(build_with_lock(&content, &v3, &lock, 1_700_002_000, &[]));
    assert!(text.contains(" 0 new, 0 changed,"), "{text}");
    assert!(text.contains("restored: Identity Fixture: "), "{text}");
    let (json, markdown) = diff_of(&apkg(&v2), &apkg(&v3));
    assert_eq!(guids_of(&json["restored"]), removed, "{json}");
    assert_eq!(guids_of(&json["added"]), Vec::<String>::new(), "{json}");
    let restored = format!("## Restored ({})", removed.len());
    assert!(markdown.contains(&restored), "{markdown}");
    let summary = format!("\n0 added, {} restored, 0 changed,", removed.len());
    assert!(markdown.contains(&summary), "{markdown}");
    assert!(!markdown.contains("## Added"), "{markdown}");
    // Between v1 and v3 nothing came back: they are the same notes, one of them edited.
    let (json, _) = diff_of(&apkg(&v1), &apkg(&v3));
    assert_eq!(json["changed"].as_array().map(Vec::len), Some(1), "{json}");
    assert!(json.get("restored").is_none(), "{json}");

    // Anki agrees: a learner who imported v1 (and reviewed every card), then v2, then v3 has
    // each restored note once, with its reviews; the edited one is updated in place.
    let verdict = sequence(&[&apkg(&v1), &apkg(&v2), &apkg(&v3)], false);
    let steps = &verdict["steps"];
    for step in 1..3 {
        assert!(steps[step].get("error").is_none(), "{}", steps[step]);
        assert_eq!(steps[step]["import"]["new"].as_u64(), Some(0), "{step}");
        assert_eq!(steps[step]["guids"]["new"], Value::Array(vec![]), "{step}");
        assert_eq!(steps[step]["scheduling_preserved"], Value::Bool(true));
        assert_eq!(steps[step]["revlog_preserved"], Value::Bool(true));
        assert_eq!(steps[step]["notes_total"], steps[0]["notes_total"]);
        assert_eq!(steps[step]["duplicate_guids"], Value::Array(vec![]));
    }
    let updated = guids_of(&Value::Array(
        steps[2]["guids"]["updated"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| serde_json::json!({ "guid": g }))
            .collect(),
    ));
    assert_eq!(updated.len(), 1, "{}", steps[2]["guids"]);
    assert!(removed.contains(&updated[0]), "the edited restored note");
    assert!(
        verdict["answered"].as_array().unwrap().len() >= removed.len(),
        "every card was reviewed at v1"
    );
}

/// What README says a learner on the legacy importer (Anki ≤ 2.1.54, AnkiDroid ≤ 2.15) gets
/// from an adopting build, run with that importer (Anki 25.9's copy of it): no adopted note is
/// updated ("note type has been modified"), each keeps its 2017 text and every review, no
/// GUID is doubled, and the rest of our notes arrive as new.
#[test]
fn the_legacy_importer_keeps_adopted_notes_as_they_were() {
    let work = tempfile::tempdir().unwrap();
    let (old, out, _) = adopting_2017_decks(work.path());
    // Every card of the three 2017 decks reviewed once all three are in.
    let mut sequence_args: Vec<String> = [
        "sequence",
        "--importer",
        "legacy",
        "--answer",
        "1000",
        "--answer-at",
        "3",
    ]
    .map(String::from)
    .to_vec();
    sequence_args.extend(old.iter().map(|p| p.to_string_lossy().into_owned()));
    for (_, file, _) in DECKS_2017 {
        sequence_args.push(out.join(file).to_string_lossy().into_owned());
    }
    let verdict = anki_check_with(
        &legacy_python(),
        &sequence_args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(len(&verdict["answered"]), 56, "every 2017 card reviewed");
    let steps = verdict["steps"].as_array().unwrap();
    for (index, (deck, _, count)) in DECKS_2017.iter().enumerate() {
        let step = &steps[3 + index];
        assert!(step.get("error").is_none(), "{deck}: {}", step["error"]);
        assert_eq!(len(&step["guids"]["updated"]), 0, "{deck}: {step}");
        assert_eq!(len(&step["duplicate_guids"]), 0, "{deck}");
        assert_eq!(step["scheduling_preserved"], Value::Bool(true), "{deck}");
        assert_eq!(step["revlog_preserved"], Value::Bool(true), "{deck}");
        // "Notes not updated, as note type has been modified: N": N is every adopted note.
        let lines = step["import"]["log"].as_array().unwrap();
        let refused: Vec<usize> = lines
            .iter()
            .filter_map(Value::as_str)
            .filter(|l| l.contains("note type has been modified"))
            .map(|l| {
                let digits: String = l.chars().filter(char::is_ascii_digit).collect();
                digits.parse().unwrap()
            })
            .collect();
        assert_eq!(refused, [*count], "{deck}: {lines:?}");
        assert!(
            len(&step["guids"]["new"]) > 0,
            "{deck}: the rest arrives new"
        );
    }
    assert_eq!(
        steps[5]["revlog_rows_after"].as_u64(),
        Some(56),
        "every review kept"
    );
}
