//! Rule 3 — definitions: bold-term bullets (`* **Term** - definition`) become one card per
//! term, asked in the context of their section ("CAP theorem: what is meant by
//! *Consistency*?"). Short named sets (ACID, CAP, BASE: at most six one-to-three-word terms)
//! also get reverse cards (definition → term) unless the definition contains the term or an
//! obvious stem of it. A paragraph that opens with a bold term
//! (`**Latency** is …`) is a definition too.

use super::{CardBody, Cx, Piece, text};
use crate::document::{Block, BlockKind, Inline, List, is_blank, plain_text};

const SEPARATORS: &[&str] = &[" - ", " – ", " — ", ": ", " -", "- ", ":"];

/// A bold term at the start of a run, and the text after its separator.
pub fn split_term(inlines: &[Inline]) -> Option<(Vec<Inline>, Vec<Inline>)> {
    let Some(Inline::Strong(term)) = inlines.first() else {
        return None;
    };
    let mut rest: Vec<Inline> = inlines[1..].to_vec();
    let mut term = term.clone();
    // `**Term:** definition` — the separator inside the bold.
    let term_text = plain_text(&term);
    let inner_sep = term_text.trim_end().ends_with(':') || term_text.trim_end().ends_with(" -");
    if inner_sep {
        text::strip_end(&mut term, &[':', '-', ' ']);
    } else {
        let Some(Inline::Text(t)) = rest.first_mut() else {
            return None;
        };
        let sep = SEPARATORS.iter().find(|s| t.starts_with(*s))?;
        *t = t[sep.len()..].trim_start().to_string();
    }
    text::trim(&mut rest);
    if is_blank(&term) || text::len(&rest) < 3 {
        return None;
    }
    Some((term, rest))
}

/// `**Term** is …` paragraphs (and `**Term** - …`).
pub fn try_paragraph(cx: &mut Cx<'_>, index: usize, block: &Block, inlines: &[Inline]) -> bool {
    let Some(Inline::Strong(term)) = inlines.first() else {
        return false;
    };
    let Some(Inline::Text(after)) = inlines.get(1) else {
        return false;
    };
    let term_text = plain_text(term);
    if term_text.len() > 60
        || term_text.trim_start().starts_with("Q:")
        || text::is_label(&term_text)
    {
        return false;
    }
    // `**Query API Server** implementation:` is a label for what follows, not a definition.
    if text::is_label(&plain_text(inlines)) {
        return false;
    }
    let trimmed = after.trim_start();
    let definitional = |r: &str| {
        ["a ", "an ", "the ", "one "]
            .iter()
            .any(|a| r.starts_with(a))
    };
    let (front_verb, mut answer) = match (trimmed.strip_prefix("is "), trimmed.strip_prefix("are "))
    {
        (Some(rest), _) if definitional(rest) => {
            let mut answer = vec![Inline::Text(text::upper_first(rest))];
            answer.extend(inlines[2..].iter().cloned());
            ("what is", answer)
        }
        (_, Some(rest)) if definitional(rest) || !rest.is_empty() => {
            let mut answer = vec![Inline::Text(text::upper_first(rest))];
            answer.extend(inlines[2..].iter().cloned());
            ("what are", answer)
        }
        _ => match split_term(inlines) {
            Some((_, rest)) => ("what is meant by", rest),
            None if after.starts_with(' ') && after.trim().len() > 3 => {
                ("what characterises", inlines.to_vec())
            }
            None => return false,
        },
    };
    let (kept, _) = text::leading_sentences(&answer, 300, usize::MAX);
    answer = capitalised(&kept);
    let (before, after) = match cx.lang {
        super::Lang::En => (format!(": {front_verb} "), "?"),
        _ => {
            let (before, after) = cx.words().what_is_meant_by;
            (before.to_string(), after)
        }
    };
    let front = vec![
        Piece::Subject(cx.subject(index)),
        Piece::Text(before),
        Piece::Inlines(vec![Inline::Strong(term.clone())]),
        Piece::Text(after.into()),
    ];
    cx.push(
        index,
        "definition",
        &term_text,
        block.line,
        block.pin.clone(),
        CardBody::Basic {
            front,
            back: vec![Piece::Para(answer)],
        },
    );
    true
}

/// "Step 1", "Phase 2": a position in a sequence, not a term. A list of them is a list of
/// steps (see `lists`), never definitions: "which term means 'Perform a distributed sort'?" →
/// "Step 2" asks nothing.
fn is_ordinal(term: &str) -> bool {
    let words: Vec<&str> = term.split_whitespace().collect();
    matches!(
        words.as_slice(),
        [word, number] if ["step", "phase", "stage", "part"].contains(&word.to_lowercase().as_str())
            && number.chars().all(|c| c.is_ascii_digit())
    )
}

/// A list whose items (three quarters or more) are bold-term definitions.
pub fn try_list(cx: &mut Cx<'_>, index: usize, blocks: &[Block], i: usize, list: &List) -> bool {
    let block = &blocks[i];
    let mut entries = Vec::new();
    for item in &list.items {
        let (first, rest) = text::item_parts(&item.blocks);
        if let Some((term, def)) = split_term(&first)
            && !text::is_label(&plain_text(&term))
            && !is_ordinal(&plain_text(&term))
        {
            entries.push((term, def, rest, item));
        }
    }
    if entries.len() < 2 || entries.len() * 4 < list.items.len() * 3 {
        return false;
    }
    // The subject: a bold term opening the paragraph before (ACID, BASE), else the section.
    let mut subject = cx.subject(index);
    for back in 1..=2 {
        let Some(prev) = i.checked_sub(back).and_then(|j| blocks.get(j)) else {
            break;
        };
        let BlockKind::Paragraph(p) = &prev.kind else {
            break;
        };
        if let Some(Inline::Strong(t)) = p.first() {
            let t = plain_text(t);
            if t.len() <= 12 && t.chars().all(|c| c.is_uppercase() || c.is_ascii_digit()) {
                subject = format!("{} ({})", t, subject);
                break;
            }
        }
    }
    for (term, def, rest, item) in &entries {
        // A list may have thousands of items: its cards go on as they are made.
        cx.hand_off();
        let words = plain_text(term).split_whitespace().count();
        let term_text = plain_text(term);
        // A reverse card only when the definition does not give the term away.
        let named_set = (1..=5).contains(&words)
            && text::len(def) <= 200
            && text::len(def) >= 12
            && !text::shares_stem(&term_text, &plain_text(def))
            // CJK text has no words to stem: the term itself in the definition gives it away.
            && !plain_text(def).contains(term_text.trim());
        // "**Compression** - Compress server responses": the definition only says the term
        // again, so asking for it gives the answer away, and there is no card either way.
        if text::restates_term(&term_text, &plain_text(def)) {
            continue;
        }
        let (before, after) = cx.words().what_is_meant_by;
        let front = vec![
            Piece::Subject(subject.clone()),
            Piece::Text(before.into()),
            Piece::Inlines(vec![Inline::Strong(term.clone())]),
            Piece::Text(after.into()),
        ];
        let mut back = vec![Piece::Para(capitalised(def))];
        for b in rest.iter() {
            back.push(Piece::Block(b.clone()));
        }
        let pin = item.pin.clone();
        cx.push(
            index,
            "definition",
            &term_text,
            item.line,
            pin.clone(),
            CardBody::Basic { front, back },
        );
        if named_set {
            let (before, after) = cx.words().which_term_means;
            let front = vec![
                Piece::Subject(subject.clone()),
                Piece::Text(before.into()),
                Piece::Inlines(capitalised(def)),
                Piece::Text(after.into()),
            ];
            cx.push(
                index,
                "definition-reverse",
                &term_text,
                item.line,
                pin.map(|p| format!("{p}/reverse")),
                CardBody::Basic {
                    front,
                    back: vec![Piece::Para(term.clone())],
                },
            );
        }
    }
    let _ = block;
    true
}

/// The definition with its first letter capitalised.
fn capitalised(def: &[Inline]) -> Vec<Inline> {
    let mut out = def.to_vec();
    if let Some(Inline::Text(t)) = out.first_mut() {
        *t = text::upper_first(t);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_in_a_sequence_is_no_term() {
        assert!(is_ordinal("Step 2"));
        assert!(is_ordinal("phase 10"));
        assert!(!is_ordinal("Step function"));
        assert!(!is_ordinal("Sharding"));
    }
}
