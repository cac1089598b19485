//! A newcomer's first hour: a plain folder of markdown (no manifest, not the primer's layout)
//! builds, checks and previews with no configuration, and its decks import into the real Anki.

use crate::support;

use std::path::PathBuf;

use support::*;

/// The plain fixture, copied out of this repository so that no git remote of a checkout of
/// primer-anki becomes its base URL.
pub fn plain_notes() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("kitchen");
    copy_dir(&repo().join("tests/fixtures/plain-notes"), &content);
    (dir, content)
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_plain_folder_builds_one_deck_per_level_and_imports_into_real_anki() {
    let (_dir, content) = plain_notes();
    let decks = crate::build_anki::build_and_verify(&content);
    let names: Vec<&str> = decks.iter().map(|d| d.0.as_str()).collect();
    assert_eq!(
        names,
        ["Kitchen Science", "Kitchen Science::Home Networking"],
        "named by the README's first heading; the subfolder is a subdeck named by its own"
    );
    assert_eq!(decks[0].3, 1, "the image is packed");
    assert!(
        decks.iter().all(|d| d.1 >= 5),
        "every deck has cards: {decks:?}"
    );
}

#[test]
fn a_build_by_convention_says_so_once_and_how_to_pin_it() {
    let (dir, content) = plain_notes();
    let output = build(&content, &dir.path().join("out"), &[]);
    let err = stderr(&output);
    assert_eq!(err.matches("by convention").count(), 1, "{err}");
    assert!(err.contains("primer-anki init"), "{err}");
    let id = primer_anki::key::deck_id("Kitchen Science");
    assert!(
        err.contains(&format!("\"Kitchen Science\" (id {id})")),
        "{err}"
    );
    assert_eq!(err.matches("no Source link").count(), 1, "{err}");
}

#[test]
fn a_plain_folder_checks_clean_and_previews() {
    let (dir, content) = plain_notes();
    let check = primer_anki()
        .arg("check")
        .arg("--content")
        .arg(&content)
        .output()
        .unwrap();
    assert_success(&check);
    let err = stderr(&check);
    assert!(
        err.contains("check: 0 errors, 0 warnings in 3 files (20 notes, 20 cards)"),
        "{err}"
    );
    let out = dir.path().join("preview");
    let preview = primer_anki()
        .arg("preview")
        .arg("--content")
        .arg(&content)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_success(&preview);
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(page.contains("Kitchen Science::Home Networking"));
    assert!(page.contains("Conduction"));
    let images = file_names(&out)
        .into_iter()
        .filter(|n| n.ends_with(".svg"))
        .count();
    assert_eq!(images, 1, "the image is copied beside the page");
}

#[test]
fn a_folder_without_any_markdown_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "plain text").unwrap();
    let output = run_build(dir.path(), &dir.path().join("out"));
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("no markdown (.md) or notebook (.ipynb) files"),
        "{err}"
    );
}

/// The lock's keys, in order.
fn lock_keys(out: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(out.join("primer-anki.lock"))
        .unwrap()
        .lines()
        .filter(|line| line.starts_with("note\t"))
        .map(|line| line.rsplit('\t').next().unwrap().to_string())
        .collect()
}

#[test]
fn files_that_each_open_with_a_title_and_an_intro_build_as_one_deck() {
    // The commonest notes folder: every file a `# Title`, a paragraph, then its sections. Each
    // intro once had the key "notes/summary", and the build stopped at the second file.
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("notes");
    std::fs::create_dir(&content).unwrap();
    for (file, title, intro, sub) in [
        (
            "events.md",
            "Events",
            "An event loop waits for work and runs it.",
            "Emitters",
        ),
        (
            "timers.md",
            "Timers",
            "A timer fires a callback after a delay.",
            "Intervals",
        ),
    ] {
        std::fs::write(
            content.join(file),
            format!("# {title}\n\n{intro}\n\n## {sub}\n\nThe {sub} part says one thing.\n"),
        )
        .unwrap();
    }
    let out = dir.path().join("out");
    build(&content, &out, &[]);
    assert_eq!(
        lock_keys(&out),
        [
            "notes/events/summary",
            "notes/emitters/summary",
            "notes/timers/summary",
            "notes/intervals/summary",
        ],
        "an intro keeps its file's title; the sections below drop it, as before"
    );
    // A lock written before intros kept the title: the intro comes back renamed, with its
    // GUID and note id, so the learner keeps its reviews.
    let lock = out.join("primer-anki.lock");
    let text = std::fs::read_to_string(&lock).unwrap();
    let intro = text
        .lines()
        .find(|line| line.ends_with("\tnotes/timers/summary"))
        .unwrap()
        .to_string();
    let older = intro.replace("\tnotes/timers/summary", "\tnotes/summary");
    std::fs::write(&lock, text.replace(&intro, &older)).unwrap();
    let rebuilt = build(&content, &out, &[]);
    let said = String::from_utf8_lossy(&rebuilt.stdout);
    assert!(
        said.contains("renamed: notes: notes/summary -> notes/timers/summary"),
        "{said}"
    );
    let guid_and_id = |line: &str| {
        line.split('\t')
            .skip(1)
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let now = std::fs::read_to_string(&lock).unwrap();
    let kept = now
        .lines()
        .find(|line| line.ends_with("\tnotes/timers/summary"))
        .unwrap();
    assert_eq!(guid_and_id(kept), guid_and_id(&intro));
}

/// A copy of the plain fixture with `manifest` as its primer-anki.toml.
fn with_manifest(manifest: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, content) = plain_notes();
    std::fs::write(content.join("primer-anki.toml"), manifest).unwrap();
    (dir, content)
}

#[test]
fn a_manifest_of_only_names_and_sources_builds_with_defaults_said_once() {
    let (dir, content) = with_manifest(
        "[[deck]]\nname = \"Kitchen\"\nsources = [\"README.md\"]\n\n\
         [[deck]]\nname = \"Kitchen::Networks\"\nsources = [\"networking\"]\n",
    );
    let output = build(&content, &dir.path().join("out"), &[]);
    let names: Vec<String> = deck_lines(&output).into_iter().map(|d| d.0).collect();
    assert_eq!(names, ["Kitchen", "Kitchen::Networks"]);
    let err = stderr(&output);
    let id = primer_anki::key::deck_id("Kitchen::Networks");
    assert!(err.contains(&format!("pin it with `id = {id}`")), "{err}");
    assert_eq!(err.matches("no Source link").count(), 1, "{err}");
    let package =
        primer_anki::apkg::read_apkg(&dir.path().join("out/kitchen-networks.apkg")).unwrap();
    assert!(
        package
            .notes
            .iter()
            .all(|n| n.tags.iter().all(|t| t.starts_with("kitchen::networks::"))),
        "the tag prefix comes from the name"
    );
}

#[test]
fn every_manifest_mistake_is_reported_in_one_run() {
    let (dir, content) = with_manifest(
        "base_url = \"https://example.org/notes/\"\n\n\
         [[deck]]\nname = \"Kitchen\"\nid = \"seven\"\nsources = [\"README.md\"]\n\n\
         [[deck]]\nname = \"Networks\"\nprofile = \"topic\"\nsources = [\"networkin\"]\n",
    );
    let output = run_build(&content, &dir.path().join("out"));
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output).replace(&*content.to_string_lossy(), "[content]");
    insta::assert_snapshot!(err);
}

/// GUIDs of every note of the decks a build wrote, by deck file.
fn guids(out: &std::path::Path) -> Vec<(String, Vec<String>)> {
    file_names(out)
        .into_iter()
        .filter(|n| n.ends_with(".apkg"))
        .map(|name| {
            let package = primer_anki::apkg::read_apkg(&out.join(&name)).unwrap();
            let mut guids: Vec<String> = package.notes.iter().map(|n| n.guid.clone()).collect();
            guids.sort();
            (name, guids)
        })
        .collect()
}

/// Build `content` by convention, `init` it, build it again with the manifest: the same decks
/// with the same GUIDs. Returns the manifest written.
fn init_pins_what_the_convention_built(content: &std::path::Path) -> String {
    let work = tempfile::tempdir().unwrap();
    let before = build(content, &work.path().join("before"), &[]);
    let init = primer_anki().arg("init").arg(content).output().unwrap();
    assert_success(&init);
    let after = build(content, &work.path().join("after"), &[]);
    assert!(
        !stderr(&after).contains("by convention"),
        "the manifest is used: {}",
        stderr(&after)
    );
    let decks = |o: &std::process::Output| -> Vec<(String, usize, usize)> {
        deck_lines(o).into_iter().map(|d| (d.0, d.1, d.2)).collect()
    };
    assert_eq!(decks(&after), decks(&before));
    let (before, after) = (
        guids(&work.path().join("before")),
        guids(&work.path().join("after")),
    );
    assert!(before.iter().all(|(_, g)| !g.is_empty()));
    assert_eq!(after, before, "the same GUIDs");
    std::fs::read_to_string(content.join("primer-anki.toml")).unwrap()
}

#[test]
fn init_on_the_plain_fixture_pins_the_same_decks_and_guids() {
    let (_dir, content) = plain_notes();
    let manifest = init_pins_what_the_convention_built(&content);
    let id = primer_anki::key::deck_id("Kitchen Science");
    assert!(manifest.contains(&format!("id = {id}")), "{manifest}");
    assert!(
        manifest.contains("# base_url ="),
        "no remote: commented out"
    );
    let again = primer_anki().arg("init").arg(&content).output().unwrap();
    assert_eq!(
        again.status.code(),
        Some(1),
        "never overwrites without --force"
    );
    assert!(stderr(&again).contains("--force"));
    let forced = primer_anki()
        .args(["init", "--force"])
        .arg(&content)
        .output()
        .unwrap();
    assert_success(&forced);
    let rewritten = std::fs::read_to_string(content.join("primer-anki.toml")).unwrap();
    assert_eq!(rewritten, manifest, "a manifest read back writes itself");
}

#[test]
fn init_on_the_primer_pins_the_same_decks_and_guids() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("primer");
    copy_dir(&primer_dir(), &content);
    let manifest = init_pins_what_the_convention_built(&content);
    assert!(
        manifest.contains(&format!(
            "base_url = \"{}\"",
            primer_anki::input::PRIMER_BASE_URL
        )),
        "{manifest}"
    );
    // --output writes elsewhere, leaving the content alone.
    let elsewhere = dir.path().join("elsewhere.toml");
    let init = primer_anki()
        .args(["init", "--force", "--output"])
        .arg(&elsewhere)
        .arg(&content)
        .output()
        .unwrap();
    assert_success(&init);
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), manifest);
}

/// Renaming a deck whose id is derived (a new first heading) changes its id, so no rename can
/// be followed: the build warns, naming the id to pin; pinned, the rename keeps every GUID.
#[test]
fn renaming_an_unpinned_deck_warns_and_pinning_its_old_id_keeps_every_guid() {
    let (dir, content) = plain_notes();
    let out = dir.path().join("decks");
    build(&content, &out, &[]);
    let old_id = primer_anki::key::deck_id("Kitchen Science");
    let sub_id = primer_anki::key::deck_id("Kitchen Science::Home Networking");
    let lock_before = std::fs::read_to_string(out.join("primer-anki.lock")).unwrap();
    let guids = |lock: &str| -> Vec<String> {
        lock.lines()
            .filter(|l| l.starts_with("note\t"))
            .map(|l| l.split('\t').nth(1).unwrap().to_string())
            .collect()
    };

    let readme = content.join("README.md");
    let text = std::fs::read_to_string(&readme).unwrap();
    std::fs::write(
        &readme,
        text.replacen("# Kitchen Science", "# Kitchen Chemistry", 1),
    )
    .unwrap();
    // Built beside a copy of the lock, so the pinned build below starts from the first one.
    let scratch = dir.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    std::fs::copy(
        out.join("primer-anki.lock"),
        scratch.join("primer-anki.lock"),
    )
    .unwrap();
    let renamed = build(&content, &scratch, &[]);
    let warned = stderr(&renamed);
    assert!(
        warned.contains("deck \"Kitchen Science\"")
            && warned.contains(&format!("pin `id = {old_id}`")),
        "{warned}"
    );

    // Pinned in a manifest, the new names keep the decks' ids: renames, every GUID kept.
    std::fs::write(
        content.join("primer-anki.toml"),
        format!(
            "[[deck]]\nname = \"Kitchen Chemistry\"\nid = {old_id}\nsources = [\"README.md\"]\n\
             [[deck]]\nname = \"Kitchen Chemistry::Home Networking\"\nid = {sub_id}\n\
             sources = [\"networking\"]\n"
        ),
    )
    .unwrap();
    let pinned = build(&content, &out, &[]);
    let said = String::from_utf8_lossy(&pinned.stdout);
    assert!(said.contains("Kitchen Chemistry"), "{said}");
    assert!(!stderr(&pinned).contains("is gone"), "{}", stderr(&pinned));
    let lock_after = std::fs::read_to_string(out.join("primer-anki.lock")).unwrap();
    assert_eq!(guids(&lock_before), guids(&lock_after), "every GUID kept");
}
