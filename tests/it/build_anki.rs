//! The packager's promises, checked end to end: every deck we build imports into the real Anki
//! cleanly, re-imports as a no-op, rebuilds byte for byte, and a failed build never damages the
//! previous deck.

use crate::support;

use std::path::Path;

use support::*;

fn fixture() -> std::path::PathBuf {
    repo().join("tests/fixtures/content-small")
}

/// Build `content`, import every deck into a fresh real-Anki collection, assert the verdict.
pub fn build_and_verify(content: &Path) -> Vec<(String, usize, usize, usize, std::path::PathBuf)> {
    let out = tempfile::tempdir().unwrap();
    let output = build(content, out.path(), &[]);
    let decks = deck_lines(&output);
    assert!(
        !decks.is_empty(),
        "build reported no decks: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    let kept = tempfile::tempdir().unwrap().keep();
    let mut args = vec!["import".to_string()];
    for (_, _, _, _, path) in &decks {
        let copy = kept.join(path.file_name().unwrap());
        std::fs::copy(path, &copy).unwrap();
        args.push(copy.to_string_lossy().into_owned());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let verdict = anki_check(&args);
    let results = verdict["results"].as_array().expect("results");
    assert_eq!(results.len(), decks.len());
    for ((name, notes, cards, media, _), result) in decks.iter().zip(results) {
        eprintln!("{name}: {notes} notes, {cards} cards, {media} media: imported cleanly");
        assert_clean_import(result, *notes, *cards, *media);
        let deck_names: Vec<&str> = result["collection"]["decks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["cards"].as_u64().unwrap_or(0) > 0)
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            deck_names,
            vec![name.as_str()],
            "cards land in the named deck only"
        );
    }
    let _ = std::fs::remove_dir_all(kept);
    decks
}

#[test]
fn fixture_decks_import_cleanly_into_real_anki() {
    let decks = build_and_verify(&fixture());
    assert_eq!(decks.len(), 1);
    let (_, notes, _, media, _) = &decks[0];
    assert!(
        *notes >= 10,
        "the fixture yields a real deck, got {notes} notes"
    );
    assert_eq!(*media, 1, "the SVG diagram is packed");
}

#[test]
fn primer_decks_import_cleanly_into_real_anki() {
    let decks = build_and_verify(&primer_dir());
    let names: Vec<&str> = decks.iter().map(|d| d.0.as_str()).collect();
    // The English decks first, then one per translation beside README.md.
    assert_eq!(
        names,
        [
            "System Design",
            "System Design Exercises",
            "OO Design",
            "System Design (日本語)",
            "System Design (简体中文)",
        ]
    );
}

#[test]
fn our_content_decks_import_cleanly_into_real_anki() {
    let decks = build_and_verify(&repo().join("content"));
    let total: usize = decks.iter().map(|d| d.1).sum();
    assert!(
        total >= 300,
        "content/ yields {total} notes; the issue asks for at least 300"
    );
}

#[test]
fn same_input_and_epoch_give_identical_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let first = deck_lines(&build(&fixture(), a.path(), &[]));
    // A different clock must not matter when SOURCE_DATE_EPOCH is set.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = deck_lines(&build(&fixture(), b.path(), &[]));
    for (x, y) in first.iter().zip(&second) {
        assert_eq!(
            sha256_file(&x.4),
            sha256_file(&y.4),
            "{} differs between builds",
            x.0
        );
    }
    assert_eq!(
        std::fs::read(a.path().join("primer-anki.lock")).unwrap(),
        std::fs::read(b.path().join("primer-anki.lock")).unwrap()
    );
}

#[test]
fn unchanged_rebuild_with_lock_is_identical_even_at_a_later_time() {
    let out = tempfile::tempdir().unwrap();
    let first = deck_lines(&build(&fixture(), out.path(), &[]));
    // A full rebuild (a fresh output directory, so no up-to-date shortcut) with the same lock,
    // at a later clock, gives the same bytes.
    let again = tempfile::tempdir().unwrap();
    let output = primer_anki()
        .env("SOURCE_DATE_EPOCH", "1800000000")
        .args(["build", "--locked", "--content"])
        .arg(fixture())
        .arg("--out")
        .arg(again.path())
        .arg("--lock")
        .arg(out.path().join("primer-anki.lock"))
        .output()
        .unwrap();
    crate::support::assert_success(&output);
    let second = deck_lines(&output);
    assert_eq!(sha256_file(&second[0].4), sha256_file(&first[0].4));
}

/// A rebuild with nothing changed writes nothing and says so; touching a source rebuilds.
#[test]
fn no_op_rebuild_writes_nothing() {
    let content = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), content.path());
    let out = tempfile::tempdir().unwrap();
    let first = deck_lines(&build(content.path(), out.path(), &[]));
    let deck = &first[0].4;
    let modified = std::fs::metadata(deck).unwrap().modified().unwrap();
    let output = build(content.path(), out.path(), &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("up to date"), "{stdout}");
    assert_eq!(
        deck_lines(&output),
        first,
        "the report still lists the decks"
    );
    assert_eq!(
        std::fs::metadata(deck).unwrap().modified().unwrap(),
        modified
    );
    // An edit makes the next build a real one.
    let notes = content.path().join("notes/storage.md");
    let text = std::fs::read_to_string(&notes).unwrap();
    std::fs::write(&notes, text.replace("durably", "safely")).unwrap();
    let output = build(content.path(), out.path(), &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("1 changed"), "{stdout}");
}

#[test]
fn failed_build_keeps_the_previous_deck_and_leaves_no_stray_files() {
    let content = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), content.path());
    let out = tempfile::tempdir().unwrap();
    let decks = deck_lines(&build(content.path(), out.path(), &[]));
    let deck = &decks[0].4;
    let before = sha256_file(deck);
    let files_before = file_names(out.path());

    // Break the content: the image a card refers to is no longer an image.
    std::fs::write(content.path().join("images/queue.svg"), "not an image").unwrap();
    let output = run_build(content.path(), out.path());
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("queues.md") && stderr.contains("queue.svg"),
        "names file and image: {stderr}"
    );
    assert_eq!(sha256_file(deck), before, "the previous deck is untouched");
    assert_eq!(file_names(out.path()), files_before, "no stray files");
}

#[test]
fn duplicate_identities_fail_the_build_naming_both_sources() {
    let content = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), content.path());
    let notes = content.path().join("notes/queues.md");
    let text = std::fs::read_to_string(&notes).unwrap();
    // The same section in a second file of the deck: two cards with one identity. (Within one
    // file, repeated keys are told apart by their order; across files they are a mistake.)
    let section = &text[text.find("## Retry policy").unwrap()..];
    std::fs::write(
        content.path().join("notes/retries.md"),
        format!("# Retries\n\n{section}"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = run_build(content.path(), out.path());
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("queues.md:") && stderr.contains("retries.md:"),
        "both sources named: {stderr}"
    );
    assert!(!out.path().join("fixture-systems.apkg").exists());
}

/// decks/ is committed; a rebuild with the committed lock must reproduce it byte for byte, so
/// CI fails when someone edits content/ without refreshing decks/.
#[test]
fn committed_decks_are_fresh() {
    let committed = repo().join("decks");
    let lock = committed.join("primer-anki.lock");
    assert!(
        lock.is_file(),
        "decks/primer-anki.lock is missing: run `cargo run -- build` and commit decks/"
    );
    let scratch = tempfile::tempdir().unwrap();
    let lock_copy = scratch.path().join("primer-anki.lock");
    std::fs::copy(&lock, &lock_copy).unwrap();
    let out = scratch.path().join("decks");
    let output = primer_anki()
        .env_remove("SOURCE_DATE_EPOCH")
        .args(["build", "--locked", "--content"])
        .arg(repo().join("content"))
        .arg("--out")
        .arg(&out)
        .arg("--lock")
        .arg(&lock_copy)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "decks/ is stale (the lock would change): {}\nrefresh with `cargo run -- build` and commit decks/",
        String::from_utf8_lossy(&output.stderr)
    );
    for (name, _, _, _, path) in deck_lines(&output) {
        let committed_deck = committed.join(path.file_name().unwrap());
        assert!(
            committed_deck.is_file(),
            "{name}: {} is not committed",
            committed_deck.display()
        );
        assert_eq!(
            sha256_file(&path),
            sha256_file(&committed_deck),
            "{name}: decks/ is stale; refresh with `cargo run -- build` and commit decks/"
        );
    }
}

/// A collection bigger than a few deflate chunks is compressed on all cores, in pieces that
/// are joined into one stream (src/package/deflate.rs): Anki must read it like any other.
#[test]
fn a_collection_deflated_in_several_chunks_imports_cleanly_into_real_anki() {
    let content = tempfile::tempdir().unwrap();
    std::fs::write(
        content.path().join("primer-anki.toml"),
        "base_url = \"https://example.org/\"\n[[deck]]\nname = \"Chunks\"\n\
         id = 1900000000011\nsources = [\"notes\"]\ntag_prefix = \"chunks\"\n",
    )
    .unwrap();
    std::fs::create_dir(content.path().join("notes")).unwrap();
    let words = [
        "replica", "shard", "queue", "ledger", "cache", "token", "quorum",
    ];
    let mut text = String::from("# Many sections\n\n");
    for section in 0..4000 {
        let w = |k: usize| words[(section * 5 + k * 3) % words.len()];
        text.push_str(&format!(
            "## Topic {section}: {} {}\n\nTopic {section} keeps a {} beside every {} so that a \
             failed {} can be rebuilt without stopping writes.\n\n\
             * **{} {section}** - the copy kept for recovery number {section}.\n\
             * **{} {section}** - the unit of work handed out in round {section}.\n\n",
            w(0),
            w(1),
            w(2),
            w(3),
            w(4),
            w(5),
            w(6)
        ));
    }
    std::fs::write(content.path().join("notes/many.md"), text).unwrap();
    let decks = build_and_verify(content.path());
    let notes = decks[0].1;
    assert!(notes >= 20_000, "{notes} notes");
    let out = tempfile::tempdir().unwrap();
    let (_, _, _, _, path) = &deck_lines(&build(content.path(), out.path(), &[]))[0];
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let collection = archive.by_name("collection.anki2").unwrap();
    let chunk = primer_anki::package::deflate::CHUNK as u64;
    assert!(
        collection.size() > 2 * chunk,
        "the collection ({} bytes) spans at least three chunks",
        collection.size()
    );
}
