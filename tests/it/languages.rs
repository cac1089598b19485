//! Translations of the primer (`README-ja.md`, `README-zh-Hans.md` in `PRIMER_DIR`) next to the
//! English deck: each is its own deck, keeps what the English deck keeps (figures, further
//! reading), cards no navigation, asks in its own language, and cards every Q/A pair.

use crate::support::{self, anki_check, build, deck_lines, primer_dir};

use std::path::Path;

use regex::Regex;
use serde_json::Value;

/// The notes of one deck written as JSON by `build --format json`.
fn notes(out: &Path, stem: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(out.join(format!("{stem}.json"))).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["notes"].as_array().unwrap().clone()
}

fn field<'a>(note: &'a Value, name: &str) -> &'a str {
    note["fields"][name].as_str().unwrap_or("")
}

/// The question's own words: the front (or cloze text) without the subject and markup.
fn asked(note: &Value) -> String {
    let front = if note["fields"]["Front"].is_string() {
        field(note, "Front")
    } else {
        field(note, "Text")
    };
    let subject = Regex::new(r#"(?s)<span class="subject">.*?</span>"#).unwrap();
    let cloze = Regex::new(r"(?s)\{\{c\d+::.*?\}\}").unwrap();
    let tags = Regex::new(r"(?s)<[^>]*>").unwrap();
    let text = subject.replace_all(front, "");
    let text = cloze.replace_all(&text, "");
    tags.replace_all(&text, "").into_owned()
}

fn images(notes: &[Value]) -> std::collections::BTreeSet<String> {
    let img = Regex::new(r#"<img src="([^"]+)""#).unwrap();
    notes
        .iter()
        .flat_map(|n| n["fields"].as_object().unwrap().values())
        .flat_map(|v| {
            img.captures_iter(v.as_str().unwrap_or(""))
                .map(|c| c[1].to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Words our English question templates use; no CJK question may carry one.
const ENGLISH_TEMPLATE: &str = r"(?i)\b(what|which|name the|is it|are they|involve|formula|key (idea|point)|items?|part \d+ of|meant by|term means)\b";

/// Top-level titles of the navigation sections (study guide, index, credits, contact, license
/// and the project's own front matter), per translation.
const NAVIGATION: &[(&str, &[&str])] = &[
    (
        "system-design-ja",
        &[
            "動機・目的",
            "暗記カード",
            "コントリビュート",
            "システム設計目次",
            "システム設計課題例とその解答",
            "オブジェクト指向設計問題と解答",
            "システム設計トピックス: まずはここから",
            "進行中の作業",
            "クレジット",
            "Contact info",
            "License",
        ],
    ),
    (
        "system-design-zh-hans",
        &[
            "目的",
            "抽认卡",
            "贡献",
            "系统设计主题的索引",
            "系统设计的面试题和解答",
            "面向对象设计的面试问题及解答",
            "系统设计主题：从这里开始",
            "正在完善中",
            "致谢",
            "联系方式",
            "许可",
        ],
    ),
];

#[test]
fn translations_keep_what_the_english_deck_keeps() {
    let root = primer_dir();
    let out = tempfile::tempdir().unwrap();
    support::assert_success(&build(&root, out.path(), &["--format", "json"]));
    let english = notes(out.path(), "system-design");
    let english_images = images(&english).len();
    let english_reading = english
        .iter()
        .filter(|n| !field(n, "Further Reading").is_empty())
        .count();
    let template = Regex::new(ENGLISH_TEMPLATE).unwrap();
    for (stem, navigation) in NAVIGATION {
        let deck = notes(out.path(), stem);
        let packed = images(&deck).len();
        let reading = deck
            .iter()
            .filter(|n| !field(n, "Further Reading").is_empty())
            .count();
        eprintln!(
            "{stem}: {} notes, {packed} figures (English {english_images}), further reading on \
             {reading} (English {english_reading})",
            deck.len()
        );
        assert!(
            packed + 2 >= english_images,
            "{stem}: {packed} figures, English {english_images}"
        );
        assert!(
            reading * 5 >= english_reading * 4,
            "{stem}: further reading on {reading} notes, English {english_reading}"
        );
        let from_navigation: Vec<&str> = deck
            .iter()
            .map(|n| field(n, "Context"))
            .filter(|c| {
                let top = c.split(" › ").next().unwrap_or("");
                navigation.contains(&top)
            })
            .collect();
        assert!(
            from_navigation.is_empty(),
            "{stem}: notes from navigation: {from_navigation:?}"
        );
        let english_words: Vec<String> = deck
            .iter()
            .map(asked)
            .filter(|q| template.is_match(q))
            .collect();
        assert!(
            english_words.is_empty(),
            "{stem}: questions with English template words: {english_words:?}"
        );
        for note in &deck {
            let source = field(note, "Source");
            let file = format!("{}.md#", stem.replace("system-design", "readme"));
            assert!(
                source.to_lowercase().contains(&file),
                "{stem}: source {source} is not its own file"
            );
        }
    }
}

#[test]
fn every_qa_pair_is_carded_in_every_language() {
    let root = primer_dir();
    let out = tempfile::tempdir().unwrap();
    support::assert_success(&build(&root, out.path(), &["--format", "json"]));
    let marker = Regex::new(r"(?m)^\*\*(?:Q:|Q：|问：)\s*(.+?)\*\*\s*$").unwrap();
    for (file, stem) in [
        ("README.md", "system-design"),
        ("README-ja.md", "system-design-ja"),
        ("README-zh-Hans.md", "system-design-zh-hans"),
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let questions: Vec<String> = marker
            .captures_iter(&text)
            .map(|c| c[1].trim().to_string())
            .collect();
        assert!(!questions.is_empty(), "{file} has Q/A pairs");
        let deck = notes(out.path(), stem);
        for question in &questions {
            assert!(
                deck.iter()
                    .any(|n| field(n, "Front").contains(question.as_str())),
                "{file}: no card asks {question:?}"
            );
        }
    }
}

#[test]
fn english_and_translations_import_into_one_collection_as_separate_decks() {
    let out = tempfile::tempdir().unwrap();
    let decks = deck_lines(&build(&primer_dir(), out.path(), &[]));
    let wanted = [
        "System Design",
        "System Design (日本語)",
        "System Design (简体中文)",
    ];
    let chosen: Vec<_> = wanted
        .iter()
        .map(|name| decks.iter().find(|d| d.0 == *name).expect(name))
        .collect();
    let mut args = vec!["sequence".to_string()];
    args.extend(chosen.iter().map(|d| d.4.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let verdict = anki_check(&args);
    let last = verdict["steps"].as_array().unwrap().last().unwrap();
    assert!(last.get("error").is_none(), "{}", last["error"]);
    assert_eq!(last["duplicate_guids"].as_array().unwrap().len(), 0);
    let in_collection: Vec<(String, u64)> = last["decks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_string(),
                d["cards"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut expected: Vec<(String, u64)> =
        chosen.iter().map(|d| (d.0.clone(), d.2 as u64)).collect();
    expected.sort();
    let mut got = in_collection.clone();
    got.sort();
    // Each deck holds exactly the cards it was built with: no card landed in another deck.
    assert_eq!(got, expected);
}

#[test]
fn coverage_is_reported_per_file_and_translations_keep_up_with_english() {
    let output = support::primer_anki()
        .args(["check", "--coverage", "--content"])
        .arg(primer_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let share =
        Regex::new(r"(?m)^(README[\w-]*\.md): ([\d.]+)% of the text reaches a card").unwrap();
    let shares: Vec<(String, f64)> = share
        .captures_iter(&stdout)
        .map(|c| (c[1].to_string(), c[2].parse().unwrap()))
        .collect();
    eprintln!("{shares:?}");
    let names: Vec<&str> = shares.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(names, ["README.md", "README-ja.md", "README-zh-Hans.md"]);
    // Issue 16 asks for 95% in every language (English 95.5%, ja 95.4%, zh-Hans 95.2% on
    // this snapshot). A rule change that loses carded text fails here; what is left is
    // listed in docs/extraction.md, "Coverage".
    for (file, percent) in &shares {
        assert!(
            *percent >= 95.0,
            "{file}: {percent}% reaches a card, below the 95% of issue 16"
        );
    }
    let english = shares[0].1;
    for (file, percent) in &shares[1..] {
        assert!(
            *percent + 5.0 >= english,
            "{file}: {percent}% reaches a card, English {english}%"
        );
    }
    // Every block no rule took is listed with its place and kind.
    let untaken = Regex::new(
        r"(?m)^  README[\w-]*\.md:\d+: (paragraph|list|table|code|quote|Q/A|HTML) reaches no card$",
    )
    .unwrap();
    assert!(untaken.is_match(&stdout), "{stdout}");
}
