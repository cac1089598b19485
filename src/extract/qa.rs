//! Rule 1 — Q/A pairs: `**Q: …**` followed by `**A: …**`, or plain `Q:` / `A:` paragraphs,
//! become one card each, worded as the author wrote them.

use super::{CardBody, Cx, Piece, text};
use crate::document::{Block, BlockKind, Inline, plain_text};

/// If block `i` starts a Q/A pair, makes the card and returns how many blocks it used.
pub fn try_pair(cx: &mut Cx<'_>, index: usize, blocks: &[Block], i: usize) -> Option<usize> {
    let BlockKind::Paragraph(q) = &blocks[i].kind else {
        return None;
    };
    let mut question = text::unwrap_span(q);
    if !text::strip_prefix(&mut question, "Q:") {
        return None;
    }
    let BlockKind::Paragraph(a) = &blocks.get(i + 1)?.kind else {
        return None;
    };
    let mut answer = text::unwrap_span(a);
    if !text::strip_prefix(&mut answer, "A:") {
        return None;
    }
    text::strip_end(&mut answer, &[]);
    if plain_text(&question).trim().is_empty() || plain_text(&answer).trim().is_empty() {
        return None;
    }
    let item = plain_text(&question);
    let body = CardBody::Basic {
        front: vec![Piece::Inlines(question)],
        back: vec![Piece::Para(strip_bold_wrapping(answer))],
    };
    cx.push(
        index,
        "qa",
        &item,
        blocks[i].line,
        blocks[i].pin.clone(),
        body,
    );
    Some(2)
}

fn strip_bold_wrapping(inlines: Vec<Inline>) -> Vec<Inline> {
    text::unwrap_span(&inlines)
}
