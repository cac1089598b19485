//! A manifest or a command line cannot make a build write outside `--out` or over its own
//! files (issue 21, probes E and F): `--lock` naming a deck or a source is refused, and a
//! manifest `file` with a directory part is refused, with nothing written.

use std::time::Duration;

use crate::support::{bounded, file_names};

const GOOD: &str = "# Good\n\n## Idempotency\n\nAn idempotent request can be repeated without changing the result beyond the first call.\n";
const LIMIT: Duration = Duration::from_secs(60);

fn content(file: Option<&str>) -> tempfile::TempDir {
    let content = tempfile::tempdir().unwrap();
    let file = file.map_or(String::new(), |f| format!("file = \"{f}\"\n"));
    std::fs::write(
        content.path().join("primer-anki.toml"),
        format!("base_url = \"https://example.org/\"\n[[deck]]\nname = \"Deck\"\nid = 1900000000022\nsources = [\"notes\"]\ntag_prefix = \"d\"\n{file}"),
    )
    .unwrap();
    std::fs::create_dir(content.path().join("notes")).unwrap();
    std::fs::write(content.path().join("notes/good.md"), GOOD).unwrap();
    std::fs::write(content.path().join("notes/empty.md"), "").unwrap();
    content
}

fn build(
    content: &std::path::Path,
    out: &std::path::Path,
    extra: &[&str],
) -> (Option<i32>, String) {
    let mut args = vec![
        "build",
        "--content",
        content.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    bounded(&args, LIMIT)
}

#[test]
fn the_lock_cannot_be_a_deck_or_a_source() {
    let content = content(None);
    let out = tempfile::tempdir().unwrap();
    let deck = out.path().join("deck.apkg");
    let (code, text) = build(
        content.path(),
        out.path(),
        &["--lock", deck.to_str().unwrap()],
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("--lock names the output deck.apkg"), "{text}");
    assert!(!deck.exists(), "nothing written");

    let source = content.path().join("notes/empty.md");
    let (code, text) = build(
        content.path(),
        out.path(),
        &["--lock", source.to_str().unwrap()],
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("--lock names the source notes/empty.md"),
        "{text}"
    );
    assert_eq!(
        std::fs::read(&source).unwrap(),
        b"",
        "the source is untouched"
    );
}

#[test]
fn a_manifest_file_cannot_leave_the_output_directory() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    let victim = parent.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(victim.join("package.json"), "keep").unwrap();
    for file in [
        "../victim/package",
        "/tmp/elsewhere/package",
        ".hidden",
        "a\\b",
    ] {
        let content = content(Some(file));
        for format in ["apkg", "json", "csv"] {
            let (code, text) = build(content.path(), &out, &["--format", format]);
            assert_eq!(code, Some(1), "{file}: {text}");
            assert!(text.contains("is not a plain file name"), "{file}: {text}");
            assert!(text.contains("primer-anki.toml"), "{file}: {text}");
        }
    }
    assert_eq!(
        std::fs::read_to_string(victim.join("package.json")).unwrap(),
        "keep"
    );
    assert_eq!(file_names(&victim), vec!["package.json".to_string()]);
    assert!(!std::path::Path::new("/tmp/elsewhere/package.apkg").exists());
}

#[test]
fn a_manifest_description_is_sanitised_like_a_field() {
    let content = content(None);
    let manifest = content.path().join("primer-anki.toml");
    let text = std::fs::read_to_string(&manifest).unwrap().replace(
        "tag_prefix",
        "description = \"<b>Kept</b><script>alert(1)</script><img src=x onerror=alert(2)>\"\ntag_prefix",
    );
    std::fs::write(&manifest, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, text) = build(content.path(), out.path(), &[]);
    assert_eq!(code, Some(0), "{text}");
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(out.path().join("deck.apkg")).unwrap()).unwrap();
    let collection = out.path().join("c.anki2");
    std::io::copy(
        &mut zip.by_name("collection.anki2").unwrap(),
        &mut std::fs::File::create(&collection).unwrap(),
    )
    .unwrap();
    let decks: String = rusqlite::Connection::open(&collection)
        .unwrap()
        .query_row("select decks from col", [], |r| r.get(0))
        .unwrap();
    assert!(decks.contains("<b>Kept</b>"), "{decks}");
    assert!(
        !decks.contains("<script") && !decks.contains("onerror"),
        "{decks}"
    );
}

/// The pull-request job runs a stranger's content: read-only token, no secrets, no token kept
/// in the checkout; the fuzz job runs every reader for a bounded time.
#[test]
fn the_pull_request_job_reads_only_and_uses_no_secrets() {
    let text = std::fs::read_to_string(crate::support::repo().join(".github/workflows/decks.yml"))
        .unwrap();
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    assert_eq!(yaml["permissions"]["contents"].as_str(), Some("read"));
    for job in ["decks", "fuzz"] {
        let spec = &yaml["jobs"][job];
        assert_eq!(
            spec["permissions"]["contents"].as_str(),
            Some("read"),
            "{job}"
        );
        assert_eq!(spec["permissions"].as_mapping().unwrap().len(), 1, "{job}");
        let body = serde_yaml::to_string(spec).unwrap();
        assert!(
            !body.contains("secrets.") && !body.contains("token"),
            "{job}: {body}"
        );
        assert!(body.contains("persist-credentials: false"), "{job}");
    }
    let fuzz = serde_yaml::to_string(&yaml["jobs"]["fuzz"]).unwrap();
    for target in ["markdown_to_cards", "notebook", "apkg_reader", "by_section"] {
        assert!(fuzz.contains(target), "fuzz runs {target}");
    }
    assert!(fuzz.contains("-max_total_time=60"));
}
