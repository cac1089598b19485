//! A stranger's content directory cannot make us read outside it, hang, or exhaust memory
//! (issue 21, probes A–D): symlinks out of the content, manifest sources outside it, symlink
//! loops, FIFOs and devices, files over the size cap. The fixtures are built at test time (git
//! cannot carry symlinks to absolute paths or FIFOs); every command runs under a timeout that
//! fails the test, and no byte of the outside file may appear in any output.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::bounded;

/// Text only the outside file holds: it must never reach a deck, a page or a message.
const SECRET: &str = "OUTSIDE-SECRET-7f3a9c";
const GOOD: &str = "# Good\n\n## Idempotency\n\nAn idempotent request can be repeated without changing the result beyond the first call.\n";
const MANIFEST: &str = "base_url = \"https://example.org/\"\n[[deck]]\nname = \"Probe\"\nid = 1900000000021\nsources = [\"notes\"]\ntag_prefix = \"probe\"\n";
const LIMIT: Duration = Duration::from_secs(60);

/// A content dir (manifest, `notes/good.md`), an outside dir holding the secret as markdown and
/// as an SVG, and an output dir.
struct Probe {
    content: tempfile::TempDir,
    outside: tempfile::TempDir,
    out: tempfile::TempDir,
}

impl Probe {
    fn new() -> Probe {
        let content = tempfile::tempdir().unwrap();
        std::fs::write(content.path().join("primer-anki.toml"), MANIFEST).unwrap();
        std::fs::create_dir(content.path().join("notes")).unwrap();
        std::fs::write(content.path().join("notes/good.md"), GOOD).unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(
            outside.path().join("secret.md"),
            format!("# Secret\n\n## Keys\n\n- **Key** - {SECRET} is the answer.\n"),
        )
        .unwrap();
        std::fs::write(
            outside.path().join("file.svg"),
            format!("<svg xmlns=\"http://www.w3.org/2000/svg\"><title>{SECRET}</title></svg>"),
        )
        .unwrap();
        Probe {
            content,
            outside,
            out: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.content.path().join(rel)
    }

    fn symlink(&self, target: impl AsRef<Path>, rel: &str) {
        let link = self.path(rel);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, link).unwrap();
    }

    fn note(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).unwrap();
    }

    /// `build`, `check` and `preview` each end within the time limit; returns their
    /// (exit code, stdout + stderr), after checking that no output holds the secret.
    fn run_all(&self) -> Vec<(&'static str, Option<i32>, String)> {
        let content = self.content.path().to_str().unwrap();
        let out = self.out.path().join("decks");
        let page = self.out.path().join("page");
        let runs: [(&'static str, Vec<&str>); 3] = [
            (
                "build",
                vec![
                    "build",
                    "--content",
                    content,
                    "--out",
                    out.to_str().unwrap(),
                ],
            ),
            ("check", vec!["check", "--content", content]),
            (
                "preview",
                vec![
                    "preview",
                    "--content",
                    content,
                    "--out",
                    page.to_str().unwrap(),
                ],
            ),
        ];
        let mut results = Vec::new();
        for (name, args) in runs {
            let (code, text) = bounded(&args, LIMIT);
            assert!(!text.contains(SECRET), "{name} printed the secret: {text}");
            results.push((name, code, text));
        }
        assert_no_secret_under(self.out.path());
        results
    }
}

/// No file below `dir` (decks unzipped too) holds a byte of the secret.
fn assert_no_secret_under(dir: &Path) {
    for entry in walk(dir) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !contains(&bytes, SECRET.as_bytes()),
            "{} holds the secret",
            entry.display()
        );
        if entry.extension().is_some_and(|e| e == "apkg") {
            let mut zip = zip::ZipArchive::new(std::fs::File::open(&entry).unwrap()).unwrap();
            for i in 0..zip.len() {
                let mut member = zip.by_index(i).unwrap();
                let mut inner = Vec::new();
                std::io::Read::read_to_end(&mut member, &mut inner).unwrap();
                assert!(
                    !contains(&inner, SECRET.as_bytes()),
                    "{} member {:?} holds the secret",
                    entry.display(),
                    member.name()
                );
            }
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let t = entry.file_type().unwrap();
        if t.is_dir() {
            files.extend(walk(&entry.path()));
        } else if t.is_file() {
            files.push(entry.path());
        }
    }
    files
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Every command fails, and says `needles` (the link and what is wrong).
fn assert_all_refuse(results: &[(&'static str, Option<i32>, String)], needles: &[&str]) {
    for (name, code, text) in results {
        assert_ne!(*code, Some(0), "{name} should refuse: {text}");
        for needle in needles {
            assert!(
                text.contains(needle),
                "{name} should say {needle:?}: {text}"
            );
        }
    }
}

#[test]
fn a_symlinked_source_outside_the_content_is_refused() {
    let probe = Probe::new();
    probe.symlink(probe.outside.path().join("secret.md"), "notes/linked.md");
    let results = probe.run_all();
    assert_all_refuse(&results, &["linked.md", "outside the content directory"]);
}

#[test]
fn symlinked_images_outside_the_content_are_refused() {
    // A file link, and a linked image directory.
    for (link, target, reference) in [
        ("images/x.svg", "file.svg", "../images/x.svg"),
        ("pics", "", "../pics/file.svg"),
    ] {
        let probe = Probe::new();
        probe.symlink(probe.outside.path().join(target), link);
        probe.note(
            "notes/pic.md",
            &format!("# Pics\n\n## Diagram\n\nA diagram of the flow follows here.\n\n![flow]({reference})\n"),
        );
        let results = probe.run_all();
        assert_all_refuse(&results, &["outside the content directory", "pic.md"]);
    }
}

#[test]
fn a_relative_image_path_climbing_out_is_left_out() {
    let probe = Probe::new();
    let climb = format!(
        "../../../../../../../../../..{}",
        probe.outside.path().join("file.svg").display()
    );
    probe.note(
        "notes/pic.md",
        &format!(
            "# Pics\n\n## Diagram\n\nA diagram of the flow follows here.\n\n![flow]({climb})\n"
        ),
    );
    // Lexically outside: a warning, and the image is not packed.
    for (name, _, text) in probe.run_all() {
        assert!(text.contains("outside the content"), "{name}: {text}");
    }
}

#[test]
fn manifest_sources_outside_the_content_are_refused() {
    for source in ["../../../../../../..{outside}", "{outside}"] {
        let probe = Probe::new();
        let outside = probe.outside.path().to_str().unwrap();
        let source = source.replace("{outside}", outside);
        probe.note(
            "primer-anki.toml",
            &MANIFEST.replace("\"notes\"", &format!("\"notes\", \"{source}\"")),
        );
        let results = probe.run_all();
        assert_all_refuse(
            &results,
            &["outside the content directory", "primer-anki.toml"],
        );
    }
}

#[test]
fn symlink_loops_end() {
    let probe = Probe::new();
    probe.symlink("..", "notes/sub/loop");
    probe.symlink("../notes", "notes/self");
    for (name, code, text) in probe.run_all() {
        assert_eq!(
            code,
            Some(0),
            "{name} should build the good note once: {text}"
        );
    }
}

#[test]
fn fifos_and_devices_are_refused() {
    let probe = Probe::new();
    make_fifo(&probe.path("notes/pipe.md"));
    let results = probe.run_all();
    assert_all_refuse(&results, &["pipe.md", "FIFO"]);

    let probe = Probe::new();
    make_fifo(&probe.path("notes/pipe.svg"));
    probe.note(
        "notes/pic.md",
        "# Pics\n\n## Diagram\n\nA diagram of the flow follows here.\n\n![flow](pipe.svg)\n",
    );
    let results = probe.run_all();
    assert_all_refuse(&results, &["pipe.svg", "FIFO"]);

    // /dev/zero is outside the content: refused before its type matters.
    let probe = Probe::new();
    probe.symlink("/dev/zero", "notes/z.md");
    let results = probe.run_all();
    assert_all_refuse(&results, &["z.md", "/dev/zero"]);

    // A package that is a FIFO: inspect refuses it instead of blocking.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("deck.apkg");
    make_fifo(&fifo);
    let (code, text) = bounded(&["inspect", fifo.to_str().unwrap()], LIMIT);
    assert_ne!(code, Some(0), "{text}");
    assert!(text.contains("FIFO"), "{text}");
}

#[test]
fn a_source_over_the_size_cap_is_refused() {
    let probe = Probe::new();
    // Sparse: no disk is used, and the size is refused before a byte is read.
    let file = std::fs::File::create(probe.path("notes/huge.md")).unwrap();
    file.set_len(300 << 20).unwrap();
    let (code, text) = bounded(
        &[
            "build",
            "--content",
            probe.content.path().to_str().unwrap(),
            "--out",
            probe.out.path().to_str().unwrap(),
        ],
        LIMIT,
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("huge.md") && text.contains("larger than the 256 MiB"),
        "{text}"
    );
}

fn make_fifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(rc, 0, "mkfifo {}", path.display());
}
