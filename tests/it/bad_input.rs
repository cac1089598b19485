//! Bad input never corrupts a published deck: each class of bad input gives a message naming
//! the file and what to do, a non-zero exit, no partial `.apkg`, and the previous good deck
//! unchanged. Where the build can go on, a warning is enough.

use crate::support;

use std::path::Path;
use std::process::Output;

use support::*;

const MANIFEST: &str = "base_url = \"https://example.org/\"\n[[deck]]\nname = \"Bad\"\nid = 1900000000009\nsources = [\"notes\"]\ntag_prefix = \"bad\"\n";
const GOOD: &str = "# Good\n\n## Idempotency\n\nAn idempotent request can be repeated without changing the result beyond the first call.\n";

/// A content dir with the manifest and an empty `notes/`.
fn content_dir() -> tempfile::TempDir {
    let content = tempfile::tempdir().unwrap();
    std::fs::write(content.path().join("primer-anki.toml"), MANIFEST).unwrap();
    std::fs::create_dir(content.path().join("notes")).unwrap();
    content
}

/// A content dir with one good note file.
fn good_content() -> tempfile::TempDir {
    let content = content_dir();
    std::fs::write(content.path().join("notes/good.md"), GOOD).unwrap();
    content
}

/// A content dir with one good note file, built once so `out` holds a good deck.
struct Case {
    content: tempfile::TempDir,
    out: tempfile::TempDir,
    deck: std::path::PathBuf,
    good_hash: String,
}

impl Case {
    fn new() -> Case {
        let content = good_content();
        let out = tempfile::tempdir().unwrap();
        build(content.path(), out.path(), &[]);
        let deck = out.path().join("bad.apkg");
        let good_hash = sha256_file(&deck);
        Case {
            content,
            out,
            deck,
            good_hash,
        }
    }

    fn notes(&self) -> std::path::PathBuf {
        self.content.path().join("notes")
    }

    fn run(&self) -> Output {
        run_build(self.content.path(), self.out.path())
    }

    /// The build fails with a message containing every `needle`, and leaves the good deck and
    /// no stray files.
    fn assert_fails(&self, needles: &[&str]) -> String {
        let output = self.run();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(1), "exit code; stderr: {stderr}");
        for needle in needles {
            assert!(
                stderr.contains(needle),
                "message should contain {needle:?}: {stderr}"
            );
        }
        assert!(
            stderr.contains("help:"),
            "message says what to do: {stderr}"
        );
        self.assert_untouched();
        stderr
    }

    fn assert_untouched(&self) {
        assert_eq!(
            sha256_file(&self.deck),
            self.good_hash,
            "the previous deck is unchanged"
        );
        assert_only_build_outputs(self.out.path());
    }
}

/// The directory holds the deck, the lock and the build stamp, and nothing else: no temporary
/// file or half-written package.
fn assert_only_build_outputs(dir: &Path) {
    let names = file_names(dir);
    assert!(
        names
            .iter()
            .all(|n| n == "bad.apkg" || n == "primer-anki.lock" || n == ".primer-anki-stamp"),
        "no stray files: {names:?}"
    );
}

/// What a build does on one directory of tests/fixtures/bad-input: its `expect.toml`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BadInputExpect {
    /// 1: the build fails; 0: it goes on (a warning is enough).
    exit_code: i32,
    /// Text that must all be in the build's stderr (the file, line or offset, what is wrong).
    stderr: Vec<String>,
    /// Files the failed build must not have written into the output directory.
    #[serde(default)]
    not_written: Vec<String>,
}

/// Every directory of tests/fixtures/bad-input is one class of bad input, given as files laid
/// over a content directory that holds [`MANIFEST`] and `notes/good.md` and was built once, so
/// that the output directory holds a good deck. Its `expect.toml` says how the next build ends:
/// a failure exits 1 with a message containing every needle and `help:`, and leaves the good
/// deck and no stray files ([`Case::assert_fails`]); a build that can go on succeeds, and its
/// warnings contain every needle.
///
/// The other tests of this file stay ordinary tests because their input must be made at test
/// time: a dangling symlink, a generated 36 MB or 50 MB file, an output path that is a file, a
/// missing content directory, a full or read-only tmpfs, concurrent builds, a closed pipe.
#[test]
fn bad_input_fixtures() {
    insta::glob!("../fixtures/bad-input", "?*", |dir| {
        assert!(
            dir.is_dir(),
            "{}: tests/fixtures/bad-input holds one directory per case",
            dir.display()
        );
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        // Says which case failed: the output of a failing test is shown.
        eprintln!("bad-input case: {name}");
        let expect: BadInputExpect = toml::from_str(
            &std::fs::read_to_string(dir.join("expect.toml"))
                .unwrap_or_else(|e| panic!("{name}: expect.toml: {e}")),
        )
        .unwrap_or_else(|e| panic!("{name}: expect.toml: {e}"));
        let case = Case::new();
        copy_dir(dir, case.content.path());
        std::fs::remove_file(case.content.path().join("expect.toml")).unwrap();
        let needles: Vec<&str> = expect.stderr.iter().map(String::as_str).collect();
        match expect.exit_code {
            0 => {
                let output = case.run();
                let stderr = String::from_utf8_lossy(&output.stderr);
                assert!(output.status.success(), "{name}: {stderr}");
                for needle in needles {
                    assert!(
                        stderr.contains(needle),
                        "{name}: stderr should contain {needle:?}: {stderr}"
                    );
                }
            }
            1 => {
                case.assert_fails(&needles);
                for file in &expect.not_written {
                    assert!(!case.out.path().join(file).exists(), "{name}: {file}");
                }
            }
            code => panic!("{name}: exit_code {code}: a build exits 0 or 1"),
        }
        assert!(
            expect.exit_code == 1 || expect.not_written.is_empty(),
            "{name}: not_written is for failed builds"
        );
    });
}

#[test]
fn unreadable_source_fails() {
    let case = Case::new();
    // A directory where a file is expected cannot be read (permissions do not stop root).
    std::fs::create_dir(case.notes().join("folder.md")).unwrap();
    std::fs::write(case.notes().join("folder.md/inner.txt"), "x").unwrap();
    // The directory is walked, not read; make a source that is a dangling link instead.
    #[cfg(unix)]
    std::os::unix::fs::symlink("/nonexistent/target.md", case.notes().join("dangling.md")).unwrap();
    case.assert_fails(&["notes/dangling.md", "cannot read"]);
}

#[test]
fn deeply_nested_lists_and_quotes_do_not_overflow() {
    let case = Case::new();
    let mut text = String::from("# Deep\n\n## Nesting\n\nNesting is deep here.\n\n");
    for depth in 0..10_000 {
        text.push_str(&"  ".repeat(depth.min(2000)));
        text.push_str("* item\n");
    }
    text.push('\n');
    text.push_str(&">".repeat(10_000));
    text.push_str(" quoted\n");
    std::fs::write(case.notes().join("deep.md"), text).unwrap();
    let output = case.run();
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "no crash: {:?} {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn out_path_that_is_a_file_fails() {
    let case = Case::new();
    let file = case.out.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let output = primer_anki()
        .args(["build", "--content"])
        .arg(case.content.path())
        .arg("--out")
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("not-a-dir") && stderr.contains("help:"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

#[test]
fn missing_content_dir_fails() {
    let output = primer_anki()
        .args(["build", "--content", "/nonexistent/content", "--out"])
        .arg(tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("/nonexistent/content") && stderr.contains("help:"),
        "{stderr}"
    );
}

/// A small tmpfs on a temporary directory, unmounted when dropped. Tests that need a full or
/// read-only file system use it (CI runs as root, so it can mount).
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            mounted,
            "cannot mount a small tmpfs (needs root; CI runs as root)"
        );
        Tmpfs { dir }
    }

    fn remount_read_only(&self) {
        let remounted = std::process::Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(self.dir.path())
            .status()
            .is_ok_and(|s| s.success());
        assert!(remounted, "cannot remount the tmpfs read-only");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

/// A full disk mid-write: the build fails, and the previous deck and directory are intact. Uses
/// a tiny tmpfs when this machine lets us mount one (CI runs as root).
#[test]
fn full_disk_fails_cleanly() {
    let tmpfs = Tmpfs::mount("600k");
    let dir = &tmpfs.dir;
    let content = good_content();
    // A good small deck first.
    build(content.path(), dir.path(), &[]);
    let deck = dir.path().join("bad.apkg");
    let good = sha256_file(&deck);
    // Then an image too big for the remaining space (random bytes behind a PNG signature).
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut seed: u64 = 7;
    while png.len() < 1_000_000 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        png.extend_from_slice(&seed.to_le_bytes());
    }
    std::fs::write(content.path().join("notes/big.png"), png).unwrap();
    std::fs::write(
        content.path().join("notes/big.md"),
        "# Big\n\n## Big diagram\n\nThis topic has a large diagram.\n\n![big](big.png)\n",
    )
    .unwrap();
    let output = primer_anki()
        .args(["build", "--compression", "0", "--content"])
        .arg(content.path())
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("No space left") && stderr.contains("disk"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("read media"),
        "a write failure is not blamed on the media: {stderr}"
    );
    assert_eq!(sha256_file(&deck), good, "previous deck intact");
    assert_only_build_outputs(dir.path());
}

/// An output directory that cannot be written to (a read-only mount: permissions do not stop
/// root): the build fails naming the directory and what to do, and the deck there is intact.
#[test]
fn read_only_out_dir_fails_cleanly() {
    let tmpfs = Tmpfs::mount("2m");
    let dir = &tmpfs.dir;
    let content = good_content();
    build(content.path(), dir.path(), &[]);
    let deck = dir.path().join("bad.apkg");
    let good = sha256_file(&deck);
    tmpfs.remount_read_only();
    std::fs::write(
        content.path().join("notes/good.md"),
        format!("{GOOD}\nA second paragraph changes the deck.\n"),
    )
    .unwrap();
    let output = primer_anki()
        .args(["build", "--content"])
        .arg(content.path())
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&dir.path().display().to_string())
            && stderr.contains("Read-only file system")
            && stderr.contains("--out"),
        "{stderr}"
    );
    assert_eq!(sha256_file(&deck), good, "previous deck intact");
}

/// Two builds into the same directory at once both succeed and leave valid decks.
#[test]
fn concurrent_builds_leave_valid_decks() {
    let case = Case::new();
    let spawn = || {
        primer_anki()
            .args(["build", "--content"])
            .arg(case.content.path())
            .arg("--out")
            .arg(case.out.path())
            .spawn()
            .unwrap()
    };
    let mut children: Vec<_> = (0..4).map(|_| spawn()).collect();
    for child in &mut children {
        assert!(child.wait().unwrap().success());
    }
    assert_eq!(
        sha256_file(&case.deck),
        case.good_hash,
        "same input, same deck"
    );
    case.assert_untouched();
}

/// Output into a closed pipe (`primer-anki … | head`) ends the process quietly, never with a
/// panic (exit code 101).
#[test]
fn closed_stdout_is_not_a_panic() {
    let case = Case::new();
    let mut child = primer_anki()
        .args(["inspect", "--samples", "500"])
        .arg(&case.deck)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_ne!(
        output.status.code(),
        Some(101),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

/// A 50 MB markdown file builds, and memory stays a small multiple of the file: it is parsed
/// and extracted section by section, never held as one tree (see `extract::SectionBySection`).
/// Before that it took 735 MB.
#[test]
fn fifty_megabyte_file_builds_in_bounded_memory() {
    let content = content_dir();
    let words = [
        "replica", "shard", "queue", "ledger", "cache", "token", "quorum", "bucket", "vector",
        "segment", "broker", "snapshot",
    ];
    let mut text = String::with_capacity(51 << 20);
    text.push_str("# A very large file\n\n");
    let mut section = 0usize;
    while text.len() < 50 << 20 {
        let w = |k: usize| words[(section * 7 + k * 3) % words.len()];
        let level = if section.is_multiple_of(5) {
            "##"
        } else {
            "###"
        };
        text.push_str(&format!("{level} Topic {section}: {} {}\n\n", w(0), w(1)));
        for sentence in 0..6 {
            text.push_str(&format!(
                "Topic {section} keeps a {} beside every {} so that a failed {} can be rebuilt \
                 in step {sentence}. ",
                w(sentence),
                w(sentence + 1),
                w(sentence + 2)
            ));
        }
        text.push_str("\n\n");
        for term in 0..3 {
            text.push_str(&format!(
                "* **{} {section}** - the part that holds {} data for round {term}.\n",
                w(term + 3),
                w(term + 4)
            ));
        }
        text.push('\n');
        if section.is_multiple_of(10) {
            text.push_str(&format!(
                "| Setting | Value |\n|---|---|\n| {} limit | {section} MB |\n\n",
                w(5)
            ));
        }
        section += 1;
    }
    std::fs::write(content.path().join("notes/big.md"), &text).unwrap();
    drop(text);
    let out = tempfile::tempdir().unwrap();
    let (output, peak_kb) = build_measuring_peak_rss(content.path(), out.path());
    assert!(
        output.status.success(),
        "build failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let decks = deck_lines(&output);
    assert!(decks[0].1 > 300_000, "{decks:?}");
    let peak_mb = peak_kb / 1024;
    eprintln!("peak RSS of the 50 MB build: {peak_mb} MB");
    assert!(peak_mb < 350, "peak RSS {peak_mb} MB for a 50 MB file");
}

/// A table of 100,000 rows in one section builds in memory that does not grow with the
/// section's cards: they go to the renderer as they are made, not all at once (issue #21,
/// probe L). The file is just above `BY_SECTION_BYTES`, so it is parsed section by section,
/// and the one section is the whole file. The release binary took 384 MB before cards were
/// streamed, and takes 84 MB now; the debug one this test runs, 90 MB.
#[test]
fn hundred_thousand_row_table_builds_in_bounded_memory() {
    let content = content_dir();
    let words = [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    ];
    let mut text = String::with_capacity(5 << 20);
    text.push_str("# Big table\n\n## Rows\n\n| Name | Value |\n|---|---|\n");
    for row in 0..100_000usize {
        let w = |k: usize| words[(row * 7 + k * 3) % words.len()];
        text.push_str(&format!(
            "| item {row} {} | {} {} {} {row} |\n",
            w(0),
            w(1),
            w(2),
            w(3)
        ));
    }
    std::fs::write(content.path().join("notes/table.md"), &text).unwrap();
    drop(text);
    let out = tempfile::tempdir().unwrap();
    let (output, peak_kb) = build_measuring_peak_rss(content.path(), out.path());
    assert!(
        output.status.success(),
        "build failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let decks = deck_lines(&output);
    assert_eq!(decks[0].1, 100_000, "{decks:?}");
    let peak_mb = peak_kb / 1024;
    eprintln!("peak RSS of the 100k-row table: {peak_mb} MB");
    assert!(peak_mb < 200, "peak RSS {peak_mb} MB for a 100k-row table");
}

/// `primer-anki build --content C --out O`, and the peak resident set of that one process in
/// KB. The build is waited for with `wait4`, which reports the usage of that child alone: the
/// other tests of this binary run Chromium, the real Anki and primer builds as children too, so
/// `getrusage(RUSAGE_CHILDREN)` would give the largest of them all.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4 below"
)]
fn build_measuring_peak_rss(content: &Path, out: &Path) -> (Output, i64) {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let mut child = primer_anki()
        .args(["build", "--content"])
        .arg(content)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run primer-anki");
    let mut stderr_pipe = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        stderr_pipe.read_to_end(&mut bytes).unwrap();
        bytes
    });
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    let stderr = stderr.join().unwrap();
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 writes the child's status and a rusage struct to the pointers it is given;
    // the child is ours and nothing else waits for it.
    let usage = unsafe {
        assert_eq!(libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()), pid);
        usage.assume_init()
    };
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout,
        stderr,
    };
    (output, usage.ru_maxrss)
}
