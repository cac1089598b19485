//! The command line, subcommand by subcommand, with insta-cmd snapshots of what a user sees on
//! fixtures made for it. Temporary paths are redacted; fixture paths are relative to the repo.

mod support;

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

/// Classes of problem `check` finds, each with a fixture made for it, and the code it reports.
const CHECK_CASES: &[(&str, &str, bool)] = &[
    ("broken-links", "broken-anchor", false),
    ("missing-image", "missing-image", true),
    ("empty-answer", "empty-answer", true),
    ("long-answer", "long-answer", false),
    ("duplicate-question", "duplicate-question", false),
    ("identity-collision", "identity-collision", true),
    ("bad-notebook", "bad-notebook", true),
];

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

#[test]
fn check_snapshots_per_class() {
    for (case, _, _) in CHECK_CASES.iter().chain(&[("clean", "", false)]) {
        let content = format!("tests/fixtures/check/{case}");
        assert_cmd_snapshot!(
            format!("check_{case}"),
            cmd().args(["check", "--content", &content])
        );
    }
}

#[test]
fn check_reports_each_class_with_place_and_help_and_exit_code() {
    for (case, code, is_error) in CHECK_CASES {
        let (json, status) = check_json(&format!("tests/fixtures/check/{case}"));
        let findings = json["findings"].as_array().unwrap();
        let hit = findings
            .iter()
            .find(|f| f["code"] == *code)
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
                .starts_with(&format!("tests/fixtures/check/{case}/"))
        );
        let expected_severity = if *is_error { "error" } else { "warning" };
        assert_eq!(hit["severity"], expected_severity, "{case}: {hit}");
        assert_eq!(
            status,
            Some(if *is_error { 1 } else { 0 }),
            "{case}: exit code"
        );
    }
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
}
