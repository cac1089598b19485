//! Step 4 (scaling): each sentence that names a component and says what it is for becomes a
//! decision card that deletes the purpose.

use std::sync::LazyLock;

use regex::Regex;

use crate::document::{BlockKind, Inline, plain_text};
use crate::extract::{CardBody, Cx, Piece, text};

/// Purpose clauses: what a scaling decision is for.
static PURPOSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(to (?:address|reduce|avoid|handle|speed up|keep|improve|prevent|help|minimize|smooth|absorb|protect|lower|cut|spread|offload)|is (?:also )?useful for|so that|because|as long as|instead of)\s+").unwrap()
});

/// Step 4: each sentence that names a component and says what it is for (a purpose clause:
/// "to address …", "to reduce …", "useful for …", "instead of …") becomes a cloze that deletes
/// the purpose: the learner sees the decision and recalls the problem it solves. Paragraphs
/// in the preamble (up to line `preamble_end`) are left out.
pub(super) fn decisions(cx: &mut Cx<'_>, index: usize, preamble_end: usize) {
    let doc = cx.doc;
    let subject = cx.subject(index);
    let diagrams: Vec<crate::document::Figure> = doc.sections[index]
        .blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Figure(f) if !f.images.is_empty() => Some(f.clone()),
            _ => None,
        })
        .collect();
    for block in &doc.sections[index].blocks {
        let BlockKind::Paragraph(inlines) = &block.kind else {
            continue;
        };
        if block.line <= preamble_end {
            continue;
        }
        for sentence in text::sentences(inlines) {
            let names = sentence
                .iter()
                .any(|i| matches!(i, Inline::Strong(_) | Inline::Code(_)));
            let plain = plain_text(&sentence).trim().to_string();
            if !names || plain.chars().count() > 300 {
                continue;
            }
            let Some(m) = PURPOSE.find(&plain) else {
                continue;
            };
            let rest = &plain[m.end()..];
            let end = rest
                .find(", ")
                .filter(|&e| e > 10)
                .unwrap_or(rest.trim_end_matches('.').len());
            let deleted = rest[..end].trim();
            if deleted.split_whitespace().count() < 2 {
                continue;
            }
            let before = &plain[..m.end()];
            let after = &rest[end..];
            let pieces = vec![
                Piece::Subject(subject.clone()),
                Piece::Text(": ".into()),
                Piece::Text(before.to_string()),
                Piece::Cloze(1, vec![Inline::Text(deleted.to_string())]),
                Piece::Text(after.to_string()),
            ];
            cx.push(
                index,
                "decision",
                &plain,
                block.line,
                None,
                CardBody::Cloze {
                    text: pieces,
                    extra: Vec::new(),
                },
            );
            // Each decision is read against the scaled design's diagram (the section's first
            // card gets it from figure placement).
            let earlier = cx.cards.iter().filter(|c| c.section == index).count() > 1;
            if earlier && let Some(card) = cx.cards.last_mut() {
                card.figures = diagrams.clone();
            }
        }
    }
}
