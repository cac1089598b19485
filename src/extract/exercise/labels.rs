//! Scaffolding, not facts: cards that only ask for a label or lead-in, steps every flow
//! shares, and answers that only point elsewhere.

use std::sync::LazyLock;

use regex::Regex;

use crate::document::{Inline, plain_text};
use crate::extract::{Card, CardBody, Piece, text};

/// A step every exercise's flow has: the client sends (or posts) its request to the web
/// server, which forwards it to an API server. Shown in a flow's cloze, never asked.
static EVERY_FLOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^the client (?:sends|posts)\b[^.]*?\bto the web server\b|^the web server (?:forwards|passes|sends)\b[^.]*?\bto the [\w ]+ server$").unwrap()
});

/// Whether the card only asks for a label (and so is dropped); list clozes lose the
/// deletion of their lead-in items instead.
pub(in crate::extract) fn is_label_card(card: &mut Card) -> bool {
    // "X does the following:", or a bare heading word such as "Disadvantages".
    let label = |inlines: &[Inline]| {
        let t = plain_text(inlines);
        let t = t.trim();
        t.ends_with(':') && !t.contains(". ")
            || t.split_whitespace().count() <= 2 && text::is_generic_title(t)
    };
    match &mut card.body {
        CardBody::Basic { back, .. } => {
            // The answer proper is the first piece; code shown as context may follow.
            let t = text::pieces_text(&back[..back.len().min(1)]);
            let t = t.trim();
            t.ends_with(':') && !t.contains(". ") && t.chars().count() <= 120
        }
        CardBody::Cloze { text, .. } => {
            let mut n = 0;
            let mut any = false;
            for piece in text.iter_mut() {
                match piece {
                    Piece::ClozeList(items) => {
                        for (k, inlines) in items.iter_mut() {
                            if *k == 0 {
                                continue;
                            }
                            if label(inlines) || EVERY_FLOW.is_match(plain_text(inlines).trim()) {
                                *k = 0;
                            } else {
                                n += 1;
                                *k = n;
                                any = true;
                            }
                        }
                    }
                    Piece::Cloze(k, inlines) => {
                        if label(inlines) {
                            return true;
                        }
                        n = n.max(*k);
                        any = true;
                    }
                    _ => {}
                }
            }
            !any
        }
    }
}

/// A card whose answer only points elsewhere ("See …", "Refer to …"): the link is reading,
/// not a fact.
pub(super) fn is_pointer(card: &Card) -> bool {
    let answer = match &card.body {
        CardBody::Basic { back, .. } => text::pieces_text(back),
        CardBody::Cloze { .. } => return false,
    };
    let a = answer
        .trim()
        .trim_start_matches(['-', '*', ' '])
        .to_lowercase();
    a.starts_with("see ") || a.starts_with("refer to ")
}
