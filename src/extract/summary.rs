//! Rule 2 — section summaries: a heading whose first content is a paragraph becomes a card
//! that asks for the topic; the answer is the paragraph's leading sentences (whole sentences,
//! about 300 characters at most, a CJK character counting as two). The section's diagram is
//! placed on this card (see `place_figures`); at most two sentences. Remaining sentences go to the
//! key-term rule, and when they hold no key term, to the sentence facts.

use super::{CardBody, Cx, Lang, Piece, Profile, facts, keyterms, normalize_key, text};
use crate::document::{Block, Inline, plain_text};

/// Longest summary answer, in characters, before it is cut at a sentence boundary.
pub const MAX_SUMMARY: usize = 300;
/// At most this many sentences: an answer said in a breath (house rule 1). A translation
/// often runs a section's paragraphs together ("…を受け取ります。…を書き換えます。…を設定できます。
/// …"), where the English has one or two sentences per paragraph.
const MAX_SUMMARY_SENTENCES: usize = 2;

const VERBS: &[&str] = &[
    "use",
    "avoid",
    "tighten",
    "partition",
    "tune",
    "start",
    "add",
    "move",
    "store",
    "secure",
    "assign",
    "review",
    "create",
    "design",
    "outline",
    "scale",
    "learn",
    "prep",
    "benchmark",
    "step",
    "choose",
    "apply",
    "make",
    "build",
    "keep",
    "set",
];

/// An exercise section about one use case ("Use case: User views the timeline").
fn is_use_case(cx: &Cx<'_>, index: usize) -> bool {
    cx.profile != Profile::Topics
        && normalize_key(&text::clean_title(&cx.section_at(index).title_text))
            .starts_with("use case ")
}

/// A note on what a diagram leaves out ("Note: Internal Load Balancers not shown to reduce
/// clutter"): a caption, not a fact about the topic.
fn is_diagram_note(text: &str) -> bool {
    let t = text.trim();
    // Only ASCII letters lowercase to "note": most answers are told without lowercasing them.
    if !t
        .get(..4)
        .is_some_and(|start| start.eq_ignore_ascii_case("note"))
    {
        return false;
    }
    let t = t.to_lowercase();
    t.contains("not shown") || t.contains("not pictured")
}

pub fn card(cx: &mut Cx<'_>, index: usize, block: &Block, inlines: &[Inline]) {
    // A closing lead-in ("For example, do you need the following …?") belongs to the list
    // after it, not to the summary.
    let mut all = text::sentences(inlines);
    while all.last().is_some_and(|s| text::is_lead_in(&plain_text(s))) {
        all.pop();
    }
    let kept = text::join_sentences(all);
    let inlines = kept.as_slice();
    // Split once: the answer and the rest come from the same sentences.
    let kept_sentences = text::sentences(inlines);
    let (answer, used) = text::leading_of(&kept_sentences, MAX_SUMMARY, MAX_SUMMARY_SENTENCES);
    let answer_text = plain_text(&answer);
    if answer_text.trim().is_empty()
        || text::is_label(&answer_text)
        || text::is_pointer(&answer_text)
        || is_diagram_note(&answer_text)
    {
        return;
    }
    // An exercise's use case has no question of its own to ask ("how does the design handle
    // this use case?" has any answer): its sentences go to the key-term rule, its flow to
    // the list rules.
    if is_use_case(cx, index) {
        keyterms::cards(cx, index, block, inlines);
        return;
    }
    let front = question(cx, index);
    let item = String::new();
    cx.push(
        index,
        "summary",
        &item,
        block.line,
        block.pin.clone(),
        CardBody::Basic {
            front,
            back: vec![Piece::Para(answer)],
        },
    );
    // Sentences beyond the summary may still hold key terms.
    // Joined with their text merged, so that the rules split them where they were split here.
    let rest = text::join_sentences(kept_sentences.into_iter().skip(used).collect());
    // … or a fact a language's table knows (see `facts`).
    if !rest.is_empty() && keyterms::cards(cx, index, block, &rest) == 0 {
        facts::cards(cx, index, block, &rest);
    }
}

/// The question that asks for a section's topic, built from its title.
pub(crate) fn question(cx: &Cx<'_>, index: usize) -> Vec<Piece> {
    let section = cx.section_at(index);
    let title = text::clean_title(&section.title_text);
    let lower = title.to_lowercase();
    let first_word = normalize_first_word(&lower);
    // A heading that already is a question is asked as it is.
    if title.trim_end().ends_with('?') {
        return vec![Piece::Subject(cx.subject(index))];
    }
    if cx.profile != Profile::Topics {
        let ask = if normalize_key(&title).starts_with("use case ") {
            "how does the design handle this use case?"
        } else if VERBS.contains(&first_word.as_str()) || first_word.ends_with("ing") {
            "what does it involve?"
        } else if is_plural(&title) {
            "what are they?"
        } else {
            "what is it?"
        };
        return vec![
            Piece::Subject(cx.subject(index)),
            Piece::Text(format!(": {ask}")),
        ];
    }
    let words = cx.words();
    if lower.contains(" vs ") || lower.contains(" versus ") || lower.contains(" or ") {
        return vec![
            Piece::Subject(cx.subject(index)),
            Piece::Text(words.key_idea.into()),
        ];
    }
    if VERBS.contains(&first_word.as_str()) {
        return vec![
            Piece::Subject(cx.subject(index)),
            Piece::Text(words.what_does_it_involve.into()),
        ];
    }
    let parent = section.parent.filter(|&p| {
        let s = &cx.doc.sections[p];
        // The path is shorter than the headings above exactly when the top title is dropped
        // (topics profile, here; the parent is a heading): asked without building either.
        s.level > 0 && !(s.level == 1 && cx.top_title_dropped())
    });
    if text::is_generic_title(&title) {
        return vec![
            Piece::Subject(cx.subject(index)),
            Piece::Text(words.key_point.into()),
        ];
    }
    let named = match parent {
        // Only English joins the title in lower case: other scripts have no case, and an
        // English term inside them ("Layer 4 …", "Federation") keeps its own.
        Some(p) if cx.lang == Lang::En => {
            format!("{} — {}", cx.subject(p), text::lowercase_name(&title))
        }
        Some(p) => format!("{} — {}", cx.subject(p), title),
        None => title.clone(),
    };
    if QUESTION_WORDS.contains(&first_word.as_str()) {
        return vec![Piece::Subject(named), Piece::Text("?".into())];
    }
    let pronoun = if is_plural(&title) {
        words.what_are_they
    } else {
        words.what_is_it
    };
    vec![Piece::Subject(named), Piece::Text(pronoun.into())]
}

const QUESTION_WORDS: &[&str] = &["when", "how", "why", "what", "which", "where", "who"];

fn normalize_first_word(lower: &str) -> String {
    lower
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_string()
}

fn is_plural(title: &str) -> bool {
    let base = title.split(" (").next().unwrap_or(title).trim();
    // The head noun comes before a phrase that qualifies it ("Availability in numbers").
    // The first space that starts one of them (one scan, not a search per phrase).
    let base = base
        .match_indices(' ')
        .map(|(at, _)| at)
        .find(|&at| {
            [" in ", " of ", " for ", " with ", " on ", " by "]
                .iter()
                .any(|p| base[at..].starts_with(p))
        })
        .map_or(base, |at| &base[..at]);
    let last = base.rsplit(' ').next().unwrap_or("");
    last.len() > 3
        && last.ends_with('s')
        && !last.ends_with("ss")
        && !last.ends_with("us")
        && !last.ends_with("is")
        && last
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase() || last.ends_with("Ns"))
}
