//! Quiz entries, as quiz repositories write them: a heading that asks ("6. What's the
//! output?"), its code, its options (`- A: …`, `- B: …`), then the answer — a heading
//! `#### Answer: D` followed by the explanation, or a `<details>` block holding it. One entry
//! is one card: the question with its code and options on the front, the answer with its
//! explanation on the back. Without an answer it gives no card: options alone ask nothing.
//!
//! The answer heading is a section of its own (often at a higher level than the question,
//! inside the `<details>`), and a file parsed section by section has dropped the question's
//! blocks by the time it arrives: the question is kept as a [`Pending`] entry until the next
//! section says whether it answers it.

use std::sync::LazyLock;

use regex::Regex;

use super::{CardBody, Cx, Piece};
use crate::document::{Block, BlockKind, Inline, List, plain_text};

/// An option label opening a list item: `A:`, `A.`, `A)`, `(A)`.
static OPTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\(?([A-Ha-h])\s*[:.)）：]\s*").unwrap());
/// An answer heading or line: `Answer: D`, `Answer - D`, `答案：D`, `正解：D`.
static ANSWER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:correct\s+)?(?:answer|答案|答え|正解)\s*[:：\-–—]?\s*(.*)$").unwrap()
});
/// A number before the question ("6.", "Q6:", "Question 6 -").
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*(?:q(?:uestion)?\s*)?\d+\s*[.:)\-–—]\s*").unwrap());

/// Longest explanation kept under the answer (characters): the rest is the source's.
const MAX_EXPLANATION: usize = 1000;

/// A question waiting for the next section to answer it.
#[derive(Debug, Clone)]
pub struct Pending {
    section: usize,
    line: usize,
    front: Vec<Piece>,
    options: Vec<(String, Vec<Inline>)>,
}

/// Section `index` as a quiz entry, or as the answer to the pending one. Returns whether it
/// was (the generic rules then leave it alone).
pub fn section(cx: &mut Cx<'_>, index: usize) -> bool {
    let section = cx.section_at(index);
    if let Some(pending) = cx.quiz.take()
        && let Some(caps) = ANSWER.captures(&section.title_text)
    {
        let answer = caps[1].trim().to_string();
        let explanation = explanation(&section.blocks);
        push(cx, pending, &answer, explanation);
        return true;
    }
    let Some(question) = asks(&section.title_text) else {
        return false;
    };
    let blocks = &section.blocks;
    let Some(options_at) = blocks.iter().position(|b| options_of(b).is_some()) else {
        return false;
    };
    let mut front = vec![Piece::Text(question)];
    for block in &blocks[..options_at] {
        match &block.kind {
            BlockKind::Paragraph(inlines) => front.push(Piece::Para(inlines.clone())),
            BlockKind::Code { lang, text } => front.push(Piece::Code {
                lang: lang.clone(),
                text: text.trim_end().to_string(),
            }),
            _ => {}
        }
    }
    let options = options_of(&blocks[options_at]).unwrap_or_default();
    front.push(Piece::List(
        options.iter().map(|(_, i)| i.clone()).collect(),
    ));
    let pending = Pending {
        section: index,
        line: section.line,
        front,
        options,
    };
    // The answer may stand in the section itself, in a `<details>` block after the options.
    let rest = &blocks[options_at + 1..];
    if let Some((answer, explanation)) = answer_within(rest) {
        push(cx, pending, &answer, explanation);
    } else {
        cx.quiz = Some(pending);
    }
    true
}

/// Whether a heading is a quiz's answer ("Answer: B").
pub fn is_answer_title(title: &str) -> bool {
    ANSWER
        .captures(title)
        .is_some_and(|c| !c[1].trim().is_empty())
}

/// The question a title asks, its number left out; `None` when it does not ask.
fn asks(title: &str) -> Option<String> {
    let title = title.trim();
    if !title.ends_with(['?', '？']) {
        return None;
    }
    let question = NUMBER.replace(title, "").trim().to_string();
    (!question.is_empty()).then_some(question)
}

/// The options of a list whose every item (two or more) opens with a label: (label, text).
fn options_of(block: &Block) -> Option<Vec<(String, Vec<Inline>)>> {
    let BlockKind::List(List { items, .. }) = &block.kind else {
        return None;
    };
    if items.len() < 2 {
        return None;
    }
    items
        .iter()
        .map(|item| {
            let Some(Block {
                kind: BlockKind::Paragraph(inlines),
                ..
            }) = item.blocks.first()
            else {
                return None;
            };
            let text = plain_text(inlines);
            let caps = OPTION.captures(&text)?;
            Some((caps[1].to_uppercase(), inlines.clone()))
        })
        .collect()
}

/// An answer inside the question's own section: a `<details>` block whose first line (a
/// paragraph, or the HTML itself) says `Answer: X`, the explanation after it.
fn answer_within(blocks: &[Block]) -> Option<(String, Vec<Piece>)> {
    let open = blocks
        .iter()
        .position(|b| matches!(&b.kind, BlockKind::Html(h) if h.contains("<details")))?;
    let inside = &blocks[open + 1..];
    // The whole `<details>` in one HTML block: its text, tags left out.
    if let BlockKind::Html(html) = &blocks[open].kind
        && html.contains("</details>")
    {
        let text = strip_tags(html);
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let mut answer = None;
        let mut rest = Vec::new();
        for line in lines.by_ref() {
            match ANSWER.captures(line) {
                Some(caps) if answer.is_none() => answer = Some(caps[1].trim().to_string()),
                _ if answer.is_some() => rest.push(line.to_string()),
                _ => {}
            }
        }
        let answer = answer.filter(|a| !a.is_empty())?;
        let explanation = rest
            .into_iter()
            .map(|l| Piece::Para(vec![Inline::Text(l)]))
            .collect();
        return Some((answer, explanation));
    }
    let (first, after) = inside.split_first()?;
    let BlockKind::Paragraph(inlines) = &first.kind else {
        return None;
    };
    let text = plain_text(inlines);
    let caps = ANSWER.captures(text.trim())?;
    let answer = caps[1].trim().to_string();
    (!answer.is_empty()).then(|| (answer, explanation(after)))
}

/// The explanation blocks, as card pieces: paragraphs, code and lists, up to
/// [`MAX_EXPLANATION`] characters; HTML (the closing tags of a `<details>`) is left out.
fn explanation(blocks: &[Block]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut used = 0;
    for block in blocks {
        let (piece, len) = match &block.kind {
            BlockKind::Paragraph(inlines) => (
                Piece::Para(inlines.clone()),
                plain_text(inlines).chars().count(),
            ),
            BlockKind::Code { lang, text } => (
                Piece::Code {
                    lang: lang.clone(),
                    text: text.trim_end().to_string(),
                },
                text.chars().count(),
            ),
            BlockKind::List(_) => (
                Piece::Block(block.clone()),
                crate::document::blocks_text(std::slice::from_ref(block))
                    .chars()
                    .count(),
            ),
            _ => continue,
        };
        if used > 0 && used + len > MAX_EXPLANATION {
            break;
        }
        used += len;
        out.push(piece);
    }
    out
}

/// The card: the answer's option written out when the answer is its label.
fn push(cx: &mut Cx<'_>, pending: Pending, answer: &str, explanation: Vec<Piece>) {
    let label = answer
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_uppercase();
    let mut back = match pending.options.iter().find(|(l, _)| *l == label) {
        Some((_, option)) => vec![Piece::Para(vec![Inline::Strong(option.clone())])],
        None => vec![Piece::Para(vec![Inline::Strong(vec![Inline::Text(
            answer.to_string(),
        )])])],
    };
    back.extend(explanation);
    cx.push(
        pending.section,
        "quiz",
        "",
        pending.line,
        None,
        CardBody::Basic {
            front: pending.front,
            back,
        },
    );
}

/// HTML text without its tags.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push('\n');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_title_loses_its_number_and_a_statement_asks_nothing() {
        assert_eq!(asks("6. What is printed?"), Some("What is printed?".into()));
        assert_eq!(
            asks("Q12: Which loop ends?"),
            Some("Which loop ends?".into())
        );
        assert_eq!(asks("Loops"), None);
    }

    #[test]
    fn answer_lines_in_several_languages() {
        for (line, want) in [
            ("Answer: D", "D"),
            ("#### answer - b", ""),
            ("答案：C", "C"),
            ("Correct answer: A", "A"),
        ] {
            let got = ANSWER.captures(line).map(|c| c[1].trim().to_string());
            if want.is_empty() {
                assert_eq!(got, None, "{line}");
            } else {
                assert_eq!(got.as_deref(), Some(want), "{line}");
            }
        }
    }
}
