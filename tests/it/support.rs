//! Helpers shared by the integration tests: running the binary, and asking the real Anki (the
//! pinned PyPI `anki` package, through tests/anki/anki_check.py) for its verdict.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A media resolver that names each file by its file name and never looks at the disk (for
/// tests whose markdown names images that do not exist).
pub struct NameOnly;

impl primer_anki::render::MediaResolver for NameOnly {
    fn resolve(
        &mut self,
        path: &Path,
        _origin: &primer_anki::SourceLocation,
    ) -> primer_anki::Result<String> {
        Ok(path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default())
    }
}

/// Render options for a deck whose content root does not exist (with [`NameOnly`]).
pub fn render_options() -> primer_anki::render::RenderOptions {
    primer_anki::render::RenderOptions {
        deck: 0,
        deck_name: "Deck".into(),
        content_root: PathBuf::from("/nonexistent-root"),
        base_url: "https://example.org/".into(),
        tag_prefix: "t".into(),
        remote_images: Default::default(),
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Python that has the pinned `anki` package. A missing one fails the test: no test is
/// skipped silently.
pub fn python() -> PathBuf {
    venv_python(
        "PRIMER_ANKI_PYTHON",
        ".venv",
        "requirements.txt",
        "the real Anki",
    )
}

/// `$variable`, else `<repo>/<venv>/bin/python`, which must exist: the message says how to
/// make it from `tests/anki/<requirements>`, the Python that has `what`.
fn venv_python(variable: &str, venv: &str, requirements: &str, what: &str) -> PathBuf {
    if let Ok(p) = std::env::var(variable) {
        return PathBuf::from(p);
    }
    let python = repo().join(venv).join("bin/python");
    assert!(
        python.exists(),
        "no Python with {what}: run `python3 -m venv {venv} && {venv}/bin/pip install -r tests/anki/{requirements}` (or `bash .ci/run`), or set {variable}"
    );
    python
}

/// The System Design Primer snapshot used as test input. Missing → the test fails.
pub fn primer_dir() -> PathBuf {
    let dir = std::env::var("PRIMER_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join("../shared/primer"));
    assert!(
        dir.join("README.md").is_file(),
        "the primer snapshot is missing at {} (set PRIMER_DIR)",
        dir.display()
    );
    dir
}

/// The Python with Anki 25.9, the last release that still has the legacy importer (what Anki
/// 2.1.54 and older ran, and AnkiDroid 2.15 and older ported). A missing one fails the test.
pub fn legacy_python() -> PathBuf {
    venv_python(
        "PRIMER_ANKI_LEGACY_PYTHON",
        ".venv-legacy",
        "requirements-legacy.txt",
        "Anki's legacy importer",
    )
}

/// Run tests/anki/anki_check.py and parse its JSON.
pub fn anki_check(args: &[&str]) -> Value {
    anki_check_with(&python(), args)
}

/// [`anki_check`] under the given Python (e.g. [`legacy_python`]).
pub fn anki_check_with(python: &Path, args: &[&str]) -> Value {
    let output = Command::new(python)
        .arg(repo().join("tests/anki/anki_check.py"))
        .args(args)
        .output()
        .expect("run anki_check.py");
    assert!(
        output.status.success(),
        "anki_check.py failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "anki_check.py printed no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// The primer-anki binary as a command, with a fixed SOURCE_DATE_EPOCH.
pub fn primer_anki() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_primer-anki"));
    cmd.env("SOURCE_DATE_EPOCH", "1700000000");
    cmd
}

/// `primer-anki build --content C --out O [extra]`, asserting success.
pub fn build(content: &Path, out: &Path, extra: &[&str]) -> Output {
    let output = primer_anki()
        .arg("build")
        .arg("--content")
        .arg(content)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("run primer-anki");
    assert!(
        output.status.success(),
        "build failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The per-deck lines of a build's output: (name, notes, cards, media, path).
pub fn deck_lines(output: &Output) -> Vec<(String, usize, usize, usize, PathBuf)> {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let re =
        regex::Regex::new(r"^(.+): (\d+) notes, (\d+) cards, (\d+) media files -> (.+)$").unwrap();
    stdout
        .lines()
        .filter_map(|line| re.captures(line))
        .map(|c| {
            (
                c[1].to_string(),
                c[2].parse().unwrap(),
                c[3].parse().unwrap(),
                c[4].parse().unwrap(),
                PathBuf::from(&c[5]),
            )
        })
        .collect()
}

pub fn sha256_file(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).unwrap();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Assert Anki's verdict on one imported package: all new, counts as reported, nothing
/// conflicting or missing, every card renders, Check Database clean, media present, and a
/// re-import changes nothing.
pub fn assert_clean_import(result: &Value, notes: usize, cards: usize, media: usize) {
    let name = result["package"].as_str().unwrap_or("?");
    assert!(
        result.get("error").is_none() || result["error"].is_null(),
        "{name}: {}",
        result["error"]
    );
    let import = &result["import"];
    assert_eq!(
        import["new"].as_u64(),
        Some(notes as u64),
        "{name}: new notes {import}"
    );
    for key in [
        "updated",
        "duplicate",
        "conflicting",
        "missing_notetype",
        "missing_deck",
        "empty_first_field",
    ] {
        assert_eq!(import[key].as_u64(), Some(0), "{name}: {key} in {import}");
    }
    let col = &result["collection"];
    assert_eq!(col["notes"].as_u64(), Some(notes as u64), "{name}: notes");
    assert_eq!(col["cards"].as_u64(), Some(cards as u64), "{name}: cards");
    assert_eq!(
        col["duplicate_guids"].as_array().map_or(0, |a| a.len()),
        0,
        "{name}: duplicate guids"
    );
    let render = &result["render"];
    assert_eq!(
        render["cards_checked"].as_u64(),
        Some(cards as u64),
        "{name}: rendered cards"
    );
    assert_eq!(
        render["ok"],
        Value::Bool(true),
        "{name}: render problems {}",
        render["problems"]
    );
    let check = &result["check_database"];
    assert_eq!(
        check["ok"],
        Value::Bool(true),
        "{name}: check database {check}"
    );
    assert_eq!(
        check["problems"].as_array().map_or(0, |a| a.len()),
        0,
        "{name}: {check}"
    );
    let after = &result["after_check_database"];
    assert_eq!(
        after["notes"].as_u64(),
        Some(notes as u64),
        "{name}: notes after check"
    );
    assert_eq!(
        after["cards"].as_u64(),
        Some(cards as u64),
        "{name}: cards after check"
    );
    let media_report = &result["media"];
    assert_eq!(
        media_report["missing"].as_array().map_or(0, |a| a.len()),
        0,
        "{name}: {media_report}"
    );
    assert_eq!(
        media_report["files"].as_array().map_or(0, |a| a.len()),
        media,
        "{name}: media files in the collection {media_report}"
    );
    let reimport = &result["reimport"];
    assert_eq!(
        reimport["new"].as_u64(),
        Some(0),
        "{name}: re-import new {reimport}"
    );
    assert_eq!(
        reimport["updated"].as_u64(),
        Some(0),
        "{name}: re-import updated {reimport}"
    );
}

/// Copy a directory tree (test fixtures into a scratch directory).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `primer-anki build --content C --out O`, whatever its outcome (for tests of failures).
pub fn run_build(content: &Path, out: &Path) -> Output {
    primer_anki()
        .args(["build", "--content"])
        .arg(content)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run primer-anki")
}

/// The names in a directory, sorted: to check that a build left no stray files.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The Chromium binary: `$PRIMER_ANKI_CHROMIUM`, or `chromium` / `chromium-browser` on PATH.
pub fn chromium() -> PathBuf {
    if let Ok(path) = std::env::var("PRIMER_ANKI_CHROMIUM") {
        return PathBuf::from(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "headless Chromium is needed for the preview test and was not found: install it with \
         `apt-get update && apt-get install -y chromium` (bash .ci/run does), or set \
         PRIMER_ANKI_CHROMIUM to its path"
    );
}

/// Run Chromium headless on `url` with a fresh profile; `extra` is `--dump-dom` or
/// `--screenshot=…`. Killed after two minutes.
pub fn headless(url: &str, extra: &[String]) -> Output {
    headless_sized(url, extra, (1200, 900))
}

/// [`headless`] with a window of `width` × `height` pixels.
pub fn headless_sized(url: &str, extra: &[String], (width, height): (u32, u32)) -> Output {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            child.kill().ok();
            panic!("chromium did not finish within 2 minutes on {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Parses, extracts and renders `files` (relative to `root`) in-process, as the build does for
/// one deck of the primer, with `media` resolving the images.
pub fn render_files(
    root: &Path,
    files: &[PathBuf],
    profile: primer_anki::extract::Profile,
    deck_name: &str,
    media: &mut dyn primer_anki::render::MediaResolver,
) -> Vec<primer_anki::render::NoteDraft> {
    use primer_anki::extract::{ExtractOptions, extract};
    let mut drafts = Vec::new();
    for rel in files {
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        let text = if rel.extension().is_some_and(|e| e == "ipynb") {
            primer_anki::input::notebook::notebook_to_markdown(&text, rel).unwrap()
        } else {
            text
        };
        let doc = primer_anki::document::parse(&text, rel).unwrap();
        let (cards, _warnings) = extract(&doc, &ExtractOptions::new(profile));
        let options = primer_anki::render::RenderOptions {
            deck: 0,
            deck_name: deck_name.into(),
            content_root: root.to_path_buf(),
            base_url: primer_anki::input::PRIMER_BASE_URL.into(),
            tag_prefix: "primer".into(),
            remote_images: Default::default(),
        };
        let (d, _) = primer_anki::render::render(&doc, &cards, &options, media).unwrap();
        drafts.extend(d);
    }
    drafts
}

/// The primer's exercise READMEs (`solutions/system_design/*/README.md`), relative to `root`,
/// sorted.
pub fn primer_exercises(root: &Path) -> Vec<PathBuf> {
    let mut exercises: Vec<PathBuf> = std::fs::read_dir(root.join("solutions/system_design"))
        .unwrap()
        .flatten()
        .map(|e| {
            PathBuf::from("solutions/system_design")
                .join(e.file_name())
                .join("README.md")
        })
        .filter(|p| root.join(p).is_file())
        .collect();
    exercises.sort();
    exercises
}

/// Fails with the command's stderr unless it succeeded.
pub fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `build` at a given epoch (`SOURCE_DATE_EPOCH`) with an explicit lock; the output, whether
/// it succeeded or not.
pub fn build_with_lock(
    content: &Path,
    out: &Path,
    lock: &Path,
    epoch: i64,
    extra: &[&str],
) -> Output {
    primer_anki()
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .arg("build")
        .arg("--content")
        .arg(content)
        .arg("--out")
        .arg(out)
        .arg("--lock")
        .arg(lock)
        .args(extra)
        .output()
        .unwrap()
}

/// Runs primer-anki with `args` and fails the test if it has not ended within `limit`:
/// returns the exit code and stdout + stderr (lossy). Output goes to files, so a command that
/// prints a lot cannot block on a full pipe.
pub fn bounded(args: &[&str], limit: std::time::Duration) -> (Option<i32>, String) {
    bounded_in(args, limit, None)
}

/// [`bounded`] with `TMPDIR` set to `tmp` (to see what temporary files a run leaves).
pub fn bounded_in(
    args: &[&str],
    limit: std::time::Duration,
    tmp: Option<&Path>,
) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let stdout = std::fs::File::create(dir.path().join("stdout")).unwrap();
    let stderr = std::fs::File::create(dir.path().join("stderr")).unwrap();
    let mut command = primer_anki();
    if let Some(tmp) = tmp {
        command.env("TMPDIR", tmp);
    }
    let mut child = command
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("run primer-anki");
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("primer-anki {args:?} did not end within {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut text =
        String::from_utf8_lossy(&std::fs::read(dir.path().join("stdout")).unwrap()).into_owned();
    text.push_str(&String::from_utf8_lossy(
        &std::fs::read(dir.path().join("stderr")).unwrap(),
    ));
    (status.code(), text)
}
