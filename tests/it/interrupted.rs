//! A build killed at any moment leaves nothing the next build trips on (issue 21, probe J).
//! After every kill, the lock knows every note of the deck beside it (the lock is renamed into
//! place before the deck, so it is never older). After the kills, one full build leaves exactly
//! the deck, the lock and the stamp in `--out`, and the lock agrees with the deck note by note
//! (GUID, note id, mtime). The same holds for a JSON export, which waits for the lock too.

use std::path::Path;
use std::time::Instant;

use crate::support::{file_names, primer_anki};

/// The size: 30 kills of a 50,000-note build.
const NOTES: usize = 50_000;
const KILLS: usize = 30;

fn write_content(dir: &Path, round: usize, notes: usize) {
    let mut text = String::from("# Glossary\n\n");
    for i in 0..notes {
        if i % 40 == 0 {
            text.push_str(&format!("\n## Group {}\n\n", i / 40));
        }
        // One definition changes every round, so every build has something to write.
        let extra = if i == round % notes { round } else { 0 };
        text.push_str(&format!(
            "- **Term {i}** - the meaning of entry number {i}, revision {extra}, kept short.\n"
        ));
    }
    std::fs::write(dir.join("notes/glossary.md"), text).unwrap();
}

fn build_command(content: &Path, out: &Path, format: &str) -> std::process::Command {
    let mut command = primer_anki();
    command
        .args(["build", "--quiet", "--format", format, "--content"])
        .arg(content)
        .arg("--out")
        .arg(out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

/// (guid, note id, mtime) of every note in the deck, sorted.
fn deck_notes(deck: &Path) -> Vec<(String, i64, i64)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(deck).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let collection = dir.path().join("c.anki2");
    std::io::copy(
        &mut zip.by_name("collection.anki2").unwrap(),
        &mut std::fs::File::create(&collection).unwrap(),
    )
    .unwrap();
    let conn = rusqlite::Connection::open(&collection).unwrap();
    let mut statement = conn.prepare("select guid, id, mod from notes").unwrap();
    let mut notes: Vec<(String, i64, i64)> = statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    notes.sort();
    notes
}

/// (guid, note id, mtime) of every note of a JSON export, sorted.
fn json_notes(export: &Path) -> Vec<(String, i64, i64)> {
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(export).unwrap()).unwrap();
    let mut notes: Vec<(String, i64, i64)> = json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["guid"].as_str().unwrap().to_string(),
                n["id"].as_i64().unwrap(),
                n["mtime"].as_i64().unwrap(),
            )
        })
        .collect();
    notes.sort();
    notes
}

/// (guid, note id, mtime) of every note line of the lock, sorted.
fn lock_notes(lock: &Path) -> Vec<(String, i64, i64)> {
    let mut notes: Vec<(String, i64, i64)> = std::fs::read_to_string(lock)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let parts: Vec<&str> = l.split('\t').collect();
            (parts.first() == Some(&"note")).then(|| {
                (
                    parts[1].to_string(),
                    parts[2].parse().unwrap(),
                    parts[3].parse().unwrap(),
                )
            })
        })
        .collect();
    notes.sort();
    notes
}

#[test]
fn builds_killed_at_random_leave_a_consistent_output() {
    killed_at_random("apkg", "kill.apkg", NOTES, KILLS, deck_notes);
}

#[test]
fn json_exports_killed_at_random_leave_a_consistent_output() {
    killed_at_random("json", "kill.json", 4000, 12, json_notes);
}

/// Builds `notes` notes in `format` once, then `kills` builds killed at random moments (each
/// changes one definition), checking after each kill that the lock knows every note of the
/// output; then one full build, which must leave exactly the output, lock and stamp.
fn killed_at_random(
    format: &str,
    output: &str,
    notes: usize,
    kills: usize,
    read_output: fn(&Path) -> Vec<(String, i64, i64)>,
) {
    let content = tempfile::tempdir().unwrap();
    std::fs::create_dir(content.path().join("notes")).unwrap();
    std::fs::write(
        content.path().join("primer-anki.toml"),
        "base_url = \"https://example.org/\"\n[[deck]]\nname = \"Kill\"\nid = 1900000000024\nsources = [\"notes\"]\ntag_prefix = \"k\"\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let (deck, lock) = (out.path().join(output), out.path().join("primer-anki.lock"));
    write_content(content.path(), 0, notes);
    let start = Instant::now();
    assert!(
        build_command(content.path(), out.path(), format)
            .status()
            .unwrap()
            .success()
    );
    let full = start.elapsed();
    // A fixed-seed generator: the moments differ from kill to kill, the run is reproducible.
    let mut seed: u64 = 0x2121_2121;
    let mut finished = 0;
    for round in 1..=kills {
        write_content(content.path(), round, notes);
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let fraction = (seed >> 33) as f64 / (1u64 << 31) as f64;
        let delay = full.mul_f64(fraction * 1.1);
        let mut child = build_command(content.path(), out.path(), format)
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_some() {
            finished += 1;
        }
        let _ = child.kill();
        child.wait().unwrap();
        // Whatever moment the kill came at, the lock in place is at least as new as the
        // output in place: it knows every note the output holds.
        let known: std::collections::BTreeSet<String> =
            lock_notes(&lock).into_iter().map(|n| n.0).collect();
        let unknown: Vec<String> = read_output(&deck)
            .into_iter()
            .map(|n| n.0)
            .filter(|guid| !known.contains(guid))
            .collect();
        assert!(
            unknown.is_empty(),
            "after kill {round} (at {delay:?}), {} notes of the output are not in the lock, e.g. {:?}",
            unknown.len(),
            unknown.first()
        );
    }
    write_content(content.path(), kills + 1, notes);
    let status = build_command(content.path(), out.path(), format)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        file_names(out.path()),
        [".primer-anki-stamp", output, "primer-anki.lock"],
        "only the output, the lock and the stamp remain"
    );
    let written = read_output(&deck);
    assert!(written.len() >= notes, "{} notes", written.len());
    assert_eq!(written, lock_notes(&lock));
    eprintln!(
        "{format}: full build {full:?}, {kills} kills ({finished} builds had finished before theirs)"
    );
}
