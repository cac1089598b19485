//! `build --format csv|json`: the CSV imports into the real Anki as text, into our note types
//! and decks, and importing it again updates notes instead of duplicating them.

use crate::support;

use std::path::Path;

use insta_cmd::assert_cmd_snapshot;
use serde_json::Value;
use support::{anki_check, build, deck_lines, primer_anki, repo};

fn temp_filters(dir: &Path) -> Vec<(String, String)> {
    vec![(
        regex::escape(&dir.display().to_string()),
        "[OUT]".to_string(),
    )]
}

#[test]
fn csv_imports_into_anki_by_note_type_and_deck_and_reimport_updates() {
    let out = tempfile::tempdir().unwrap();
    let content = repo().join("content");
    let apkg = build(&content, out.path(), &[]);
    let csv = build(&content, out.path(), &["--format", "csv"]);
    let apkg_decks = deck_lines(&apkg);
    let csv_decks = deck_lines(&csv);
    assert_eq!(apkg_decks.len(), csv_decks.len());
    let guid_cell =
        regex::Regex::new(r#"(?m)^"primer-anki [A-Za-z]+"\t"[^"]*"\t"(pa[0-9A-Za-z]+)""#).unwrap();
    let basic_answer = regex::Regex::new(
        r#"(?m)^"primer-anki Basic"\t"[^"]*"\t"[^"]*"\t"[^"]*"\t"(?:[^"]|"")*"\t"<p>"#,
    )
    .unwrap();
    for ((name, notes, _, media, apkg_path), (_, csv_notes, _, _, csv_path)) in
        apkg_decks.iter().zip(&csv_decks)
    {
        assert_eq!(notes, csv_notes);
        assert_eq!(csv_path.extension().unwrap(), "csv");
        let text = std::fs::read_to_string(csv_path).unwrap();
        let rows: Vec<&str> = text.lines().filter(|l| l.starts_with('"')).collect();
        // Multi-line fields are quoted, so count rows by their GUID cell instead of by lines.
        let guids = guid_cell.captures_iter(&text).count();
        assert_eq!(guids, *notes, "{name}: rows in the CSV");
        assert!(!rows.is_empty());
        if *media > 0 {
            let stem = csv_path.file_stem().unwrap().to_str().unwrap();
            let media_dir = out.path().join(format!("{stem}.media"));
            assert_eq!(
                std::fs::read_dir(&media_dir).unwrap().count(),
                *media,
                "{name}"
            );
        }
        // A second version of the file with one answer edited.
        let first_answer = basic_answer
            .find(&text)
            .expect("a basic note with a paragraph answer");
        let edited = format!(
            "{}<p>EDITED {}",
            &text[..first_answer.end() - 3],
            &text[first_answer.end()..]
        );
        let v2 = out.path().join("v2.csv");
        std::fs::write(&v2, edited).unwrap();

        let result = anki_check(&[
            "csv-import",
            csv_path.to_str().unwrap(),
            "--twice",
            "--notetypes-from",
            apkg_path.to_str().unwrap(),
            "--then",
            v2.to_str().unwrap(),
        ]);
        assert!(result.get("error").is_none(), "{name}: {}", result["error"]);
        let md = &result["metadata"];
        assert_eq!(md["notetype_column"], 1, "{md}");
        assert_eq!(md["deck_column"], 2, "{md}");
        assert_eq!(md["guid_column"], 3, "{md}");
        assert_eq!(md["tags_column"], 4, "{md}");
        assert_eq!(md["is_html"], true);
        let imports = result["imports"].as_array().unwrap();
        assert_eq!(imports.len(), 3, "{result:#}");
        assert_eq!(
            imports[0]["new"].as_u64(),
            Some(*notes as u64),
            "{name}: first import {}",
            imports[0]
        );
        for key in [
            "missing_notetype",
            "missing_deck",
            "conflicting",
            "empty_first_field",
        ] {
            assert_eq!(
                imports[0][key].as_u64().unwrap_or(0),
                0,
                "{name}: {key} {}",
                imports[0]
            );
        }
        // Same file again: every row matches its note by GUID; nothing new.
        assert_eq!(
            imports[1]["new"].as_u64(),
            Some(0),
            "{name}: {}",
            imports[1]
        );
        let matched = imports[1]["duplicate"].as_u64().unwrap_or(0)
            + imports[1]["updated"].as_u64().unwrap_or(0);
        assert_eq!(matched, *notes as u64, "{name}: {}", imports[1]);
        // The edited file updates exactly that note, in place.
        assert_eq!(
            imports[2]["new"].as_u64(),
            Some(0),
            "{name}: {}",
            imports[2]
        );
        assert_eq!(
            imports[2]["updated"].as_u64(),
            Some(1),
            "{name}: {}",
            imports[2]
        );
        assert_eq!(result["notes_total"].as_u64(), Some(*notes as u64));
        assert_eq!(result["duplicate_guids"].as_array().unwrap().len(), 0);
        assert_eq!(
            result["notes_per_deck"][name].as_u64(),
            Some(*notes as u64),
            "{result:#}"
        );
        let per_notetype = result["notes_per_notetype"].as_object().unwrap();
        for (notetype, count) in per_notetype {
            assert!(
                notetype.starts_with("primer-anki "),
                "{name}: notes went to {notetype}"
            );
            let in_csv = text.matches(&format!("\n\"{notetype}\"\t")).count();
            assert_eq!(count.as_u64(), Some(in_csv as u64), "{name}: {notetype}");
        }
        let notes = result["notes"].as_array().unwrap();
        assert!(notes.iter().any(|n| {
            n["fields"]
                .as_object()
                .unwrap()
                .values()
                .any(|v| v.as_str().unwrap_or("").contains("EDITED"))
        }));
    }
}

#[test]
fn csv_and_json_snapshots_on_a_fixture() {
    let out = tempfile::tempdir().unwrap();
    let content = repo().join("tests/fixtures/content-small");
    for format in ["csv", "json"] {
        let mut cmd = primer_anki();
        cmd.current_dir(repo())
            .args([
                "build",
                "--content",
                "tests/fixtures/content-small",
                "--format",
                format,
                "--out",
            ])
            .arg(out.path());
        let filters = temp_filters(out.path());
        let filters: Vec<(&str, &str)> = filters
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        insta::with_settings!({filters => filters}, {
            assert_cmd_snapshot!(format!("build_format_{format}"), cmd);
        });
    }
    let csv = std::fs::read_to_string(out.path().join("fixture-systems.csv")).unwrap();
    insta::assert_snapshot!("fixture_csv", csv);
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("fixture-systems.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["decks"][0]["name"], "Fixture::Systems");
    let notes = json["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 13);
    for note in notes {
        assert!(note["guid"].as_str().unwrap().starts_with("pa"));
        assert!(note["fields"].as_object().unwrap().len() == 6);
        assert!(!note["cards"].as_array().unwrap().is_empty());
    }
    assert_eq!(json["notetypes"].as_array().unwrap().len(), 2);
    assert!(out.path().join("fixture-systems.media").is_dir());
    let _ = content;
}
