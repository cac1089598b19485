//! Sentence facts. A sentence further down a section that states one fact about a thing it
//! names, in a form each language's table knows ("The length of downtime is determined by
//! …", "ロードバランサーは…で実現できる", "键-值存储是…的基础"), becomes one question about
//! that thing: "Active-passive: what determines the length of downtime?" → what the sentence
//! says. The cues hold two slots: `{a}`, the thing, which the question repeats, and `{x}`, the
//! fact, which is the answer (`Words::facts`). Only the deck's own language is asked in, and
//! only a sentence that no other rule took: a fact asked twice is reviewed twice.
//!
//! A worked example whose result is a number ("If two filters each remove 90% of the leaves,
//! together they would remove 99%.") becomes a cloze of that number: the numbers before it
//! are the givens.

use super::{Cx, Piece, lang, text};
use crate::document::{Block, Inline, plain_text};

/// The longest thing asked about (characters, CJK counted twice): longer, it is a clause, not
/// a name, and the question would read badly.
const MAX_THING: usize = 60;
/// The longest text a question repeats of what is said about the thing.
const MAX_SAID: usize = 100;
/// The longest answer: one fact, said in a breath.
const MAX_FACT: usize = 160;

/// One card per sentence of `inlines` that states a fact by a cue of the deck's language.
/// Returns how many cards it made.
pub fn cards(cx: &mut Cx<'_>, index: usize, block: &Block, inlines: &[Inline]) -> usize {
    let mut made = 0;
    // A paragraph set wholly in italics or bold ("*Networks aren't reliable, so …*") is read
    // as its sentences.
    for sentence in text::sentences(&text::unwrap_span(inlines)) {
        let plain = plain_text(&sentence);
        if text::len(&sentence) > 280 || text::is_pointer(&plain) {
            continue;
        }
        if let Some((question, answer)) = fact(cx.words(), &plain) {
            let front = vec![
                Piece::Subject(cx.subject(index)),
                Piece::Text(format!("{}{question}", cx.words().colon)),
            ];
            cx.push_plain_answer(index, "fact", &question, block.line, front, answer);
            made += 1;
        } else if let Some(cloze) = worked_result(&sentence) {
            cx.push_sentence_cloze(index, "worked-result", &plain, block.line, cloze);
            made += 1;
        }
    }
    made
}

/// Clauses that give a reason after what a sentence says. `aliases` cuts at "，这样" too; here
/// it opens the consequence a cue may ask for ("…，这样就会…，如果…，就会…"), so it is not cut.
const REASONS: &[&str] = &[", as ", ", because ", ", since ", "，因为", "，因為"];
/// Clauses that set something against what a sentence says ("…, but reads are fast").
const CONTRASTS: &[&str] = &[
    ", but ",
    ", although ",
    "が、",
    "，但是",
    "，但",
    "，虽然",
    "，雖然",
    // "…，并需要…": a second point joined on.
    "，并",
    "，並",
];

/// The question and answer a sentence gives by the first cue of `words` it matches.
fn fact(words: &lang::Words, sentence: &str) -> Option<(String, String)> {
    let sentence = sentence
        .trim()
        .trim_end_matches(['.', '。', '!', '！', ':', '：']);
    // ASCII lower-casing keeps every byte offset, so positions found in `lower` slice
    // `sentence`.
    let lower = sentence.to_ascii_lowercase();
    // A reason or a contrast after a fact is not part of it ("…, as traffic is spread out
    // more evenly"), unless the cue asks for the reason.
    let first_of = |clauses: &[&str]| {
        clauses
            .iter()
            .filter_map(|r| lower.find(r))
            .min()
            .unwrap_or(sentence.len())
    };
    let reason = first_of(REASONS);
    let contrast = first_of(CONTRASTS);
    let cut = reason.min(contrast);
    // The clause after a contrast ("UDP is less reliable, but works well for …") when the
    // fact stands there.
    let after_contrast = CONTRASTS
        .iter()
        .find(|c| lower[contrast..].starts_with(**c))
        .map(|c| contrast + c.len());
    words.facts.iter().find_map(|(cue, question)| {
        // A cue that holds the reason reads up to a contrast; one that holds the contrast,
        // the whole sentence.
        let asks_why = REASONS.iter().chain(CONTRASTS).any(|r| cue.contains(r));
        let end = if CONTRASTS.iter().any(|c| cue.contains(c)) {
            sentence.len()
        } else if asks_why {
            contrast
        } else {
            cut
        };
        let slots = match_cue(cue, &sentence[..end], &lower[..end]).or_else(|| {
            let start = after_contrast?;
            let end = if asks_why {
                sentence.len()
            } else {
                reason.max(start)
            };
            match_cue(cue, &sentence[start..end], &lower[start..end])
        })?;
        let mut values: Vec<(&str, String)> = Vec::new();
        for (name, text) in slots {
            let value = match name {
                "x" => fact_of(text)?,
                "a" => thing_of(text, true)?,
                _ => thing_of(text, false)?,
            };
            values.push((name, value));
        }
        let answer = values.iter().find(|(name, _)| *name == "x")?.1.clone();
        let values: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let mut question = lang::fill(question, &values);
        // An answer that lists things says how many are expected (house rule 4).
        let n = list_len(&answer);
        if n >= 3 {
            question.push_str(&words.items(n));
        }
        Some((question, answer))
    })
}

/// How many things an answer lists: "Collections, tags, metadata, or directories" → 4,
/// "集合、标签、元数据或者文件夹" → 4. A phrase, or parts too long to be names ("Larger
/// stores built on it, and in rare cases, a search index"), count 1.
fn list_len(answer: &str) -> usize {
    let cjk = answer.chars().any(text::is_cjk);
    // A CJK list is enumerated with "、"; "，" alone joins clauses.
    if cjk && !answer.contains('、') {
        return 1;
    }
    let (parts, joiners, longest): (Vec<&str>, &[&str], usize) = if cjk {
        (
            answer.split(['、', '，']).collect(),
            &["や", "或者", "和", "與", "与"],
            30,
        )
    } else {
        (answer.split(", ").collect(), &[" or ", " and "], 4)
    };
    let short = |part: &str| {
        if part.chars().any(text::is_cjk) {
            text::str_len(part) <= longest
        } else {
            let part = part.trim_start_matches("or ").trim_start_matches("and ");
            part.split_whitespace().count() <= longest
        }
    };
    if parts.len() < 2 || !parts.iter().all(|p| short(p)) {
        return 1;
    }
    // The last part may join two ("メタデータやディレクトリ", "元数据或者文件夹").
    let last = parts.last().map_or("", |p| p);
    parts.len() + usize::from(joiners.iter().any(|j| last.contains(j)))
}

/// The text at each slot of `cue` (`{a}`, `{b}`, `{x}`) when `sentence` has its shape. The
/// literal before the first slot may stand anywhere (what precedes it is dropped:
/// "Generally, you should try to avoid …"); each literal between slots is the first after
/// the one before; a literal after the last slot is its last occurrence. English literals
/// match whatever the case.
fn match_cue<'c, 's>(
    cue: &'c str,
    sentence: &'s str,
    lower: &str,
) -> Option<Vec<(&'c str, &'s str)>> {
    // The cue as literals and slot names: literal, name, literal, name, …, literal.
    let mut literals = Vec::new();
    let mut names = Vec::new();
    let mut rest = cue;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}')?;
        literals.push(rest[..open].to_ascii_lowercase());
        names.push(&rest[open + 1..close]);
        rest = &rest[close + 1..];
    }
    literals.push(rest.to_ascii_lowercase());
    let last = literals.len() - 1;
    if names.is_empty() || literals[1..last].iter().any(String::is_empty) {
        return None;
    }
    let mut at = if literals[0].is_empty() {
        0
    } else {
        lower.find(&literals[0])? + literals[0].len()
    };
    let mut out = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let literal = &literals[k + 1];
        let end = if k + 1 == last {
            // A tail ends the sentence, or stands late in it ("…ので避けるべきです"): its
            // last occurrence.
            if literal.is_empty() {
                sentence.len()
            } else {
                at + lower[at..].rfind(literal.as_str())?
            }
        } else {
            at + lower[at..].find(literal.as_str())?
        };
        let text = sentence[at..end].trim();
        if text.is_empty() {
            return None;
        }
        out.push((*name, text));
        at = end + literal.len();
    }
    Some(out)
}

/// The thing a fact is about (`named`), or what is said of it, as a question repeats it: an
/// opening clause before the thing dropped
/// ("Based on the underlying implementation, documents" → "documents"), a sentence's capital
/// lowered ("The length of downtime" → "the length of downtime"; "HTTP" stays).
fn thing_of(thing: &str, named: bool) -> Option<String> {
    // What is said of the thing (`{b}`) keeps its clauses, and may be longer.
    let (thing, max) = if named {
        let last = thing
            .rsplit_once([',', '、', '，'])
            .map_or(thing, |(_, last)| last);
        (last, MAX_THING)
    } else {
        (thing, MAX_SAID)
    };
    let thing = thing.trim().trim_start_matches(['“', '「']);
    if thing.is_empty() || text::str_len(thing) > max || thing.contains(['。', '(', '（']) {
        return None;
    }
    Some(text::lowercase_name(thing))
}

/// The fact as an answer: polite endings dropped ("…などです" → "…など"), and short enough to be one fact.
fn fact_of(said: &str) -> Option<String> {
    let said = said.trim().trim_start_matches(['、', '，', ',']);
    // A short connective in kana before the fact ("このように、…") is not part of it.
    let said = said
        .split_once('、')
        .filter(|(head, _)| {
            head.chars().count() <= 5
                && head.chars().all(|c| ('\u{3041}'..='\u{309f}').contains(&c))
        })
        .map_or(said, |(_, rest)| rest);
    let said = said
        .trim_end_matches("でしょう")
        .trim_end_matches("です")
        .trim();
    let len = text::str_len(said);
    (2..=MAX_FACT).contains(&len).then(|| {
        let mut chars = said.chars();
        match chars.next() {
            // An English answer reads as a phrase: "Hardware (expensive) or …".
            Some(c) if c.is_ascii_lowercase() => {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            }
            _ => said.to_string(),
        }
    })
}

/// A conditional sentence ("If …", "もし…", "如果…") that gives numbers and ends in a
/// number: the cloze of that last number, the rest as written.
fn worked_result(sentence: &[Inline]) -> Option<Vec<Piece>> {
    static NUMBER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\d[\d,.]*\s?(%|ms|µs|ns|s|MB|GB|KB|TB)?").expect("a valid pattern")
    });
    let plain = plain_text(sentence);
    let opening = plain.trim_start().to_ascii_lowercase();
    if !["if ", "もし", "如果", "假如"]
        .iter()
        .any(|w| opening.starts_with(w))
    {
        return None;
    }
    // The result stands in the last text of the sentence, after every given number.
    let last = sentence.len().checked_sub(1)?;
    let Inline::Text(tail) = &sentence[last] else {
        return None;
    };
    let found = NUMBER.find_iter(tail).last()?;
    let after = tail[found.end()..].trim_end_matches(['.', '。', ' ']);
    let givens = NUMBER.find_iter(&plain).count();
    if !after.trim().is_empty() || givens < 2 {
        return None;
    }
    let mut before: Vec<Inline> = sentence[..last].to_vec();
    before.push(Inline::Text(tail[..found.start()].to_string()));
    Some(vec![
        Piece::Inlines(before),
        Piece::Cloze(1, vec![Inline::Text(found.as_str().trim().to_string())]),
        Piece::Text(tail[found.end()..].to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Lang;

    fn ask(lang: Lang, sentence: &str) -> Option<(String, String)> {
        fact(lang::words(lang), sentence)
    }

    fn pair(q: &str, a: &str) -> Option<(String, String)> {
        Some((q.to_string(), a.to_string()))
    }

    #[test]
    fn english_facts_are_asked_about_what_they_name() {
        assert_eq!(
            ask(
                Lang::En,
                "The length of downtime is determined by whether the spare is warm."
            ),
            pair(
                "what determines the length of downtime?",
                "Whether the spare is warm"
            )
        );
        assert_eq!(
            ask(
                Lang::En,
                "Based on the layout, documents are organized by tags or folders."
            ),
            pair("how are documents organized?", "Tags or folders")
        );
        assert_eq!(
            ask(
                Lang::En,
                "Generally, you should try to avoid disk caches, as they are slow to clone."
            ),
            pair(
                "why should you avoid disk caches?",
                "They are slow to clone"
            )
        );
        assert_eq!(
            ask(
                Lang::En,
                "Quiet sites work well with push caches, as they change rarely."
            ),
            pair("what works well with push caches?", "Quiet sites")
        );
        assert_eq!(
            ask(Lang::En, "HTTP requests consist of a verb and a resource."),
            pair("what do HTTP requests consist of?", "A verb and a resource")
        );
        assert_eq!(
            ask(
                Lang::En,
                "Based on the layout, documents are organized by tags, folders, or dates."
            ),
            pair(
                "how are documents organized? (3 items)",
                "Tags, folders, or dates"
            )
        );
        assert_eq!(ask(Lang::En, "Caches are fast."), None);
    }

    #[test]
    fn japanese_and_chinese_facts_are_asked_in_their_language() {
        assert_eq!(
            ask(Lang::Ja, "キャッシュはメモリかディスクで実現できる。"),
            pair("キャッシュは何で実現できますか？", "メモリかディスク")
        );
        assert_eq!(
            ask(Lang::Ja, "キーバリューストアは文書ストアなどの基本です。"),
            pair("キーバリューストアは何の基本ですか？", "文書ストアなど")
        );
        assert_eq!(
            ask(Lang::ZhHans, "一个请求由一个动词和一个资源组成。"),
            pair("一个请求由什么组成？", "一个动词和一个资源")
        );
        assert_eq!(
            ask(
                Lang::ZhHans,
                "一般来说，你应该尽量避免文件缓存，因为这很慢。"
            ),
            pair("为什么应该避免文件缓存？", "这很慢")
        );
        assert_eq!(
            ask(Lang::ZhHans, "如果缓存足够大，那么命中率会提高。"),
            pair("在什么情况下命中率会提高？", "缓存足够大")
        );
        // Another language's cue is not asked in this one.
        assert_eq!(ask(Lang::Ja, "一个请求由一个动词和一个资源组成。"), None);
    }

    /// The inlines of the one paragraph under a title.
    fn paragraph(markdown: &str) -> Vec<crate::document::Inline> {
        let doc = crate::document::parse(markdown, std::path::Path::new("t.md")).unwrap();
        let crate::document::BlockKind::Paragraph(inlines) = &doc.sections[1].blocks[0].kind else {
            panic!("a paragraph");
        };
        inlines.clone()
    }

    #[test]
    fn a_worked_result_is_a_cloze_of_its_last_number() {
        let inlines = paragraph(
            "# T\n\nIf `A` and `B` each had 99.9% availability, the total would be 99.8%.\n",
        );
        let pieces = worked_result(&inlines).expect("a cloze");
        assert!(
            matches!(&pieces[1], Piece::Cloze(1, c) if plain_text(c) == "99.8%"),
            "{pieces:?}"
        );
        // No given number before it: nothing worked out.
        assert!(worked_result(&paragraph("# T\n\nIf it fails, the rate is 5%.\n")).is_none());
    }
}
