//! Key terms: a sentence (outside the summary) that puts a short phrase in **bold**, or links
//! a short term to its reference, becomes a cloze note with one deletion per such phrase; the
//! rest of the sentence is the context. `code` names count as key terms too. List items
//! get the same treatment (see `lists`), so a list of statements yields one note per term.
//! Lead-ins ("… does the following:"), pointers ("See …") and labels make no key-term card.

use super::{Cx, Piece, text};
use crate::document::{Block, Inline, plain_text};

const MAX_SENTENCE: usize = 280;
const MAX_TERM: usize = 50;

/// Returns how many cards it made.
pub fn cards(cx: &mut Cx<'_>, index: usize, block: &Block, inlines: &[Inline]) -> usize {
    let before = cx.cards.len();
    sentence_cards(cx, index, block, inlines, false);
    cx.cards.len() - before
}

/// For list items: a bold label opening the item (`**User** enters …`) is not a key term.
/// Returns how many cards it made.
pub fn item_cards(cx: &mut Cx<'_>, index: usize, block: &Block, inlines: &[Inline]) -> usize {
    let before = cx.cards.len();
    sentence_cards(cx, index, block, inlines, true);
    cx.cards.len() - before
}

fn sentence_cards(cx: &mut Cx<'_>, index: usize, block: &Block, inlines: &[Inline], label: bool) {
    for (k, sentence) in text::sentences(inlines).into_iter().enumerate() {
        let total = text::len(&sentence);
        if total > MAX_SENTENCE {
            continue;
        }
        // Scaffolding is context: a lead-in belongs to its list ("The {Read API} server does
        // the following:"), a pointer holds nothing to recall ("See {Disadvantage(s)} …").
        let sentence_text = plain_text(&sentence);
        // A translator's note ("（译注：…）") speaks about the text, not the topic: its
        // sentence makes no key-term card.
        if text::is_lead_in(&sentence_text)
            || text::is_pointer(&sentence_text)
            || text::is_label(&sentence_text)
            || ["译注", "譯註", "譯注", "訳注"]
                .iter()
                .any(|w| sentence_text.contains(w))
        {
            continue;
        }
        // A term the card shows elsewhere (again in the sentence, or in its subject: "Add MySQL
        // read replicas: … {{MySQL Read Replicas}} …") is no deletion: the answer would stand
        // on the front.
        let subject_key = format!(" {} ", text::normalize_key(&cx.subject(index)));
        let sentence_key = format!(" {} ", text::normalize_key(&sentence_text));
        // A one-word term in a subject that names several ("Performance vs scalability") is a
        // choice between them, not a giveaway.
        // A term whose words all stand in the subject in another order ("Start with SQL,
        // consider NoSQL: … {{SQL or NoSQL}}") is given away as well.
        let subject_words: Vec<&str> = subject_key.split_whitespace().collect();
        let given = |term: &str| {
            let key = format!(" {} ", text::normalize_key(term));
            let words = key.split_whitespace().count();
            let content: Vec<&str> = key
                .split_whitespace()
                .filter(|w| !matches!(*w, "or" | "and" | "the" | "a" | "an" | "of"))
                .collect();
            words == 0
                || (subject_key.contains(&key) && (words >= 2 || subject_key == key))
                || (content.len() >= 2 && content.iter().all(|w| subject_words.contains(w)))
                || sentence_key.matches(&key).count() >= 2
        };
        // Three or more `code` names in one sentence are a run of examples ("(`SELECT`,
        // `GROUP BY`, `ORDER BY`, `JOIN`)"): any one of them is as good as another.
        let code_run = longest_code_run(&sentence) >= 3;
        // A link to a section of this text, in a sentence that calls it a section, sends the
        // reader on ("work through the [X] section"): its title is not the fact.
        let lower = sentence_text.to_lowercase();
        let names_a_section = cx.words().section.iter().any(|w| lower.contains(w));
        // So does a link to a section that yields no cards (the index, further reading).
        let sends_on =
            |url: &str| (names_a_section && url.starts_with('#')) || cx.leads_to_skipped(url);
        let mut n = 0;
        let mut pieces: Vec<Inline> = Vec::new();
        let mut cloze: Vec<Piece> = Vec::new();
        let mut bold_len = 0;
        for (pos, inline) in sentence.iter().enumerate() {
            match inline {
                Inline::Strong(_) if label && k == 0 && pos == 0 => pieces.push(inline.clone()),
                // A bold label ("**Note:**") is not a term to recall.
                Inline::Strong(children) if text::is_label(&plain_text(children)) => {
                    pieces.push(inline.clone())
                }
                Inline::Strong(children)
                    if text::len(children) <= MAX_TERM && !given(&plain_text(children)) =>
                {
                    if !pieces.is_empty() {
                        cloze.push(Piece::Inlines(std::mem::take(&mut pieces)));
                    }
                    n += 1;
                    bold_len += text::len(children);
                    cloze.push(Piece::Cloze(n, children.clone()));
                }
                Inline::Code(code) if !code_run && is_code_term(code) && !given(code) => {
                    if !pieces.is_empty() {
                        cloze.push(Piece::Inlines(std::mem::take(&mut pieces)));
                    }
                    n += 1;
                    bold_len += code.chars().count();
                    cloze.push(Piece::Cloze(n, vec![inline.clone()]));
                }
                Inline::Link { children, url, .. }
                    if is_term(children) && !given(&plain_text(children)) && !sends_on(url) =>
                {
                    if !pieces.is_empty() {
                        cloze.push(Piece::Inlines(std::mem::take(&mut pieces)));
                    }
                    n += 1;
                    bold_len += text::len(children);
                    cloze.push(Piece::Cloze(n, vec![inline.clone()]));
                }
                other => pieces.push(other.clone()),
            }
        }
        if !pieces.is_empty() {
            cloze.push(Piece::Inlines(pieces));
        }
        // Nothing in bold, or nothing but bold: no card.
        if n == 0 || bold_len * 10 > total * 6 || n > 6 {
            continue;
        }
        cx.push_sentence_cloze(index, "keyterm", &sentence_text, block.line, cloze);
    }
}

/// The most `code` names in a row, joined by nothing but commas, "and" or "or".
fn longest_code_run(sentence: &[Inline]) -> usize {
    let (mut best, mut run) = (0, 0);
    for inline in sentence {
        match inline {
            Inline::Code(_) => {
                run += 1;
                best = best.max(run);
            }
            Inline::Text(t)
                if t.split(|c: char| c == ',' || c.is_whitespace())
                    .all(|w| matches!(w, "" | "and" | "or")) => {}
            _ => run = 0,
        }
    }
    best
}

/// A `code` name worth recalling: short, not punctuation, and not a placeholder such as
/// `Foo` or `x` (asking for a placeholder tests nothing).
fn is_code_term(code: &str) -> bool {
    let t = code.trim();
    t.chars().count() <= 30
        && t.chars().any(char::is_alphanumeric)
        && t.chars().count() > 1
        && !matches!(
            t.to_lowercase().as_str(),
            "foo" | "bar" | "baz" | "qux" | "quux" | "foobar" | "example" | "xyz"
        )
}

/// A linked phrase worth recalling: a short name, not "here" or a number.
fn is_term(children: &[Inline]) -> bool {
    let t = plain_text(children);
    let t = t.trim();
    let words = t.split_whitespace().count();
    (1..=5).contains(&words)
        && t.len() <= 40
        && t.chars().any(|c| c.is_alphabetic())
        && !matches!(
            t.to_lowercase().as_str(),
            "here"
                | "this"
                | "link"
                | "source"
                | "more"
                | "wikipedia"
                | "solution"
                | "contribute"
                | "contributing"
        )
}
