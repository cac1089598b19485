//! Text helpers shared by the rules: keys, titles, sentences, inline surgery. The scaffolding
//! detectors (labels, lead-ins, pointers, …) live in [`super::scaffolding`] and are re-exported
//! here.

pub use super::scaffolding::{
    examples_before, is_example_intro, is_label, is_lead_in, is_pointer, points_to_section,
    restates_term, shares_stem,
};
pub use crate::key::{fingerprint, normalize_key};

use super::{Card, CardBody, Piece};
use crate::document::{Block, BlockKind, Inline, is_blank, plain_text, push_plain};

/// Item key and pin of part `k` (0-based) of something split into several notes: both get a
/// `k + 1` suffix when there is more than one part, so each part keeps its own identity.
pub fn part_identity(
    item: &str,
    pin: Option<&String>,
    many: bool,
    k: usize,
) -> (String, Option<String>) {
    if many {
        (
            format!("{item} {}", k + 1),
            pin.map(|p| format!("{p}/{}", k + 1)),
        )
    } else {
        (item.to_string(), pin.cloned())
    }
}

/// A heading title as a subject: "Disadvantage(s): sharding" → "Sharding — disadvantages".
pub fn clean_title(title: &str) -> String {
    let title = title.trim().trim_end_matches(':').trim();
    // The key of an ASCII title starts with its first two letters or digits: a title whose
    // first two are not "we" is told without its key.
    let may_scope = !title.is_ascii() || {
        let mut alnum = title.bytes().filter(u8::is_ascii_alphanumeric);
        alnum.next().map(|b| b.to_ascii_lowercase()) == Some(b'w')
            && alnum.next().map(|b| b.to_ascii_lowercase()) == Some(b'e')
    };
    if may_scope {
        let key = normalize_key(title);
        if key.starts_with("well scope the problem") || key.starts_with("we ll scope the problem") {
            return "Use cases in scope".to_string();
        }
    }
    for (prefix, word) in [
        ("disadvantage(s):", "disadvantages"),
        ("disadvantages:", "disadvantages"),
        ("disadvantage:", "disadvantage"),
        ("advantage(s):", "advantages"),
        ("advantages:", "advantages"),
        ("benefit(s):", "benefits"),
        ("benefits:", "benefits"),
    ] {
        if title.len() > prefix.len()
            && title.is_char_boundary(prefix.len())
            && title[..prefix.len()].eq_ignore_ascii_case(prefix)
        {
            let topic = title[prefix.len()..].trim();
            return format!("{} — {word}", upper_first(topic));
        }
    }
    title.to_string()
}

/// A title, label or header as it reads inside a sentence: "Client caching" → "client
/// caching". A first word with a capital after its first letter is a name or an acronym
/// ("DNS", "NoSQL", "MapReduce", "I/O"): it stays as written.
pub fn lowercase_name(s: &str) -> String {
    let first_word = s.split_whitespace().next().unwrap_or("");
    if first_word.chars().skip(1).any(char::is_uppercase) {
        return s.to_string();
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

pub fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// Titles that mean little without their parent's.
pub fn is_generic_title(title: &str) -> bool {
    const GENERIC: &[&str] = &[
        "goals",
        "goal",
        "assumptions",
        "use cases",
        "out of scope",
        "constraints and assumptions",
        "constraints",
        "state assumptions",
        "calculate usage",
        "in sequence",
        "in parallel",
        "notes",
        "note",
        "solution",
        "overview",
        "summary",
        "example",
        "examples",
        "next steps",
        "benefits",
        "advantages",
        "disadvantages",
        "disadvantage",
        "pros",
        "cons",
        "steps",
        "usage",
        "details",
        "trade offs",
        "tradeoffs",
    ];
    let key = normalize_key(title);
    GENERIC.contains(&key.as_str())
        || key.starts_with("we ll scope the problem")
        || key.starts_with("well scope the problem")
        || key.starts_with("disadvantage")
        || key.starts_with("advantage")
        || super::lang::is_generic_title(&key)
}

/// The paragraph before block `i` when it introduces it (ends with a colon).
pub fn intro_before(blocks: &[Block], i: usize) -> Option<&[Inline]> {
    let prev = blocks.get(i.checked_sub(1)?)?;
    match &prev.kind {
        BlockKind::Paragraph(inlines) if ends_with_colon(inlines) => Some(inlines),
        _ => None,
    }
}

pub fn ends_with_colon(inlines: &[Inline]) -> bool {
    // The full-width colon of Chinese and Japanese text introduces a list just the same.
    plain_text(inlines).trim_end().ends_with([':', '：'])
}

/// The last sentence of inline markup, without its trailing colon: the words that
/// introduce what follows ("Load balancers are effective at").
pub fn strip_trailing_colon(inlines: &[Inline]) -> Vec<Inline> {
    let mut out = sentences(inlines).pop().unwrap_or_else(|| inlines.to_vec());
    strip_end(&mut out, &[':', '：']);
    out
}

/// Removes trailing characters from the last text run (descending into a final span).
pub fn strip_end(inlines: &mut Vec<Inline>, chars: &[char]) {
    while let Some(last) = inlines.last_mut() {
        match last {
            Inline::Text(t) => {
                let trimmed = t.trim_end().trim_end_matches(chars).trim_end().to_string();
                if trimmed.is_empty() {
                    inlines.pop();
                    continue;
                }
                *t = trimmed;
                return;
            }
            Inline::Strong(c) | Inline::Emphasis(c) => {
                strip_end(c, chars);
                if c.is_empty() {
                    inlines.pop();
                    continue;
                }
                return;
            }
            Inline::SoftBreak | Inline::HardBreak => {
                inlines.pop();
            }
            _ => return,
        }
    }
}

/// Removes a leading literal prefix (case-insensitive) from the first text run, descending
/// into a leading bold/emphasis span. Returns whether it was found.
pub fn strip_prefix(inlines: &mut Vec<Inline>, prefix: &str) -> bool {
    let Some(first) = inlines.first_mut() else {
        return false;
    };
    let found = match first {
        Inline::Text(t) => {
            let trimmed = t.trim_start();
            if trimmed.len() >= prefix.len()
                && trimmed.is_char_boundary(prefix.len())
                && trimmed[..prefix.len()].eq_ignore_ascii_case(prefix)
            {
                *t = trimmed[prefix.len()..].trim_start().to_string();
                true
            } else {
                false
            }
        }
        Inline::Strong(c) | Inline::Emphasis(c) => strip_prefix(c, prefix),
        _ => false,
    };
    if found {
        inlines.retain(|i| match i {
            Inline::Text(t) => !t.is_empty(),
            Inline::Strong(c) | Inline::Emphasis(c) => !c.is_empty(),
            _ => true,
        });
    }
    found
}

/// If the whole run is one bold (or emphasis) span, its content.
pub fn unwrap_span(inlines: &[Inline]) -> Vec<Inline> {
    unwrapped_span(inlines).to_vec()
}

/// [`unwrap_span`], borrowed.
pub fn unwrapped_span(inlines: &[Inline]) -> &[Inline] {
    match inlines {
        [Inline::Strong(c)] | [Inline::Emphasis(c)] => unwrapped_span(c),
        _ => inlines,
    }
}

/// The first character [`strip_prefix`] compares with a prefix: of the first inline's text
/// once trimmed, inside a first bold or emphasis span.
pub fn first_char(inlines: &[Inline]) -> Option<char> {
    match inlines.first()? {
        Inline::Text(t) => t.trim_start().chars().next(),
        Inline::Strong(c) | Inline::Emphasis(c) => first_char(c),
        _ => None,
    }
}

/// Splits inline markup into sentences at `. `, `? `, `! ` in top-level text followed by a
/// capital letter or digit (common abbreviations excepted).
pub fn sentences(inlines: &[Inline]) -> Vec<Vec<Inline>> {
    let mut out: Vec<Vec<Inline>> = Vec::new();
    let mut current: Vec<Inline> = Vec::new();
    for (pos, inline) in inlines.iter().enumerate() {
        let Inline::Text(text) = inline else {
            if matches!(inline, Inline::SoftBreak) {
                current.push(Inline::Text(" ".into()));
            } else {
                current.push(inline.clone());
            }
            continue;
        };
        let mut rest = text.as_str();
        loop {
            match sentence_break(rest, inlines.get(pos + 1)) {
                Some(at) => {
                    let (head, tail) = rest.split_at(at);
                    if !head.trim().is_empty() {
                        current.push(Inline::Text(head.to_string()));
                    }
                    out.push(std::mem::take(&mut current));
                    rest = tail.trim_start();
                }
                None => {
                    if !rest.is_empty() {
                        current.push(Inline::Text(rest.to_string()));
                    }
                    break;
                }
            }
        }
    }
    if current
        .iter()
        .any(|i| !matches!(i, Inline::Text(t) if t.trim().is_empty()))
    {
        out.push(current);
    }
    for sentence in &mut out {
        merge_text(sentence);
        trim(sentence);
    }
    out.retain(|s| !is_blank(s));
    out
}

fn sentence_break(text: &str, next: Option<&Inline>) -> Option<usize> {
    let ascii = ascii_sentence_break(text, next);
    let cjk = cjk_sentence_break(text, next.is_some());
    match (ascii, cjk) {
        (Some(a), Some(c)) => Some(a.min(c)),
        (a, c) => a.or(c),
    }
}

/// After a full stop, exclamation or question mark of CJK text ("。", "！", "？"), when more
/// of the text follows (not a closing bracket or quote: it belongs to the sentence), in this
/// text or after it (`more_inlines`: a line break or markup; CJK text wraps with no space, so
/// a stop at the end of a line ends its sentence).
fn cjk_sentence_break(text: &str, more_inlines: bool) -> Option<usize> {
    // Every stop looked for is outside ASCII: most text has none to decode.
    if text.is_ascii() {
        return None;
    }
    for (i, c) in text.char_indices() {
        if !matches!(c, '。' | '！' | '？') {
            continue;
        }
        let end = i + c.len_utf8();
        let after = text[end..].trim_start();
        if after.is_empty() && more_inlines {
            return Some(end);
        }
        if !after.is_empty() && !after.starts_with(['」', '』', '）', '”', '’', ')', '"']) {
            return Some(end);
        }
    }
    None
}

fn ascii_sentence_break(text: &str, next: Option<&Inline>) -> Option<usize> {
    let bytes = text.as_bytes();
    // Every summary is split into sentences, twice: the stops are found by memchr's vector
    // search rather than a byte at a time.
    for i in memchr::memchr3_iter(b'.', b'?', b'!', bytes) {
        let b = bytes[i];
        let after = &text[i + 1..];
        let starts_next = if after.is_empty() {
            // A sentence may end right before a link or bold span.
            false
        } else if after.starts_with(' ') {
            let rest = after.trim_start();
            match rest.chars().next() {
                Some(c) => c.is_uppercase() || c.is_ascii_digit(),
                None => matches!(
                    next,
                    Some(Inline::Strong(_) | Inline::Link { .. } | Inline::Emphasis(_))
                ),
            }
        } else {
            false
        };
        if !starts_next {
            continue;
        }
        let before = text[..i]
            .rsplit(' ')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if matches!(
            before.as_str(),
            "e.g" | "i.e" | "etc" | "vs" | "mr" | "dr" | "approx" | "ie" | "eg"
        ) || (before.len() == 1 && b == b'.')
        {
            continue;
        }
        return Some(i + 1);
    }
    None
}

pub fn merge_text(inlines: &mut Vec<Inline>) {
    // Most runs have no two texts side by side: nothing to rebuild.
    if !inlines
        .windows(2)
        .any(|w| matches!(w, [Inline::Text(_), Inline::Text(_)]))
    {
        return;
    }
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for inline in inlines.drain(..) {
        if let (Inline::Text(new), Some(Inline::Text(last))) = (&inline, out.last_mut()) {
            last.push_str(new);
            continue;
        }
        out.push(inline);
    }
    *inlines = out;
}

pub fn trim(inlines: &mut Vec<Inline>) {
    // Trimmed in place: a copy of every sentence's text showed in the profile.
    if let Some(Inline::Text(t)) = inlines.first_mut() {
        let start = t.len() - t.trim_start().len();
        t.drain(..start);
    }
    if let Some(Inline::Text(t)) = inlines.last_mut() {
        t.truncate(t.trim_end().len());
    }
    inlines.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
    // Collapse runs of spaces left by removed footnotes.
    for inline in inlines.iter_mut() {
        if let Inline::Text(t) = inline
            && t.contains("  ")
        {
            *t = String::from(if t.starts_with(' ') { " " } else { "" })
                + &t.split(' ')
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
                + if t.ends_with(' ') { " " } else { "" };
        }
    }
}

/// Whole sentences from the start, as many as fit in `max` characters (at least one).
pub fn leading_sentences(
    inlines: &[Inline],
    max: usize,
    max_sentences: usize,
) -> (Vec<Inline>, usize) {
    leading_of(&sentences(inlines), max, max_sentences)
}

/// [`leading_sentences`] of a run already split into sentences.
pub fn leading_of(all: &[Vec<Inline>], max: usize, max_sentences: usize) -> (Vec<Inline>, usize) {
    let mut out = Vec::new();
    let mut used = 0;
    let mut len = 0;
    for sentence in all.iter().take(max_sentences.max(1)) {
        // Measured as `len` measures: a CJK sentence says about twice what an English one of
        // as many characters does, so a limit in characters kept whole CJK paragraphs.
        let l = self::len(sentence);
        if used > 0 && len + l > max {
            break;
        }
        if used > 0 {
            out.push(Inline::Text(" ".into()));
        }
        out.extend(sentence.iter().cloned());
        len += l + 1;
        used += 1;
    }
    merge_text(&mut out);
    (out, used)
}

/// Plain text of pieces, for measuring and comparing.
pub fn pieces_text(pieces: &[Piece]) -> String {
    let mut out = String::new();
    push_pieces_text(pieces, &mut out);
    out
}

/// Appends [`pieces_text`] of `pieces` to `out`.
fn push_pieces_text(pieces: &[Piece], out: &mut String) {
    for piece in pieces {
        match piece {
            Piece::Text(t) | Piece::Subject(t) => out.push_str(t),
            Piece::Inlines(i) | Piece::Para(i) | Piece::Cloze(_, i) => push_plain(i, out),
            Piece::ClozeList(items) => {
                for (_, i) in items {
                    push_plain(i, out);
                    out.push(' ');
                }
            }
            Piece::List(items) => {
                for i in items {
                    push_plain(i, out);
                    out.push(' ');
                }
            }
            Piece::Block(b) => out.push_str(&crate::document::blocks_text(std::slice::from_ref(b))),
            Piece::Code { text, .. } => out.push_str(text),
            Piece::Table { rows, .. } => {
                for row in rows {
                    out.push_str(&row.join(" "));
                }
            }
        }
    }
}

pub fn question_key(card: &Card) -> String {
    let mut key = String::new();
    question_key_into(card, (&mut String::new(), &mut key));
    key
}

/// [`question_key`] written into `key`, with `text` as room for the question's plain text:
/// the two buffers are reused from card to card (two strings a card showed in the profile).
pub fn question_key_into(card: &Card, (text, key): (&mut String, &mut String)) {
    let question = match &card.body {
        CardBody::Basic { front, .. } => front,
        CardBody::Cloze { text, .. } => text,
    };
    text.clear();
    push_pieces_text(question, text);
    crate::key::normalize_key_into(text, key);
}

pub fn append_to_question(card: &mut Card, suffix: &str) {
    let pieces = match &mut card.body {
        CardBody::Basic { front, .. } => front,
        CardBody::Cloze { text, .. } => text,
    };
    // Put it after the subject line when there is one, else at the end.
    if let Some(pos) = pieces.iter().position(|p| matches!(p, Piece::Subject(_))) {
        if let Piece::Subject(s) = &mut pieces[pos] {
            s.push_str(suffix);
        }
    } else {
        pieces.push(Piece::Text(suffix.to_string()));
    }
}

/// Length of the text in a run of inline markup, in characters.
///
/// A CJK character counts twice: it carries about as much as a short English word, and
/// a CJK text has no spaces, so a limit made for English (a deletion of 150 characters, a
/// "short" item of 100) would let through three times as much (see `is_cjk`).
pub fn len(inlines: &[Inline]) -> usize {
    // Summed piece by piece, as `plain_text` would join them, without joining them.
    inlines
        .iter()
        .map(|inline| match inline {
            Inline::Text(t) | Inline::Code(t) => str_len(t),
            Inline::Emphasis(c) | Inline::Strong(c) | Inline::Strikethrough(c) => len(c),
            Inline::Link { children, .. } => len(children),
            Inline::Image { alt, .. } => str_len(alt),
            Inline::Html(_) => 0,
            Inline::SoftBreak | Inline::HardBreak => 1,
        })
        .sum()
}

/// [`len`] of plain text.
pub fn str_len(text: &str) -> usize {
    if text.is_ascii() {
        return text.len();
    }
    text.chars().map(|c| if is_cjk(c) { 2 } else { 1 }).sum()
}

/// Whether `c` is a Han, kana or Hangul character, or CJK punctuation.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F      // CJK punctuation
        | 0x3040..=0x30FF    // hiragana, katakana
        | 0x3400..=0x4DBF    // Han extension A
        | 0x4E00..=0x9FFF    // Han
        | 0xAC00..=0xD7AF    // Hangul
        | 0xF900..=0xFAFF    // Han compatibility
        | 0xFF00..=0xFFEF    // full-width forms
    )
}

/// The first paragraph of a list item, and the rest of its blocks.
pub fn item_parts(blocks: &[Block]) -> (Vec<Inline>, &[Block]) {
    match blocks.first().map(|b| &b.kind) {
        Some(BlockKind::Paragraph(inlines)) => (inlines.clone(), &blocks[1..]),
        _ => (Vec::new(), blocks),
    }
}

/// Whether inline markup is nothing but links (and separators): a reference, not content.
pub fn is_link_only(inlines: &[Inline]) -> bool {
    let mut links = 0;
    for inline in inlines {
        match inline {
            Inline::Link { .. } => links += 1,
            Inline::Strong(c) | Inline::Emphasis(c) => {
                if !is_link_only(c) {
                    return false;
                }
                links += 1;
            }
            Inline::Text(t) => {
                if t.chars().any(|c| c.is_alphanumeric()) {
                    return false;
                }
            }
            Inline::SoftBreak | Inline::HardBreak | Inline::Html(_) => {}
            _ => return false,
        }
    }
    links > 0
}

/// Sentences joined back into one run of inlines, a space between each ("…databases. In
/// each"), adjacent text merged.
pub fn join_sentences(sentences: Vec<Vec<Inline>>) -> Vec<Inline> {
    let mut joined: Vec<Inline> = sentences
        .into_iter()
        .enumerate()
        .flat_map(|(k, s)| {
            let space = (k > 0).then(|| Inline::Text(" ".into()));
            space.into_iter().chain(s)
        })
        .collect();
    merge_text(&mut joined);
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_stripped_starts_with_the_first_char() {
        let text = |t: &str| Inline::Text(t.into());
        let cases = [
            vec![text("  q: why?")],
            vec![Inline::Strong(vec![text("Q: why?")]), text(" more")],
            vec![Inline::Emphasis(vec![Inline::Strong(vec![text(" 问：")])])],
            vec![text("质问：")],
            vec![Inline::Code("Q: x".into())],
            vec![],
        ];
        for inlines in cases {
            for prefix in ["Q:", "问：", "A:"] {
                let first = first_char(&inlines).map(|c| c.to_ascii_lowercase());
                let wanted = prefix.chars().next().map(|c| c.to_ascii_lowercase());
                if strip_prefix(&mut inlines.clone(), prefix) {
                    assert_eq!(first, wanted, "{inlines:?} {prefix}");
                }
            }
        }
    }

    #[test]
    fn scoping_titles_are_found_whatever_their_punctuation() {
        for title in [
            "We'll scope the problem to these use cases",
            "we ll scope the problem",
            "WELL, scope the problem:",
        ] {
            assert_eq!(clean_title(title), "Use cases in scope", "{title}");
        }
        for title in [
            "Web scope the problem",
            "W e scope the problem",
            "Well-scope the problem",
            "Scope",
        ] {
            assert_ne!(clean_title(title), "Use cases in scope", "{title}");
        }
    }

    #[test]
    fn len_counts_what_plain_text_shows() {
        let inlines = vec![
            Inline::Text("Cache ".into()),
            Inline::Strong(vec![Inline::Text("写入".into())]),
            Inline::SoftBreak,
            Inline::Link {
                url: "#x".into(),
                title: String::new(),
                children: vec![Inline::Code("a/b".into())],
            },
            Inline::Html("<br>".into()),
            Inline::Image {
                url: "i.png".into(),
                alt: "図".into(),
            },
        ];
        assert_eq!(len(&inlines), str_len(&plain_text(&inlines)));
        assert_eq!(len(&inlines), 6 + 4 + 1 + 3 + 2);
    }

    #[test]
    fn cjk_text_is_measured_and_split_as_cjk() {
        let text = |t: &str| vec![Inline::Text(t.into())];
        assert_eq!(len(&text("缓存")), 4);
        assert_eq!(len(&text("cache")), 5);
        let split: Vec<String> = sentences(&text("缓存很快。数据库很慢！「はい。」と言う。"))
            .iter()
            .map(|s| plain_text(s))
            .collect();
        assert_eq!(split, ["缓存很快。", "数据库很慢！", "「はい。」と言う。"]);
    }

    #[test]
    fn titles_become_subjects() {
        assert_eq!(
            clean_title("Disadvantage(s): sharding"),
            "Sharding — disadvantages"
        );
        assert_eq!(clean_title("Goals:"), "Goals");
    }

    #[test]
    fn sentences_split_at_boundaries() {
        let s = sentences(&[Inline::Text(
            "One thing, e.g. this. Two things! Why? 3 more. no break.".into(),
        )]);
        let texts: Vec<_> = s.iter().map(|s| plain_text(s)).collect();
        assert_eq!(
            texts,
            [
                "One thing, e.g. this.",
                "Two things!",
                "Why?",
                "3 more. no break."
            ]
        );
    }
}
