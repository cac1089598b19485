//! Step 3 and step 4 sections after the generic rules: the cards an exercise does not want
//! are dropped, a short request flow becomes a cloze over its steps, and the lead-in lists
//! and scaling decisions are added.

use super::flows::{flow_steps, lead_in_lists};
use super::labels::{is_label_card, is_pointer};
use super::scaling::decisions;
use crate::document::BlockKind;
use crate::extract::{CardBody, Cx, Piece, lists};

/// What the generic rules give that an exercise does not want, on the cards of section
/// `index` from `first` on:
/// - a card whose answer or deletion is only a label or lead-in ("MapReduce implementation:",
///   "The **Read API** server does the following:") — the content is what follows it;
/// - key-term cards of flow steps ("The **Client** sends a request to the **Web Server**"):
///   the cloze over the whole flow asks each step in context;
/// - in a list cloze, a lead-in item is shown, not deleted;
/// - in step 4 (scaling): the preamble up to the first reference list (the same advice in
///   every exercise) gives no cards, and key-term cards give way to decision cards (see
///   [`decisions`]).
pub(super) fn tidy(cx: &mut Cx<'_>, index: usize, first: usize, scaling: bool) {
    let doc = cx.doc;
    let blocks = &doc.sections[index].blocks;
    let mut item_lines = Vec::new();
    let mut stack: Vec<&crate::document::Block> = blocks.iter().collect();
    while let Some(block) = stack.pop() {
        if let BlockKind::List(list) = &block.kind {
            for item in &list.items {
                item_lines.push(item.line);
                for b in &item.blocks {
                    item_lines.push(b.line);
                    stack.push(b);
                }
            }
        }
    }
    let preamble_end = if scaling {
        blocks
            .iter()
            .find(|b| matches!(&b.kind, BlockKind::List(l) if lists::is_reference_list(l)))
            .map(|b| b.line)
            .unwrap_or(0)
    } else {
        0
    };
    let mut kept = Vec::new();
    for mut card in cx.cards.drain(first..) {
        if card.section != index {
            kept.push(card);
            continue;
        }
        if card.line <= preamble_end {
            continue;
        }
        if card.rule == "keyterm" && (scaling || item_lines.contains(&card.line)) {
            let plain = card.item.trim();
            if scaling && !item_lines.contains(&card.line) {
                continue; // replaced by decision cards
            }
            if plain.starts_with("The ") || plain.ends_with(':') {
                continue;
            }
        }
        if is_label_card(&mut card) || is_pointer(&card) {
            // Code shown as context under a dropped card moves to the card before it.
            if let CardBody::Basic { back, .. } = &mut card.body
                && back.len() > 1
                && let Some(prev) = kept.iter_mut().rev().find(|c| c.section == index)
            {
                let context: Vec<Piece> = back.drain(1..).collect();
                crate::extract::code::add_context(prev, context);
            }
            continue;
        }
        if let Some(steps) = flow_steps(blocks, &card) {
            // "Use case: …: name the 3." over a short request flow: a cloze over the steps, so
            // the question says what is asked and the steps every design shares stay shown.
            let n = steps.len();
            let mut context = Vec::new();
            if let CardBody::Basic { front, back } = &card.body {
                context = back.get(1..).unwrap_or_default().to_vec();
                let mut text = front[..1].to_vec();
                text.push(Piece::Text(format!(
                    ": the request flow, step by step ({n} steps)"
                )));
                text.push(Piece::ClozeList(
                    steps
                        .into_iter()
                        .enumerate()
                        .map(|(k, s)| (k as u32 + 1, s))
                        .collect(),
                ));
                card.body = CardBody::Cloze {
                    text,
                    extra: context.clone(),
                };
                // Its own rule name: a key never changes note type.
                card.rule = "flow";
            }
            if is_label_card(&mut card) {
                // Every step is shared: no card; its code context goes to the card before.
                if !context.is_empty()
                    && let Some(prev) = kept.iter_mut().rev().find(|c| c.section == index)
                {
                    crate::extract::code::add_context(prev, context);
                }
                continue;
            }
        }
        kept.push(card);
    }
    cx.cards.extend(kept);
    lead_in_lists(cx, index);
    if scaling {
        decisions(cx, index, preamble_end);
    }
}
