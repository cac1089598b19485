//! Criterion benchmarks of each pipeline stage on our own content (content/topics): parse,
//! extract, render, and package. `cargo bench --bench pipeline`; bench/run measures whole
//! builds against the peers.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use primer_anki::error::{Result, SourceLocation};
use primer_anki::extract::{ExtractOptions, Profile};
use primer_anki::identity::{self, DeckDrafts, lock::Lock};
use primer_anki::package::model::{Deck, Package};
use primer_anki::package::{ArchiveOptions, notetypes, write_apkg};
use primer_anki::render::{MediaResolver, RenderOptions};
use primer_anki::{document, extract, render};

/// Names media without reading it: the stages are measured, not the disk.
struct NameOnly;

impl MediaResolver for NameOnly {
    fn resolve(&mut self, path: &Path, _origin: &SourceLocation) -> Result<String> {
        Ok(path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default())
    }
}

fn topics() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content/topics");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("content/topics")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn options() -> RenderOptions {
    RenderOptions {
        deck: 0,
        deck_name: "Bench".into(),
        content_root: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content"),
        base_url: "https://example.org/".into(),
        tag_prefix: "bench".into(),
        remote_images: Default::default(),
    }
}

fn stages(c: &mut Criterion) {
    let text = topics();
    let file = Path::new("topics/all.md");
    let doc = document::parse(&text, file).expect("parse");
    let extract_options = ExtractOptions::new(Profile::Topics);
    let (cards, _) = extract::extract(&doc, &extract_options);
    let (drafts, _) = render::render(&doc, &cards, &options(), &mut NameOnly).expect("render");

    c.bench_function("parse", |b| {
        b.iter(|| document::parse(black_box(&text), file))
    });
    c.bench_function("extract", |b| {
        b.iter(|| extract::extract(black_box(&doc), &extract_options))
    });
    c.bench_function("render", |b| {
        b.iter(|| render::render(black_box(&doc), &cards, &options(), &mut NameOnly))
    });
    c.bench_function("identity", |b| {
        b.iter(|| {
            let decks = [DeckDrafts {
                name: "Bench",
                id: 1_900_000_000_001,
                drafts: &drafts,
            }];
            identity::assign(&decks, &mut Lock::default(), 1_700_000_000)
        })
    });
    let decks = [DeckDrafts {
        name: "Bench",
        id: 1_900_000_000_001,
        drafts: &drafts,
    }];
    let (notes, _) = identity::assign(&decks, &mut Lock::default(), 1_700_000_000).expect("ids");
    let package = Package {
        decks: vec![Deck {
            id: 1_900_000_000_001,
            name: "Bench".into(),
            description: String::new(),
        }],
        notetypes: notetypes::all(1_700_000_000, ""),
        notes: notes.into_iter().flatten().collect(),
        media: Vec::new(),
        build_time: 1_700_000_000,
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("bench.apkg");
    c.bench_function("package", |b| {
        b.iter(|| write_apkg(black_box(&package), &out, ArchiveOptions::default()))
    });
}

criterion_group!(benches, stages);
criterion_main!(benches);
