//! The command line, subcommand by subcommand, with insta-cmd snapshots of what a user sees on
//! fixtures made for it. Temporary paths are redacted; fixture paths are relative to the repo.

use crate::support;

use std::process::Command;

use insta_cmd::assert_cmd_snapshot;
use serde_json::Value;
use support::{primer_anki, primer_dir, repo};

/// `primer-anki` run from the repository root, without colour.
fn cmd() -> Command {
    let mut cmd = primer_anki();
    cmd.current_dir(repo())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

/// What `check` must report on one fixture directory of tests/fixtures/check: its `expect.toml`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckExpect {
    /// The exit code of `check` (1 when there is an error, else 0).
    exit_code: i32,
    /// The class of finding the directory was made for, with its severity (`error` or
    /// `warning`); none for a clean directory, which must have no finding at all.
    finding: Option<ExpectedFinding>,
    /// Every code the report must hold besides (a case made for a group of findings).
    #[serde(default)]
    codes: Vec<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedFinding {
    code: String,
    severity: String,
}

fn check_json(content: &str) -> (Value, Option<i32>) {
    let output = cmd()
        .args(["check", "--json", "--content", content])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "check --json printed no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (json, output.status.code())
}

/// Every directory of tests/fixtures/check is one case: a content directory made for one class
/// of problem (or none, `clean`) and its `expect.toml`. What a user sees is snapshotted
/// (`it__cli__check@<case>.snap`), and `check --json` must report the class at a place
/// (line, column, offending text) with help, the expected severity and exit code.
#[test]
fn check_fixtures() {
    let root = repo().canonicalize().unwrap();
    insta::glob!("../fixtures/check", "?*", |dir| {
        assert!(
            dir.is_dir(),
            "{}: tests/fixtures/check holds one directory per case",
            dir.display()
        );
        let case = dir.file_name().unwrap().to_str().unwrap();
        let content = dir.strip_prefix(&root).unwrap().to_str().unwrap();
        let expect: CheckExpect = toml::from_str(
            &std::fs::read_to_string(dir.join("expect.toml"))
                .unwrap_or_else(|e| panic!("{case}: expect.toml: {e}")),
        )
        .unwrap_or_else(|e| panic!("{case}: expect.toml: {e}"));

        // The snapshot header stays as it was before the cases were globbed: no input_file.
        let mut settings = insta::Settings::clone_current();
        settings.remove_input_file();
        settings.bind(|| {
            assert_cmd_snapshot!("check", cmd().args(["check", "--content", content]));
        });

        let (json, status) = check_json(content);
        assert_eq!(status, Some(expect.exit_code), "{case}: exit code");
        let findings = json["findings"].as_array().unwrap();
        for code in &expect.codes {
            assert!(
                findings.iter().any(|f| f["code"] == code.as_str()),
                "{case}: no {code} finding in {json:#}"
            );
        }
        let Some(ExpectedFinding { code, severity }) = &expect.finding else {
            assert!(findings.is_empty(), "{case}: findings in {json:#}");
            return;
        };
        let hit = findings
            .iter()
            .find(|f| f["code"] == code.as_str())
            .unwrap_or_else(|| panic!("{case}: no {code} finding in {json:#}"));
        assert!(hit["line"].as_u64().unwrap() > 0, "{case}: {hit}");
        assert!(hit["column"].as_u64().unwrap() > 0, "{case}: {hit}");
        assert!(
            !hit["text"].as_str().unwrap().is_empty(),
            "{case}: offending text {hit}"
        );
        assert!(!hit["help"].as_str().unwrap().is_empty(), "{case}: {hit}");
        assert!(
            hit["file"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{content}/"))
        );
        assert_eq!(hit["severity"], severity.as_str(), "{case}: {hit}");
    });
}

#[test]
fn check_json_snapshot() {
    assert_cmd_snapshot!(cmd().args([
        "check",
        "--json",
        "--content",
        "tests/fixtures/check/broken-links"
    ]));
}

/// A missing local image stops the build, which names the same line and column as `check`:
/// the path as written, not the card that shows the image.
#[test]
fn a_missing_image_stops_the_build_where_check_points() {
    let content = "tests/fixtures/check/missing-image";
    let out = tempfile::tempdir().unwrap();
    let build = cmd()
        .args(["build", "--content", content, "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(build.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&build.stderr);
    let place = regex::Regex::new(r"kites\.md:(\d+):(\d+): image not found")
        .unwrap()
        .captures(&stderr)
        .unwrap_or_else(|| panic!("{stderr}"));
    let (json, _) = check_json(content);
    let first = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "missing-image")
        .unwrap();
    assert_eq!(place[1], first["line"].to_string(), "{stderr}\n{first}");
    assert_eq!(place[2], first["column"].to_string(), "{stderr}\n{first}");
}

#[test]
fn check_deny_warnings_fails_on_warnings() {
    let status = cmd()
        .args([
            "check",
            "--deny-warnings",
            "--content",
            "tests/fixtures/check/long-answer",
        ])
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(1));
}

#[test]
fn check_passes_cleanly_on_our_content() {
    let (json, status) = check_json("content");
    assert_eq!(status, Some(0), "{json:#}");
    assert_eq!(json["errors"], 0, "{json:#}");
    assert_eq!(json["warnings"], 0, "{json:#}");
    assert!(json["cards"].as_u64().unwrap() > 100);
}

#[test]
fn check_finds_no_errors_in_the_primer() {
    let primer = primer_dir();
    let (json, status) = check_json(primer.to_str().unwrap());
    let errors: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "errors in the primer: {errors:#?}");
    assert_eq!(status, Some(0));
    // The snapshot links to translations and guides it does not ship: reported, as warnings.
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    eprintln!("primer check: {} warnings: {codes:?}", json["warnings"]);
    assert!(json["cards"].as_u64().unwrap() > 500);
    // The card-quality lint finds nothing in the decks the rules make of the primer (its
    // translations included), and no
    // answer is too long to read (docs/card-quality.md).
    let quality: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let code = f["code"].as_str().unwrap();
            code.starts_with("quality-") || code == "long-answer"
        })
        .collect();
    assert!(
        quality.is_empty(),
        "card-quality findings in the primer: {quality:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// inspect

fn filtered<T>(dir: &std::path::Path, f: impl FnOnce() -> T) -> T {
    let pattern = regex::escape(&dir.display().to_string());
    insta::with_settings!({filters => vec![(pattern.as_str(), "[TMP]")]}, { f() })
}

#[test]
fn inspect_our_package_and_a_genanki_one() {
    let out = tempfile::tempdir().unwrap();
    support::build(
        &repo().join("tests/fixtures/content-small"),
        out.path(),
        &[],
    );
    let deck = out.path().join("fixture-systems.apkg");
    filtered(out.path(), || {
        assert_cmd_snapshot!("inspect_fixture", cmd().arg("inspect").arg(&deck));
        assert_cmd_snapshot!(
            "inspect_fixture_json",
            cmd()
                .arg("inspect")
                .arg(&deck)
                .args(["--json", "--samples", "1"])
        );
    });
    assert_cmd_snapshot!(
        "inspect_genanki",
        cmd().args([
            "inspect",
            "tests/fixtures/inspect/genanki-weather.apkg",
            "--samples",
            "4"
        ])
    );
}

#[test]
fn inspect_reads_the_primers_2017_decks() {
    let dir = primer_dir().join("resources/flash_cards");
    for (file, notes) in [
        ("System Design.apkg", 42),
        ("System Design Exercises.apkg", 8),
        ("OO Design.apkg", 6),
    ] {
        let output = cmd()
            .arg("inspect")
            .arg(dir.join(file))
            .arg("--json")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let json: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(json["notes"], notes, "{file}");
        assert_eq!(json["cards"], notes, "{file}");
        assert_eq!(json["schema"], 11);
        assert_eq!(json["decks"].as_array().unwrap().len(), 1, "{file}");
        assert_eq!(
            json["notetypes"][0]["fields"],
            serde_json::json!(["Front", "Back"])
        );
        assert_eq!(json["samples"].as_array().unwrap().len(), 3);
        assert!(!json["samples"][0]["question"].as_str().unwrap().is_empty());
    }
}

/// A zip with the given members (name, bytes), written with deflate.
fn zip_file(path: &std::path::Path, members: &[(&str, Vec<u8>)]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in members {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(bytes.len() > u32::MAX as usize);
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn inspect_refuses_untrusted_packages_clearly_without_panicking_or_writing() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let sqlite_without_col = {
        let path = dir.path().join("other.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("create table notes (id integer primary key, flds text);")
            .unwrap();
        drop(conn);
        std::fs::read(path).unwrap()
    };
    type Case<'a> = (&'a str, Vec<(&'a str, Vec<u8>)>, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            "zip-slip.apkg",
            vec![
                ("../../evil.txt", b"x".to_vec()),
                ("collection.anki2", b"x".to_vec()),
            ],
            "path in its name",
        ),
        (
            "absolute.apkg",
            vec![("/tmp/evil.txt", b"x".to_vec())],
            "path in its name",
        ),
        (
            "bomb.apkg",
            vec![("collection.anki2", vec![0u8; 64 << 20])],
            "compressed more than",
        ),
        (
            "corrupt.apkg",
            vec![(
                "collection.anki2",
                b"SQLite format 3\0 but then garbage".repeat(200),
            )],
            "collection.anki2",
        ),
        (
            "wrong-schema.apkg",
            vec![("collection.anki2", sqlite_without_col)],
            "not an Anki collection",
        ),
        (
            "empty.apkg",
            vec![("media", b"{}".to_vec())],
            "has no collection",
        ),
    ];
    let mut files = vec![];
    for (name, members, _) in &cases {
        let path = dir.path().join(name);
        zip_file(&path, members);
        files.push(path);
    }
    let not_zip = dir.path().join("not-a-zip.apkg");
    std::fs::write(&not_zip, b"hello").unwrap();
    let before: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for ((name, _, expected), path) in cases.iter().zip(&files).chain([(
        &("not-a-zip.apkg", vec![], "not a readable zip archive"),
        &not_zip,
    )]) {
        let output = cmd()
            .current_dir(&work)
            .arg("inspect")
            .arg(path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.starts_with("error: "), "{name}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{name}: expected {expected:?} in {stderr}"
        );
        assert!(stderr.contains("help:"), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
    let after: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(before, after, "inspect wrote next to the packages");
    assert_eq!(
        std::fs::read_dir(&work).unwrap().count(),
        0,
        "inspect wrote into the working directory"
    );
    assert!(
        !dir.path().join("evil.txt").exists() && !std::path::Path::new("/tmp/evil.txt").exists()
    );
}

// ---------------------------------------------------------------------------------------------
// the GitHub Actions workflow

#[test]
fn workflow_parses_and_checks_builds_uploads_and_releases() {
    let read = |path: &str| -> serde_yaml::Value {
        let text = std::fs::read_to_string(repo().join(path)).unwrap();
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path} is not valid YAML: {e}"))
    };
    let yaml = read(".github/workflows/decks.yml");
    let on = &yaml["on"];
    assert!(on["push"]["tags"].as_sequence().is_some(), "runs on tags");
    // `uses: ./` would name the caller's tree in a reusable workflow: forks use the action.
    assert!(
        on["workflow_call"].is_null(),
        "not reusable: forks use action.yml"
    );
    let steps = |doc: &serde_yaml::Value, key: &str| -> Vec<String> {
        key.split('.')
            .try_fold(doc, |value, name| value.get(name))
            .and_then(|value| value.as_sequence())
            .unwrap_or_else(|| panic!("{key} has steps"))
            .iter()
            .map(|s| serde_yaml::to_string(s).unwrap())
            .collect()
    };
    let position = |steps: &[String], needle: &str| {
        steps
            .iter()
            .position(|s| s.contains(needle))
            .unwrap_or_else(|| panic!("no step with {needle:?}"))
    };
    let decks = steps(&yaml, "jobs.decks.steps");
    let action_step = position(&decks, "uses: ./");
    assert!(action_step < position(&decks, "actions/upload-artifact"));

    // The action: install, check, then build --locked at the commit time, then the notes.
    let action = read("action.yml");
    let inner = steps(&action, "runs.steps");
    let check = position(&inner, "primer-anki check");
    let build = position(&inner, "primer-anki build");
    let notes = position(&inner, "primer-anki diff");
    assert!(position(&inner, "install-primer-anki.sh") < check && check < build && build < notes);
    assert!(inner[build].contains("(--locked)"), "build --locked");
    assert!(inner[build].contains("SOURCE_DATE_EPOCH=\"$(git log -1 --format=%ct)\""));

    let release = &yaml["jobs"]["release"];
    assert!(release["if"].as_str().unwrap().contains("refs/tags/"));
    assert_eq!(release["permissions"]["contents"], "write");
    let release_steps = steps(&yaml, "jobs.release.steps").join("\n");
    assert!(release_steps.contains("gh release create"));
    assert!(release_steps.contains("--notes-file"));
    assert!(
        release_steps.contains("name: release-notes"),
        "the action's notes"
    );
    for job in ["decks", "release"] {
        assert_eq!(yaml["jobs"][job]["runs-on"], "ubuntu-latest");
    }
}

// ---------------------------------------------------------------------------------------------
// terminal behaviour: help, completions, man page, quiet and verbose

const SUBCOMMANDS: &[&str] = &[
    "build",
    "diff",
    "check",
    "inspect",
    "preview",
    "init",
    "completions",
    "man",
];

#[test]
fn every_subcommand_help_has_examples() {
    for sub in SUBCOMMANDS {
        let output = cmd().args([sub, "--help"]).output().unwrap();
        let help = String::from_utf8(output.stdout).unwrap();
        assert!(output.status.success(), "{sub} --help");
        assert!(
            help.contains("Examples:\n  primer-anki"),
            "{sub} --help has no examples:\n{help}"
        );
        assert!(
            help.contains("--quiet") && help.contains("--verbose"),
            "{sub}: global flags"
        );
    }
    let build = cmd().args(["build", "--help"]).output().unwrap();
    let build = String::from_utf8(build.stdout).unwrap();
    assert!(
        build.contains("--content ~/notes") && build.contains("--content ../system-design-primer"),
        "build --help shows a plain folder and the primer:\n{build}"
    );
    assert_cmd_snapshot!("help_check", cmd().args(["check", "--help"]));
    assert_cmd_snapshot!("help_inspect", cmd().args(["inspect", "--help"]));
    assert_cmd_snapshot!("help_preview", cmd().args(["preview", "--help"]));
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = cmd().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}");
        let text = String::from_utf8(output.stdout).unwrap();
        for sub in ["build", "check", "inspect", "preview"] {
            assert!(text.contains(sub), "{shell} completions lack {sub}");
        }
    }
    let output = cmd().arg("man").output().unwrap();
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH primer-anki 1"),
        "{page}"
    );
    assert!(page.contains("check") && page.contains("preview"));
    let dir = tempfile::tempdir().unwrap();
    let output = cmd()
        .args(["man", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    for page in [
        "primer-anki.1",
        "primer-anki-build.1",
        "primer-anki-check.1",
        "primer-anki-inspect.1",
    ] {
        assert!(dir.path().join(page).is_file(), "{page}");
    }
}

#[test]
fn quiet_prints_nothing_and_verbose_prints_more_and_no_progress_off_a_terminal() {
    let out = tempfile::tempdir().unwrap();
    let run = |flag: &str| {
        cmd()
            .args([
                flag,
                "build",
                "--content",
                "tests/fixtures/content-small",
                "--out",
            ])
            .arg(out.path())
            .output()
            .unwrap()
    };
    let quiet = run("--quiet");
    assert!(quiet.status.success());
    assert!(
        quiet.stdout.is_empty() && quiet.stderr.is_empty(),
        "{quiet:?}"
    );
    let normal = run("--no-such-flag-check-usage");
    assert_eq!(normal.status.code(), Some(2), "usage errors exit 2");
    let verbose = run("--verbose");
    let stderr = String::from_utf8(verbose.stderr).unwrap();
    assert!(stderr.contains("built in"), "{stderr}");
    // stderr is a pipe here: no spinner frames or cursor control.
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\r'),
        "{stderr:?}"
    );
    let check_quiet = cmd()
        .args([
            "-q",
            "check",
            "--content",
            "tests/fixtures/check/long-answer",
        ])
        .output()
        .unwrap();
    assert!(check_quiet.stderr.is_empty(), "quiet check hides warnings");
}
