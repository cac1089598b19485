//! Big topic files are parsed and extracted section by section (`build::render_text` with
//! `Flow::BySection`), never held as one tree; a file with a core to spare is rendered on a
//! second thread (`Flow::TwoThreads`); one that can be cut is parsed and extracted chunk by
//! chunk on all cores (`Flow::InChunks`). All must give exactly what the whole-tree path gives:
//! the same drafts, in the same order, with the same warnings. Checked on every topics
//! fixture (scarce-figures.md stresses figure placement), on the primer's README, and on
//! random markdown.

use crate::support;

use std::path::Path;

use proptest::prelude::*;

use primer_anki::build::{Flow, render_text};
use primer_anki::extract::{ExtractOptions, Profile};
use primer_anki::render::NoteDraft;
use support::NameOnly;

type Outcome = std::result::Result<(Vec<NoteDraft>, Vec<String>), String>;

fn render(text: &str, file: &Path, flow: Flow) -> Outcome {
    let options = support::render_options();
    let mut drafts = Vec::new();
    render_text(
        text.to_string(),
        file,
        &ExtractOptions::new(Profile::Topics),
        (&options, &mut NameOnly),
        flow,
        &mut |draft| {
            drafts.push(draft);
            Ok(())
        },
    )
    .map(|warnings| (drafts, warnings.iter().map(|w| w.to_string()).collect()))
    .map_err(|e| e.to_string())
}

fn assert_same(text: &str, name: &str) -> usize {
    let file = Path::new("notes/x.md");
    let whole = render(text, file, Flow::Whole);
    for flow in [Flow::BySection, Flow::InChunks, Flow::TwoThreads] {
        let other = render(text, file, flow);
        match (&whole, &other) {
            (Ok((a, wa)), Ok((b, wb))) => {
                assert_eq!(a.len(), b.len(), "{name} {flow:?}: number of drafts");
                for (x, y) in a.iter().zip(b) {
                    assert_eq!(x, y, "{name} {flow:?}");
                }
                assert_eq!(wa, wb, "{name} {flow:?}: warnings");
            }
            _ => assert_eq!(
                &whole.clone().err(),
                &other.err(),
                "{name} {flow:?}: errors"
            ),
        }
    }
    whole.map_or(0, |(drafts, _)| drafts.len())
}

#[test]
fn topics_fixtures_render_the_same_by_section() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extract");
    let mut checked = 0;
    for entry in std::fs::read_dir(&root).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert_same(&text, &path.display().to_string());
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} fixtures found");
}

#[test]
fn the_primer_renders_the_same_by_section() {
    let readme = support::primer_dir().join("README.md");
    let text = std::fs::read_to_string(readme).unwrap();
    let notes = assert_same(&text, "primer README");
    assert!(notes > 300, "{notes} notes");
}

/// A quiz question answered in the next section: the question ends a chunk at one of these
/// places at least (a small file is cut into 16 chunks), and the answer's chunk must know it.
#[test]
fn a_quiz_answered_past_a_cut_renders_the_same() {
    let filler = |i: usize| format!("## Topic {i}\n\nTopic {i} keeps a copy of every shard.\n\n");
    for at in 0..8 {
        let mut text = String::from("# Notes\n\n");
        for i in 0..80 {
            if i == 40 + at {
                text.push_str("### 3. What is it?\n\n- A: one\n- B: two\n\n");
                text.push_str("#### Answer: B\n\nBecause it is two.\n\n");
            }
            text.push_str(&filler(i));
        }
        assert_same(&text, "quiz");
        let (drafts, _) = render(&text, Path::new("notes/x.md"), Flow::InChunks).unwrap();
        assert!(
            drafts.iter().any(|d| d.rule == "quiz"),
            "no quiz card at {at}"
        );
    }
}

/// Markdown-ish text with many headings of mixed levels, figures and reading lists.
fn sectioned_markdown() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("# Title\n\n".to_string()),
        "#{1,5} [A-Z][a-z]{0,8}\n\n".prop_map(|s| s),
        Just("## Overview\n\n".to_string()),
        Just("A paragraph that summarises the topic in one sentence.\n\n".to_string()),
        Just("Another paragraph, about a second point entirely.\n\n".to_string()),
        Just("* **Alpha** - the first term\n* **Beta** - the second term\n\n".to_string()),
        Just("| Key | Value |\n|---|---|\n| a | 1 |\n| b | 2 |\n\n".to_string()),
        Just("![diagram](images/d.png)\n\n".to_string()),
        Just(
            "<p align=\"center\"><img src=\"images/c.png\"><br/><i>caption</i></p>\n\n".to_string()
        ),
        Just("### Source(s) and further reading\n\n* [x](https://example.org/x)\n\n".to_string()),
        Just(
            "Text with a footnote<sup><a href=\"https://example.org/n\">1</a></sup>.\n\n"
                .to_string()
        ),
        Just("<!-- id: pinned -->\n".to_string()),
        Just("**Q: What is it?**\n\n**A: This.**\n\n".to_string()),
        "[>\\-*|`#<!\\[\\]()]{0,12}\n".prop_map(|s| s),
        // A quiz entry whose answer comes in the next section, maybe past a cut.
        Just("### 3. What is it?\n\n- A: one\n- B: two\n\n".to_string()),
        Just("#### Answer: B\n\nBecause it is two.\n\n".to_string()),
        // Headings that are no place to cut a file.
        Just("> ## Quoted heading\n\n".to_string()),
        Just("* item\n\n  ## Heading in an item\n\n".to_string()),
        Just("<div>\n\n## Heading in HTML\n\n</div>\n\n".to_string()),
        Just("Text <sup>open\n\n## After an open sup\n\n".to_string()),
        Just("Setext title\n---\n\n".to_string()),
        Just("  ## Indented heading\n\n".to_string()),
        Just(
            "See [the overview](#overview) and [reading](#source-s-and-further-reading).\n\n"
                .to_string()
        ),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_markdown_renders_the_same_by_section(text in sectioned_markdown()) {
        assert_same(&text, "random");
    }
}

#[test]
fn a_link_to_a_section_further_down_that_yields_no_cards_is_no_term_by_section_too() {
    // The whole tree knows that the index and the reading list further down give no cards,
    // so a link there sends the reader on and is not deleted; parsed section by section,
    // the outline's pass must know it as well. (Found by the random test below: a heading
    // inside a list item, then a link ahead to an "Overview".)
    let text = "# Guide\n\n## Caching\n\nA cache answers reads from memory instead of the database.\n\n\
                Keep **hot rows** in memory, as [the index](#index) \
                and [the reading](#further-reading) say.\n\n## Index\n\n* [Caching](#caching)\n\n\
                ## Further reading\n\n* [x](https://example.org/x)\n";
    let file = Path::new("notes/x.md");
    let (drafts, _) = render(text, file, Flow::Whole).unwrap();
    let card = drafts
        .iter()
        .find(|d| d.fields.front.contains("hot rows"))
        .unwrap_or_else(|| panic!("no card of the sentence: {drafts:#?}"));
    assert!(card.fields.front.contains("{{c1::hot rows}}"), "{card:?}");
    assert!(!card.fields.front.contains("{{c2::"), "{card:?}");
    assert_same(text, "links ahead");
    let item = "* item\n\n  ## Heading in an item\n\n|\nSee [the overview](#overview) and \
                [reading](#source-s-and-further-reading).\n\n## Overview\n\nSee [the overview](#overview) \
                and [reading](#source-s-and-further-reading).\n\n### Source(s) and further reading\n\n\
                * [x](https://example.org/x)\n\n";
    assert_same(item, "a heading in an item, links ahead");
}
