//! The packager alone: writes N synthetic notes (about 150 + 400 bytes of text each, built in
//! memory, no markdown) into an .apkg, and prints the time it took. The bench script runs it
//! beside the full build so the split between parsing and packaging is visible.
//!
//! usage: cargo run --release --example package_floor -- N OUT.apkg [LEVEL]

use std::time::Instant;

use primer_anki::package::model::{Card, Deck, Note, Package};
use primer_anki::package::{ArchiveOptions, notetypes, write_apkg};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let out = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "/tmp/package_floor.apkg".into());
    let level: u8 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(6);
    let start = Instant::now();
    let now = 1_700_000_000;
    let deck = Deck {
        id: 1_900_000_000_123,
        name: "Floor".into(),
        description: String::new(),
    };
    let filler = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod ";
    let notes: Vec<Note> = (0..n)
        .map(|i| {
            let id = now * 1000 - (n as i64 - i as i64) * 1000;
            let question = format!("Section {i}: {}", &filler.repeat(3)[..136]);
            let answer = format!("<p>{}</p> {i}", &filler.repeat(6)[..390]);
            Note {
                id,
                guid: format!("floor{i:08}"),
                notetype_id: primer_anki::key::basic_id(),
                mtime: now,
                tags: vec![format!("floor::s{}", i % 100)],
                fields: vec![
                    question,
                    answer,
                    "Floor".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
                cards: vec![Card {
                    id,
                    ord: 0,
                    deck_id: deck.id,
                }],
            }
        })
        .collect();
    let package = Package {
        decks: vec![deck],
        notetypes: notetypes::all(now, ""),
        notes,
        media: Vec::new(),
        build_time: now,
    };
    let built = start.elapsed();
    write_apkg(
        &package,
        std::path::Path::new(&out),
        ArchiveOptions {
            compression_level: level,
        },
    )
    .expect("write the package");
    println!(
        "package_floor: {n} notes, level {level}: notes built in {:.3} s, written in {:.3} s",
        built.as_secs_f64(),
        (start.elapsed() - built).as_secs_f64()
    );
}
