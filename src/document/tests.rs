//! Unit tests of the markdown parser: sections, anchors, pins, figures, nesting limits.

use std::path::Path;

use super::parse::*;
use super::*;

fn doc(text: &str) -> Document {
    parse(text, Path::new("t.md")).unwrap()
}

#[test]
fn slugs_follow_github() {
    assert_eq!(
        github_slug("Disadvantage(s): failover"),
        "disadvantages-failover"
    );
    assert_eq!(
        github_slug("CP - consistency and partition"),
        "cp---consistency-and-partition"
    );
    assert_eq!(
        github_slug("Reverse proxy (web server)"),
        "reverse-proxy-web-server"
    );
}

#[test]
fn duplicate_anchors_get_suffixes() {
    let d = doc("# A\n## Notes\n## Notes\n## Notes\n");
    let anchors: Vec<_> = d.sections.iter().map(|s| s.anchor.as_str()).collect();
    assert_eq!(anchors, ["", "a", "notes", "notes-1", "notes-2"]);
}

#[test]
fn sections_nest_and_know_lines() {
    let d = doc("intro\n\n# Top\n\ntext\n\n## Sub\n\n* a\n* b\n\n# Next\n");
    assert_eq!(d.sections.len(), 4);
    assert_eq!(d.sections[2].parent, Some(1));
    assert_eq!(d.sections[2].line, 7);
    assert_eq!(d.sections[2].blocks[0].line, 9);
    assert_eq!(d.sections[3].parent, Some(0));
    assert_eq!(d.heading_path(2), ["Top", "Sub"]);
}

#[test]
fn deep_nesting_does_not_overflow() {
    let lists: String = (0..10_000)
        .map(|i| format!("{}* x\n", "  ".repeat(i)))
        .collect();
    let d = doc(&lists);
    assert!(!d.warnings.is_empty());
    let quotes = ">".repeat(10_000) + " deep\n";
    let d = doc(&quotes);
    assert!(!d.warnings.is_empty());
    let emphasis = "*".repeat(10_000) + "x" + &"*".repeat(10_000);
    doc(&emphasis);
    let links = "[".repeat(10_000) + "x" + &"](u)".repeat(10_000);
    doc(&links);
}

#[test]
fn caption_html_becomes_figure() {
    let d = doc(
        "# T\n\n<p align=\"center\">\n  <img src=\"images/a.png\">\n  <br/>\n  <i><a href=http://x.org/y>Source: Somewhere</a></i>\n</p>\n",
    );
    let BlockKind::Figure(f) = &d.sections[1].blocks[0].kind else {
        panic!()
    };
    assert_eq!(f.images[0].src, "images/a.png");
    assert_eq!(f.caption.as_ref().unwrap().url, "http://x.org/y");
    assert_eq!(f.caption.as_ref().unwrap().text, "Source: Somewhere");
}

#[test]
fn pins_attach_to_headings_lists_and_items() {
    let d = doc("<!-- id: top -->\n# T\n\n<!-- id: lst -->\n* <!-- id: one --> a\n* b\n");
    assert_eq!(d.sections[1].pin.as_deref(), Some("top"));
    let b = &d.sections[1].blocks[0];
    assert_eq!(b.pin.as_deref(), Some("lst"));
    let BlockKind::List(l) = &b.kind else {
        panic!()
    };
    assert_eq!(l.items[0].pin.as_deref(), Some("one"));
}

#[test]
fn sup_footnotes_become_links() {
    let d = doc("# T\n\nText.<sup><a href=http://e.org/1>1</a></sup> More.\n");
    assert_eq!(d.sections[1].footnotes[0].url, "http://e.org/1");
    let BlockKind::Paragraph(p) = &d.sections[1].blocks[0].kind else {
        panic!()
    };
    assert_eq!(plain_text(p), "Text. More.");
}

fn cut_sections(text: &str) -> Vec<usize> {
    let outline = parse_outline(text, Path::new("t.md"), 0, &mut |_, _| Ok(())).unwrap();
    outline.cuts.iter().map(|c| c.section).collect()
}

#[test]
fn only_headings_with_nothing_open_are_cuts() {
    // Sections: 1 Top, 2 In a quote, 3 After, 4 In an item, 5 Last.
    let text = "# Top\n\n> ## In a quote\n\n## After\n\n* item\n\n  ## In an item\n\n## Last\n";
    assert_eq!(cut_sections(text), [1, 3, 5]);
    // A heading right after an unclosed <sup> still counts it open.
    assert_eq!(cut_sections("# A\n\ntext <sup>1\n\n## B\n"), [1]);
}

#[test]
fn a_file_defining_link_references_has_no_cuts() {
    let text = "# A\n\n[x][r]\n\n## B\n\n[r]: https://example.org\n";
    assert!(cut_sections(text).is_empty());
}

#[test]
fn a_piece_parses_as_it_does_in_the_whole_file() {
    let text =
        "# Top\n\nintro\n\n## One\n\n* a\n* b\n\n## Two\n\n| k | v |\n|---|---|\n| x | 1 |\n";
    let whole = doc(text);
    let outline = parse_outline(text, Path::new("t.md"), 0, &mut |_, _| Ok(())).unwrap();
    let cut = outline.cuts[1];
    assert_eq!((cut.section, cut.line), (2, 5));
    let mut blocks = Vec::new();
    let count = parse_piece(
        &text[cut.byte..],
        Path::new("t.md"),
        (cut.line, 3),
        &mut |i, b| {
            blocks.push((i, b));
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(count, 3);
    assert!(blocks[0].1.is_empty());
    assert_eq!(blocks[1].1, whole.sections[2].blocks);
    assert_eq!(blocks[2].1, whole.sections[3].blocks);
}

#[test]
fn blank_is_whitespace_plain_text() {
    let text = |t: &str| Inline::Text(t.into());
    let cases = [
        vec![],
        vec![text(" "), Inline::SoftBreak, Inline::HardBreak],
        vec![Inline::Html("<br>".into()), text("\u{3000}")],
        vec![Inline::Strong(vec![text(" ")]), text("x")],
        vec![Inline::Link {
            url: "#a".into(),
            title: String::new(),
            children: vec![Inline::Emphasis(vec![text(" y ")])],
        }],
        vec![Inline::Image {
            url: "a.png".into(),
            alt: " ".into(),
        }],
        vec![Inline::Image {
            url: "a.png".into(),
            alt: "a diagram".into(),
        }],
        vec![Inline::Code(" ".into()), Inline::Strikethrough(vec![])],
        vec![Inline::Code("x".into())],
    ];
    for inlines in cases {
        assert_eq!(
            is_blank(&inlines),
            plain_text(&inlines).trim().is_empty(),
            "{inlines:?}"
        );
    }
}

#[test]
fn image_columns_count_characters_from_the_line_start() {
    // Several images on one line (markdown and HTML), text with multi-byte characters between
    // them, a line with an image of its own, and an image repeated: each place is where its
    // path starts, in characters from its line's start, as counting them afresh gives.
    let text = "# T\n\nλ ![a](a.png) é ![b](b.png) <img src=\"c.png\"> 日本 ![a](a.png)\n\n\
                ![d](d.png) and ![e](e.png)\n";
    let places = doc(text).image_places;
    assert_eq!(places.len(), 6);
    for place in &places {
        let line = text.lines().nth(place.line - 1).unwrap();
        let starts: Vec<usize> = line
            .match_indices(place.src.as_str())
            .map(|(at, _)| line[..at].chars().count() + 1)
            .collect();
        assert!(starts.contains(&place.column), "{place:?} in {line:?}");
    }
    let columns: Vec<(usize, usize)> = places.iter().map(|p| (p.line, p.column)).collect();
    assert_eq!(
        columns,
        vec![(3, 8), (3, 22), (3, 39), (3, 55), (5, 6), (5, 22)]
    );
}
