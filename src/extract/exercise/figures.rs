//! Assumptions and usage figures ("Calculate usage", "Handy conversion guide"): one cloze per
//! figure, the rest one cloze list; the conversion guide is shown under per-second figures.

use std::sync::LazyLock;

use regex::Regex;

use super::labels::is_label_card;
use crate::document::{Block, BlockKind, Inline, ListItem, plain_text};
use crate::extract::{CardBody, Cx, Piece, breakdown, lists, text};

static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(~?\$?[\d][\d,.]*(?:\^\d+)?\s*(?:%|x|[KMGTP]B\b|bytes?\b|(?:thousand|million|billion|trillion)\b)?)").unwrap()
});

/// Assumptions and usage figures: one cloze note per figure, the rest one cloze list.
pub(super) fn figures(cx: &mut Cx<'_>, index: usize) {
    let doc = cx.doc;
    let first = cx.cards.len();
    let subject = cx.subject(index);
    let blocks = &doc.sections[index].blocks;
    for (bi, block) in blocks.iter().enumerate() {
        let BlockKind::List(list) = &block.kind else {
            continue;
        };
        if lists::is_reference_list(list) {
            continue;
        }
        let intro = text::intro_before(blocks, bi)
            .map(text::strip_trailing_colon)
            .or_else(|| group_name(blocks, bi));
        if intro
            .as_ref()
            .is_some_and(|i| text::normalize_key(&plain_text(i)).contains("conversion guide"))
        {
            continue; // see `conversion_guide`
        }
        let mut plain_items = Vec::new();
        for item in &list.items {
            if let Some(plain) = figure_item(cx, index, &subject, intro.as_deref(), item) {
                plain_items.push(plain);
            }
        }
        plain_list(cx, index, &subject, intro.as_deref(), block, plain_items);
    }
    conversion_guide(cx, index, first);
    let mut k = first;
    while k < cx.cards.len() {
        if is_label_card(&mut cx.cards[k]) {
            cx.cards.remove(k);
        } else {
            k += 1;
        }
    }
}

/// A short paragraph that names the group of assumptions below it ("Timeline", "Search"),
/// with no colon: the cue of the group's cloze. "General" names nothing.
fn group_name(blocks: &[Block], bi: usize) -> Option<Vec<Inline>> {
    let prev = blocks.get(bi.checked_sub(1)?)?;
    let BlockKind::Paragraph(inlines) = &prev.kind else {
        return None;
    };
    let t = plain_text(inlines);
    let t = t.trim();
    let short = (1..=3).contains(&t.split_whitespace().count());
    let sentence = t.ends_with(['.', '!', '?', ':']);
    (short && !sentence && !t.eq_ignore_ascii_case("general")).then(|| inlines.clone())
}

/// One item of a figures list: a figure ("1 billion users", "… = 2.5 TB") is its own cloze,
/// an item with sub-items a cloze over them (see [`sub_items`]); any other item is given back,
/// for the list's cloze (see [`plain_list`]).
fn figure_item(
    cx: &mut Cx<'_>,
    index: usize,
    subject: &str,
    intro: Option<&[Inline]>,
    item: &ListItem,
) -> Option<Vec<Inline>> {
    let (first, rest) = text::item_parts(&item.blocks);
    let t = plain_text(&first);
    let (cloze_at, answer) = if let Some((left, right)) = t.split_once(" = ") {
        (Some(left.len() + 3), right.to_string())
    } else if let Some(m) = FIGURE.captures(&t).and_then(|c| c.get(1)) {
        (Some(0), m.as_str().trim().to_string())
    } else if let Some((at, figure)) = labelled_figure(&t) {
        (Some(at), figure)
    } else {
        (None, String::new())
    };
    match cloze_at {
        Some(at) if !answer.is_empty() => {
            let mut extra = Vec::new();
            for b in rest {
                extra.push(Piece::Block(b.clone()));
            }
            let before = t[..at].to_string();
            let after = t[at + answer.len()..].to_string();
            let mut pieces = vec![
                Piece::Subject(subject.to_string()),
                Piece::Text(": ".into()),
            ];
            if let Some(intro) = intro {
                pieces.push(Piece::Inlines(intro.to_vec()));
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
            None
        }
        _ if !rest.is_empty() => {
            sub_items(cx, index, subject, item, &first, rest);
            None
        }
        _ => Some(first),
    }
}

/// "Read requests: 250 billion per month" (or "…: about 250 billion"): where the figure after a
/// short label starts, and the figure. The label is the cue, as the text around a leading
/// figure is.
fn labelled_figure(item: &str) -> Option<(usize, String)> {
    let (label, value) = item.split_once(": ")?;
    if label.is_empty() || label.chars().count() > 40 || label.contains(['.', ',', ';']) {
        return None;
    }
    let hedge = ["about ", "roughly ", "around ", "up to "]
        .iter()
        .find(|h| value.starts_with(*h))
        .map_or(0, |h| h.len());
    let value = &value[hedge..];
    let figure = FIGURE.captures(value)?.get(1)?.as_str().trim();
    // The sentence's full stop is not part of the figure.
    let figure = figure.trim_end_matches(['.', ',']);
    // "7-byte shortlink, …": a size among parts, not the label's figure.
    // The figure repeated later in the item would answer its own card.
    let after = &value[figure.len()..];
    if after.starts_with('-') || after.contains(figure) {
        return None;
    }
    Some((label.len() + 2 + hedge, figure.to_string()))
}

/// "Size per transaction:" with its sizes, "Traffic is not evenly distributed" with what
/// follows: the sub-items are asked one by one, the item above them is the cue.
fn sub_items(
    cx: &mut Cx<'_>,
    index: usize,
    subject: &str,
    item: &ListItem,
    first: &[Inline],
    rest: &[Block],
) {
    let subs: Vec<Vec<Inline>> = rest
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::List(l) => Some(l),
            _ => None,
        })
        .flat_map(|l| l.items.iter().map(|i| text::item_parts(&i.blocks).0))
        .filter(|i| !i.is_empty())
        .collect();
    if subs.is_empty() {
        return;
    }
    let cue = plain_text(&text::strip_trailing_colon(first));
    if breakdown::card(cx, index, (item.line, item.pin.clone()), &cue, &subs) {
        return;
    }
    let text_pieces = vec![
        Piece::Subject(subject.to_string()),
        Piece::Text(": ".into()),
        Piece::Inlines(text::strip_trailing_colon(first)),
        Piece::ClozeList(
            subs.into_iter()
                .enumerate()
                .map(|(k, i)| (k as u32 + 1, i))
                .collect(),
        ),
    ];
    cx.push(
        index,
        "figure",
        &plain_text(first),
        item.line,
        item.pin.clone(),
        CardBody::Cloze {
            text: text_pieces,
            extra: Vec::new(),
        },
    );
}

/// The items of a figures list that hold no figure: one cloze list, or, when only one is
/// left, a card that asks for it.
fn plain_list(
    cx: &mut Cx<'_>,
    index: usize,
    subject: &str,
    intro: Option<&[Inline]>,
    block: &Block,
    mut plain_items: Vec<Vec<Inline>>,
) {
    if plain_items.len() >= 2 {
        let mut pieces = vec![Piece::Subject(subject.to_string())];
        if let Some(intro) = intro {
            pieces.push(Piece::Text(": ".into()));
            pieces.push(Piece::Inlines(intro.to_vec()));
        }
        pieces.push(Piece::ClozeList(
            plain_items
                .into_iter()
                .enumerate()
                .map(|(i, f)| (i as u32 + 1, f))
                .collect(),
        ));
        let key = intro.map(plain_text).unwrap_or_default();
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
            Piece::Subject(subject.to_string()),
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

/// The handy conversion guide (seconds per month, requests per second to per month) is the
/// same in every exercise: it gives no cards, and is shown under the exercise's per-second
/// figures, where it is used.
fn conversion_guide(cx: &mut Cx<'_>, index: usize, first: usize) {
    let blocks = &cx.doc.sections[index].blocks;
    let Some((bi, block)) = blocks.iter().enumerate().find(|(bi, _)| {
        text::intro_before(blocks, *bi)
            .is_some_and(|i| text::normalize_key(&plain_text(i)).contains("conversion guide"))
    }) else {
        return;
    };
    let intro = text::intro_before(blocks, bi).map(|i| i.to_vec());
    let mut context = Vec::new();
    if let Some(intro) = intro {
        context.push(Piece::Para(intro));
    }
    context.push(Piece::Block(block.clone()));
    for card in &mut cx.cards[first..] {
        if card.section != index {
            continue;
        }
        if let CardBody::Cloze { text: t, extra } = &mut card.body
            && text::pieces_text(t).contains("per second")
        {
            extra.extend(context.iter().cloned());
        }
    }
}
