//! document → extract → render on the System Design Primer (licensed input, read in place).
//! Asserts structure only: counts, sizes, no empties, no duplicate questions, coverage, images.
//! Set `PRIMER_DIR` to the primer checkout (default `../shared/primer`). Set
//! `PRIMER_PRINT_CARDS=N` to print N sample cards (for reading them; never commit the output).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use primer_anki::extract::Profile;
use primer_anki::package::model::NotetypeKind;
use primer_anki::render::{MediaResolver, NoteDraft};

use crate::support::{self, primer_dir};
use primer_anki::{Result, SourceLocation};

#[derive(Default)]
struct Recorder {
    paths: BTreeMap<String, PathBuf>,
}

impl MediaResolver for Recorder {
    fn resolve(&mut self, path: &Path, _origin: &SourceLocation) -> Result<String> {
        assert!(
            path.is_file(),
            "media path does not exist: {}",
            path.display()
        );
        let name = format!("media-{}", path.file_name().unwrap().to_string_lossy());
        self.paths.insert(name.clone(), path.to_path_buf());
        Ok(name)
    }
}

struct Deck {
    drafts: Vec<NoteDraft>,
    media: Recorder,
}

fn build(root: &Path, files: &[PathBuf], profile: Profile, deck_name: &str) -> Deck {
    let mut media = Recorder::default();
    let drafts = support::render_files(root, files, profile, deck_name, &mut media);
    Deck { drafts, media }
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
}

/// The answer of a note as text: the back for standard notes; for cloze notes the longest
/// deletion (what the learner must recall).
fn answer_text(d: &NoteDraft) -> String {
    match d.kind {
        NotetypeKind::Standard => strip_tags(&d.fields.back).trim().to_string(),
        NotetypeKind::Cloze => {
            let text = strip_tags(&d.fields.front);
            let mut longest = String::new();
            let mut rest = text.as_str();
            while let Some(start) = rest.find("{{c") {
                let after = &rest[start..];
                let body_start = after.find("::").map(|i| i + 2).unwrap_or(0);
                let end = after.find("}}").unwrap_or(after.len());
                let body = after[body_start..end.max(body_start)].to_string();
                if body.len() > longest.len() {
                    longest = body;
                }
                rest = &after[end.min(after.len())..];
                if end == after.len() {
                    break;
                }
                rest = &rest[2..];
            }
            longest.trim().to_string()
        }
    }
}

fn check_deck(name: &str, deck: &Deck, min_notes: usize) {
    let n = deck.drafts.len();
    let mut lens: Vec<usize> = deck
        .drafts
        .iter()
        .map(|d| answer_text(d).chars().count())
        .collect();
    lens.sort();
    let median = if lens.is_empty() {
        0
    } else {
        lens[lens.len() / 2]
    };
    let max = lens.last().copied().unwrap_or(0);
    let clozes = deck
        .drafts
        .iter()
        .filter(|d| d.kind == NotetypeKind::Cloze)
        .count();
    eprintln!(
        "{name}: {n} notes ({clozes} cloze), answer length median {median}, max {max}, {} media files",
        deck.media.paths.len()
    );
    if let Some(count) = std::env::var("PRIMER_PRINT_CARDS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let step = (n / count.max(1)).max(1);
        for d in deck.drafts.iter().skip(step / 2).step_by(step).take(count) {
            eprintln!(
                "--- [{}] {}\nQ: {}\nA: {}\n",
                d.fields.context,
                d.key,
                strip_tags(&d.fields.front),
                answer_text(d)
            );
        }
    }
    assert!(
        n >= min_notes,
        "{name}: {n} notes, want at least {min_notes}"
    );
    assert!(median <= 300, "{name}: median answer {median} > 300");
    assert!(max <= 1500, "{name}: longest answer {max} > 1500");
    let mut questions = HashSet::new();
    let mut keys = HashSet::new();
    for d in &deck.drafts {
        let q = strip_tags(&d.fields.front).trim().to_string();
        assert!(!q.is_empty(), "{name}: empty question at {}", d.origin);
        assert!(
            !answer_text(d).is_empty(),
            "{name}: empty answer at {}",
            d.origin
        );
        assert!(
            questions.insert(q.clone()),
            "{name}: duplicate question at {}: {q:?}",
            d.origin
        );
        assert!(
            keys.insert(d.key.clone()),
            "{name}: duplicate key {}",
            d.key
        );
        assert!(
            !d.fields.source.is_empty() && !d.fields.context.is_empty(),
            "{name}: metadata at {}",
            d.origin
        );
        assert!(!d.tags.is_empty());
        if d.kind == NotetypeKind::Cloze {
            assert!(d.fields.front.contains(&format!("{{{{c{}::", d.card_count)));
        }
        for field in [&d.fields.front, &d.fields.back] {
            assert!(
                !field.contains("style="),
                "{name}: inline style at {}",
                d.origin
            );
            assert!(!field.contains("<script"), "{name}: script at {}", d.origin);
            // Every image is packed media or remote.
            for src in field
                .split("src=\"")
                .skip(1)
                .map(|s| s.split('"').next().unwrap())
            {
                assert!(
                    deck.media.paths.contains_key(src)
                        || src.starts_with("https://")
                        || src.starts_with("http://"),
                    "{name}: image {src} neither packed nor remote at {}",
                    d.origin
                );
            }
        }
    }
}

#[test]
fn primer_decks_meet_the_figures() {
    let root = primer_dir();

    // Exercises.
    let exercises = crate::support::primer_exercises(&root);
    assert_eq!(exercises.len(), 8);
    let ex = build(
        &root,
        &exercises,
        Profile::Exercise,
        "System Design Exercises",
    );
    check_deck("System Design Exercises", &ex, 80);

    // Object-oriented design notebooks.
    let mut notebooks = Vec::new();
    for e in std::fs::read_dir(root.join("solutions/object_oriented_design"))
        .unwrap()
        .flatten()
    {
        for f in std::fs::read_dir(e.path()).unwrap().flatten() {
            if f.path().extension().is_some_and(|x| x == "ipynb") {
                notebooks.push(
                    PathBuf::from("solutions/object_oriented_design")
                        .join(e.file_name())
                        .join(f.file_name()),
                );
            }
        }
    }
    notebooks.sort();
    assert_eq!(notebooks.len(), 6);
    let oo = build(&root, &notebooks, Profile::ObjectDesign, "OO Design");
    check_deck("OO Design", &oo, 18);

    // Topics.
    let topics = build(
        &root,
        &[PathBuf::from("README.md")],
        Profile::Topics,
        "System Design",
    );
    check_deck("System Design", &topics, 300);
    let text = std::fs::read_to_string(root.join("README.md")).unwrap();
    let doc = primer_anki::document::parse(&text, Path::new("README.md")).unwrap();
    // Coverage: every top-level topic from "Performance vs scalability" through "Security".
    let tops: Vec<usize> = (0..doc.sections.len())
        .filter(|&i| doc.sections[i].level == 2)
        .collect();
    let title = |i: usize| doc.sections[i].title_text.clone();
    let first = tops
        .iter()
        .position(|&i| title(i) == "Performance vs scalability")
        .expect("topic start");
    let last = tops
        .iter()
        .position(|&i| title(i) == "Security")
        .expect("topic end");
    let covered = |prefix: &str| {
        topics.drafts.iter().any(|d| {
            d.fields.context == prefix || d.fields.context.starts_with(&format!("{prefix} ›"))
        })
    };
    let mut subsections = (0, 0);
    for &i in &tops[first..=last] {
        assert!(
            covered(&title(i)),
            "topic section {:?} yields no card",
            title(i)
        );
        for j in doc.subtree(i) {
            let crumb = doc.heading_path(j)[1..].join(" › ");
            if doc.sections[j].title_text.starts_with("Source(s)") {
                assert!(!covered(&crumb), "further reading {crumb:?} yields cards");
                continue;
            }
            subsections.0 += 1;
            if covered(&crumb) {
                subsections.1 += 1;
            }
        }
    }
    eprintln!(
        "System Design: {}/{} topic sections and subsections yield cards",
        subsections.1, subsections.0
    );
    for appendix in [
        "Appendix › Powers of two table",
        "Appendix › Latency numbers every programmer should know",
    ] {
        assert!(covered(appendix), "{appendix} yields no card");
    }
    for nav in [
        "Index of system design topics",
        "Contributing",
        "Motivation",
        "Study guide",
    ] {
        let tabled = topics
            .drafts
            .iter()
            .filter(|d| d.fields.context.starts_with(nav))
            .filter(|d| d.key.contains("/table"))
            .count();
        assert_eq!(tabled, 0, "navigation section {nav} yields table cards");
        if nav != "Study guide" {
            assert!(!covered(nav), "navigation section {nav} yields cards");
        }
    }
    // Images: every local image of a section that yields cards is packed.
    let mut wanted = HashSet::new();
    for (i, s) in doc.sections.iter().enumerate() {
        if s.level == 0 {
            continue;
        }
        let crumb = doc.heading_path(i)[1..].join(" › ");
        let yields = topics.drafts.iter().any(|d| d.fields.context == crumb);
        if !yields
            && !doc.subtree(i).iter().any(|&j| {
                topics
                    .drafts
                    .iter()
                    .any(|d| d.fields.context == doc.heading_path(j)[1..].join(" › "))
            })
        {
            continue;
        }
        for b in &s.blocks {
            if let primer_anki::document::BlockKind::Figure(f) = &b.kind {
                for img in &f.images {
                    if !img.src.starts_with("http") {
                        wanted.insert(format!(
                            "media-{}",
                            Path::new(&img.src).file_name().unwrap().to_string_lossy()
                        ));
                    }
                }
            }
        }
    }
    let packed: HashSet<String> = topics.media.paths.keys().cloned().collect();
    let used: HashSet<String> = topics
        .drafts
        .iter()
        .flat_map(|d| {
            let f = format!("{}{}", d.fields.front, d.fields.back);
            f.split("src=\"")
                .skip(1)
                .map(|s| s.split('"').next().unwrap().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|s| s.starts_with("media-"))
        .collect();
    let missing: Vec<_> = wanted.difference(&used).collect();
    eprintln!(
        "System Design: {} local images referenced by card-yielding sections, {} on cards",
        wanted.len(),
        used.len()
    );
    assert!(missing.is_empty(), "images not on any card: {missing:?}");
    assert!(
        wanted.len() >= 25,
        "expected the primer's 25 topic images, found {}",
        wanted.len()
    );
    assert_eq!(packed, used);
}
