//! Property tests (a short run in the normal test suite): any markdown builds or errors without
//! panicking; identity keys ignore case and whitespace edits; building twice gives the same bytes.

use crate::support;

use std::path::Path;

use proptest::prelude::*;

use primer_anki::extract::{ExtractOptions, Profile, normalize_key};
use primer_anki::{document, extract, render};
use support::NameOnly;

/// Markdown-ish text: random mixes of the constructs the rules look at, plus noise.
fn markdownish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("# Title\n".to_string()),
        "#{1,6} [A-Za-z*_`!?:()-]{0,20}\n".prop_map(|s| s),
        Just("Some opening paragraph about a topic.\n\n".to_string()),
        "\\* \\*\\*[A-Za-z ]{1,10}\\*\\* - [a-z ]{0,20}\n".prop_map(|s| s),
        " {0,8}[*-] [a-z]{0,10}\n".prop_map(|s| s),
        Just("| a | b |\n|---|---|\n| 1 | 2 |\n".to_string()),
        Just("| a |\n|---|---|\n| 1 | 2 | 3 |\n".to_string()),
        Just("```\nL1 cache    0.5 ns\nDisk seek   10 ms\n```\n".to_string()),
        Just("**Q: What?**\n\n**A: That.**\n".to_string()),
        Just("### Disadvantage(s): thing\n\n* one\n* two\n".to_string()),
        Just("### Source(s) and further reading\n\n* [x](https://example.org)\n".to_string()),
        Just("<!-- id: pinned -->\n".to_string()),
        Just("<p align=\"center\"><img src=\"images/a.png\"><i>cap</i></p>\n".to_string()),
        Just("![alt](images/b.png)\n".to_string()),
        "[>\\-*|`#<]{0,12}".prop_map(|s| s),
        "\\PC{0,30}".prop_map(|s| s),
        Just("\n".to_string()),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn run_pipeline(text: &str, profile: Profile) {
    let file = Path::new("notes/x.md");
    let Ok(doc) = document::parse(text, file) else {
        return;
    };
    let (cards, _) = extract::extract(&doc, &ExtractOptions::new(profile));
    let options = support::render_options();
    let _ = render::render(&doc, &cards, &options, &mut NameOnly);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn any_markdown_builds_or_errors_without_panicking(text in markdownish()) {
        for profile in [Profile::Topics, Profile::Exercise, Profile::ObjectDesign] {
            run_pipeline(&text, profile);
        }
    }

    #[test]
    fn identity_keys_ignore_case_and_whitespace(words in proptest::collection::vec("[A-Za-z0-9]{1,8}", 1..6), gaps in proptest::collection::vec("[ \t\n]{1,3}", 6)) {
        let plain = words.join(" ");
        let mut edited = String::from(" ");
        for (i, w) in words.iter().enumerate() {
            let w = if i % 2 == 0 { w.to_uppercase() } else { w.to_lowercase() };
            edited.push_str(&w);
            edited.push_str(&gaps[i % gaps.len()]);
        }
        prop_assert_eq!(normalize_key(&plain), normalize_key(&edited));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn building_twice_gives_the_same_bytes(text in markdownish()) {
        let content = tempfile::tempdir().unwrap();
        std::fs::write(
            content.path().join("primer-anki.toml"),
            "base_url = \"https://example.org/\"\n[[deck]]\nname = \"P\"\nid = 1900000000005\nsources = [\"n.md\"]\ntag_prefix = \"p\"\n",
        ).unwrap();
        std::fs::write(content.path().join("n.md"), &text).unwrap();
        let run = || {
            let out = tempfile::tempdir().unwrap();
            let output = support::primer_anki()
                .args(["build", "--content"]).arg(content.path())
                .arg("--out").arg(out.path())
                .output().unwrap();
            let code = output.status.code();
            let deck = out.path().join("p.apkg");
            let hash = deck.exists().then(|| support::sha256_file(&deck));
            (code, hash)
        };
        let first = run();
        prop_assert!(first.0 == Some(0) || first.0 == Some(1), "no crash: {:?}", first.0);
        prop_assert_eq!(first, run());
    }
}
