//! Snapshots of the cards built from our own fixtures (tests/fixtures/extract): one fixture per
//! rule plus edge cases. Markdown under `solutions/` uses the exercise profile, notebooks the
//! object-design profile, everything else the topics profile.

use std::path::{Path, PathBuf};

use primer_anki::document::parse;
use primer_anki::extract::{ExtractOptions, Lang, Profile, extract};
use primer_anki::input::notebook::notebook_to_markdown;
use primer_anki::package::model::NotetypeKind;
use primer_anki::render::{MediaResolver, RenderOptions, render};
use primer_anki::{Result, SourceLocation};
use serde::Serialize;

struct Names;

impl MediaResolver for Names {
    fn resolve(&mut self, path: &Path, _origin: &SourceLocation) -> Result<String> {
        assert!(path.is_file(), "{}", path.display());
        Ok(format!(
            "media-{}",
            path.file_name().unwrap().to_string_lossy()
        ))
    }
}

#[derive(Serialize)]
struct Snap {
    key: String,
    pin: Option<String>,
    cloze: bool,
    card_count: u32,
    line: usize,
    tags: Vec<String>,
    front: String,
    back: String,
    context: String,
    source: String,
    further_reading: String,
}

#[derive(Serialize)]
struct Output {
    warnings: Vec<String>,
    notes: Vec<Snap>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extract")
}

fn run(path: &Path) -> Output {
    let root = root();
    let rel = path.strip_prefix(&root).unwrap().to_path_buf();
    let text = std::fs::read_to_string(path).unwrap();
    let (text, profile) = if rel.extension().is_some_and(|e| e == "ipynb") {
        (
            notebook_to_markdown(&text, &rel).unwrap(),
            Profile::ObjectDesign,
        )
    } else if rel.starts_with("solutions") {
        (text, Profile::Exercise)
    } else {
        (text, Profile::Topics)
    };
    let doc = parse(&text, &rel).unwrap();
    // Fixtures under `lang/` are named by their language's code (`lang/ja.md`).
    let lang = rel
        .strip_prefix("lang")
        .ok()
        .and_then(|name| Lang::from_code(name.file_stem()?.to_str()?))
        .unwrap_or_default();
    let (cards, mut warnings) = extract(&doc, &ExtractOptions { profile, lang });
    let options = RenderOptions {
        deck: 0,
        deck_name: "Fixtures".into(),
        content_root: root.clone(),
        base_url: "https://example.org/notes/".into(),
        tag_prefix: "fx".into(),
        remote_images: Default::default(),
    };
    let (drafts, w) = render(&doc, &cards, &options, &mut Names).unwrap();
    warnings.extend(w);
    Output {
        warnings: warnings.iter().map(|w| w.to_string()).collect(),
        notes: drafts
            .into_iter()
            .map(|d| Snap {
                key: d.key,
                pin: d.pin,
                cloze: d.kind == NotetypeKind::Cloze,
                card_count: d.card_count,
                line: d.origin.line,
                tags: d.tags,
                front: d.fields.front,
                back: d.fields.back,
                context: d.fields.context,
                source: d.fields.source,
                further_reading: d.fields.further_reading,
            })
            .collect(),
    }
}

#[test]
fn fixtures() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../fixtures/extract/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("../fixtures/extract", "**/*.{md,ipynb}", |path| {
            insta::assert_yaml_snapshot!(run(path));
        });
    });
}

#[test]
fn no_fixture_yields_empty_or_duplicate_questions() {
    let mut stack = vec![root()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "md" || e == "ipynb") {
                let out = run(&p);
                let mut seen = std::collections::HashSet::new();
                for n in &out.notes {
                    assert!(!n.front.trim().is_empty(), "{}: empty front", p.display());
                    assert!(
                        n.cloze || !n.back.trim().is_empty(),
                        "{}: empty back",
                        p.display()
                    );
                    assert!(
                        seen.insert(n.front.clone()),
                        "{}: duplicate {}",
                        p.display(),
                        n.front
                    );
                    for f in [&n.front, &n.back] {
                        assert!(
                            !f.contains("<script")
                                && !f.contains("onclick")
                                && !f.contains("javascript:")
                                && !f.contains("style="),
                            "{f}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn any_input_is_safe() {
    // Deep nesting and odd markup never panic or overflow.
    let inputs = [
        ">".repeat(10_000) + " x",
        (0..10_000)
            .map(|i| format!("{}* x\n", "  ".repeat(i)))
            .collect::<String>(),
        "**".repeat(5_000),
        "| a |\n|---|\n| **b** - c |\n".into(),
        "Q:\n\nA:\n".into(),
        "# \n\n## \n\n* \n".into(),
        "```\nA  B\n---\n1  2\n```\n".into(),
    ];
    for input in inputs {
        let doc = parse(&input, Path::new("x.md")).unwrap();
        for profile in [Profile::Topics, Profile::Exercise, Profile::ObjectDesign] {
            let (cards, _) = extract(&doc, &ExtractOptions::new(profile));
            let options = RenderOptions {
                deck: 0,
                deck_name: "X".into(),
                content_root: root(),
                base_url: "https://example.org/".into(),
                tag_prefix: String::new(),
                remote_images: Default::default(),
            };
            render(&doc, &cards, &options, &mut Names).unwrap();
        }
    }
}
