//! Rule 11 — system design exercises. On top of the generic rules (lists as clozes, code with
//! its introducing sentence, key terms):
//! - the use cases and out-of-scope lists become cloze notes;
//! - assumptions: each item with a figure is its own note (the figure deleted), the rest one
//!   cloze list; every back-of-the-envelope figure under "Calculate usage" is its own note;
//! - "Step 2" (high-level design): a card with the diagram and the components named in step 3;
//! - "Step 3" (core components): a card naming the components, then each use case's flow;
//! - "Step 4" (scaling): a card with the scaled diagram and what it adds, then its subsections.
//! - "Additional talking points" are reference lists: no cards.

mod design;
mod figures;
mod flows;
mod labels;
mod scaling;
mod tidy;

use super::{Cx, text};

pub(super) use flows::lead_in_lists;
pub(super) use labels::is_label_card;

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
        design::high_level(cx, index);
        return;
    }
    let figures_section = key.contains("calculate usage")
        || key.contains("assumptions")
        || key.contains("handy conversion");
    if figures_section {
        figures::figures(cx, index);
        return;
    }
    let in_step = |n: &str| {
        key.starts_with(&format!("step {n}"))
            || ancestors
                .iter()
                .any(|t| t.starts_with(&format!("step {n}")))
    };
    let first = cx.cards.len();
    cx.generic_section(
        index,
        in_step("3") && !step("3") || in_step("4") && !step("4"),
    );
    tidy::tidy(cx, index, first, in_step("4"));
}
