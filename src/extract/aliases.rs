//! Other names. A sentence after a section's opening that says its topic is also called
//! something else ("X can also be referred to as Y", "XはYと呼ばれることもあります",
//! "X也称为Y") becomes "Subject: what else is it called?" → "Y". The cue phrases are in each
//! language's table (`Words::also_called`), recognised whatever the deck's language.
//!
//! A sentence that says where the topic works well ("X works well in Y", "XはYと相性がいい",
//! "X在Y中表现不错") becomes "Subject: where does it work well?" → "Y" — only when the
//! sentence's subject is the topic ("Sites … work well with push CDNs" is not asked this way).
//!
//! So does a sentence that says what the topic is used for ("X is often used for Y",
//! "Xは…、Yに使われます", "X…通常用于Y") → "Subject: what is it used for?" → "Y".
//!
//! A quote that is one short label and its value ("> Abstraction: hash table") at the top
//! of a section is a fact about the topic: "Subject: what is its abstraction?" → "hash
//! table". A note to the reader ("Note: …", a translator's note) is not.

use super::{CardBody, Cx, Piece, lang, text};
use crate::document::{Block, BlockKind, Inline, is_blank, plain_text};

/// The longest other name asked for (characters): longer, it is a description, not a name.
const MAX_NAME: usize = 60;

/// One card per sentence of the paragraph that gives the topic another name (or says where
/// it works well, or what it is used for). Returns how many cards it made.
pub fn cards(cx: &mut Cx<'_>, index: usize, block: &Block, inlines: &[Inline]) -> usize {
    let plain = plain_text(inlines);
    let subject = cx.subject(index);
    let mut made = 0;
    for sentence in split_sentences(&plain) {
        let (rule, answer, question) = if let Some(name) = other_name(sentence) {
            ("alias", name, cx.words().what_else_called)
        } else if let Some(fit) = about_topic(sentence, &subject, |w| w.works_well) {
            ("works-well", fit, cx.words().where_it_works_well)
        } else if let Some(purpose) = about_topic(sentence, &subject, |w| w.used_for) {
            ("used-for", purpose, cx.words().what_is_it_used_for)
        } else {
            continue;
        };
        let front = vec![
            Piece::Subject(subject.clone()),
            Piece::Text(question.to_string()),
        ];
        cx.push_plain_answer(index, rule, "", block.line, front, answer);
        made += 1;
    }
    made
}

/// What the cue (`pick`) says of the topic — where it works well, what it is used for — when
/// the sentence's subject is the topic itself: its name (or the abbreviation the title gives
/// in brackets, "UDP" for "User datagram protocol (UDP)"), or a pronoun standing for it.
fn about_topic(
    sentence: &str,
    subject: &str,
    pick: fn(&lang::Words) -> &'static [&'static str],
) -> Option<String> {
    let (head, said) = find_cue(sentence, pick)?;
    let head = text::normalize_key(head);
    let subject_key = text::normalize_key(subject);
    let first = head.split_whitespace().next().unwrap_or("");
    let abbreviation = subject
        .rsplit_once(['(', '（'])
        .map(|(_, rest)| text::normalize_key(rest.trim_end_matches([')', '）'])))
        .filter(|a| !a.is_empty());
    let names_topic = head.is_empty()
        || head.contains(&subject_key)
        || subject_key.contains(&head)
        || PRONOUNS.contains(&first)
        || abbreviation.is_some_and(|a| first == a || head.starts_with(&a));
    // The reason after it is not part of the answer ("…, as you can hand-craft calls").
    let said = REASONS
        .iter()
        .filter_map(|r| said.find(r))
        .min()
        .map_or(said, |end| &said[..end]);
    (names_topic && !said.is_empty() && said.chars().count() <= 150).then(|| said.to_string())
}

/// Clauses that give a reason after what a sentence says.
const REASONS: &[&str] = &[
    ", as ",
    ", because ",
    ", since ",
    "，这样",
    "，因为",
    "，因為",
];

/// Words that open a sentence about the topic just named (normalised: see `normalize_key`).
const PRONOUNS: &[&str] = &[
    "it",
    "they",
    "this",
    "these",
    "これら",
    "これ",
    "它",
    "它们",
];

/// The text before the cue and the text at its `{x}`, by the cues `pick` gives from every
/// language's table.
fn find_cue(
    sentence: &str,
    pick: fn(&lang::Words) -> &'static [&'static str],
) -> Option<(&str, &str)> {
    let sentence = sentence.trim_end_matches(['.', '。', '!', '！']).trim();
    for cue in lang::all().flat_map(|w| pick(w).iter()) {
        let Some((before, after)) = cue.split_once("{x}") else {
            continue;
        };
        // The cue's tail ends the sentence, or stands in it ("…と相性がいいでしょう").
        let Some(end) = (if after.is_empty() {
            Some(sentence.len())
        } else {
            sentence.rfind(after)
        }) else {
            continue;
        };
        let rest = &sentence[..end];
        // The last `before` ("は" in Japanese can stand earlier in the sentence too).
        let Some(at) = rest.rfind(before) else {
            continue;
        };
        let x = rest[at + before.len()..].trim();
        if !x.is_empty() {
            return Some((rest[..at].trim(), x));
        }
    }
    None
}

/// The sentences of plain text: split after `. `, `。`, `！`, `？`.
fn split_sentences(plain: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = plain.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = i + c.len_utf8();
        let boundary = match c {
            '。' | '！' | '？' => true,
            '.' | '!' | '?' => chars.peek().is_none_or(|&(_, n)| n.is_whitespace()),
            _ => false,
        };
        if boundary {
            out.push(plain[start..end].trim());
            start = end;
        }
    }
    if !plain[start..].trim().is_empty() {
        out.push(plain[start..].trim());
    }
    out
}

/// The other name a sentence gives, by the cue phrases of every language.
fn other_name(sentence: &str) -> Option<String> {
    let (_, name) = find_cue(sentence, |w| w.also_called)?;
    (name.chars().count() <= MAX_NAME && !name.contains([',', '、', '，']))
        .then(|| name.to_string())
}

/// A quote at the top of a section that is one label and its value: one card.
pub fn labelled_quote(cx: &mut Cx<'_>, index: usize, block: &Block) {
    let BlockKind::Quote(blocks) = &block.kind else {
        return;
    };
    let [
        Block {
            kind: BlockKind::Paragraph(inlines),
            ..
        },
    ] = blocks.as_slice()
    else {
        return;
    };
    let plain = plain_text(inlines);
    let Some((label, value)) = split_label(&plain) else {
        return;
    };
    let subject = cx.subject(index);
    // "Graph database: what is its abstraction?" → "graph" stands on the front already.
    if text::normalize_key(&subject).contains(&text::normalize_key(value)) {
        return;
    }
    // The value as written, its code (a type signature) shown under the words, not asked:
    // nobody recalls code verbatim.
    let mut value_inlines = inlines.clone();
    // `value` is a slice of `plain`: what stands before it is the label and its colon.
    let start = value.as_ptr() as usize - plain.as_ptr() as usize;
    let prefix = plain[..start].trim();
    if !text::strip_prefix(&mut value_inlines, prefix) {
        return;
    }
    let (code, mut words_only): (Vec<Inline>, Vec<Inline>) = value_inlines
        .into_iter()
        .partition(|i| matches!(i, Inline::Code(_)));
    text::trim(&mut words_only);
    // Where the code stood, two spaces meet ("嵌套的  映射"): one is enough.
    for inline in &mut words_only {
        if let Inline::Text(t) = inline {
            while t.contains("  ") {
                *t = t.replace("  ", " ");
            }
        }
    }
    let mut back = if is_blank(&words_only) {
        return;
    } else {
        vec![Piece::Para(words_only)]
    };
    if !code.is_empty() {
        back.push(Piece::Para(code));
    }
    let (before, after) = cx.words().what_is_its;
    let front = vec![
        Piece::Subject(subject),
        Piece::Text(format!("{before}{}{after}", text::lowercase_name(label))),
    ];
    cx.push(
        index,
        "labelled-quote",
        label,
        block.line,
        block.pin.clone(),
        CardBody::Basic { front, back },
    );
}

/// "Label: value" with a label of at most three words (six CJK characters) that is not a
/// note to the reader, and a value of one line.
fn split_label(plain: &str) -> Option<(&str, &str)> {
    let plain = plain.trim();
    let at = plain.find([':', '：'])?;
    let label = plain[..at].trim();
    let sep = plain[at..].chars().next()?;
    let value = plain[at + sep.len_utf8()..].trim();
    let short = if label.chars().any(text::is_cjk) {
        label.chars().count() <= 6
    } else {
        !label.is_empty() && label.split_whitespace().count() <= 3
    };
    let note = label.contains('注')
        || ["note", "notes", "tip", "warning", "caution", "important"]
            .contains(&label.to_lowercase().as_str());
    let one_fact = !value.is_empty() && value.chars().count() <= 150 && !value.contains('\n');
    (short && !note && one_fact).then_some((label, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_names_are_found_in_each_language() {
        assert_eq!(
            other_name("Round-robin scheduling is also known as cyclic scheduling."),
            Some("cyclic scheduling".into())
        );
        assert_eq!(
            other_name("ラウンドロビンは循環スケジューリングと呼ばれることもあります。"),
            Some("循環スケジューリング".into())
        );
        assert_eq!(
            other_name("轮询调度也称为循环调度。"),
            Some("循环调度".into())
        );
        assert_eq!(other_name("Round-robin is simple."), None);
        // A list of names is not one other name.
        assert_eq!(other_name("It is also known as A, B or C."), None);
    }

    #[test]
    fn where_the_topic_works_well_but_only_the_topic() {
        let fit = |s: &str, subject: &str| about_topic(s, subject, |w| w.works_well);
        assert_eq!(
            fit("Gossip works well in large clusters.", "Gossip"),
            Some("large clusters".into())
        );
        assert_eq!(
            fit(
                "ゴシップは大規模なクラスタと相性がいいでしょう。",
                "ゴシップ"
            ),
            Some("大規模なクラスタ".into())
        );
        assert_eq!(
            fit("八卦协议在大型集群中表现不错。", "八卦协议"),
            Some("大型集群".into())
        );
        // The sentence is about the sites, not the topic.
        assert_eq!(
            fit("Small sites work well in static hosting.", "Gossip"),
            None
        );
    }

    #[test]
    fn what_the_topic_is_used_for_by_its_name_abbreviation_or_a_pronoun() {
        let used = |s: &str, subject: &str| about_topic(s, subject, |w| w.used_for);
        assert_eq!(
            used("They are often used for audit trails.", "Append-only log"),
            Some("audit trails".into())
        );
        assert_eq!(
            used(
                "SCTP is useful for telephony signalling.",
                "Stream control protocol (SCTP)"
            ),
            Some("telephony signalling".into())
        );
        assert_eq!(
            used(
                "追加専用ログは高い耐久性を持ち、監査証跡に使われます。",
                "追加専用ログ"
            ),
            Some("監査証跡".into())
        );
        assert_eq!(
            used("仅追加日志很可靠，通常用于审计记录。", "仅追加日志"),
            Some("审计记录".into())
        );
        assert_eq!(
            used(
                "Spreadsheets are often used for budgets.",
                "Append-only log"
            ),
            None
        );
    }

    #[test]
    fn a_label_and_its_value_but_not_a_note() {
        assert_eq!(
            split_label("Model: a tree of pages"),
            Some(("Model", "a tree of pages"))
        );
        assert_eq!(
            split_label("モデル：ページの木"),
            Some(("モデル", "ページの木"))
        );
        assert_eq!(split_label("Note: this is left out"), None);
        assert_eq!(split_label("译者注：此处从略"), None);
        assert_eq!(
            split_label("How to read the rest of this long section: slowly"),
            None
        );
    }

    #[test]
    fn sentences_split_at_full_stops_in_every_script() {
        assert_eq!(
            split_sentences("A is b. It is also c.d here. 它很快。它也称为D。"),
            ["A is b.", "It is also c.d here.", "它很快。", "它也称为D。"]
        );
    }
}
