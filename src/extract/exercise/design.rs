//! Step 2 (high-level design): a cloze over the components named in step 3, or else a card
//! with the author's description of the diagram.

use crate::document::{BlockKind, Inline, plain_text};
use crate::extract::{CardBody, Cx, Piece, text};

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

/// Bold names that are components: not labels ("**Note**:"), not the name of a code listing
/// ("**Person** implementation:"), and not a plural of a name already found ("Person
/// Servers" after "Person Server", or before it).
fn collect_bold(inlines: &[Inline], out: &mut Vec<String>) {
    for (at, inline) in inlines.iter().enumerate() {
        if let Inline::Strong(c) = inline {
            let name = plain_text(c).trim().to_string();
            let after = match inlines.get(at + 1) {
                Some(Inline::Text(t)) => t.trim_start().to_lowercase(),
                _ => String::new(),
            };
            if text::is_label(&name) || after.starts_with("implementation") {
                continue;
            }
            let singular = |n: &str| n.trim_end_matches('s').to_lowercase();
            if let Some(o) = out.iter_mut().find(|o| singular(o) == singular(&name)) {
                // The singular names the component.
                if name.len() < o.len() {
                    *o = name;
                }
                continue;
            }
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

pub(super) fn high_level(cx: &mut Cx<'_>, index: usize) {
    let exercise = cx.exercise_title(index).unwrap_or_default();
    let components = step_sections(cx, index, "3")
        .map(|s| bold_names(cx, s))
        .unwrap_or_default();
    let line = cx.doc.sections[index].line;
    if components.len() > MAX_COMPONENT_CLOZE {
        // Too many to guess one from the rest: the learner sketches the design and checks
        // the sketch against the components (and the diagram placed on this card).
        let front = vec![
            Piece::Subject(exercise),
            Piece::Text(format!(
                ": sketch the high-level design — which {} components, connected how?",
                components.len()
            )),
        ];
        let list = components
            .into_iter()
            .map(|c| vec![Inline::Text(c)])
            .collect();
        cx.push(
            index,
            "high-level-design",
            "",
            line,
            None,
            CardBody::Basic {
                front,
                back: vec![Piece::List(list)],
            },
        );
        return;
    }
    if !components.is_empty() {
        // A cloze over the components (rule 4: a long list is asked one item at a time, the
        // others in view), the diagram under it. The client and web server of every design
        // are shown, not asked.
        let n = components.len();
        let mut k = 0;
        let items = components
            .into_iter()
            .map(|c| {
                let number = if EVERY_DESIGN.contains(&c.as_str()) {
                    0
                } else {
                    k += 1;
                    k
                };
                (number, vec![Inline::Text(c)])
            })
            .collect();
        let text = vec![
            Piece::Subject(exercise),
            Piece::Text(format!(
                ": the high-level design — its {n} components (sketch how they connect)"
            )),
            Piece::ClozeList(items),
        ];
        if k > 0 {
            // Its own rule name: the basic card below has `high-level-design`, and a key
            // must never change note type (Anki refuses to merge cloze and basic notes).
            cx.push(
                index,
                "design-components",
                "",
                line,
                None,
                CardBody::Cloze {
                    text,
                    extra: Vec::new(),
                },
            );
        }
        return;
    }
    let Some(alt) = diagram_description(cx, index) else {
        // Nothing to recall but a picture: no card.
        return;
    };
    // The author's description of the diagram says what it shows in words, so the card is
    // never just a picture.
    let front = vec![
        Piece::Subject(exercise),
        Piece::Text(": sketch the high-level design — which components, connected how?".into()),
    ];
    cx.push(
        index,
        "high-level-design",
        "",
        line,
        None,
        CardBody::Basic {
            front,
            back: vec![Piece::Text(alt)],
        },
    );
}

/// Most components a design cloze asks one at a time; more are one sketch card.
const MAX_COMPONENT_CLOZE: usize = 8;

/// Components every design has: shown in the component list, never asked.
const EVERY_DESIGN: &[&str] = &["Client", "Web Server"];

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
