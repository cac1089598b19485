//! One file parsed in pieces, each on a thread of its own, then joined into the [`Document`]
//! that [`parse`] gives of the whole file; for a big file with cores to spare, whose parse
//! would otherwise run on one core while the others wait for its tree.
//!
//! The pieces are cut where a guess finds a heading ([`guess_cuts`]), before anything is
//! known of the file. Each piece is parsed through the first line of the next
//! ([`parse_part`]), which tells whether nothing was open at that heading: markdown's
//! blocks then start afresh there, as at the top of a file, and the next piece parsed alone
//! gives the blocks the whole file does (as for [`parse_piece`]'s cuts). [`join_parts`]
//! checks that, and gives nothing when a guess was wrong, when a piece defines link
//! references (they are resolved across the whole file), or when a metadata block may open in
//! one piece and close in another (see `metadata_may_span`): the caller parses the whole
//! file then.
//!
//! What spans pieces is made again when they are joined: each section's place in the tree,
//! its anchor (numbered across the file), the pin written before a piece's first heading,
//! and the one nesting warning a file gets. A file too big to hold as a tree is parsed in
//! pieces for its outline alone ([`parse_outline_part`]), with its cuts.
//!
//! [`parse`]: super::parse
//! [`parse_piece`]: super::parse_piece

use std::ops::Range;
use std::path::Path;

use super::parse::{Builder, SectionNames, run};
use super::sections::{Slugs, close_open_sections, numbered_anchor};
use super::{Cut, Document, SectionDone};
use crate::error::{Result, WarningKind};

/// A piece of a file parsed alone (see [`parse_part`]), with what the next piece's join
/// needs of how it ended.
pub struct Part {
    /// Where it starts in the file.
    start: usize,
    doc: Document,
    /// Its cuts, in the piece (outlines only).
    cuts: Vec<Cut>,
    /// Its sections still open at its end (indices in `doc`), innermost last.
    open: Vec<usize>,
    /// How many of its headings had each anchor (before numbering).
    slugs: Slugs,
    /// It warned of deep nesting (once per file).
    warned_depth: bool,
    /// A pin written at its end, for the next piece's first heading.
    pending_pin: Option<String>,
    /// Nothing was open at the next piece's heading; always true of the last piece.
    ends_clean: bool,
    defines_links: bool,
}

/// Where to cut `text` into `pieces` parts: the start of a line that opens an ATX heading
/// (`#` to `######` at its first column), at or after each k/`pieces` of the text, in
/// ascending order. A guess, which [`join_parts`] checks; fewer cuts when no heading follows.
pub fn guess_cuts(text: &str, pieces: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = Vec::new();
    for k in 1..pieces {
        let from = (text.len() * k / pieces).max(cuts.last().map_or(0, |&c| c + 1));
        // The first whole line from `from` on, found in bytes: `from` may fall inside a
        // character, a line's start never does.
        let search = from.saturating_sub(1).min(text.len());
        let Some(mut line) =
            memchr::memchr(b'\n', &text.as_bytes()[search..]).map(|i| search + i + 1)
        else {
            break;
        };
        let found = loop {
            if line >= text.len() {
                break None;
            }
            if opens_atx_heading(&text[line..]) {
                break Some(line);
            }
            match text[line..].find('\n') {
                Some(i) => line += i + 1,
                None => break None,
            }
        };
        match found {
            Some(cut) => cuts.push(cut),
            None => break,
        }
    }
    cuts
}

/// `line` starts with an ATX heading's opening: one to six `#`, then a space, a tab or the
/// end of the line.
fn opens_atx_heading(line: &str) -> bool {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes)
        && matches!(
            line.as_bytes().get(hashes),
            None | Some(b' ' | b'\t' | b'\r' | b'\n')
        )
}

/// Parses `text[piece]`, which starts at the top of the file or at one of [`guess_cuts`],
/// through the first line of the next piece when there is one (`piece.end`, a cut too): the
/// parse stops as that heading starts, noting whether anything was open there.
pub fn parse_part(text: &str, file: &Path, piece: Range<usize>) -> Result<Part> {
    parse_part_with(text, file, piece, None)
}

/// [`parse_part`] as [`parse_outline`](super::parse_outline) parses: `done` sees each of the
/// piece's sections once complete, with its index in the piece's document (0 is what comes
/// before its first heading), after which its blocks are dropped; the piece's cuts are kept.
/// In that document, only a section's own heading, blocks and footnotes are as in the whole
/// file: not its place in the tree nor its anchor.
pub fn parse_outline_part(
    text: &str,
    file: &Path,
    piece: Range<usize>,
    done: &mut SectionDone<'_>,
) -> Result<Part> {
    parse_part_with(text, file, piece, Some(done))
}

fn parse_part_with<'a>(
    text: &str,
    file: &'a Path,
    piece: Range<usize>,
    done: Option<&'a mut SectionDone<'_>>,
) -> Result<Part> {
    let last = piece.end >= text.len();
    let end = if last {
        text.len()
    } else {
        text[piece.end..]
            .find('\n')
            .map_or(text.len(), |i| piece.end + i + 1)
    };
    let own = &text[piece.start..end];
    let lines_before = memchr::memchr_iter(b'\n', &text.as_bytes()[..piece.start]).count();
    let outline = done.is_some();
    let mut builder = Builder::new(own, file, done);
    builder.line_offset = lines_before;
    if piece.start > 0 {
        // The join numbers this piece's anchors after the pieces before it; a join given up
        // parses the whole file again.
        builder.names = SectionNames::TitleOnly;
    }
    if outline {
        builder.cuts = Some(Vec::new());
    }
    if !last {
        builder.stop_at = Some(piece.end - piece.start);
    }
    let defines_links = run(own, &mut builder);
    let ends_clean = last || builder.stopped_clean == Some(true);
    let open = std::mem::take(&mut builder.open);
    let slugs = std::mem::take(&mut builder.slugs);
    let pending_pin = builder.pending_pin.take();
    let warned_depth = builder.warned_depth;
    let cuts = builder.cuts.take().unwrap_or_default();
    Ok(Part {
        start: piece.start,
        doc: builder.finish()?,
        cuts,
        open,
        slugs,
        warned_depth,
        pending_pin,
        ends_clean,
        defines_links,
    })
}

/// Parts of a file joined (see [`join_parts`]).
pub struct Joined {
    /// What [`parse`](super::parse) gives of the whole file, or for outline parts what
    /// [`parse_outline`](super::parse_outline) does.
    pub doc: Document,
    /// The whole file's cuts (outline parts only).
    pub cuts: Vec<Cut>,
    /// For each part, what the indices of its sections gain in `doc` (its root, 0, aside).
    pub offsets: Vec<usize>,
}

/// The parts of `text`, in order, joined into the document of the whole; `None` when they
/// cannot be (see the module docs).
pub fn join_parts(text: &str, parts: Vec<Part>) -> Option<Joined> {
    let starts: Vec<usize> = parts.iter().map(|p| p.start).collect();
    if parts.iter().any(|p| p.defines_links) || metadata_may_span(text, &starts) {
        return None;
    }
    let total: usize = parts.iter().map(|p| p.doc.sections.len()).sum();
    let mut parts = parts.into_iter();
    let mut whole = parts.next()?;
    let mut offsets = vec![0];
    let mut cuts = std::mem::take(&mut whole.cuts);
    // Room for every section at once: grown by doubling instead, the joined list was copied
    // into fresh pages, which took a one-file build of 10k sections 18 ms more.
    whole.doc.sections.reserve_exact(total);
    for part in parts {
        if !whole.ends_clean {
            return None;
        }
        let mut sections = part.doc.sections.into_iter();
        // What comes before its first heading: nothing, when it starts at one.
        let root = sections.next()?;
        if !root.blocks.is_empty() || !root.footnotes.is_empty() {
            return None;
        }
        let offset = whole.doc.sections.len() - 1;
        offsets.push(offset);
        cuts.extend(part.cuts.iter().map(|cut| Cut {
            section: cut.section + offset,
            byte: cut.byte + part.start,
            line: cut.line,
        }));
        let mut pin = whole.pending_pin.take();
        for mut section in sections {
            let index = whole.doc.sections.len();
            // Its anchor as the whole file numbers it, and its parent the innermost open
            // section above its level, as a heading finds it in the whole file: one of this
            // piece's, or one still open before it.
            section.anchor = numbered_anchor(&section.title_text, &mut whole.slugs);
            close_open_sections(&mut whole.open, &whole.doc.sections, section.level);
            let parent = whole.open.last().copied().unwrap_or(0);
            section.parent = Some(parent);
            section.children.clear();
            if let Some(pin) = pin.take() {
                section.pin = Some(pin);
            }
            whole.doc.sections.push(section);
            whole.doc.sections[parent].children.push(index);
            whole.open.push(index);
        }
        let warned = whole.warned_depth;
        whole.doc.warnings.extend(
            part.doc
                .warnings
                .into_iter()
                .filter(|w| !(warned && w.kind == WarningKind::DeepNesting)),
        );
        whole.warned_depth |= part.warned_depth;
        whole.doc.image_places.extend(part.doc.image_places);
        whole.pending_pin = part.pending_pin;
        whole.ends_clean = part.ends_clean;
    }
    Some(Joined {
        doc: whole.doc,
        cuts,
        offsets,
    })
}

/// Whether a metadata block may open in one piece and end in a later one. pulldown-cmark takes
/// `---` (or `+++`) at the start of any block for the opening of one, when a closing line
/// follows, however far on; the piece parsed alone would not see that line, and would read
/// what the whole file takes for metadata as markdown. `starts`: where each piece starts.
fn metadata_may_span(text: &str, starts: &[usize]) -> bool {
    if starts.len() < 2 {
        return false;
    }
    let bytes = text.as_bytes();
    let line_end =
        |at: usize| memchr::memchr(b'\n', &bytes[at..]).map_or(text.len(), |i| at + i + 1);
    for (fence, mark, closing_marks) in [
        (b'-', b"---", &[b"\n---", b"\n..."][..]),
        (b'+', b"+++", &[b"\n+++"][..]),
    ] {
        // Every closing line, in order: a search each, not a walk line by line per opening.
        let mut closings: Vec<usize> = closing_marks
            .iter()
            .flat_map(|m| memchr::memmem::find_iter(bytes, m).map(|at| at + 1))
            .chain(std::iter::once(0))
            .filter(|&at| closes_metadata(&text[at..], fence))
            .collect();
        if closings.is_empty() {
            continue;
        }
        closings.sort_unstable();
        let mut searched_to = 0;
        for found in memchr::memmem::find_iter(bytes, mark) {
            // One look a line, however many marks it holds.
            if found < searched_to {
                continue;
            }
            let start = memchr::memrchr(b'\n', &bytes[..found]).map_or(0, |i| i + 1);
            let end = line_end(found);
            searched_to = end;
            // An opening: three fence characters ending its line (after any containers'
            // marks), then a first line that is neither blank nor a closing one.
            if !bytes[start..end].trim_ascii_end().ends_with(mark)
                || end >= text.len()
                || is_blank(&text[end..line_end(end)])
                || closes_metadata(&text[end..], fence)
            {
                continue;
            }
            // In the last piece, it reads to the end of the file, as in the whole.
            let Some(&next) = starts.iter().find(|&&s| s > start) else {
                continue;
            };
            let first_closing = closings.partition_point(|&at| at < end);
            if closings.get(first_closing).is_some_and(|&at| at >= next) {
                return true;
            }
        }
    }
    false
}

/// Whether `line` (up to its end) is blank for pulldown-cmark: spaces and tabs at most.
fn is_blank(line: &str) -> bool {
    line.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Whether `rest` starts with a line that closes a metadata block opened with `fence`
/// characters, as pulldown-cmark reads one: three of them (or of `.` for `-`), spaces, and
/// the end of the line.
fn closes_metadata(rest: &str, fence: u8) -> bool {
    let bytes = rest.as_bytes();
    let run = |c: u8| bytes.iter().take_while(|&&b| b == c).count();
    if run(fence) != 3 && !(fence == b'-' && run(b'.') == 3) {
        return false;
    }
    let after = &bytes[3..];
    let spaces = after.iter().take_while(|&&b| b == b' ').count();
    matches!(after.get(spaces), None | Some(b'\n' | b'\r'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse;

    fn file() -> &'static Path {
        Path::new("t.md")
    }

    /// `text` cut at `cuts`, each piece given to `parse`.
    fn parts_at(text: &str, cuts: &[usize], parse: impl Fn(Range<usize>) -> Part) -> Vec<Part> {
        let bounds: Vec<usize> = std::iter::once(0)
            .chain(cuts.iter().copied())
            .chain(std::iter::once(text.len()))
            .collect();
        bounds
            .windows(2)
            .map(|piece| parse(piece[0]..piece[1]))
            .collect()
    }

    /// `text` cut at `cuts`, its parts parsed and joined.
    fn joined_at(text: &str, cuts: &[usize]) -> Option<Document> {
        let parts = parts_at(text, cuts, |piece| parse_part(text, file(), piece).unwrap());
        join_parts(text, parts).map(|joined| joined.doc)
    }

    /// `text` cut at `cuts`, its parts parsed as outlines and joined.
    fn outline_joined_at(text: &str, cuts: &[usize]) -> Option<Joined> {
        let parts = parts_at(text, cuts, |piece| {
            parse_outline_part(text, file(), piece, &mut |_, _| Ok(())).unwrap()
        });
        join_parts(text, parts)
    }

    /// Where every line that opens an ATX heading starts (the top of the text aside).
    fn heading_lines(text: &str) -> Vec<usize> {
        let mut starts = vec![];
        let mut at = 0;
        while let Some(i) = text[at..].find('\n') {
            at += i + 1;
            if opens_atx_heading(&text[at..]) {
                starts.push(at);
            }
        }
        starts
    }

    /// Cut at each heading in turn, and at every pair `stride` headings apart: every join is
    /// the whole parse, or nothing. Returns how many joined.
    fn every_cut_joins_as_the_whole(text: &str, stride: usize) -> usize {
        let whole = parse(text, file()).unwrap();
        let headings = heading_lines(text);
        let mut joined = 0;
        for (k, &cut) in headings.iter().enumerate().step_by(stride.max(1)) {
            let mut cut_sets = vec![vec![cut]];
            if let Some(&later) = headings.get(k + stride.max(1)) {
                cut_sets.push(vec![cut, later]);
            }
            for cuts in cut_sets {
                if let Some(doc) = joined_at(text, &cuts) {
                    assert!(doc == whole, "cut at {cuts:?} of:\n{text}");
                    joined += 1;
                }
                if let Some(outline) = outline_joined_at(text, &cuts) {
                    let serial =
                        crate::document::parse_outline(text, file(), 0, &mut |_, _| Ok(()))
                            .unwrap();
                    assert!(
                        outline.doc == serial.doc,
                        "outline cut at {cuts:?} of:\n{text}"
                    );
                    assert_eq!(
                        outline.cuts, serial.cuts,
                        "outline cut at {cuts:?} of:\n{text}"
                    );
                }
            }
        }
        joined
    }

    const TRICKY: &str = "\
---
title: front matter
---
intro before any heading

# Top

A paragraph with ![a figure](a.png) and <sup><a href=\"#n\">1</a></sup>.

## Notes

- a list item
- another, whose next line is lazy
# Right after a list

> a quote
# Right after a quote

```
# not a heading: fenced
```

## Notes

<!-- id: pinned-one -->
## Pinned

<div>
an HTML block

</div>

# Second top
### Skips a level
## Notes

| a | b |
|---|---|
| 1 | 2 |
## After a table

<!--
# inside a comment
-->

###### Six
####### seven is text

# Last
text <sup>unclosed
# After an unclosed sup

end
";

    #[test]
    fn parts_cut_at_any_heading_join_into_the_whole_parse() {
        let joined = every_cut_joins_as_the_whole(TRICKY, 1);
        // Most headings are cuts: the joins are not all given up.
        assert!(joined >= 10, "{joined}");
    }

    #[test]
    fn a_heading_inside_a_fence_or_comment_is_no_cut() {
        for inside in ["# not a heading: fenced", "# inside a comment"] {
            let at = TRICKY.find(inside).unwrap();
            assert!(joined_at(TRICKY, &[at]).is_none(), "{inside}");
        }
    }

    #[test]
    fn link_references_anywhere_give_up_the_join() {
        let text = "# A\n\nsee [x][ref]\n\n# B\n\n[ref]: https://example.com\n";
        let at = text.find("# B").unwrap();
        assert!(joined_at(text, &[at]).is_none());
    }

    #[test]
    fn a_metadata_block_a_cut_would_split_gives_up_the_join() {
        // pulldown-cmark takes `---` for a metadata block at any block start, when a closing
        // line follows: here `# B` is inside one.
        let text = "# A\n\n---\nkey: value\n# B\n---\n\n# C\n";
        let whole = parse(text, file()).unwrap();
        assert!(whole.sections.iter().all(|s| s.title_text != "B"));
        let at = text.find("# B").unwrap();
        assert!(joined_at(text, &[at]).is_none());
        let after = text.find("# C").unwrap();
        assert_eq!(
            joined_at(text, &[after]),
            Some(parse(text, file()).unwrap())
        );
    }

    #[test]
    fn what_spans_pieces_is_made_again() {
        let text = "# A\n\n## Notes\n\n<!-- id: kept -->\n# B\n\n## Notes\n\ntext ![i](x.png)\n";
        let at = text.find("# B").unwrap();
        let doc = joined_at(text, &[at]).unwrap();
        assert_eq!(doc, parse(text, file()).unwrap());
        let b = &doc.sections[3];
        assert_eq!(
            (b.title_text.as_str(), b.pin.as_deref(), b.parent),
            ("B", Some("kept"), Some(0))
        );
        assert_eq!(doc.sections[4].anchor, "notes-1");
        assert_eq!(doc.image_places[0].line, 10);
    }

    #[test]
    fn deep_nesting_is_warned_of_once_across_pieces() {
        let deep = format!("{}x\n", "> ".repeat(40));
        let text = format!("# A\n\n{deep}\n# B\n\n{deep}");
        let at = text.find("# B").unwrap();
        let doc = joined_at(&text, &[at]).unwrap();
        assert_eq!(doc.warnings.len(), 1);
        assert_eq!(doc, parse(&text, file()).unwrap());
    }

    #[test]
    fn guesses_are_heading_lines_in_order() {
        let text = "# A\n\ntext\n\n# B\n\ntext\n\n## C\n\ntext\n";
        let cuts = guess_cuts(text, 3);
        assert!(!cuts.is_empty());
        assert!(cuts.windows(2).all(|w| w[0] < w[1]));
        assert!(cuts.iter().all(|&c| text[c..].starts_with('#')), "{cuts:?}");
        assert!(guess_cuts("no heading\n\nat all\n", 2).is_empty());
        assert!(guess_cuts("# A\n#hashtag\n", 2).is_empty());
        // Halfway falls inside a character: the next line is still found.
        let cjk = "# 一\n\n日本語の文。日本語の文。\n\n# 二\n\n文。\n";
        assert_eq!(guess_cuts(cjk, 2), [cjk.find("# 二").unwrap()]);
    }

    /// Lines that open, close or continue what markdown keeps open across lines.
    const LINES: &[&str] = &[
        "# Title",
        "## Notes",
        "### Deeper",
        "# Title",
        "plain text",
        "",
        "",
        "- item",
        "1. item",
        "   indented continuation",
        "    indented code",
        "> quote",
        "```",
        "~~~",
        "````",
        "<div>",
        "</div>",
        "<!--",
        "-->",
        "<pre>",
        "</pre>",
        "text <sup>1",
        "</sup> text",
        "<!-- id: a-pin -->",
        "| a | b |",
        "|---|---|",
        "$$",
        "---",
        "...",
        "+++",
        "> ---",
        "- ---",
        "===",
        "![img](i.png)",
        "[^1]: a note",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        #[test]
        fn random_lines_cut_at_any_heading_join_as_the_whole(
            picks in proptest::collection::vec(0..LINES.len(), 1..40)
        ) {
            let text: String = picks.iter().map(|&k| format!("{}\n", LINES[k])).collect();
            every_cut_joins_as_the_whole(&text, 1);
        }
    }

    #[test]
    fn the_primer_and_our_content_join_as_parsed_whole() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![
            root.join("../shared/primer/README.md"),
            root.join("../shared/primer/README-ja.md"),
            root.join("../shared/primer/README-zh-Hans.md"),
        ];
        for dir in [
            "content/topics",
            "content/exercises",
            "tests/fixtures/plain-notes",
        ] {
            let mut found: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .collect();
            found.sort();
            files.extend(found);
        }
        let mut joined = 0;
        for path in files {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e} (CI has ../shared)", path.display()));
            let stride = heading_lines(&text).len() / 12;
            joined += every_cut_joins_as_the_whole(&text, stride);
        }
        assert!(joined > 40, "{joined}");
    }
}
