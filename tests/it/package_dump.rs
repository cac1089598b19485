//! A readable, deterministic dump of a package we build from our fixture: zip entries (name,
//! compression, time), the collection's `col` row and JSON, and every note and card row. Any
//! change to what we write shows up as a reviewable snapshot diff.

use crate::support;

use std::io::Read;

use rusqlite::Connection;
use support::*;

fn dump(apkg: &std::path::Path) -> String {
    let mut out = String::new();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(apkg).unwrap()).unwrap();
    out.push_str("entries:\n");
    let scratch = tempfile::tempdir().unwrap();
    let collection = scratch.path().join("collection.anki2");
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let t = entry.last_modified().unwrap_or_default();
        out.push_str(&format!(
            "  - {} {:?} {}-{:02}-{:02}T{:02}:{:02}:{:02} mode={:o}\n",
            name,
            entry.compression(),
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            entry.unix_mode().unwrap_or(0)
        ));
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        match name.as_str() {
            "collection.anki2" => std::fs::write(&collection, &bytes).unwrap(),
            "media" => out.push_str(&format!("    {}\n", String::from_utf8(bytes).unwrap())),
            _ => {}
        }
    }
    let db = Connection::open(&collection).unwrap();
    let (crt, m, scm, ver, conf, decks, dconf, tags): (
        i64,
        i64,
        i64,
        i64,
        String,
        String,
        String,
        String,
    ) = db
        .query_row(
            "select crt, mod, scm, ver, conf, decks, dconf, tags from col",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            },
        )
        .unwrap();
    out.push_str(&format!("col: crt={crt} mod={m} scm={scm} ver={ver}\nconf: {conf}\ndecks: {decks}\ndconf: {dconf}\ntags: {tags}\n"));
    let models: String = db
        .query_row("select models from col", [], |r| r.get(0))
        .unwrap();
    let models: serde_json::Value = serde_json::from_str(&models).unwrap();
    for (id, model) in models.as_object().unwrap() {
        let fields: Vec<String> = model["flds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{}#{}", f["name"].as_str().unwrap(), f["id"]))
            .collect();
        let mut keys: Vec<&String> = model.as_object().unwrap().keys().collect();
        keys.sort();
        out.push_str(&format!(
            "model {id}: name={} type={} mod={} sortf={} fields={fields:?} keys={keys:?}\n",
            model["name"], model["type"], model["mod"], model["sortf"]
        ));
    }
    let mut notes = db
        .prepare("select id, guid, mid, mod, usn, tags, sfld, csum, flags, data, length(flds) from notes order by id")
        .unwrap();
    let rows = notes
        .query_map([], |r| {
            Ok(format!(
                "note id={} guid={} mid={} mod={} usn={} tags={:?} sfld={:?} csum={} flags={} data={:?} flds_len={}",
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, i64>(8)?,
                r.get::<_, String>(9)?,
                r.get::<_, i64>(10)?,
            ))
        })
        .unwrap();
    for row in rows {
        out.push_str(&row.unwrap());
        out.push('\n');
    }
    let mut cards = db.prepare("select * from cards order by due").unwrap();
    let rows = cards
        .query_map([], |r| {
            let cols: Vec<String> = (0..18)
                .map(|i| match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                    rusqlite::types::ValueRef::Text(t) => {
                        format!("{:?}", String::from_utf8_lossy(t))
                    }
                    other => format!("{other:?}"),
                })
                .collect();
            Ok(format!("card {}", cols.join(" ")))
        })
        .unwrap();
    for row in rows {
        out.push_str(&row.unwrap());
        out.push('\n');
    }
    let empty: i64 = db
        .query_row("select count(*) from revlog", [], |r| r.get(0))
        .unwrap();
    let graves: i64 = db
        .query_row("select count(*) from graves", [], |r| r.get(0))
        .unwrap();
    out.push_str(&format!("revlog rows: {empty}, graves rows: {graves}\n"));
    out
}

#[test]
fn fixture_package_dump() {
    let out = tempfile::tempdir().unwrap();
    let decks = deck_lines(&build(
        &repo().join("tests/fixtures/content-small"),
        out.path(),
        &[],
    ));
    insta::assert_snapshot!(dump(&decks[0].4));
}
