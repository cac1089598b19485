//! Rule 11 — system design exercises. On top of the generic rules (lists as clozes, code with
//! its introducing sentence, key terms):
//! - the use cases and out-of-scope lists become cloze notes;
//! - assumptions: each item with a figure is its own note (the figure deleted), the rest one
//!   cloze list; every back-of-the-envelope figure under "Calculate usage" is its own note;
//! - "Step 2" (high-level design): a card with the diagram and the components named in step 3;
//! - "Step 3" (core components): a card naming the components, then each use case's flow;
//! - "Step 4" (scaling): a card with the scaled diagram and what it adds, then its subsections.
//! - "Additional talking points" are reference lists: no cards.

use std::sync::LazyLock;

use regex::Regex;

use super::{CardBody, Cx, Piece, lists, text};
use crate::document::{BlockKind, Inline, plain_text};

static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(~?\$?[\d][\d,.]*(?:\^\d+)?\s*(?:%|x|[KMGTP]B\b|bytes?\b|(?:thousand|million|billion|trillion)\b)?)").unwrap()
});

pub fn section(cx: &mut Cx<'_>, index: usize) {
    let doc = cx.doc;
    let section = &doc.sections[index];
    if section.level <= 1 {
        return;
    }
    let ancestors: Vec<String> = doc
        .ancestors(index)
        .iter()
        .map(|&i| text::normalize_key(&doc.sections[i].title_text))
        .collect();
    if ancestors
        .iter()
        .any(|t| t.starts_with("additional talking points"))
    {
        return;
    }
    let key = text::normalize_key(&section.title_text);
    let step = |n: &str| key.starts_with(&format!("step {n}"));
    if step("2") {
        high_level(cx, index);
        return;
    }
    if step("3") {
        components(cx, index);
    }
    if step("4") {
        scaling(cx, index);
    }
    let figures_section = key.contains("calculate usage")
        || key.contains("assumptions")
        || key.contains("handy conversion");
    if figures_section {
        figures(cx, index);
        return;
    }
    let in_design = ancestors
        .iter()
        .any(|t| t.starts_with("step 3") || t.starts_with("step 4"));
    cx.generic_section(index, in_design && !step("3") && !step("4"));
}

fn step_sections(cx: &Cx<'_>, index: usize, n: &str) -> Option<usize> {
    let top = cx
        .doc
        .ancestors(index)
        .into_iter()
        .rev()
        .find(|&i| cx.doc.sections[i].level == 1)?;
    cx.doc.subtree(top).into_iter().find(|&i| {
        text::normalize_key(&cx.doc.sections[i].title_text).starts_with(&format!("step {n}"))
    })
}

/// Bold names in a subtree's text, in order, deduplicated: the components of a design.
fn bold_names(cx: &Cx<'_>, index: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in cx.doc.subtree(index) {
        let mut stack: Vec<&crate::document::Block> = cx.doc.sections[i].blocks.iter().collect();
        stack.reverse();
        while let Some(block) = stack.pop() {
            match &block.kind {
                BlockKind::Paragraph(inlines) => collect_bold(inlines, &mut out),
                BlockKind::List(list) => {
                    for item in list.items.iter().rev() {
                        for b in item.blocks.iter().rev() {
                            stack.push(b);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn collect_bold(inlines: &[Inline], out: &mut Vec<String>) {
    for inline in inlines {
        if let Inline::Strong(c) = inline {
            let name = plain_text(c).trim().to_string();
            let words = name.split_whitespace().count();
            let capitalised = name
                .split_whitespace()
                .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()));
            if (1..=4).contains(&words)
                && capitalised
                && !matches!(name.as_str(), "User" | "Service" | "Users" | "Important")
                && !out.iter().any(|o| o.eq_ignore_ascii_case(&name))
            {
                out.push(name);
            }
        }
    }
}

fn high_level(cx: &mut Cx<'_>, index: usize) {
    let exercise = cx.exercise_title(index).unwrap_or_default();
    let components = step_sections(cx, index, "3")
        .map(|s| bold_names(cx, s))
        .unwrap_or_default();
    let mut back = Vec::new();
    if !components.is_empty() {
        back.push(Piece::Text("Main components: ".into()));
        back.push(Piece::Text(components.join(", ")));
    } else if let Some(alt) = diagram_description(cx, index) {
        // The author's description of the diagram says what it shows in words, so the card
        // is never just a picture.
        back.push(Piece::Text(alt));
    } else {
        back.push(Piece::Text("See the diagram.".into()));
    }
    let front = vec![
        Piece::Subject(exercise),
        Piece::Text(": sketch the high-level design — which components, connected how?".into()),
    ];
    let line = cx.doc.sections[index].line;
    cx.push(
        index,
        "high-level-design",
        "",
        line,
        None,
        CardBody::Basic { front, back },
    );
}

/// The alt text of the section's first diagram, when it is a real description (several words).
fn diagram_description(cx: &Cx<'_>, index: usize) -> Option<String> {
    cx.doc.sections[index]
        .blocks
        .iter()
        .find_map(|block| match &block.kind {
            crate::document::BlockKind::Figure(f) => f
                .images
                .iter()
                .map(|image| image.alt.trim().to_string())
                .find(|alt| alt.split_whitespace().count() >= 4),
            _ => None,
        })
}

fn components(cx: &mut Cx<'_>, index: usize) {
    let exercise = cx.exercise_title(index).unwrap_or_default();
    let names = bold_names(cx, index);
    if names.is_empty() {
        return;
    }
    let n = names.len();
    let front = vec![
        Piece::Subject(exercise),
        Piece::Text(format!(": name the {n} core components of the design.")),
    ];
    let back = vec![Piece::List(
        names.into_iter().map(|n| vec![Inline::Text(n)]).collect(),
    )];
    let line = cx.doc.sections[index].line;
    cx.push(
        index,
        "core-components",
        "",
        line,
        None,
        CardBody::Basic { front, back },
    );
    // Use case flows.
    let uses: Vec<String> = cx.doc.sections[index]
        .children
        .iter()
        .map(|&c| cx.doc.sections[c].title_text.clone())
        .filter(|t| text::normalize_key(t).starts_with("use case"))
        .map(|t| t.trim_start_matches("Use case:").trim().to_string())
        .collect();
    if uses.len() >= 2 {
        let exercise = cx.exercise_title(index).unwrap_or_default();
        let text_pieces = vec![
            Piece::Subject(exercise),
            Piece::Text(": the use cases the core design covers".into()),
            Piece::ClozeList(
                uses.iter()
                    .enumerate()
                    .map(|(i, u)| (i as u32 + 1, vec![Inline::Text(u.clone())]))
                    .collect(),
            ),
        ];
        cx.push(
            index,
            "use-case-designs",
            "",
            line,
            None,
            CardBody::Cloze {
                text: text_pieces,
                extra: Vec::new(),
            },
        );
    }
}

fn scaling(cx: &mut Cx<'_>, index: usize) {
    let exercise = cx.exercise_title(index).unwrap_or_default();
    let before = step_sections(cx, index, "3")
        .map(|s| bold_names(cx, s))
        .unwrap_or_default();
    let added: Vec<String> = bold_names(cx, index)
        .into_iter()
        .filter(|n| !before.iter().any(|b| b.eq_ignore_ascii_case(n)))
        .filter(|n| !n.contains('/'))
        .collect();
    let mut back = Vec::new();
    if !added.is_empty() {
        back.push(Piece::List(
            added
                .iter()
                .map(|n| vec![Inline::Text(n.clone())])
                .collect(),
        ));
    } else {
        back.push(Piece::Text("See the diagram: load balancers, replicas, caches and queues where the constraints demand them.".into()));
    }
    let front = vec![
        Piece::Subject(exercise),
        Piece::Text(
            ": scaling the design — what does the scaled design add to the initial one?".into(),
        ),
    ];
    let line = cx.doc.sections[index].line;
    cx.push(
        index,
        "scaling",
        "",
        line,
        None,
        CardBody::Basic { front, back },
    );
}

/// Assumptions and usage figures: one cloze note per figure, the rest one cloze list.
fn figures(cx: &mut Cx<'_>, index: usize) {
    let doc = cx.doc;
    let subject = cx.subject(index);
    let blocks = &doc.sections[index].blocks;
    for (bi, block) in blocks.iter().enumerate() {
        let BlockKind::List(list) = &block.kind else {
            continue;
        };
        if lists::is_reference_list(list) {
            continue;
        }
        let intro = text::intro_before(blocks, bi).map(text::strip_trailing_colon);
        let mut plain_items = Vec::new();
        for item in &list.items {
            let (first, rest) = text::item_parts(&item.blocks);
            let t = plain_text(&first);
            let (cloze_at, answer) = if let Some((left, right)) = t.split_once(" = ") {
                (Some(left.len() + 3), right.to_string())
            } else if let Some(m) = FIGURE.captures(&t).and_then(|c| c.get(1)) {
                (Some(0), m.as_str().trim().to_string())
            } else {
                (None, String::new())
            };
            let mut extra = Vec::new();
            for b in rest {
                extra.push(Piece::Block(b.clone()));
            }
            match cloze_at {
                Some(at) if !answer.is_empty() => {
                    let before = t[..at].to_string();
                    let after = t[at + answer.len()..].to_string();
                    let mut pieces =
                        vec![Piece::Subject(subject.clone()), Piece::Text(": ".into())];
                    if let Some(intro) = &intro {
                        pieces.push(Piece::Inlines(intro.clone()));
                        pieces.push(Piece::Text(" — ".into()));
                    }
                    pieces.push(Piece::Text(before.clone()));
                    pieces.push(Piece::Cloze(1, vec![Inline::Text(answer.clone())]));
                    pieces.push(Piece::Text(after.clone()));
                    let item_key = format!("{before} {after}");
                    cx.push(
                        index,
                        "figure",
                        &item_key,
                        item.line,
                        item.pin.clone(),
                        CardBody::Cloze {
                            text: pieces,
                            extra,
                        },
                    );
                }
                _ if !rest.is_empty() => {
                    let front = vec![
                        Piece::Subject(subject.clone()),
                        Piece::Text(": ".into()),
                        Piece::Inlines(first.clone()),
                        Piece::Text("?".into()),
                    ];
                    cx.push(
                        index,
                        "figure",
                        &t,
                        item.line,
                        item.pin.clone(),
                        CardBody::Basic { front, back: extra },
                    );
                }
                _ => plain_items.push(first),
            }
        }
        if plain_items.len() >= 2 {
            let mut pieces = vec![Piece::Subject(subject.clone())];
            if let Some(intro) = &intro {
                pieces.push(Piece::Text(": ".into()));
                pieces.push(Piece::Inlines(intro.clone()));
            }
            pieces.push(Piece::ClozeList(
                plain_items
                    .into_iter()
                    .enumerate()
                    .map(|(i, f)| (i as u32 + 1, f))
                    .collect(),
            ));
            let key = intro.as_ref().map(|i| plain_text(i)).unwrap_or_default();
            cx.push(
                index,
                "list",
                &key,
                block.line,
                block.pin.clone(),
                CardBody::Cloze {
                    text: pieces,
                    extra: Vec::new(),
                },
            );
        } else if let Some(item) = plain_items.pop() {
            let front = vec![
                Piece::Subject(subject.clone()),
                Piece::Text(": which other assumption is stated?".into()),
            ];
            cx.push(
                index,
                "list",
                "single",
                block.line,
                block.pin.clone(),
                CardBody::Basic {
                    front,
                    back: vec![Piece::Para(item)],
                },
            );
        }
    }
    let _ = Piece::Text(String::new());
}
