//! Rule 1 — Q/A pairs: `**Q: …**` followed by `**A: …**`, or plain `Q:` / `A:` paragraphs
//! (`问：`/`答：`, `Q：`/`A：` and the other markers of `lang`), become one card each, worded as
//! the author wrote them.

use super::{CardBody, Cx, Piece, lang, text};
use crate::document::{Block, BlockKind, Inline, is_blank, plain_text};

/// The first character of each language's question markers, ASCII lowercased (as
/// `strip_prefix` compares them).
static QUESTION_STARTS: std::sync::LazyLock<Vec<char>> = std::sync::LazyLock::new(|| {
    let mut starts: Vec<char> = lang::all()
        .flat_map(|w| w.question_markers.iter())
        .filter_map(|m| m.chars().next())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    starts.sort_unstable();
    starts.dedup();
    starts
});

/// If block `i` starts a Q/A pair, makes the card and returns how many blocks it used.
pub fn try_pair(cx: &mut Cx<'_>, index: usize, blocks: &[Block], i: usize) -> Option<usize> {
    let BlockKind::Paragraph(q) = &blocks[i].kind else {
        return None;
    };
    let question = text::unwrapped_span(q);
    // Most paragraphs ask nothing: one whose first character starts no question marker is
    // told without trying each marker on a copy.
    let first = text::first_char(question).map(|c| c.to_ascii_lowercase());
    if !first.is_some_and(|c| QUESTION_STARTS.contains(&c)) {
        return None;
    }
    let mut question = question.to_vec();
    // Markers of every language (`Q:`, `问：`, `Q：`, …): see `lang`.
    let markers = |pick: fn(&lang::Words) -> &'static [&'static str]| {
        lang::all().flat_map(move |w| pick(w).iter().copied())
    };
    if !markers(|w| w.question_markers).any(|m| text::strip_prefix(&mut question, m)) {
        return None;
    }
    let BlockKind::Paragraph(a) = &blocks.get(i + 1)?.kind else {
        return None;
    };
    let mut answer = text::unwrap_span(a);
    if !markers(|w| w.answer_markers).any(|m| text::strip_prefix(&mut answer, m)) {
        return None;
    }
    text::strip_end(&mut answer, &[]);
    if is_blank(&question) || is_blank(&answer) {
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
