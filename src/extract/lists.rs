//! Rule 4 — lists. A list under a heading or an introducing sentence ("… include:") becomes:
//! - per-item Q/A cards when its items are questions with nested answers (`* Q? * A`);
//! - a basic card "Subject: intro — name the N." when it has at most three short items;
//! - otherwise a cloze note with one deletion per item (overlapping clozes: the other items
//!   stay visible as context); lists longer than ten items are split into notes of up to
//!   eight items. Nested sub-items go in the back extra.
//!
//! Lists of nothing but links are references, not cards.

use super::{CardBody, Cx, Piece, keyterms, text};
use crate::document::{Block, BlockKind, Inline, List, plain_text};

const SHORT_ITEM: usize = 100;
const MAX_CLOZE: usize = 10;
const CHUNK: usize = 8;

pub fn is_reference_list(list: &List) -> bool {
    let links = list
        .items
        .iter()
        .filter(|item| text::is_link_only(&text::item_parts(&item.blocks).0))
        .count();
    links * 5 >= list.items.len() * 4
}

pub fn card(cx: &mut Cx<'_>, index: usize, block: &Block, list: &List, intro: Option<&[Inline]>) {
    if list.items.is_empty() || is_reference_list(list) {
        return;
    }
    // One item holding a nested list: the item introduces the nested list.
    if let [only] = list.items.as_slice()
        && let (first, [nested]) = text::item_parts(&only.blocks)
        && let BlockKind::List(inner) = &nested.kind
    {
        let mut intro = first;
        intro.push(Inline::Text(":".into()));
        let inner_block = Block {
            kind: nested.kind.clone(),
            line: nested.line,
            pin: block.pin.clone(),
        };
        card(cx, index, &inner_block, inner, Some(&intro));
        return;
    }
    if question_items(cx, index, list) {
        return;
    }
    // Statements with key terms: one cloze note per term-bearing item, besides the list note.
    for item in &list.items {
        let (first, _) = text::item_parts(&item.blocks);
        if list.items.len() > 1 {
            keyterms::item_cards(cx, index, block, &first);
        }
    }
    let items: Vec<(Vec<Inline>, &[Block])> = list
        .items
        .iter()
        .map(|item| text::item_parts(&item.blocks))
        .filter(|(first, _)| !plain_text(first).trim().is_empty())
        .collect();
    if items.is_empty() {
        return;
    }
    let subject = cx.subject(index);
    let intro = intro.map(text::strip_trailing_colon);
    let intro_text = intro.as_ref().map(|i| plain_text(i)).unwrap_or_default();
    choice_cards(cx, index, block, &intro_text, &items);
    let has_details = items.iter().any(|(_, rest)| !rest.is_empty());
    let n = items.len();
    let all_short = items.iter().all(|(f, _)| text::len(f) <= SHORT_ITEM);
    if n == 1 || (n <= 3 && all_short && !has_details) {
        let mut front = vec![Piece::Subject(subject), Piece::Text(": ".into())];
        if let Some(intro) = &intro {
            front.push(Piece::Inlines(intro.clone()));
            front.push(Piece::Text(" — ".into()));
        }
        front.push(Piece::Text(if n == 1 {
            "what is the one point made?".to_string()
        } else {
            format!("name the {n}.")
        }));
        let mut back = if n == 1 {
            vec![Piece::Para(items[0].0.clone())]
        } else {
            vec![Piece::List(items.iter().map(|(f, _)| f.clone()).collect())]
        };
        for (_, rest) in &items {
            for b in rest.iter() {
                back.push(Piece::Block(b.clone()));
            }
        }
        cx.push(
            index,
            "list",
            &intro_text,
            block.line,
            block.pin.clone(),
            CardBody::Basic { front, back },
        );
        return;
    }
    let chunks: Vec<&[(Vec<Inline>, &[Block])]> = if n > MAX_CLOZE {
        items.chunks(CHUNK).collect()
    } else {
        vec![&items[..]]
    };
    let many = chunks.len() > 1;
    for (k, chunk) in chunks.iter().enumerate() {
        let mut text_pieces = vec![Piece::Subject(subject.clone())];
        if let Some(intro) = &intro {
            text_pieces.push(Piece::Text(": ".into()));
            text_pieces.push(Piece::Inlines(intro.clone()));
        }
        text_pieces.push(Piece::Text(format!(" ({} items)", chunk.len())));
        if many {
            text_pieces.push(Piece::Text(format!(
                " (part {} of {})",
                k + 1,
                chunks.len()
            )));
        }
        text_pieces.push(Piece::ClozeList(
            chunk
                .iter()
                .enumerate()
                .map(|(j, (f, _))| (j as u32 + 1, f.clone()))
                .collect(),
        ));
        let mut extra = Vec::new();
        for (f, rest) in chunk.iter() {
            if !rest.is_empty() {
                extra.push(Piece::Para(vec![Inline::Strong(f.clone())]));
                for b in rest.iter() {
                    extra.push(Piece::Block(b.clone()));
                }
            }
        }
        let (item, pin) = text::part_identity(&intro_text, block.pin.as_ref(), many, k);
        cx.push(
            index,
            "list",
            &item,
            block.line,
            pin,
            CardBody::Cloze {
                text: text_pieces,
                extra,
            },
        );
    }
}

/// "Reasons for X:" lists in a comparison section ("SQL or NoSQL") also give one card per
/// reason that asks which option it points to: a discrimination the learner can answer in a
/// word, besides the cloze over the whole list.
fn choice_cards(
    cx: &mut Cx<'_>,
    index: usize,
    block: &Block,
    intro_text: &str,
    items: &[(Vec<Inline>, &[Block])],
) {
    let choice = intro_text
        .trim()
        .strip_prefix("Reasons for ")
        .or_else(|| intro_text.trim().strip_prefix("reasons for "))
        .map(str::trim)
        .filter(|c| !c.is_empty() && c.split_whitespace().count() <= 4);
    let Some(choice) = choice else { return };
    let subject = cx.subject(index);
    for (item, _) in items {
        if plain_text(item).trim().is_empty() {
            continue;
        }
        let front = vec![
            Piece::Subject(subject.clone()),
            Piece::Text(": which one does this point to — ".into()),
            Piece::Inlines(item.clone()),
            Piece::Text("?".into()),
        ];
        cx.push(
            index,
            "choice",
            &plain_text(item),
            block.line,
            None,
            CardBody::Basic {
                front,
                back: vec![Piece::Para(vec![Inline::Text(choice.to_string())])],
            },
        );
    }
}

/// `* Question? * answer` lists: one card per question.
fn question_items(cx: &mut Cx<'_>, index: usize, list: &List) -> bool {
    let qa: Vec<_> = list
        .items
        .iter()
        .filter_map(|item| {
            let (first, rest) = text::item_parts(&item.blocks);
            let is_q = plain_text(&first).trim_end().ends_with('?');
            let answer = rest.iter().find_map(|b| match &b.kind {
                BlockKind::List(l) if !l.items.is_empty() => Some(l),
                _ => None,
            });
            match (is_q, answer) {
                (true, Some(a)) => Some((first, a, item)),
                _ => None,
            }
        })
        .collect();
    if qa.is_empty() || qa.len() * 2 < list.items.len() {
        return false;
    }
    let subject = cx.subject(index);
    for (question, answer, item) in qa {
        let answers: Vec<Vec<Inline>> = answer
            .items
            .iter()
            .map(|i| text::item_parts(&i.blocks).0)
            .filter(|a| !a.is_empty())
            .collect();
        if answers.is_empty() {
            continue;
        }
        let back = if answers.len() == 1 {
            vec![Piece::Para(answers[0].clone())]
        } else {
            vec![Piece::List(answers)]
        };
        let front = vec![
            Piece::Subject(subject.clone()),
            Piece::Text(": ".into()),
            Piece::Inlines(question.clone()),
        ];
        cx.push(
            index,
            "question",
            &plain_text(&question),
            item.line,
            item.pin.clone(),
            CardBody::Basic { front, back },
        );
    }
    true
}
