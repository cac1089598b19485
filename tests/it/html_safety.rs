//! Nothing in a card may run script: raw HTML in content is sanitised with an allow-list in
//! every field. Checked on the built package itself, by reading the SQLite inside the `.apkg`.

use crate::support;

use std::io::Read;

use support::*;

/// Every field of every note in the package, lowercased.
fn fields_of(apkg: &std::path::Path) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(apkg).unwrap()).unwrap();
    let mut bytes = Vec::new();
    zip.by_name("collection.anki2")
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.anki2");
    std::fs::write(&path, bytes).unwrap();
    let db = rusqlite::Connection::open(&path).unwrap();
    let mut stmt = db.prepare("select flds from notes").unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.flat_map(|f| {
        f.unwrap()
            .split('\x1f')
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    })
    .collect()
}

#[test]
fn xss_fixture_package_holds_no_script_vectors() {
    let out = tempfile::tempdir().unwrap();
    let decks = deck_lines(&build(&repo().join("tests/fixtures/xss"), out.path(), &[]));
    let fields = fields_of(&decks[0].4);
    assert!(
        fields.len() >= 40,
        "the fixture yields cards to check ({} fields)",
        fields.len()
    );
    let all = fields.join("\n");
    // The cards still carry the harmless text around the vectors.
    assert!(all.contains("the text around them survives"), "{all}");
    for vector in [
        "<script",
        "</script",
        "javascript:",
        "vbscript:",
        "data:text/html",
        "<iframe",
        "<object",
        "<embed",
        "<link",
        "<style",
        "@import",
        "<meta",
        "<base",
        "<form",
        "formaction",
        " style=",
        "<svg",
        "<body",
    ] {
        assert!(
            !all.contains(vector),
            "{vector:?} survived in a field:\n{all}"
        );
    }
    // Event handlers: any on*= attribute inside a tag.
    let handler = regex::Regex::new(r"<[^>]*\son[a-z]+\s*=").unwrap();
    assert!(!handler.is_match(&all), "an event handler survived:\n{all}");
}
