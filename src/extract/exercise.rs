//! Rule 11 — system design exercises. On top of the generic rules (lists as clozes, code with
//! its introducing sentence, key terms):
//! - the use cases and out-of-scope lists become cloze notes;
//! - assumptions: each item with a figure is its own note (the figure deleted), the rest one
//!   cloze list; every back-of-the-envelope figure under "Calculate usage" is its own note;
//! - "Step 2" (high-level design): a card with the diagram and the components named in step 3;
//! - "Step 3" (core components): a card naming the components, then each use case's flow;
//! - "Step 4" (scaling): a card with the scaled diagram and what it adds, then its subsections.
//! - "Additional talking points" are reference lists: no cards.

use std::sync::LazyLock;

use regex::Regex;

use super::{CardBody, Cx, Piece, lists, text};
use crate::document::{BlockKind, Inline, plain_text};

static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(~?\$?[\d][\d,.]*(?:\^\d+)?\s*(?:%|x|[KMGTP]B\b|bytes?\b|(?:thousand|million|billion|trillion)\b)?)").unwrap()
});

pub fn section(cx: &mut Cx<'_>, index: usize) {
    let doc = cx.doc;
    let section = &doc.sections[index];
    if section.level <= 1 {
        return;
    }
    let ancestors: Vec<String> = doc
        .ancestors(index)
        .iter()
        .map(|&i| text::normalize_key(&doc.sections[i].title_text))
        .collect();
    if ancestors
        .iter()
        .any(|t| t.starts_with("additional talking points"))
    {
        return;
    }
    let key = text::normalize_key(&section.title_text);
    let step = |n: &str| key.starts_with(&format!("step {n}"));
    if step("2") {
        high_level(cx, index);
        return;
    }
    let figures_section = key.contains("calculate usage")
        || key.contains("assumptions")
        || key.contains("handy conversion");
    if figures_section {
        figures(cx, index);
        return;
    }
    let in_step = |n: &str| {
        key.starts_with(&format!("step {n}"))
            || ancestors
                .iter()
                .any(|t| t.starts_with(&format!("step {n}")))
    };
    let first = cx.cards.len();
    cx.generic_section(
        index,
        in_step("3") && !step("3") || in_step("4") && !step("4"),
    );
    tidy(cx, index, first, in_step("4"));
}

/// What the generic rules give that an exercise does not want, on the cards of section
/// `index` from `first` on:
/// - a card whose answer or deletion is only a label or lead-in ("MapReduce implementation:",
///   "The **Read API** server does the following:") — the content is what follows it;
/// - key-term cards of flow steps ("The **Client** sends a request to the **Web Server**"):
///   the cloze over the whole flow asks each step in context;
/// - in a list cloze, a lead-in item is shown, not deleted;
/// - in step 4 (scaling): the preamble up to the first reference list (the same advice in
///   every exercise) gives no cards, and key-term cards give way to decision cards (see
///   [`decisions`]).
fn tidy(cx: &mut Cx<'_>, index: usize, first: usize, scaling: bool) {
    let doc = cx.doc;
    let blocks = &doc.sections[index].blocks;
    let mut item_lines = Vec::new();
    let mut stack: Vec<&crate::document::Block> = blocks.iter().collect();
    while let Some(block) = stack.pop() {
        if let BlockKind::List(list) = &block.kind {
            for item in &list.items {
                item_lines.push(item.line);
                for b in &item.blocks {
                    item_lines.push(b.line);
                    stack.push(b);
                }
            }
        }
    }
    let preamble_end = if scaling {
        blocks
            .iter()
            .find(|b| matches!(&b.kind, BlockKind::List(l) if lists::is_reference_list(l)))
            .map(|b| b.line)
            .unwrap_or(0)
    } else {
        0
    };
    let mut kept = Vec::new();
    for mut card in cx.cards.drain(first..) {
        if card.section != index {
            kept.push(card);
            continue;
        }
        if card.line <= preamble_end {
            continue;
        }
        if card.rule == "keyterm" && (scaling || item_lines.contains(&card.line)) {
            let plain = card.item.trim();
            if scaling && !item_lines.contains(&card.line) {
                continue; // replaced by decision cards
            }
            if plain.starts_with("The ") || plain.ends_with(':') {
                continue;
            }
        }
        if is_label_card(&mut card) || is_pointer(&card) {
            // Code shown as context under a dropped card moves to the card before it.
            if let CardBody::Basic { back, .. } = &mut card.body
                && back.len() > 1
                && let Some(prev) = kept.iter_mut().rev().find(|c| c.section == index)
            {
                let context: Vec<Piece> = back.drain(1..).collect();
                super::code::add_context(prev, context);
            }
            continue;
        }
        if let Some(steps) = flow_steps(blocks, &card) {
            // "Use case: …: name the 3." over a short request flow: a cloze over the steps, so
            // the question says what is asked and the steps every design shares stay shown.
            let n = steps.len();
            let mut context = Vec::new();
            if let CardBody::Basic { front, back } = &card.body {
                context = back.get(1..).unwrap_or_default().to_vec();
                let mut text = front[..front.len() - 1].to_vec();
                text.push(Piece::Text(format!(
                    "the request flow, step by step ({n} steps)"
                )));
                text.push(Piece::ClozeList(
                    steps
                        .into_iter()
                        .enumerate()
                        .map(|(k, s)| (k as u32 + 1, s))
                        .collect(),
                ));
                card.body = CardBody::Cloze {
                    text,
                    extra: context.clone(),
                };
                // Its own rule name: a key never changes note type.
                card.rule = "flow";
            }
            if is_label_card(&mut card) {
                // Every step is shared: no card; its code context goes to the card before.
                if !context.is_empty()
                    && let Some(prev) = kept.iter_mut().rev().find(|c| c.section == index)
                {
                    super::code::add_context(prev, context);
                }
                continue;
            }
        }
        kept.push(card);
    }
    cx.cards.extend(kept);
    lead_in_lists(cx, index);
    if scaling {
        decisions(cx, index, preamble_end);
    }
}

/// When `card` is a "name the N." card (no introducing sentence) over a list of flow steps
/// ("The **Client** sends …"), the steps.
fn flow_steps(blocks: &[crate::document::Block], card: &super::Card) -> Option<Vec<Vec<Inline>>> {
    if card.rule != "list" {
        return None;
    }
    let CardBody::Basic { front, .. } = &card.body else {
        return None;
    };
    match front.as_slice() {
        [Piece::Subject(_), Piece::Text(_), Piece::Text(t)] if t.starts_with("name the ") => {}
        _ => return None,
    }
    let block = blocks.iter().find(|b| b.line == card.line)?;
    let BlockKind::List(list) = &block.kind else {
        return None;
    };
    let steps: Vec<Vec<Inline>> = list
        .items
        .iter()
        .map(|i| text::item_parts(&i.blocks).0)
        .collect();
    if !steps.iter().all(|s| plain_text(s).starts_with("The ")) {
        return None;
    }
    // A step that leads into its own list ("The **User Graph Service** does the
    // following:") is asked on its own card (see `lead_in_lists`), its lead-in the cue.
    Some(
        steps
            .into_iter()
            .filter(|s| !text::ends_with_colon(s))
            .collect(),
    )
}

/// A step every exercise's flow has: the client sends (or posts) its request to the web
/// server, which forwards it to an API server. Shown in a flow's cloze, never asked.
static EVERY_FLOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^the client (?:sends|posts)\b[^.]*?\bto the web server\b|^the web server (?:forwards|passes|sends)\b[^.]*?\bto the [\w ]+ server$").unwrap()
});

/// A list item that is a lead-in with its own list ("The **Write API** server does the
/// following:" and its steps) gives a cloze over that list, the lead-in as its cue: the list
/// cloze above shows the lead-in without asking it.
pub(super) fn lead_in_lists(cx: &mut Cx<'_>, index: usize) {
    let doc = cx.doc;
    let subject = cx.subject(index);
    for block in &doc.sections[index].blocks {
        let BlockKind::List(list) = &block.kind else {
            continue;
        };
        if lists::is_reference_list(list) {
            continue;
        }
        for item in &list.items {
            let (lead, rest) = text::item_parts(&item.blocks);
            let heading_word = {
                let t = plain_text(&lead);
                t.split_whitespace().count() <= 2 && text::is_generic_title(t.trim())
            };
            if !text::ends_with_colon(&lead) && !heading_word {
                continue;
            }
            // "For example, in a photo service, …:": a sample, not the design's flow (see
            // `lists`: samples make no card).
            let key = text::normalize_key(&plain_text(&lead));
            if key.starts_with("for example") || key.starts_with("for instance") {
                continue;
            }
            let Some((sub_block, sub)) = rest.iter().find_map(|b| match &b.kind {
                BlockKind::List(l) => Some((b, l)),
                _ => None,
            }) else {
                continue;
            };
            let mut extra = Vec::new();
            let steps: Vec<(u32, Vec<Inline>)> = sub
                .items
                .iter()
                .map(|i| text::item_parts(&i.blocks))
                .filter(|(first, _)| !first.is_empty())
                .enumerate()
                .map(|(k, (first, more))| {
                    // A step that leads into its own list ("Notifies the user through the
                    // **Notification Service**:") is a step all the same: asked without its
                    // colon, its list under the answer. A long step is asked by its first
                    // sentence, or shown when even that is too long (one fact per deletion).
                    let first = if more.is_empty() {
                        first
                    } else {
                        text::strip_trailing_colon(&first)
                    };
                    let (deleted, rest_of_step) = lists::deletion(&first);
                    let shown = deleted.clone().unwrap_or_else(|| first.clone());
                    if !more.is_empty() || rest_of_step.is_some() {
                        extra.push(Piece::Para(vec![Inline::Strong(shown.clone())]));
                        extra.extend(rest_of_step.map(Piece::Para));
                        extra.extend(more.iter().map(|b| Piece::Block(b.clone())));
                    }
                    (if deleted.is_some() { k as u32 + 1 } else { 0 }, shown)
                })
                .collect();
            if steps.len() < 2 {
                continue;
            }
            let text_pieces = vec![
                Piece::Subject(subject.clone()),
                Piece::Text(": ".into()),
                Piece::Inlines(lead.clone()),
                Piece::ClozeList(steps),
            ];
            cx.push(
                index,
                "steps",
                &plain_text(&lead),
                item.line,
                item.pin.clone(),
                CardBody::Cloze {
                    text: text_pieces,
                    extra,
                },
            );
            // A step that is itself a lead-in is shown, not asked.
            if cx.cards.last_mut().is_some_and(is_label_card) {
                cx.cards.pop();
                continue;
            }
            // The list rule gave this sub-list its own card ("… does the following (4
            // items)"), and its steps key-term cards ("Uses the {{Budget Service}} to …"):
            // this one asks the same, every step in the context of the others.
            let own = cx.cards.len() - 1;
            let mut k = 0;
            cx.cards.retain(|c| {
                k += 1;
                k - 1 == own
                    || !(c.section == index
                        && matches!(c.rule, "list" | "short-list" | "keyterm")
                        && c.line == sub_block.line)
            });
        }
    }
}

/// Whether the card only asks for a label (and so is dropped); list clozes lose the
/// deletion of their lead-in items instead.
pub(super) fn is_label_card(card: &mut super::Card) -> bool {
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
fn is_pointer(card: &super::Card) -> bool {
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

/// Purpose clauses: what a scaling decision is for.
static PURPOSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(to (?:address|reduce|avoid|handle|speed up|keep|improve|prevent|help|minimize|smooth|absorb|protect|lower|cut|spread|offload)|is (?:also )?useful for|so that|because|as long as|instead of)\s+").unwrap()
});

/// Step 4: each sentence that names a component and says what it is for (a purpose clause:
/// "to address …", "to reduce …", "useful for …", "instead of …") becomes a cloze that deletes
/// the purpose: the learner sees the decision and recalls the problem it solves. Paragraphs
/// in the preamble (up to line `preamble_end`) are left out.
fn decisions(cx: &mut Cx<'_>, index: usize, preamble_end: usize) {
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

fn step_sections(cx: &Cx<'_>, index: usize, n: &str) -> Option<usize> {
    let top = cx
        .doc
        .ancestors(index)
        .into_iter()
        .rev()
        .find(|&i| cx.doc.sections[i].level == 1)?;
    cx.doc.subtree(top).into_iter().find(|&i| {
        text::normalize_key(&cx.doc.sections[i].title_text).starts_with(&format!("step {n}"))
    })
}

/// Bold names in a subtree's text, in order, deduplicated: the components of a design.
fn bold_names(cx: &Cx<'_>, index: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in cx.doc.subtree(index) {
        let mut stack: Vec<&crate::document::Block> = cx.doc.sections[i].blocks.iter().collect();
        stack.reverse();
        while let Some(block) = stack.pop() {
            match &block.kind {
                BlockKind::Paragraph(inlines) => collect_bold(inlines, &mut out),
                BlockKind::List(list) => {
                    for item in list.items.iter().rev() {
                        for b in item.blocks.iter().rev() {
                            stack.push(b);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Bold names that are components: not labels ("**Note**:"), not the name of a code listing
/// ("**Person** implementation:"), and not a plural of a name already found ("Person
/// Servers" after "Person Server", or before it).
fn collect_bold(inlines: &[Inline], out: &mut Vec<String>) {
    for (at, inline) in inlines.iter().enumerate() {
        if let Inline::Strong(c) = inline {
            let name = plain_text(c).trim().to_string();
            let after = match inlines.get(at + 1) {
                Some(Inline::Text(t)) => t.trim_start().to_lowercase(),
                _ => String::new(),
            };
            if text::is_label(&name) || after.starts_with("implementation") {
                continue;
            }
            let singular = |n: &str| n.trim_end_matches('s').to_lowercase();
            if let Some(o) = out.iter_mut().find(|o| singular(o) == singular(&name)) {
                // The singular names the component.
                if name.len() < o.len() {
                    *o = name;
                }
                continue;
            }
            let words = name.split_whitespace().count();
            let capitalised = name
                .split_whitespace()
                .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()));
            if (1..=4).contains(&words)
                && capitalised
                && !matches!(name.as_str(), "User" | "Service" | "Users" | "Important")
                && !out.iter().any(|o| o.eq_ignore_ascii_case(&name))
            {
                out.push(name);
            }
        }
    }
}

fn high_level(cx: &mut Cx<'_>, index: usize) {
    let exercise = cx.exercise_title(index).unwrap_or_default();
    let components = step_sections(cx, index, "3")
        .map(|s| bold_names(cx, s))
        .unwrap_or_default();
    let line = cx.doc.sections[index].line;
    if !components.is_empty() {
        // A cloze over the components (rule 4: a long list is asked one item at a time, the
        // others in view), the diagram under it. The client and web server of every design
        // are shown, not asked.
        let n = components.len();
        let mut k = 0;
        let items = components
            .into_iter()
            .map(|c| {
                let number = if EVERY_DESIGN.contains(&c.as_str()) {
                    0
                } else {
                    k += 1;
                    k
                };
                (number, vec![Inline::Text(c)])
            })
            .collect();
        let text = vec![
            Piece::Subject(exercise),
            Piece::Text(format!(
                ": the high-level design — its {n} components (sketch how they connect)"
            )),
            Piece::ClozeList(items),
        ];
        if k > 0 {
            // Its own rule name: the basic card below has `high-level-design`, and a key
            // must never change note type (Anki refuses to merge cloze and basic notes).
            cx.push(
                index,
                "design-components",
                "",
                line,
                None,
                CardBody::Cloze {
                    text,
                    extra: Vec::new(),
                },
            );
        }
        return;
    }
    let Some(alt) = diagram_description(cx, index) else {
        // Nothing to recall but a picture: no card.
        return;
    };
    // The author's description of the diagram says what it shows in words, so the card is
    // never just a picture.
    let front = vec![
        Piece::Subject(exercise),
        Piece::Text(": sketch the high-level design — which components, connected how?".into()),
    ];
    cx.push(
        index,
        "high-level-design",
        "",
        line,
        None,
        CardBody::Basic {
            front,
            back: vec![Piece::Text(alt)],
        },
    );
}

/// Components every design has: shown in the component list, never asked.
const EVERY_DESIGN: &[&str] = &["Client", "Web Server"];

/// The alt text of the section's first diagram, when it is a real description (several words).
fn diagram_description(cx: &Cx<'_>, index: usize) -> Option<String> {
    cx.doc.sections[index]
        .blocks
        .iter()
        .find_map(|block| match &block.kind {
            crate::document::BlockKind::Figure(f) => f
                .images
                .iter()
                .map(|image| image.alt.trim().to_string())
                .find(|alt| alt.split_whitespace().count() >= 4),
            _ => None,
        })
}

/// Assumptions and usage figures: one cloze note per figure, the rest one cloze list.
fn figures(cx: &mut Cx<'_>, index: usize) {
    let doc = cx.doc;
    let first = cx.cards.len();
    let subject = cx.subject(index);
    let blocks = &doc.sections[index].blocks;
    for (bi, block) in blocks.iter().enumerate() {
        let BlockKind::List(list) = &block.kind else {
            continue;
        };
        if lists::is_reference_list(list) {
            continue;
        }
        let intro = text::intro_before(blocks, bi).map(text::strip_trailing_colon);
        if intro
            .as_ref()
            .is_some_and(|i| text::normalize_key(&plain_text(i)).contains("conversion guide"))
        {
            continue; // see `conversion_guide`
        }
        let mut plain_items = Vec::new();
        for item in &list.items {
            let (first, rest) = text::item_parts(&item.blocks);
            let t = plain_text(&first);
            let (cloze_at, answer) = if let Some((left, right)) = t.split_once(" = ") {
                (Some(left.len() + 3), right.to_string())
            } else if let Some(m) = FIGURE.captures(&t).and_then(|c| c.get(1)) {
                (Some(0), m.as_str().trim().to_string())
            } else {
                (None, String::new())
            };
            let mut extra = Vec::new();
            for b in rest {
                extra.push(Piece::Block(b.clone()));
            }
            match cloze_at {
                Some(at) if !answer.is_empty() => {
                    let before = t[..at].to_string();
                    let after = t[at + answer.len()..].to_string();
                    let mut pieces =
                        vec![Piece::Subject(subject.clone()), Piece::Text(": ".into())];
                    if let Some(intro) = &intro {
                        pieces.push(Piece::Inlines(intro.clone()));
                        pieces.push(Piece::Text(" — ".into()));
                    }
                    pieces.push(Piece::Text(before.clone()));
                    pieces.push(Piece::Cloze(1, vec![Inline::Text(answer.clone())]));
                    pieces.push(Piece::Text(after.clone()));
                    let item_key = format!("{before} {after}");
                    cx.push(
                        index,
                        "figure",
                        &item_key,
                        item.line,
                        item.pin.clone(),
                        CardBody::Cloze {
                            text: pieces,
                            extra,
                        },
                    );
                }
                _ if !rest.is_empty() => {
                    // "Size per transaction:" with its sizes, "Traffic is not evenly
                    // distributed" with what follows: the sub-items are asked one by one,
                    // the item above them is the cue.
                    let subs: Vec<Vec<Inline>> = rest
                        .iter()
                        .filter_map(|b| match &b.kind {
                            BlockKind::List(l) => Some(l),
                            _ => None,
                        })
                        .flat_map(|l| l.items.iter().map(|i| text::item_parts(&i.blocks).0))
                        .filter(|i| !i.is_empty())
                        .collect();
                    if subs.is_empty() {
                        continue;
                    }
                    let text_pieces = vec![
                        Piece::Subject(subject.clone()),
                        Piece::Text(": ".into()),
                        Piece::Inlines(text::strip_trailing_colon(&first)),
                        Piece::ClozeList(
                            subs.into_iter()
                                .enumerate()
                                .map(|(k, i)| (k as u32 + 1, i))
                                .collect(),
                        ),
                    ];
                    cx.push(
                        index,
                        "figure",
                        &t,
                        item.line,
                        item.pin.clone(),
                        CardBody::Cloze {
                            text: text_pieces,
                            extra: Vec::new(),
                        },
                    );
                }
                _ => plain_items.push(first),
            }
        }
        if plain_items.len() >= 2 {
            let mut pieces = vec![Piece::Subject(subject.clone())];
            if let Some(intro) = &intro {
                pieces.push(Piece::Text(": ".into()));
                pieces.push(Piece::Inlines(intro.clone()));
            }
            pieces.push(Piece::ClozeList(
                plain_items
                    .into_iter()
                    .enumerate()
                    .map(|(i, f)| (i as u32 + 1, f))
                    .collect(),
            ));
            let key = intro.as_ref().map(|i| plain_text(i)).unwrap_or_default();
            cx.push(
                index,
                "list",
                &key,
                block.line,
                block.pin.clone(),
                CardBody::Cloze {
                    text: pieces,
                    extra: Vec::new(),
                },
            );
        } else if let Some(item) = plain_items.pop() {
            let front = vec![
                Piece::Subject(subject.clone()),
                Piece::Text(": which other assumption is stated?".into()),
            ];
            cx.push(
                index,
                "list",
                "single",
                block.line,
                block.pin.clone(),
                CardBody::Basic {
                    front,
                    back: vec![Piece::Para(item)],
                },
            );
        }
    }
    conversion_guide(cx, index, first);
    let mut k = first;
    while k < cx.cards.len() {
        if is_label_card(&mut cx.cards[k]) {
            cx.cards.remove(k);
        } else {
            k += 1;
        }
    }
}

/// The handy conversion guide (seconds per month, requests per second to per month) is the
/// same in every exercise: it gives no cards, and is shown under the exercise's per-second
/// figures, where it is used.
fn conversion_guide(cx: &mut Cx<'_>, index: usize, first: usize) {
    let blocks = &cx.doc.sections[index].blocks;
    let Some((bi, block)) = blocks.iter().enumerate().find(|(bi, _)| {
        text::intro_before(blocks, *bi)
            .is_some_and(|i| text::normalize_key(&plain_text(i)).contains("conversion guide"))
    }) else {
        return;
    };
    let intro = text::intro_before(blocks, bi).map(|i| i.to_vec());
    let mut context = Vec::new();
    if let Some(intro) = intro {
        context.push(Piece::Para(intro));
    }
    context.push(Piece::Block(block.clone()));
    for card in &mut cx.cards[first..] {
        if card.section != index {
            continue;
        }
        if let CardBody::Cloze { text: t, extra } = &mut card.body
            && text::pieces_text(t).contains("per second")
        {
            extra.extend(context.iter().cloned());
        }
    }
}
