//! Note identities, checked against the real Anki: a learner imports v1 and reviews cards, then
//! the source is edited one way at a time, rebuilt with the lock and re-imported. Every edit
//! must update exactly the notes it touched (strictly newer mtime), leave every other note's
//! mtime alone, add no duplicate, and keep every review. Also: `diff`, `--locked`, and
//! adopting the 2017 "System Design" deck.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use support::*;

fn fixture() -> PathBuf {
    repo().join("tests/fixtures/identity")
}

/// Replace `from` (which must occur exactly once) by `to` in `file`.
fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} occurs once in {}",
        file.display()
    );
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

/// `build` at a given epoch with a shared lock; asserts success.
fn build_at(content: &Path, out: &Path, lock: &Path, epoch: i64, extra: &[&str]) -> Output {
    let output = crate::support::build_with_lock(content, out, lock, epoch, extra);
    assert!(
        output.status.success(),
        "build failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The lock's notes: guid → (mtime, key).
fn lock_notes(lock: &Path) -> BTreeMap<String, (i64, String)> {
    std::fs::read_to_string(lock)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("note\t"))
        .map(|l| {
            let p: Vec<&str> = l.split('\t').collect();
            (p[1].to_string(), (p[3].parse().unwrap(), p[7].to_string()))
        })
        .collect()
}

fn lines_starting(text: &str, prefix: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

fn diff_json(old: &Path, new: &Path) -> Value {
    let output = primer_anki()
        .arg("diff")
        .arg(old)
        .arg(new)
        .arg("--json")
        .output()
        .unwrap();
    crate::support::assert_success(&output);
    serde_json::from_slice(&output.stdout).unwrap()
}

fn len(v: &Value) -> usize {
    v.as_array().map_or(usize::MAX, Vec::len)
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// One edit of the scenario and what it must do.
struct Step {
    name: &'static str,
    apply: Box<dyn Fn(&Path)>,
    new: usize,
    updated: usize,
    renamed: usize,
    removed: usize,
}

#[test]
fn edits_update_notes_in_place_and_keep_every_review() {
    let work = tempfile::tempdir().unwrap();
    let content = work.path().join("content");
    copy_dir(&fixture(), &content);
    let lock = work.path().join("primer-anki.lock");

    let steps: Vec<Step> = vec![
        Step {
            name: "v1",
            apply: Box::new(|_| {}),
            new: 17,
            updated: 0,
            renamed: 0,
            removed: 0,
        },
        Step {
            name: "(a) typo fix in an answer",
            apply: Box::new(|c| edit(&c.join("notes/caching.md"), "per secnod,", "per second,")),
            new: 0,
            updated: 1,
            renamed: 0,
            removed: 0,
        },
        Step {
            name: "(b) heading rename",
            apply: Box::new(|c| {
                edit(
                    &c.join("notes/caching.md"),
                    "## Cache warming",
                    "## Cache priming",
                )
            }),
            new: 0,
            updated: 5,
            renamed: 5,
            removed: 0,
        },
        Step {
            name: "(c) section moved to another file, under another heading",
            apply: Box::new(|c| {
                let section = "## Request hedging\n\nRequest hedging sends a second copy of a slow request to another replica after a short delay and keeps whichever answer comes back first.\n";
                edit(&c.join("notes/networks.md"), section, "");
                let text = std::fs::read_to_string(c.join("notes/caching.md")).unwrap();
                std::fs::write(c.join("notes/caching.md"), format!("{text}\n#{section}")).unwrap();
            }),
            new: 0,
            updated: 1,
            renamed: 1,
            removed: 0,
        },
        Step {
            name: "(d) table cell edit",
            apply: Box::new(|c| edit(&c.join("notes/caching.md"), "| 32 GB |", "| 64 GB |")),
            new: 0,
            updated: 1,
            renamed: 0,
            removed: 0,
        },
        Step {
            name: "(e) added table row",
            apply: Box::new(|c| {
                edit(
                    &c.join("notes/caching.md"),
                    "| Large | 64 GB |\n",
                    "| Large | 64 GB |\n| Huge | 128 GB |\n",
                )
            }),
            new: 1,
            updated: 0,
            renamed: 0,
            removed: 0,
        },
        Step {
            name: "(f) removed card",
            apply: Box::new(|c| edit(&c.join("notes/caching.md"), "| Medium | 8 GB |\n", "")),
            new: 0,
            updated: 0,
            renamed: 0,
            removed: 1,
        },
        Step {
            name: "(g) stylesheet change",
            apply: Box::new(|c| {
                std::fs::write(
                    c.join("extra.css"),
                    ".subject { letter-spacing: 0.02em; }\n",
                )
                .unwrap()
            }),
            new: 0,
            updated: 0,
            renamed: 0,
            removed: 0,
        },
        Step {
            name: "(h) rebuild, no edit",
            apply: Box::new(|_| {}),
            new: 0,
            updated: 0,
            renamed: 0,
            removed: 0,
        },
    ];

    // Build every version with the lock carried forward, one output dir per version.
    let mut packages = Vec::new();
    let mut locks = Vec::new();
    let mut outputs = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        (step.apply)(&content);
        let out = work.path().join(format!("v{}", index + 1));
        let output = build_at(
            &content,
            &out,
            &lock,
            1_700_000_000 + 1000 * index as i64,
            &[],
        );
        let text = stdout(&output);
        eprintln!("== {}\n{text}", step.name);
        let summary = lines_starting(&text, "identities:");
        assert_eq!(summary.len(), 1, "{}: {text}", step.name);
        assert!(
            summary[0].starts_with(&format!(
                "identities: {} new, {} changed,",
                step.new, step.updated
            )),
            "{}: {}",
            step.name,
            summary[0]
        );
        assert_eq!(
            lines_starting(&text, "renamed:").len(),
            step.renamed,
            "{}: {text}",
            step.name
        );
        assert_eq!(
            lines_starting(&text, "removed:").len(),
            step.removed,
            "{}: {text}",
            step.name
        );
        packages.push(out.join("identity-fixture.apkg"));
        locks.push(lock_notes(&lock));
        outputs.push(text);
    }
    // (f): the build names the removed card.
    assert!(
        outputs[6]
            .contains("removed: Identity Fixture: identity fixture/eviction budget/table/medium"),
        "{}",
        outputs[6]
    );
    // (h): byte-identical deck, lock untouched.
    assert_eq!(
        sha256_file(&packages[7]),
        sha256_file(&packages[8]),
        "(h) a rebuild with no edit is byte-identical"
    );
    assert!(
        !outputs[8].contains("lock updated"),
        "(h) lock untouched: {}",
        outputs[8]
    );

    // One learner, one collection: import v1, review 6 cards, then import every later version.
    let mut args: Vec<String> = vec!["sequence".into(), "--answer".into(), "6".into()];
    args.extend(packages.iter().map(|p| p.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let verdict = anki_check(&args);
    let results = verdict["steps"].as_array().unwrap();
    assert_eq!(results.len(), steps.len());
    assert_eq!(len(&verdict["answered"]), 6, "six cards reviewed");
    let mut notes_total = 0;
    let mut notetype_mods: Option<BTreeMap<String, i64>> = None;
    let mut notetype_problems: Vec<String> = Vec::new();
    for (index, (step, result)) in steps.iter().zip(results).enumerate() {
        let name = step.name;
        assert!(result.get("error").is_none(), "{name}: {}", result["error"]);
        let guids = &result["guids"];
        notes_total += step.new;
        assert_eq!(len(&guids["new"]), step.new, "{name}: new {guids}");
        assert_eq!(
            result["import"]["new"].as_u64(),
            Some(step.new as u64),
            "{name}"
        );
        assert_eq!(
            result["notes_total"].as_u64(),
            Some(notes_total as u64),
            "{name}: no duplicate"
        );
        assert_eq!(len(&result["duplicate_guids"]), 0, "{name}");
        assert_eq!(len(&guids["vanished"]), 0, "{name}: import never deletes");
        assert_eq!(
            len(&guids["mtime_or_tags_only"]),
            0,
            "{name}: mtime moved without content {guids}"
        );
        assert_eq!(result["import"]["conflicting"].as_u64(), Some(0), "{name}");
        if index == 0 {
            continue;
        }
        assert_eq!(
            result["scheduling_preserved"],
            Value::Bool(true),
            "{name}: {}",
            result["scheduling_changes"]
        );
        assert_eq!(result["revlog_preserved"], Value::Bool(true), "{name}");
        assert_eq!(
            result["revlog_rows_before"], result["revlog_rows_after"],
            "{name}"
        );
        assert!(
            result["revlog_rows_after"].as_u64().unwrap() >= 6,
            "{name}: reviews exist"
        );

        // Exactly the notes whose lock mtime moved were updated, and nothing else.
        let (before, after) = (&locks[index - 1], &locks[index]);
        let moved: BTreeSet<String> = after
            .iter()
            .filter(|(g, (mtime, _))| before.get(*g).is_some_and(|(old, _)| old != mtime))
            .map(|(g, _)| g.clone())
            .collect();
        assert_eq!(moved.len(), step.updated, "{name}: notes with a new mtime");
        assert_eq!(
            strings(&guids["updated"]),
            moved,
            "{name}: Anki updated exactly the changed notes"
        );
        assert_eq!(
            result["import"]["updated"].as_u64(),
            Some(step.updated as u64),
            "{name}"
        );
        // Both importer rules: changed notes strictly newer, unchanged notes keep their mtime.
        for (guid, m) in result["note_mtimes"].as_object().unwrap() {
            let (Some(b), Some(a)) = (m["before"].as_i64(), m["after"].as_i64()) else {
                continue;
            };
            if moved.contains(guid) {
                assert!(
                    a > b,
                    "{name}: {guid} updated with a strictly newer mtime ({b} -> {a})"
                );
                assert_eq!(a, after[guid].0, "{name}: {guid} keeps the lock's mtime");
            } else {
                assert_eq!(a, b, "{name}: {guid} unchanged keeps its mtime");
            }
        }
        // Note types: never duplicated; updated only by the stylesheet change.
        assert_eq!(
            result["notetype_count"], results[0]["notetype_count"],
            "{name}: {}",
            result["notetypes_in_use"]
        );
        let mods: BTreeMap<String, i64> = result["notetypes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|nt| {
                (
                    nt["name"].as_str().unwrap().to_string(),
                    nt["mod"].as_i64().unwrap(),
                )
            })
            .collect();
        assert!(
            mods.keys()
                .all(|n| n.starts_with("primer-anki ") && !n.ends_with('+')),
            "{name}: {mods:?}"
        );
        if let Some(previous) = &notetype_mods {
            if step.name.starts_with("(g)") {
                // Checked last, so that a failure here does not hide the other scenarios.
                for (nt, m) in &mods {
                    if m <= &previous[nt] {
                        notetype_problems.push(format!(
                            "(g) Anki did not update note type {nt} (mod {} -> {m}) although the package's is newer",
                            previous[nt]
                        ));
                    }
                }
            } else {
                assert_eq!(&mods, previous, "{name}: note types untouched");
            }
        }
        notetype_mods = Some(mods);
    }

    // `diff` between consecutive versions serves as release notes.
    let d = |i: usize| diff_json(&packages[i - 1], &packages[i]);
    let a = d(1);
    assert_eq!(
        (
            len(&a["added"]),
            len(&a["changed"]),
            len(&a["moved"]),
            len(&a["removed"])
        ),
        (0, 1, 0, 0)
    );
    let change = &a["changed"][0]["changes"][0];
    assert_eq!(change["field"], "Back");
    assert!(
        change["diff"]
            .as_str()
            .unwrap()
            .contains("[-secnod,-] {+second,+}"),
        "{change}"
    );
    let b = d(2);
    assert_eq!(
        (len(&b["added"]), len(&b["moved"]), len(&b["removed"])),
        (0, 5, 0),
        "{b}"
    );
    assert!(
        b["moved"][0]["from_context"]
            .as_str()
            .unwrap()
            .contains("Cache warming"),
        "{b}"
    );
    let c = d(3);
    assert_eq!(
        (len(&c["added"]), len(&c["moved"]), len(&c["removed"])),
        (0, 1, 0),
        "{c}"
    );
    assert!(
        c["moved"][0]["to_source"]
            .as_str()
            .unwrap()
            .contains("caching.md"),
        "{c}"
    );
    assert_eq!(len(&d(4)["changed"]), 1);
    assert_eq!(len(&d(5)["added"]), 1);
    let f = d(6);
    assert_eq!(
        (len(&f["added"]), len(&f["changed"]), len(&f["removed"])),
        (0, 0, 1),
        "{f}"
    );
    assert!(
        f["removed"][0]["title"]
            .as_str()
            .unwrap()
            .contains("Medium"),
        "{f}"
    );
    let g = d(7);
    assert_eq!(len(&g["notetypes_changed"]), 2, "{g}");
    let h = d(8);
    assert_eq!(
        (
            len(&h["added"]),
            len(&h["changed"]),
            len(&h["moved"]),
            len(&h["removed"])
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(h["unchanged"].as_u64(), Some(17));

    // The markdown form names the removed card.
    let text = primer_anki()
        .arg("diff")
        .arg(&packages[5])
        .arg(&packages[6])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("## Removed (1)") && text.contains("Medium"),
        "{text}"
    );
    assert!(notetype_problems.is_empty(), "{notetype_problems:#?}");
}

#[test]
fn unrelated_replacement_is_not_taken_for_a_rename() {
    let work = tempfile::tempdir().unwrap();
    let content = work.path().join("content");
    copy_dir(&fixture(), &content);
    let lock = work.path().join("lock");
    build_at(&content, &work.path().join("a"), &lock, 1_700_000_000, &[]);
    edit(
        &content.join("notes/caching.md"),
        "## Tombstones\n\nA tombstone is a marker left in place of a deleted entry, so that replicas which still hold the old value learn about the deletion instead of bringing the value back.",
        "## Write coalescing\n\nWrite coalescing merges several small updates to one key that arrive close together into a single write to the backing store.",
    );
    let text = stdout(&build_at(
        &content,
        &work.path().join("b"),
        &lock,
        1_700_001_000,
        &[],
    ));
    assert!(
        text.contains("identities: 1 new, 0 changed, 16 unchanged, 1 removed"),
        "{text}"
    );
    assert!(lines_starting(&text, "renamed:").is_empty(), "{text}");
}

#[test]
fn locked_lists_what_would_change() {
    let work = tempfile::tempdir().unwrap();
    let content = work.path().join("content");
    copy_dir(&fixture(), &content);
    let lock = work.path().join("lock");
    build_at(&content, &work.path().join("a"), &lock, 1_700_000_000, &[]);
    let before = std::fs::read(&lock).unwrap();
    edit(&content.join("notes/caching.md"), "| 32 GB |", "| 64 GB |");
    edit(
        &content.join("notes/networks.md"),
        "## Request hedging",
        "## Hedged requests",
    );
    let output = primer_anki()
        .env("SOURCE_DATE_EPOCH", "1700001000")
        .args(["build", "--locked", "--content"])
        .arg(&content)
        .arg("--out")
        .arg(work.path().join("b"))
        .arg("--lock")
        .arg(&lock)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("changed: Identity Fixture: identity fixture/eviction budget/table/large capacity per node"), "{stderr}");
    assert!(
        stderr.contains("renamed: Identity Fixture: identity fixture/request hedging/summary -> identity fixture/hedged requests/summary"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&*lock.to_string_lossy()),
        "names the lock file: {stderr}"
    );
    assert_eq!(
        std::fs::read(&lock).unwrap(),
        before,
        "--locked never writes the lock"
    );
}

#[test]
fn diff_rejects_a_file_that_is_not_a_deck_with_a_clear_message() {
    let work = tempfile::tempdir().unwrap();
    let bogus = work.path().join("notes.apkg");
    std::fs::write(&bogus, "plain text").unwrap();
    let output = primer_anki()
        .arg("diff")
        .arg(&bogus)
        .arg(&bogus)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("notes.apkg") && stderr.contains("help:"),
        "{stderr}"
    );
}

/// The 2017 deck's notes whose heading is gone from the primer.
const GONE_2017: &[&str] = &[
    "Cache locations",
    "Database caching, what to cache",
    "MD5",
    "Base 62",
    "What is HATEOAS?",
];

#[test]
fn adopting_the_2017_deck_updates_its_notes_in_place() {
    let old = primer_dir().join("resources/flash_cards/System Design.apkg");
    assert!(old.is_file(), "missing {}", old.display());
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("decks");
    let lock = work.path().join("lock");
    let first = build_at(
        &primer_dir(),
        &out,
        &lock,
        1_700_000_000,
        &["--adopt", old.to_str().unwrap()],
    );
    let text = stdout(&first);
    let ours = deck_lines(&first)[0].1;
    let adopted = lines_starting(&text, "adopted: ");
    let not_adopted = lines_starting(&text, "not adopted: ");
    eprintln!("{}\n{}", adopted.join("\n"), not_adopted.join("\n"));
    assert_eq!(
        adopted.len() + not_adopted.len(),
        42,
        "every old note is reported"
    );
    for title in GONE_2017 {
        assert!(
            not_adopted
                .iter()
                .any(|l| l.contains(&format!("\"{title}\"")) && l.contains("no heading")),
            "{title} is reported as gone: {not_adopted:?}"
        );
    }
    // Every one of the 37 old notes whose heading still exists adopts a standard card of that
    // heading (a cloze card could not: Anki refuses to merge a Basic note into a cloze note
    // type, aborting the whole import).
    assert_eq!(adopted.len(), 37, "{} of 37 adopted", adopted.len());
    for line in &not_adopted {
        assert!(
            GONE_2017.iter().any(|t| line.contains(&format!("\"{t}\"")))
                || line.contains("with a standard card"),
            "{line}"
        );
    }
    let adopted_guids: BTreeSet<String> = adopted
        .iter()
        .map(|l| {
            let after = l.split_once("(guid ").unwrap().1;
            after.rsplit_once(") -> ").unwrap().0.to_string()
        })
        .collect();
    // A second build with the lock keeps the adopted GUIDs without --adopt.
    let again = stdout(&build_at(
        &primer_dir(),
        &work.path().join("again"),
        &lock,
        1_700_001_000,
        &[],
    ));
    assert!(again.contains(" 0 new, 0 changed,"), "{again}");

    // The learner: has the 2017 deck with every card reviewed, imports ours with the options
    // README names (Merge note types on, updates "if newer").
    let deck = out.join("system-design.apkg");
    let verdict = anki_check(&[
        "sequence",
        "--answer",
        "42",
        "--merge-notetypes",
        old.to_str().unwrap(),
        deck.to_str().unwrap(),
    ]);
    assert_eq!(len(&verdict["answered"]), 42);
    let step = &verdict["steps"][1];
    assert!(step.get("error").is_none(), "{}", step["error"]);
    let updated = strings(&step["guids"]["updated"]);
    assert_eq!(
        updated, adopted_guids,
        "every adopted old note is updated in place"
    );
    assert_eq!(step["import"]["conflicting"].as_u64(), Some(0));
    assert_eq!(len(&step["duplicate_guids"]), 0);
    assert_eq!(
        step["scheduling_preserved"],
        Value::Bool(true),
        "{}",
        step["scheduling_changes"]
    );
    assert_eq!(step["revlog_preserved"], Value::Bool(true));
    assert_eq!(
        step["revlog_rows_after"].as_u64(),
        Some(42),
        "every 2017 review survives"
    );
    assert_eq!(
        step["notes_total"].as_u64(),
        Some((ours + 42 - adopted.len()) as u64),
        "no adopted note exists twice"
    );
    // Adopted notes now use our note type; the old ones left over stay on the old one.
    assert_eq!(
        step["notetypes_in_use"]["Basic+"].as_u64(),
        Some((42 - adopted.len()) as u64),
        "{}",
        step["notetypes_in_use"]
    );
    // In place means the old card itself: still ord 0, still reviewed, and no second card.
    // (Anki's merge maps fields and templates by name when the 2017 note type has no ids: our
    // Basic note type must name them Front, Back and "Card 1", or the merge appends the old
    // ones and every adopted note gains a fresh, unreviewed card.)
    for guid in &adopted_guids {
        let cards: Vec<&Value> = verdict["final_cards"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["guid"].as_str() == Some(guid.as_str()))
            .collect();
        assert_eq!(
            cards.len(),
            1,
            "adopted {guid} has exactly its old card: {cards:?}"
        );
        assert_eq!(cards[0]["ord"].as_u64(), Some(0), "{guid}: {cards:?}");
        assert!(
            cards[0]["reps"].as_u64().unwrap() >= 1,
            "the review of {guid} survives"
        );
    }
}
