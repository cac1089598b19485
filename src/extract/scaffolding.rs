//! Scaffolding detectors: the words of a page that frame its facts rather than state them —
//! labels ("Disadvantages:"), lead-ins ("… the following:"), pointers ("See the diagram"),
//! introductions of samples ("such as") — and the giveaway check of reverse cards
//! ([`shares_stem`]). The rules reach these through [`super::text`].

use super::text::{normalize_key, sentences};
use crate::document::{Block, BlockKind, Inline, plain_text};

/// Section labels that carry no fact on their own (normalised): "Note", "Disadvantages",
/// "Trade-offs, alternatives, and additional details".
const LABELS: &[&str] = &[
    "note",
    "notes",
    "disadvantage",
    "disadvantages",
    "disadvantage s",
    "advantages",
    "advantage s",
    "benefits",
    "pros",
    "cons",
    "goal",
    "goals",
    "use cases",
    "constraints",
    "assumptions",
    "constraints and assumptions",
    "tradeoffs alternatives and additional details",
    "trade offs alternatives and additional details",
    "example",
    "examples",
];

/// A label, not a fact: "Note:", "Disadvantages", "MapReduce implementation:", or any short
/// phrase (six words at most) that ends in a colon. Labels are context: they never make the
/// answer, the question or a deletion of a card.
pub fn is_label(text: &str) -> bool {
    let t = text.trim();
    // Every label is six words at most: a longer text (most) is told without its key.
    if t.is_ascii() && ascii_key_words(t, b"-()") > 6 {
        return false;
    }
    let key = normalize_key(&spaced_out(t));
    if key.is_empty() {
        return false;
    }
    let words = key.split(' ').count();
    LABELS.contains(&key.as_str())
        || (t.ends_with(':') && words <= 6)
        || (key.ends_with(" implementation") && words <= 4)
}

/// How many words `normalize_key` would give ASCII `text` once each of `separators` is a
/// space: runs between whitespace, `/` and the separators that hold a letter or digit (other
/// punctuation is dropped, and joins what is on either side).
fn ascii_key_words(text: &str, separators: &[u8]) -> usize {
    let mut words = 0;
    let mut in_word = false;
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() {
            words += usize::from(!in_word);
            in_word = true;
        } else if b.is_ascii_whitespace() || b == b'/' || b == 0x0b || separators.contains(&b) {
            in_word = false;
        }
    }
    words
}

/// Whether the letters and digits of ASCII `text`, lowercased and run together, contain one of
/// `needles` (lowercase letters): what the key (the same characters, spaced) must contain to
/// contain a needle.
fn ascii_letters_contain(text: &str, needles: &[&[u8; 6]]) -> bool {
    let bytes = text.as_bytes();
    // A needle can only start at its first letter, and most bytes are neither needle's: the
    // rest of a needle is matched only there. `b | 0x20` is the lowercase of an ASCII letter,
    // and no other byte gives that letter: against a letter, it compares as the lowercase
    // does.
    (0..bytes.len()).any(|start| {
        let first = bytes[start] | 0x20;
        needles
            .iter()
            .any(|n| n[0] == first && letters_follow(&bytes[start + 1..], &n[1..]))
    })
}

/// Whether `text` has lowercase ASCII `needle` in it, ignoring ASCII case. The needle's first
/// letter, in either case, is found by memchr and the rest compared there.
fn contains_ignore_ascii_case(text: &str, needle: &str) -> bool {
    let (bytes, needle) = (text.as_bytes(), needle.as_bytes());
    let first = needle[0];
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), bytes).any(|at| {
        bytes
            .get(at..at + needle.len())
            .is_some_and(|window| window.eq_ignore_ascii_case(needle))
    })
}

/// Whether the letters and digits at the start of `rest` (lowercased, anything else skipped)
/// are `want`.
fn letters_follow(rest: &[u8], want: &[u8]) -> bool {
    let mut want = want.iter();
    let mut next = want.next();
    for b in rest.iter().filter(|b| b.is_ascii_alphanumeric()) {
        match next {
            None => return true,
            Some(w) if b.to_ascii_lowercase() == *w => next = want.next(),
            Some(_) => return false,
        }
    }
    next.is_none()
}

/// `text` with `-`, `(` and `)` turned into spaces (words apart, not joined, once the key drops
/// punctuation); ASCII byte by byte, as this runs on every summary.
fn spaced_out(text: &str) -> String {
    let spaced = |c| matches!(c, '-' | '(' | ')');
    if !text.is_ascii() {
        return text.replace(spaced, " ");
    }
    let bytes = text
        .bytes()
        .map(|b| if spaced(char::from(b)) { b' ' } else { b })
        .collect();
    String::from_utf8(bytes).expect("ASCII bytes are UTF-8")
}

/// A lead-in: words that introduce what follows ("The server does the following:", "Additional
/// benefits include", "… two of the following guarantees"). It belongs to the list after it.
pub fn is_lead_in(text: &str) -> bool {
    let t = text.trim();
    if t.ends_with([':', '：']) {
        return true;
    }
    // The translations' "… the following?": a question about what follows (以下/下面/次の).
    if t.ends_with(['？', '?']) && super::lang::has_following_cue(t) {
        return true;
    }
    // Each phrase below holds "follow" or "includ": text without either (most) is told
    // without its key.
    if t.is_ascii() && !ascii_letters_contain(t, &[b"follow", b"includ"]) {
        return false;
    }
    let key = normalize_key(t);
    key.contains("the following")
        || key.ends_with("as follows")
        || key.ends_with(" include")
        || key.ends_with(" includes")
        || key.ends_with(" including")
        || key == "include"
        || key == "includes"
}

/// A pointer, not a fact: "See the linked content above", "See Disadvantage(s): replication for
/// points related to both", "See the diagram". ("See your data as an object" is advice.)
pub fn is_pointer(text: &str) -> bool {
    let t = text.trim().trim_start_matches('(');
    // An ASCII pointer starts with "see " or "refer to ", or has "linked content" or "see the
    // diagram" in it: text with none of these (most) is told without lowercasing it.
    if t.is_ascii()
        && !crate::markup::starts_with_ignore_case(t, "see ")
        && !crate::markup::starts_with_ignore_case(t, "refer to ")
        && !contains_ignore_ascii_case(t, "linked content")
        && !contains_ignore_ascii_case(t, "see the diagram")
    {
        return false;
    }
    is_lowercase_pointer(&t.to_lowercase())
}

/// [`is_pointer`] of text already trimmed and lowercased.
fn is_lowercase_pointer(t: &str) -> bool {
    let see = t.starts_with("see ") || t.starts_with("refer to ");
    // The translations' "see …": 参考/参见/详见 … (Chinese) and … を参照 (Japanese).
    let cjk_see = ["参考", "参见", "参閱", "参阅", "详见"]
        .iter()
        .any(|w| t.starts_with(w))
        || t.trim_end_matches(['。', '.']).ends_with("を参照")
        || t.trim_end_matches(['。', '.'])
            .ends_with("を参照してください");
    cjk_see
        || t.contains("linked content")
        || t.contains("see the diagram")
        || (see
            && (t.starts_with("see the ")
                || t.starts_with("see also")
                || [
                    "above",
                    "below",
                    "for details",
                    "for points",
                    "for more",
                    "section",
                    "disadvantage",
                ]
                .iter()
                .any(|w| t.contains(w))))
}

/// Whether a sentence sends the reader to a section of the same text: it links to a heading
/// (`#anchor`) and calls it a section in some language ("work through the [X] section",
/// "[数据库](#数据库)部分"). `plain` is the sentence's plain text.
pub fn points_to_section(sentence: &[Inline], plain: &str) -> bool {
    let lower = plain.to_lowercase();
    sentence
        .iter()
        .any(|i| matches!(i, Inline::Link { url, .. } if url.starts_with('#')))
        && super::lang::all().any(|w| w.section.iter().any(|s| lower.contains(s)))
}

/// Words that introduce samples, not an enumeration: any other item would do as well.
pub fn is_example_intro(text: &str) -> bool {
    let key = normalize_key(text);
    let padded = format!(" {key} ");
    [
        " for example ",
        " for instance ",
        " such as ",
        " eg ",
        " e g ",
    ]
    .iter()
    .any(|m| padded.contains(m))
        || text.contains("e.g.")
        || ["sample ", "samples ", "suggestions ", "examples "]
            .iter()
            .any(|p| key.starts_with(p))
        // The translations' "for example" and "sample(s)": CJK words stand anywhere, with no
        // spaces around them.
        || super::lang::has_example_cue(text)
}

/// Whether the paragraph before block `i` introduces it as samples: its last sentence is a
/// lead-in with "for example", "such as", … ("For example, do you need the following?").
pub fn examples_before(blocks: &[Block], i: usize) -> bool {
    let Some(prev) = i.checked_sub(1).and_then(|j| blocks.get(j)) else {
        return false;
    };
    let BlockKind::Paragraph(inlines) = &prev.kind else {
        return false;
    };
    sentences(inlines).last().is_some_and(|last| {
        let last = plain_text(last);
        is_example_intro(&last) && is_lead_in(&last)
    })
}

/// Stem of a word for the giveaway check: common suffixes off, at least four letters kept.
/// Numbers are not stems ("Shard 1042" is not given away by "round 1042").
fn stem(word: &str) -> Option<String> {
    if word.chars().count() < 4 || !word.chars().any(char::is_alphabetic) {
        return None;
    }
    for suffix in [
        "ability", "ibility", "ation", "ition", "ency", "ence", "ance", "able", "ing", "ion",
        "ity", "ies", "ers", "er", "ed", "es", "ly", "s", "e", "y",
    ] {
        if let Some(s) = word.strip_suffix(suffix)
            && s.chars().count() >= 4
        {
            return Some(s.to_string());
        }
    }
    Some(word.to_string())
}

/// The words of `text` as keys compare them (lower case, no punctuation).
fn key_words(text: &str) -> Vec<String> {
    normalize_key(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether `text` contains `term` or an obvious stem of one of its words ("Compression" in
/// "Compress server responses", "Eventual consistency" in "… will become consistent"): a
/// reverse card from that text would show its answer on the front.
pub fn shares_stem(term: &str, text: &str) -> bool {
    const STOP: &[&str] = &[
        "with", "from", "that", "this", "your", "into", "over", "when",
    ];
    let text_words = key_words(text);
    key_words(term)
        .iter()
        .filter(|w| !STOP.contains(&w.as_str()))
        .filter_map(|w| stem(w))
        .any(|s| text_words.iter().any(|t| t.starts_with(&s)))
}

/// Whether a definition only says its term again ("Compression" – "Compress server
/// responses", "压缩" – "压缩服务器响应"): every word of the term stands in it (for CJK text,
/// the term itself), and it is not much longer than the term.
pub fn restates_term(term: &str, definition: &str) -> bool {
    use super::text::{is_cjk, str_len};
    if term.chars().any(is_cjk) {
        let term = term.trim();
        return str_len(term) >= 4
            && definition.contains(term)
            && str_len(definition) <= 4 * str_len(term) + 16;
    }
    let term_words = key_words(term);
    let stems: Vec<String> = term_words.iter().filter_map(|w| stem(w)).collect();
    if stems.is_empty() || stems.len() != term_words.len() {
        // Most terms: the definition's words are not needed.
        return false;
    }
    let definition_words = key_words(definition);
    definition_words.len() <= 2 * term_words.len() + 3
        && stems
            .iter()
            .all(|s| definition_words.iter().any(|w| w.starts_with(s.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn the_ascii_shortcut_finds_every_pointer(
            words in proptest::collection::vec(
                "(See|see|SEE|Refer|refer|to|the|The|also|linked|Linked|content|CONTENT|diagram|above|for|details|section|-|\\(|x| |  |,)",
                0..8,
            )
        ) {
            let text = words.join(" ");
            let lowercased = text.trim().trim_start_matches('(').to_lowercase();
            proptest::prop_assert_eq!(is_pointer(&text), is_lowercase_pointer(&lowercased), "{:?}", text);
        }
    }

    proptest::proptest! {
        /// The shortcuts of `is_label` and `is_lead_in` agree with the keys they stand for.
        #[test]
        fn ascii_shortcuts_agree_with_keys(t in "[ -~\t\n\x0b]{0,80}") {
            let key = normalize_key(&spaced_out(&t));
            proptest::prop_assert_eq!(
                ascii_key_words(&t, b"-()"),
                key.split(' ').filter(|w| !w.is_empty()).count()
            );
            let plain = normalize_key(&t);
            if plain.contains("follow") || plain.contains("includ") {
                proptest::prop_assert!(ascii_letters_contain(&t, &[b"follow", b"includ"]));
            }
        }

        /// Both ways, on text made of the needles' letters, where near misses abound.
        #[test]
        fn letters_contain_exactly_what_the_joined_letters_hold(t in "[folwincudFI .,/-]{0,40}") {
            let joined: String = t
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect();
            proptest::prop_assert_eq!(
                ascii_letters_contain(&t, &[b"follow", b"includ"]),
                joined.contains("follow") || joined.contains("includ")
            );
        }

        #[test]
        fn lead_in_phrases_are_found(pre in "[a-z ,.-]{0,20}", post in "[a-z ,.-]{0,20}") {
            for phrase in ["the follow-ing", "as fol.lows", "in-clude", "Includes"] {
                let t = format!("{pre}{phrase}{post}");
                proptest::prop_assert!(ascii_letters_contain(&t, &[b"follow", b"includ"]));
            }
        }
    }

    #[test]
    fn scaffolding_is_recognised() {
        for label in [
            "Note:",
            "Disadvantages",
            "Trade-offs, alternatives, and additional details",
            "MapReduce implementation:",
            "Size per transaction:",
        ] {
            assert!(is_label(label), "{label}");
        }
        assert!(!is_label("Data is duplicated."));
        assert!(is_lead_in("Additional benefits include"));
        assert!(is_lead_in("The Read API server does the following:"));
        assert!(is_lead_in(
            "you can only support two of the following guarantees"
        ));
        assert!(!is_lead_in("RPC is a request-response protocol"));
        assert!(is_pointer("See the linked content above for details."));
        assert!(is_pointer(
            "See Disadvantage(s): replication for points related to both."
        ));
        assert!(!is_pointer("See your data as an object."));
        // Our own words, in the translations' pointer forms.
        assert!(is_pointer("参考缺点一节中两种方式共同的问题。"));
        assert!(is_pointer("両方の欠点は前の節を参照"));
        assert!(!is_pointer(
            "ロードバランサーはヘッダーを参照して判断します。"
        ));
        assert!(is_example_intro(
            "For example, if you were asked to design a service, discuss:"
        ));
        assert!(is_example_intro("Suggestions of what to cache:"));
        assert!(!is_example_intro("Load balancers are effective at:"));
    }

    #[test]
    fn lead_ins_are_recognised_in_every_language() {
        assert!(is_lead_in("For example, do you need the following?"));
        assert!(is_lead_in("利点は次のとおりです："));
        assert!(is_lead_in(
            "例えば、以下の要素を考慮する必要があるだろうか？"
        ));
        assert!(is_lead_in(
            "举例来说就是你需要下面的这些来完成扩展性的议题吗？"
        ));
        assert!(!is_lead_in("水平扩展是什么？"));
    }

    #[test]
    fn samples_are_recognised_in_every_language() {
        assert!(is_example_intro("Sample data well-suited for NoSQL:"));
        assert!(is_example_intro("NoSQLに適するサンプルデータ"));
        assert!(is_example_intro("适合 NoSQL 的示例数据"));
        assert!(is_example_intro("例えば、次のようにします："));
        assert!(is_example_intro("举例来说，你可以这样开始："));
        assert!(!is_example_intro("ロードバランサーの利点は以下です："));
        assert!(!is_example_intro("选取 SQL 的原因："));
    }

    #[test]
    fn a_definition_that_only_says_its_term_again_is_recognised() {
        assert!(restates_term("Compression", "Compress server responses"));
        assert!(restates_term(
            "Static content",
            "Serve static content directly"
        ));
        assert!(restates_term("压缩", "压缩服务器响应"));
        assert!(restates_term("圧縮", "サーバーレスポンスを圧縮できます"));
        // A definition that says more, or names other things, is a card.
        assert!(!restates_term(
            "SSL termination",
            "Decrypt incoming requests and encrypt server responses so backends need not"
        ));
        assert!(!restates_term(
            "Security",
            "Hide information about backend servers, blacklist IPs"
        ));
        assert!(!restates_term(
            "Caching",
            "Keep recent responses in memory and return them to clients that ask again for the same page"
        ));
        assert!(!restates_term(
            "レイテンシー",
            "レイテンシー とはなにがしかの動作を行う、もしくは結果を算出するのに要する時間のことで、処理の遅さを表します"
        ));
    }

    #[test]
    fn stems_are_shared() {
        assert!(shares_stem("Compression", "Compress server responses"));
        assert!(shares_stem(
            "Static content",
            "Serve static content directly"
        ));
        assert!(shares_stem(
            "Eventual consistency",
            "The system will become consistent"
        ));
        assert!(shares_stem(
            "Caching",
            "Return the response for cached requests"
        ));
        assert!(!shares_stem(
            "Atomicity",
            "Each transaction is all or nothing"
        ));
        assert!(!shares_stem(
            "Consistency",
            "Every read receives the most recent write"
        ));
    }
}
