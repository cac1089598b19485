//! The packager alone on the notes of a real build: reads `primer-anki build --format json`
//! output, builds the package model in memory (not timed), then times writing the .apkg. The
//! bench script runs it beside the full build so the split between parsing and packaging shows.
//!
//! usage: cargo run --release --example package_only -- EXPORT.json OUT.apkg [LEVEL]

use std::time::Instant;

use primer_anki::package::model::{Card, Deck, Note, Package};
use primer_anki::package::{ArchiveOptions, notetypes, write_apkg};
use serde_json::Value;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: package_only EXPORT.json OUT.apkg [LEVEL]");
        std::process::exit(2);
    };
    let level: u8 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(6);
    let export: Value =
        serde_json::from_slice(&std::fs::read(input).expect("read export")).expect("parse export");
    let deck = &export["decks"][0];
    let deck = Deck {
        id: deck["id"].as_i64().unwrap_or(2),
        name: deck["name"].as_str().unwrap_or("Deck").into(),
        description: String::new(),
    };
    let mut latest = 0;
    let notes: Vec<Note> = export["notes"]
        .as_array()
        .map(|notes| {
            notes
                .iter()
                .map(|n| {
                    let cloze = n["notetype"].as_str().unwrap_or("").contains("Cloze");
                    let names = if cloze {
                        notetypes::CLOZE_FIELDS
                    } else {
                        notetypes::BASIC_FIELDS
                    };
                    let mtime = n["mtime"].as_i64().unwrap_or(0);
                    latest = latest.max(mtime);
                    Note {
                        id: n["id"].as_i64().unwrap_or(0),
                        guid: n["guid"].as_str().unwrap_or("").into(),
                        notetype_id: if cloze {
                            primer_anki::key::cloze_id()
                        } else {
                            primer_anki::key::basic_id()
                        },
                        mtime,
                        tags: n["tags"]
                            .as_array()
                            .map(|t| {
                                t.iter()
                                    .filter_map(|x| x.as_str().map(String::from))
                                    .collect()
                            })
                            .unwrap_or_default(),
                        fields: names
                            .iter()
                            .map(|f| n["fields"][*f].as_str().unwrap_or("").to_string())
                            .collect(),
                        cards: n["cards"]
                            .as_array()
                            .map(|cards| {
                                cards
                                    .iter()
                                    .map(|c| Card {
                                        id: c["id"].as_i64().unwrap_or(0),
                                        ord: c["ord"].as_u64().unwrap_or(0) as u32,
                                        deck_id: deck.id,
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let count = notes.len();
    let package = Package {
        decks: vec![deck],
        notetypes: notetypes::all(latest, ""),
        notes,
        media: Vec::new(),
        build_time: latest,
    };
    let start = Instant::now();
    write_apkg(
        &package,
        std::path::Path::new(out),
        ArchiveOptions {
            compression_level: level,
        },
    )
    .expect("write the package");
    println!(
        "package_only: {count} notes, level {level}: written in {:.3} s",
        start.elapsed().as_secs_f64()
    );
}
