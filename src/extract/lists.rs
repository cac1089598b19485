//! Rule 4 — lists. A list under a heading or an introducing sentence ("… include:") becomes:
//! - per-item Q/A cards when its items are questions with nested answers (`* Q? * A`);
//! - a basic card "Subject: intro — name the N." when it has at most three short items;
//! - otherwise a cloze note with one deletion per item (overlapping clozes: the other items
//!   stay visible as context); lists longer than ten items are split into notes of up to
//!   eight items. Nested sub-items go in the back extra.
//!
//! Lists of nothing but links are references, not cards.

use super::{
    CardBody, Cx, Lang, Piece, Profile, breakdown, keyterms, lang, normalize_key, summary, text,
};
use crate::document::{Block, BlockKind, Inline, List, is_blank, plain_text};

const SHORT_ITEM: usize = 100;
const MAX_CLOZE: usize = 10;
const CHUNK: usize = 8;

pub fn is_reference_list(list: &List) -> bool {
    let links = list
        .items
        .iter()
        .filter(|item| text::is_link_only(&text::item_parts(&item.blocks).0))
        .count();
    links * 5 >= list.items.len() * 4
}

/// One list item as the rules see it: its first paragraph, and the blocks after it.
type Item<'a> = (Vec<Inline>, &'a [Block]);

/// `examples`: the paragraph before offers the list as samples ("For example, do you need the
/// following?"): the items are not an enumeration to recall, so the list makes no card.
pub fn card(
    cx: &mut Cx<'_>,
    index: usize,
    block: &Block,
    list: &List,
    intro: Option<&[Inline]>,
    examples: bool,
) {
    card_of(cx, index, block, list, intro, examples, false);
}

/// `steps`: the list is the sub-list of a lead-in item ("Queries the **Search Cluster** for
/// the results:"): its items are that step's steps.
fn card_of(
    cx: &mut Cx<'_>,
    index: usize,
    block: &Block,
    list: &List,
    intro: Option<&[Inline]>,
    examples: bool,
    steps: bool,
) {
    if list.items.is_empty() || is_reference_list(list) {
        return;
    }
    if examples
        || intro
            .is_some_and(|i| text::is_example_intro(&plain_text(&text::strip_trailing_colon(i))))
    {
        return;
    }
    if only_nested_list(cx, index, block, list) || question_items(cx, index, list) {
        return;
    }
    let keyterm_items = keyterm_items(cx, index, block, list, intro);
    let (items, flow) = recall_items(cx, index, list);
    if items.is_empty() {
        return;
    }
    // A label as intro ("Trade-offs, alternatives, and additional details:") says nothing.
    let labelled =
        intro.is_some_and(|i| text::is_label(&plain_text(&text::strip_trailing_colon(i))));
    // A lone item under a label is one remark among the section's, not its content: only its
    // key terms are asked ("The alternative to **X** is {{Y}}"), never the section's topic.
    if labelled && items.len() == 1 {
        keyterms::item_cards(cx, index, block, &items[0].0);
        return;
    }
    let intro = intro
        .map(text::strip_trailing_colon)
        .filter(|i| !text::is_label(&plain_text(i)));
    let intro_text = intro.as_ref().map(|i| plain_text(i)).unwrap_or_default();
    let firsts: Vec<Vec<Inline>> = items.iter().map(|(f, _)| f.clone()).collect();
    if breakdown::card(
        cx,
        index,
        (block.line, block.pin.clone()),
        &intro_text,
        &firsts,
    ) {
        return;
    }
    choice_cards(cx, index, block, &intro_text, &items);
    let has_details = items.iter().any(|(_, rest)| !rest.is_empty());
    let n = items.len();
    let all_short = items.iter().all(|(f, _)| text::len(f) <= SHORT_ITEM);
    let short = n == 1 || (n <= 3 && all_short && !has_details);
    if short {
        // Every item is already asked on its own (key terms): the list card adds nothing.
        if n > 1 && keyterm_items == list.items.len() {
            return;
        }
        // One item after a statement only elaborates it: there is no question to ask
        // (its key terms, if any, have their cards).
        if n == 1 && intro.is_some() && enumerated_noun(&intro_text, flow).is_none() {
            return;
        }
        // The sub-steps of a step are its steps; a single one only elaborates it.
        // A lead-in that asks for its completion ("… requests from:") keeps its "what?".
        let flow = flow || (steps && n > 1 && !ends_with_particle(&intro_text));
        let (front, named) = list_question(cx, index, intro.as_deref(), &intro_text, flow, &items);
        // In an exercise, a short list whose items have no name ("… — name the 2.") is a
        // cloze like a long one: the intro is the cue, the other items the context.
        if named || n == 1 || cx.profile != Profile::Exercise {
            short_card(cx, index, block, &intro_text, &items, front);
            return;
        }
    }
    list_cloze(
        cx,
        index,
        block,
        intro.as_deref(),
        &intro_text,
        &items,
        short,
    );
}

/// One item holding a nested list: the item introduces the nested list, which gets the
/// cards. Whether the list was such a one.
fn only_nested_list(cx: &mut Cx<'_>, index: usize, block: &Block, list: &List) -> bool {
    if let [only] = list.items.as_slice()
        && let (first, [nested]) = text::item_parts(&only.blocks)
        && let BlockKind::List(inner) = &nested.kind
    {
        let mut intro = first;
        intro.push(Inline::Text(":".into()));
        let inner_block = Block {
            kind: nested.kind.clone(),
            line: nested.line,
            pin: block.pin.clone(),
        };
        card_of(cx, index, &inner_block, inner, Some(&intro), false, false);
        return true;
    }
    false
}

/// Statements with key terms: one cloze note per term-bearing item, besides the list note;
/// how many got one. Not for fragments that complete the intro ("… through: * Sequence
/// numbers"): without the intro they ask nothing, and the list card asks them with it.
fn keyterm_items(
    cx: &mut Cx<'_>,
    index: usize,
    block: &Block,
    list: &List,
    intro: Option<&[Inline]>,
) -> usize {
    let mut keyterm_items = 0;
    for item in &list.items {
        let (first, _) = text::item_parts(&item.blocks);
        let sentence = plain_text(&first).trim_end().ends_with(['.', '!', '?']);
        let completes_intro =
            intro.is_some_and(|i| ends_with_particle(&plain_text(&text::strip_trailing_colon(i))));
        if list.items.len() > 1
            && (!completes_intro || sentence)
            && keyterms::item_cards(cx, index, block, &first) > 0
        {
            keyterm_items += 1;
        }
    }
    keyterm_items
}

/// The items to recall, and whether the list is a flow (ordered, or an item handed its
/// sub-list on: "… does the following:"). Scaffolding is context, never an item to recall:
/// pointers ("See Disadvantage(s): replication …") and bare labels ("Disadvantages") are left
/// out; a lead-in item with a sub-list ("The Read API server does the following:") belongs to
/// that sub-list, which becomes a list card of its own with the item as its intro.
fn recall_items<'a>(cx: &mut Cx<'_>, index: usize, list: &'a List) -> (Vec<Item<'a>>, bool) {
    let mut items: Vec<Item> = Vec::new();
    let mut flow = list.ordered;
    for item in &list.items {
        let (first, rest) = text::item_parts(&item.blocks);
        let t = plain_text(&first);
        if t.trim().is_empty() || text::is_pointer(&t) {
            continue;
        }
        if text::is_lead_in(&t) || text::is_label(&t) {
            if let [nested] = rest
                && let BlockKind::List(inner) = &nested.kind
            {
                let inner_block = Block {
                    kind: nested.kind.clone(),
                    line: nested.line,
                    pin: None,
                };
                let steps = !text::is_label(&t);
                card_of(cx, index, &inner_block, inner, Some(&first), false, steps);
                flow = true;
                continue;
            }
            if text::is_label(&t) {
                continue;
            }
        }
        items.push((first, rest));
    }
    // A remark is not one of the things the list enumerates: only its key terms are asked
    // (`keyterm_items` did, as for every item).
    take_remarks(&mut items);
    (items, flow)
}

/// Items that are remarks on the list rather than members of it: among items written as
/// fragments ("Session data from the Web Servers"), a whole sentence ending in a full stop,
/// with nothing under it, more than twice as long as any fragment ("Reading 1 MB sequentially
/// from memory takes about 250 microseconds, …."). `items`: each item's first paragraph, and
/// whether blocks follow it.
pub(super) fn remark_indices(items: &[(&[Inline], bool)]) -> Vec<usize> {
    if items.len() < 3 {
        return Vec::new();
    }
    let sentence = |f: &[Inline]| plain_text(f).trim_end().ends_with('.');
    (0..items.len())
        .filter(|&i| {
            let others = || items.iter().enumerate().filter(move |(j, _)| *j != i);
            let longest_other = others().map(|(_, (f, _))| text::len(f)).max();
            let (item, has_more) = items[i];
            sentence(item)
                && !has_more
                && others().all(|(_, (f, _))| !sentence(f))
                && longest_other.is_some_and(|l| text::len(item) > 2 * l)
        })
        .collect()
}

fn take_remarks(items: &mut Vec<Item<'_>>) {
    let shapes: Vec<(&[Inline], bool)> = items
        .iter()
        .map(|(f, rest)| (f.as_slice(), !rest.is_empty()))
        .collect();
    for i in remark_indices(&shapes).into_iter().rev() {
        items.remove(i);
    }
}

/// The basic card of a short list: the question, the items as the answer.
fn short_card(
    cx: &mut Cx<'_>,
    index: usize,
    block: &Block,
    intro_text: &str,
    items: &[Item],
    front: Vec<Piece>,
) {
    let mut back = if items.len() == 1 {
        vec![Piece::Para(items[0].0.clone())]
    } else {
        vec![Piece::List(items.iter().map(|(f, _)| f.clone()).collect())]
    };
    for (_, rest) in items {
        for b in rest.iter() {
            back.push(Piece::Block(b.clone()));
        }
    }
    cx.push(
        index,
        "list",
        intro_text,
        block.line,
        block.pin.clone(),
        CardBody::Basic { front, back },
    );
}

/// The cloze notes of a list: one deletion per item, long lists split into parts. `short`: a
/// short list with no name for its items (rule `short-list`: it was a basic card once, and a
/// key never changes note type).
fn list_cloze(
    cx: &mut Cx<'_>,
    index: usize,
    block: &Block,
    intro: Option<&[Inline]>,
    intro_text: &str,
    items: &[Item],
    short: bool,
) {
    let n = items.len();
    let subject = cx.subject(index);
    let chunks: Vec<&[Item]> = if n > MAX_CLOZE {
        items.chunks(CHUNK).collect()
    } else {
        vec![items]
    };
    let many = chunks.len() > 1;
    for (k, chunk) in chunks.iter().enumerate() {
        let mut deleted = 0;
        let mut cloze_items = Vec::new();
        let mut extra = Vec::new();
        for (f, rest) in chunk.iter() {
            // One fact per deletion: a long item is deleted by its first sentence (the rest
            // goes to the back extra), or shown as context when even that is too long.
            let (shown, more) = deletion(f);
            match shown {
                Some(d) => {
                    deleted += 1;
                    cloze_items.push((deleted, d));
                }
                None => cloze_items.push((0, f.clone())),
            }
            if !rest.is_empty() || more.is_some() {
                extra.push(Piece::Para(vec![Inline::Strong(
                    cloze_items
                        .last()
                        .map(|(_, i)| i.clone())
                        .unwrap_or_default(),
                )]));
                if let Some(more) = more {
                    extra.push(Piece::Para(more));
                }
                for b in rest.iter() {
                    extra.push(Piece::Block(b.clone()));
                }
            }
        }
        if deleted == 0 {
            continue;
        }
        let mut text_pieces = vec![Piece::Subject(subject.clone())];
        if let Some(intro) = intro {
            text_pieces.push(Piece::Text(cx.words().colon.into()));
            text_pieces.push(Piece::Inlines(intro.to_vec()));
        }
        text_pieces.push(Piece::Text(cx.words().items(chunk.len())));
        if many {
            text_pieces.push(Piece::Text(cx.words().part(k + 1, chunks.len())));
        }
        text_pieces.push(Piece::ClozeList(cloze_items));
        let (item, pin) = text::part_identity(intro_text, block.pin.as_ref(), many, k);
        cx.push(
            index,
            if short { "short-list" } else { "list" },
            &item,
            block.line,
            pin,
            CardBody::Cloze {
                text: text_pieces,
                extra,
            },
        );
    }
}

/// Longest deletion, in characters: beyond it a deletion is a reading test, not one fact.
pub const MAX_DELETION: usize = 150;

/// What a list item deletes: the whole item when it is short enough, else its first sentence
/// (with the rest returned for the back extra); `None` when even that is too long.
pub(super) fn deletion(item: &[Inline]) -> (Option<Vec<Inline>>, Option<Vec<Inline>>) {
    if text::len(item) <= MAX_DELETION {
        return (Some(item.to_vec()), None);
    }
    let sentences = text::sentences(item);
    match sentences.split_first() {
        Some((first, rest)) if text::len(first) <= MAX_DELETION && !rest.is_empty() => {
            let mut more = Vec::new();
            for (k, s) in rest.iter().enumerate() {
                if k > 0 {
                    more.push(Inline::Text(" ".into()));
                }
                more.extend(s.iter().cloned());
            }
            (Some(first.clone()), Some(more))
        }
        _ => (None, None),
    }
}

/// The question of a basic list card, built from what the list enumerates: "Sharding: what is
/// the disadvantage?", "Message queues: … workflow — name the 2 steps.", "Use UDP over TCP
/// when — name the 3 situations.". The count tells how many answers are expected. The flag
/// says whether the question names what the items are ("name the 2." does not).
fn list_question(
    cx: &Cx<'_>,
    index: usize,
    intro: Option<&[Inline]>,
    intro_text: &str,
    flow: bool,
    items: &[Item],
) -> (Vec<Piece>, bool) {
    let n = items.len();
    let words = cx.words();
    let subject = cx.subject(index);
    let title = text::clean_title(&cx.section_at(index).title_text);
    // "Sharding — disadvantages": the topic, and the noun the title names.
    let named = subject
        .rsplit_once(" — ")
        .filter(|(_, word)| text::is_generic_title(word) && !word.contains([' ', ':', '：']));
    let Some(intro) = intro else {
        if let Some((topic, word)) = named {
            let word = word.to_lowercase();
            let ask = if n == 1 {
                let noun = word.trim_end_matches('s');
                lang::fill(words.what_is_the_noun, &[("noun", noun)])
            } else {
                words.name(n, Some(&word))
            };
            return (
                vec![Piece::Subject(topic.to_string()), Piece::Text(ask)],
                true,
            );
        }
        if n == 1 {
            // "Out of scope", "In scope": the title says where the item stands, not what it is.
            if let Some(place) = scope_title(cx.lang, &title)
                && let Some((topic, _)) = subject.rsplit_once(" — ")
            {
                let ask = format!(": what is {place}?");
                return (
                    vec![Piece::Subject(topic.to_string()), Piece::Text(ask)],
                    true,
                );
            }
            // The item is the section's whole content: ask for the topic.
            return (summary::question(cx, index), true);
        }
        let first = normalize_key(&title);
        let first = first.split(' ').next().unwrap_or("");
        let noun = if flow || first == "step" {
            Some("steps".to_string())
        } else {
            title_noun(&title)
        };
        let named = noun.is_some();
        // The noun is the title ("Use cases in scope"): the question names it once, after
        // the exercise ("Design X: name the 3 use cases in scope.").
        let subject = match (&noun, subject.rsplit_once(" — ")) {
            (Some(noun), Some((topic, last)))
                if noun.ends_with(&normalize_key(last)) && last == title =>
            {
                topic.to_string()
            }
            _ => subject,
        };
        let ask = words.name(n, noun.as_deref());
        return (vec![Piece::Subject(subject), Piece::Text(ask)], named);
    };
    let mut front = vec![
        Piece::Subject(subject),
        Piece::Text(words.colon.into()),
        Piece::Inlines(intro.to_vec()),
    ];
    let mut named = true;
    let ask = match enumerated_noun(intro_text, flow) {
        _ if cx.lang != Lang::En => {
            // The intro is the question's own words: the count is all it needs.
            named = false;
            words.name(n, None)
        }
        Some(noun) if n == 1 => format!(" — what is the {}?", noun.trim_end_matches('s')),
        Some(noun) => format!(" — name the {n} {noun}."),
        None if ends_with_particle(intro_text) => format!(" what? ({n})"),
        None => {
            named = false;
            format!(" — name the {n}.")
        }
    };
    front.push(Piece::Text(ask));
    (front, named)
}

/// "Out of scope" → "out of scope": an English title that places its items (in or out of
/// scope) rather than naming them.
fn scope_title(lang: Lang, title: &str) -> Option<String> {
    let key = normalize_key(title);
    let placed = ["out of scope", "in scope", "not in scope", "beyond scope"];
    (lang == Lang::En && placed.contains(&key.as_str())).then_some(key)
}

/// The noun of a list's intro: "in two ways" → "ways", "the following additional features" →
/// "additional features", "the following workflow" or "does the following" → "steps", "… when"
/// → "situations".
fn enumerated_noun(intro: &str, ordered: bool) -> Option<String> {
    let key = normalize_key(intro);
    let words: Vec<&str> = key.split(' ').collect();
    const NUMBERS: &[&str] = &[
        "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "few", "several",
    ];
    const STOP: &[&str] = &[
        "of", "to", "for", "that", "in", "on", "with", "by", "which", "and", "or", "is", "are",
    ];
    if let Some(at) = words.iter().position(|w| NUMBERS.contains(w)) {
        let noun: Vec<&str> = words[at + 1..]
            .iter()
            .take_while(|w| !STOP.contains(w))
            .take(3)
            .copied()
            .collect();
        if !noun.is_empty() {
            return Some(noun.join(" "));
        }
    }
    let lower = intro.to_lowercase();
    if let Some(at) = lower.rfind("the following") {
        let rest = &lower[at + "the following".len()..];
        if rest.contains([',', ';', '.']) {
            // "… for the following articles, instead": the noun is not what the items are.
            return None;
        }
        let rest = normalize_key(rest);
        let noun: Vec<&str> = rest.split(' ').filter(|w| !w.is_empty()).collect();
        return match noun.as_slice() {
            [] => Some("steps".into()),
            ["workflow" | "process" | "procedure" | "steps"] => Some("steps".into()),
            // The noun ends the intro: it names the items ("additional features").
            n if n.len() <= 3 && !n.iter().any(|w| STOP.contains(w)) => Some(n.join(" ")),
            _ => None,
        };
    }
    if key.ends_with("as follows") || key.contains("multistep") || key.contains("multi step") {
        return Some("steps".into());
    }
    // "… in these cases" → "cases".
    if let [.., "these" | "those", noun] = words.as_slice() {
        return Some((*noun).to_string());
    }
    if words.last() == Some(&"when") {
        return Some("situations".into());
    }
    if ordered {
        return Some("steps".into());
    }
    None
}

/// Whether an intro stops on a word that asks for its completion ("effective at", "through").
fn ends_with_particle(intro: &str) -> bool {
    let key = normalize_key(intro);
    matches!(
        key.rsplit(' ').next(),
        Some(
            "at" | "through"
                | "by"
                | "with"
                | "for"
                | "on"
                | "in"
                | "of"
                | "via"
                | "using"
                | "to"
                | "from"
        )
    )
}

/// The plural noun a title opens with ("Reasons for SQL" → "reasons").
fn title_noun(title: &str) -> Option<String> {
    let key = normalize_key(title);
    let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    let plural = |w: &str| w.len() > 3 && w.ends_with('s') && !w.ends_with("ss");
    match words.as_slice() {
        // The scope of an exercise: "Use cases in scope", "Out of scope".
        ["use", "cases", "in", "scope"] => Some(key.clone()),
        ["out", "of", "scope"] => Some("things out of scope".into()),
        // "Disadvantages of sharding": the first word names the items.
        [first, ..] if plural(first) => Some(first.to_string()),
        // "Use case: a user views a page": the list is the flow's steps.
        ["use", "case", _, ..] => Some("steps".into()),
        // "Handling duplicates": the items are ways of doing it.
        [first, _, ..] if first.len() > 5 && first.ends_with("ing") => Some("ways".into()),
        // "Use cases", "Design goals": a short title ending in a plural names the items.
        [.., last] if words.len() <= 3 && plural(last) => Some(key.clone()),
        _ => None,
    }
}

/// "Reasons for X:" lists in a comparison section ("SQL or NoSQL") also give one card per
/// reason that asks which option it points to: a discrimination the learner can answer in a
/// word, besides the cloze over the whole list.
fn choice_cards(cx: &mut Cx<'_>, index: usize, block: &Block, intro_text: &str, items: &[Item]) {
    let choice = intro_text
        .trim()
        .strip_prefix("Reasons for ")
        .or_else(|| intro_text.trim().strip_prefix("reasons for "))
        .map(str::trim)
        .filter(|c| !c.is_empty() && c.split_whitespace().count() <= 4);
    let Some(choice) = choice else { return };
    let subject = cx.subject(index);
    for (item, _) in items {
        if is_blank(item) {
            continue;
        }
        let front = vec![
            Piece::Subject(subject.clone()),
            Piece::Text(": which one does this point to — ".into()),
            Piece::Inlines(item.clone()),
            Piece::Text("?".into()),
        ];
        cx.push(
            index,
            "choice",
            &plain_text(item),
            block.line,
            None,
            CardBody::Basic {
                front,
                back: vec![Piece::Para(vec![Inline::Text(choice.to_string())])],
            },
        );
    }
}

/// `* Question? * answer` lists: one card per question.
fn question_items(cx: &mut Cx<'_>, index: usize, list: &List) -> bool {
    let qa: Vec<_> = list
        .items
        .iter()
        .filter_map(|item| {
            let (first, rest) = text::item_parts(&item.blocks);
            let is_q = plain_text(&first).trim_end().ends_with('?');
            let answer = rest.iter().find_map(|b| match &b.kind {
                BlockKind::List(l) if !l.items.is_empty() => Some(l),
                _ => None,
            });
            match (is_q, answer) {
                (true, Some(a)) => Some((first, a, item)),
                _ => None,
            }
        })
        .collect();
    if qa.is_empty() || qa.len() * 2 < list.items.len() {
        return false;
    }
    let subject = cx.subject(index);
    for (question, answer, item) in qa {
        let answers: Vec<Vec<Inline>> = answer
            .items
            .iter()
            .map(|i| text::item_parts(&i.blocks).0)
            .filter(|a| !a.is_empty())
            .collect();
        if answers.is_empty() {
            continue;
        }
        let back = if answers.len() == 1 {
            vec![Piece::Para(answers[0].clone())]
        } else {
            vec![Piece::List(answers)]
        };
        let front = vec![
            Piece::Subject(subject.clone()),
            Piece::Text(cx.words().colon.into()),
            Piece::Inlines(question.clone()),
        ];
        cx.push(
            index,
            "question",
            &plain_text(&question),
            item.line,
            item.pin.clone(),
            CardBody::Basic { front, back },
        );
    }
    true
}
