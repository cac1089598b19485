//! A build killed at any moment leaves nothing the next build trips on (issue 21, probe J):
//! after builds killed at random moments, one full build leaves exactly the deck, the lock and
//! the stamp in `--out`, and the lock agrees with the deck note by note (GUID, note id, mtime).

use std::path::Path;
use std::time::Instant;

use crate::support::{file_names, primer_anki};

const NOTES: usize = 4000;
const KILLS: usize = 12;

fn write_content(dir: &Path, round: usize) {
    let mut text = String::from("# Glossary\n\n");
    for i in 0..NOTES {
        if i % 40 == 0 {
            text.push_str(&format!("\n## Group {}\n\n", i / 40));
        }
        // One definition changes every round, so every build has something to write.
        let extra = if i == round % NOTES { round } else { 0 };
        text.push_str(&format!(
            "- **Term {i}** - the meaning of entry number {i}, revision {extra}, kept short.\n"
        ));
    }
    std::fs::write(dir.join("notes/glossary.md"), text).unwrap();
}

fn build_command(content: &Path, out: &Path) -> std::process::Command {
    let mut command = primer_anki();
    command
        .args(["build", "--quiet", "--content"])
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
    let content = tempfile::tempdir().unwrap();
    std::fs::create_dir(content.path().join("notes")).unwrap();
    std::fs::write(
        content.path().join("primer-anki.toml"),
        "base_url = \"https://example.org/\"\n[[deck]]\nname = \"Kill\"\nid = 1900000000024\nsources = [\"notes\"]\ntag_prefix = \"k\"\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    write_content(content.path(), 0);
    let start = Instant::now();
    assert!(
        build_command(content.path(), out.path())
            .status()
            .unwrap()
            .success()
    );
    let full = start.elapsed();
    // A fixed-seed generator: the moments differ from kill to kill, the run is reproducible.
    let mut seed: u64 = 0x2121_2121;
    for round in 1..=KILLS {
        write_content(content.path(), round);
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let fraction = (seed >> 33) as f64 / (1u64 << 31) as f64;
        let delay = full.mul_f64(fraction * 1.1);
        let mut child = build_command(content.path(), out.path()).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();
    }
    write_content(content.path(), KILLS + 1);
    let status = build_command(content.path(), out.path()).status().unwrap();
    assert!(status.success());
    assert_eq!(
        file_names(out.path()),
        [".primer-anki-stamp", "kill.apkg", "primer-anki.lock"],
        "only the deck, the lock and the stamp remain"
    );
    let deck = deck_notes(&out.path().join("kill.apkg"));
    assert!(deck.len() >= NOTES, "{} notes", deck.len());
    assert_eq!(deck, lock_notes(&out.path().join("primer-anki.lock")));
    eprintln!("full build {full:?}, {KILLS} kills");
}
