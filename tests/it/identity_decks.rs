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
