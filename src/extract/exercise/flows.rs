//! Request flows (step 3): the steps of a "name the N." list over a flow, and the cloze
//! over the sub-list of a lead-in item ("The **Write API** server does the following:").

use super::labels::is_label_card;
use crate::document::{Block, BlockKind, Inline, plain_text};
use crate::extract::{Card, CardBody, Cx, Piece, lists, text};

/// When `card` is a "name the N." card (no introducing sentence) over a list of flow steps
/// ("The **Client** sends …"), the steps.
pub(super) fn flow_steps(blocks: &[Block], card: &Card) -> Option<Vec<Vec<Inline>>> {
    if card.rule != "list" {
        return None;
    }
    let CardBody::Basic { front, .. } = &card.body else {
        return None;
    };
    match front.as_slice() {
        [Piece::Subject(_), Piece::Text(_), Piece::Text(t)] if t.starts_with("name the ") => {}
        [Piece::Subject(_), Piece::Text(t)] if t.starts_with(": name the ") => {}
        _ => return None,
    }
    let block = blocks.iter().find(|b| b.line == card.line)?;
    let BlockKind::List(list) = &block.kind else {
        return None;
    };
    let steps: Vec<Vec<Inline>> = list
        .items
        .iter()
        .map(|i| text::item_parts(&i.blocks).0)
        .collect();
    if !steps.iter().all(|s| plain_text(s).starts_with("The ")) {
        return None;
    }
    // A step that leads into its own list ("The **User Graph Service** does the
    // following:") is asked on its own card (see `lead_in_lists`), its lead-in the cue.
    Some(
        steps
            .into_iter()
            .filter(|s| !text::ends_with_colon(s))
            .collect(),
    )
}

/// A list item that is a lead-in with its own list ("The **Write API** server does the
/// following:" and its steps) gives a cloze over that list, the lead-in as its cue: the list
/// cloze above shows the lead-in without asking it.
pub(in crate::extract) fn lead_in_lists(cx: &mut Cx<'_>, index: usize) {
    let doc = cx.doc;
    let subject = cx.subject(index);
    for block in &doc.sections[index].blocks {
        let BlockKind::List(list) = &block.kind else {
            continue;
        };
        if lists::is_reference_list(list) {
            continue;
        }
        for item in &list.items {
            let (lead, rest) = text::item_parts(&item.blocks);
            let heading_word = {
                let t = plain_text(&lead);
                t.split_whitespace().count() <= 2 && text::is_generic_title(t.trim())
            };
            if !text::ends_with_colon(&lead) && !heading_word {
                continue;
            }
            // "For example, in a photo service, …:": a sample, not the design's flow (see
            // `lists`: samples make no card).
            let key = text::normalize_key(&plain_text(&lead));
            if key.starts_with("for example") || key.starts_with("for instance") {
                continue;
            }
            let Some((sub_block, sub)) = rest.iter().find_map(|b| match &b.kind {
                BlockKind::List(l) => Some((b, l)),
                _ => None,
            }) else {
                continue;
            };
            let mut extra = Vec::new();
            let parts: Vec<_> = sub
                .items
                .iter()
                .map(|i| text::item_parts(&i.blocks))
                .filter(|(first, _)| !first.is_empty())
                .collect();
            let shapes: Vec<(&[Inline], bool)> = parts
                .iter()
                .map(|(first, more)| (first.as_slice(), !more.is_empty()))
                .collect();
            // A remark among the steps is shown, never asked (see `lists::remark_indices`).
            let remarks = lists::remark_indices(&shapes);
            let steps: Vec<(u32, Vec<Inline>)> = parts
                .into_iter()
                .enumerate()
                .map(|(k, (first, more))| {
                    if remarks.contains(&k) {
                        return (0, first);
                    }
                    // A step that leads into its own list ("Notifies the user through the
                    // **Notification Service**:") is a step all the same: asked without its
                    // colon, its list under the answer. A long step is asked by its first
                    // sentence, or shown when even that is too long (one fact per deletion).
                    let first = if more.is_empty() {
                        first
                    } else {
                        text::strip_trailing_colon(&first)
                    };
                    let (deleted, rest_of_step) = lists::deletion(&first);
                    let shown = deleted.clone().unwrap_or_else(|| first.clone());
                    if !more.is_empty() || rest_of_step.is_some() {
                        extra.push(Piece::Para(vec![Inline::Strong(shown.clone())]));
                        extra.extend(rest_of_step.map(Piece::Para));
                        extra.extend(more.iter().map(|b| Piece::Block(b.clone())));
                    }
                    (if deleted.is_some() { k as u32 + 1 } else { 0 }, shown)
                })
                .collect();
            if steps.len() < 2 {
                continue;
            }
            let text_pieces = vec![
                Piece::Subject(subject.clone()),
                Piece::Text(": ".into()),
                Piece::Inlines(lead.clone()),
                Piece::ClozeList(steps),
            ];
            cx.push(
                index,
                "steps",
                &plain_text(&lead),
                item.line,
                item.pin.clone(),
                CardBody::Cloze {
                    text: text_pieces,
                    extra,
                },
            );
            // A step that is itself a lead-in is shown, not asked.
            if cx.cards.last_mut().is_some_and(is_label_card) {
                cx.cards.pop();
                continue;
            }
            // The list rule gave this sub-list its own card ("… does the following (4
            // items)"), and its steps key-term cards ("Uses the {{Budget Service}} to …"):
            // this one asks the same, every step in the context of the others.
            let own = cx.cards.len() - 1;
            let mut k = 0;
            cx.cards.retain(|c| {
                k += 1;
                k - 1 == own
                    || !(c.section == index
                        && matches!(c.rule, "list" | "short-list" | "keyterm")
                        && c.line == sub_block.line)
            });
        }
    }
}
