//! Rule 12 — object-oriented design notebooks (already converted to markdown). The generic
//! rules run (constraints and assumptions are `* question? * answer` lists: one card per
//! question). Python code gives the class design: one card listing the classes, and one card
//! per class showing its skeleton (class line, base classes, method signatures), highlighted.

mod classes;

use std::sync::LazyLock;

use regex::Regex;

use super::{CardBody, Cx, Piece, text};
use crate::document::{BlockKind, Inline, plain_text};
pub use classes::skeletons;
use classes::{ClassInfo, parse_classes};

pub fn section(cx: &mut Cx<'_>, index: usize) {
    let section = cx.section_at(index);
    if section.level <= 1 {
        return;
    }
    let first_card = cx.cards.len();
    cx.generic_section(index, true);
    assumptions(cx, first_card);
    super::exercise::lead_in_lists(cx, index);
    let mut k = first_card;
    while k < cx.cards.len() {
        if super::exercise::is_label_card(&mut cx.cards[k]) {
            cx.cards.remove(k);
        } else {
            k += 1;
        }
    }
    let mut classes: Vec<ClassInfo> = Vec::new();
    for block in &section.blocks {
        if let BlockKind::Code { lang, text } = &block.kind
            && lang.as_deref().is_none_or(|l| l.starts_with("py"))
        {
            classes.extend(parse_classes(text, block.line));
        }
    }
    if classes.is_empty() {
        return;
    }
    let exercise = cx
        .exercise_title(index)
        .unwrap_or_else(|| cx.subject(index));
    subclass_cards(cx, index, &classes, &exercise);
    class_cards(cx, index, &classes, &exercise);
}

/// A question of the exercise: its name, then `text`.
fn ask(exercise: &str, text: Vec<Piece>) -> Vec<Piece> {
    let mut front = vec![
        Piece::Subject(exercise.to_string()),
        Piece::Text(": ".into()),
    ];
    front.extend(text);
    front
}

/// A class or method name, shown as code.
fn code(name: &str) -> Piece {
    Piece::Inlines(vec![Inline::Code(name.to_string())])
}

/// How classes relate: one card per base class of the design that others extend.
fn subclass_cards(cx: &mut Cx<'_>, index: usize, classes: &[ClassInfo], exercise: &str) {
    let mut bases: Vec<&str> = Vec::new();
    for class in classes {
        if let Some(base) = class.base_in(classes)
            && !bases.contains(&base)
        {
            bases.push(base);
        }
    }
    for base in bases {
        let subs: Vec<&ClassInfo> = classes
            .iter()
            .filter(|c| c.base_in(classes) == Some(base))
            .collect();
        let mut back: Vec<Inline> = Vec::new();
        for (k, sub) in subs.iter().enumerate() {
            if k > 0 {
                back.push(Inline::Text(", ".into()));
            }
            back.push(Inline::Code(sub.name.clone()));
        }
        // What every subclass overrides says what varies between them.
        let parent = classes.iter().find(|c| c.name == base);
        let overridden: Vec<&String> = parent
            .map(|p| {
                p.public
                    .iter()
                    .filter(|m| subs.iter().all(|s| s.public.contains(m)))
                    .collect()
            })
            .unwrap_or_default();
        if !overridden.is_empty() {
            back.push(Inline::Text(" — each overrides ".into()));
            for (k, m) in overridden.iter().enumerate() {
                if k > 0 {
                    back.push(Inline::Text(", ".into()));
                }
                back.push(Inline::Code(m.to_string()));
            }
        }
        let line = subs[0].line;
        cx.push(
            index,
            "subclasses",
            base,
            line,
            None,
            CardBody::Basic {
                front: ask(
                    exercise,
                    vec![
                        Piece::Text("which classes extend ".into()),
                        code(base),
                        Piece::Text("?".into()),
                    ],
                ),
                back: vec![Piece::Para(back)],
            },
        );
    }
}

/// What each class is responsible for, in words.
fn class_cards(cx: &mut Cx<'_>, index: usize, classes: &[ClassInfo], exercise: &str) {
    for class in classes {
        let Some((question, answer)) = class_question(class, classes) else {
            continue;
        };
        cx.push(
            index,
            "class",
            &class.name,
            class.line,
            None,
            CardBody::Basic {
                front: ask(exercise, question),
                back: vec![Piece::Text(answer)],
            },
        );
    }
}

/// The question a class is asked and its answer: an enum's values, what a class adds beyond
/// what it overrides, or the state a base class keeps; `None` when it has nothing of its own.
fn class_question(class: &ClassInfo, classes: &[ClassInfo]) -> Option<(Vec<Piece>, String)> {
    if class.is_enum() {
        if class.members.is_empty() {
            return None;
        }
        return Some((
            vec![
                Piece::Text("which values does the enum ".into()),
                code(&class.name),
                Piece::Text(" take?".into()),
            ],
            class.members.join(", "),
        ));
    }
    let parent = class
        .base_in(classes)
        .and_then(|b| classes.iter().find(|c| c.name == b));
    // Methods it adds beyond what it overrides (the base card covers those).
    let own: Vec<&String> = class
        .public
        .iter()
        .filter(|m| !parent.is_some_and(|p| p.public.contains(m)))
        .collect();
    if !own.is_empty() {
        let duties: Vec<String> = own.iter().map(|m| m.replace('_', " ")).collect();
        let mut answer = text::upper_first(&duties.join("; "));
        if !class.attributes.is_empty() {
            answer.push_str(&format!(" (keeps {})", class.attributes.join(", ")));
        }
        Some((
            vec![
                Piece::Text("what is ".into()),
                code(&class.name),
                Piece::Text(" responsible for?".into()),
            ],
            answer,
        ))
    } else if parent.is_none() && class.attributes.len() >= 2 {
        Some((
            vec![
                Piece::Text("what state does ".into()),
                code(&class.name),
                Piece::Text(" keep?".into()),
            ],
            class.attributes.join(", "),
        ))
    } else {
        None
    }
}

/// Constraints answered "Yes" or "No" become what we assume: "Can we assume operators always
/// get the initial calls?" / "Yes" → "what do we assume about operators?" / "Operators always
/// get the initial calls." The interview checklist every notebook repeats (valid inputs, fits
/// in memory) gives no card. Works on the question cards made from `first` on.
fn assumptions(cx: &mut Cx<'_>, first: usize) {
    let mut k = first;
    while k < cx.cards.len() {
        let card = &mut cx.cards[k];
        k += 1;
        if card.rule != "question" {
            continue;
        }
        let CardBody::Basic { front, back } = &mut card.body else {
            continue;
        };
        let question = match front.last() {
            Some(Piece::Inlines(q)) => plain_text(q),
            _ => continue,
        };
        if CHECKLIST.is_match(&question) {
            k -= 1;
            cx.cards.remove(k);
            continue;
        }
        let answer = text::pieces_text(back);
        let Some((yes, rest)) = yes_no(&answer) else {
            continue;
        };
        let Some((topic, mut statement)) = assumption(&question, yes) else {
            continue;
        };
        if !rest.is_empty() {
            statement = format!("{} — {rest}.", statement.trim_end_matches('.'));
        }
        front.pop();
        front.push(Piece::Text(format!("what do we assume about {topic}?")));
        *back = vec![Piece::Text(statement)];
    }
}

static CHECKLIST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\binputs are valid\b|\bfits? (in )?memory\b").unwrap());

/// "Yes", "No", "Yes, and then …" → (yes?, the rest).
fn yes_no(answer: &str) -> Option<(bool, String)> {
    let a = answer.trim().trim_start_matches(['-', '*', ' ']);
    let (word, rest) = a.split_at(a.find([',', '.', ' ']).unwrap_or(a.len()));
    let yes = match word.to_lowercase().as_str() {
        "yes" => true,
        "no" => false,
        _ => return None,
    };
    let rest = rest.trim_start_matches([',', '.', ' ']).trim();
    Some((yes, rest.to_string()))
}

const DETERMINERS: &[&str] = &["the", "a", "an", "each", "every", "all", "any"];
const PRONOUNS: &[&str] = &["this", "it", "that", "these", "they"];
const VERBS: &[&str] = &[
    "take", "have", "go", "need", "support", "fit", "use", "handle", "get", "contain", "include",
    "allow", "require", "store", "show", "work",
];

/// A yes/no question and its answer as (topic, statement), or `None` when the question has no
/// shape we can turn around.
fn assumption(question: &str, yes: bool) -> Option<(String, String)> {
    let q = question.trim().trim_end_matches('?').trim();
    // A leading clause ("For simplicity, …", "If the operator is busy, …") stays in front.
    let (lead, main) = match q.rsplit_once(", ") {
        Some((lead, main)) if starts_question(main) => (Some(lead), main),
        _ => (None, q),
    };
    let words: Vec<&str> = main.split_whitespace().collect();
    let first = words.first()?.to_lowercase();
    let second = words.get(1).map(|w| w.to_lowercase()).unwrap_or_default();
    let not = if yes { "" } else { "not " };
    let lead_topic = lead
        .and_then(|l| l.strip_prefix("For "))
        .filter(|t| !t.eq_ignore_ascii_case("simplicity"))
        .map(str::to_string);
    let (topic, statement) = match (first.as_str(), second.as_str()) {
        ("can", "we")
            if words
                .get(2)
                .is_some_and(|w| w.eq_ignore_ascii_case("assume")) =>
        {
            let rest: Vec<&str> = words[3..]
                .iter()
                .copied()
                .skip_while(|w| w.eq_ignore_ascii_case("that"))
                .collect();
            let np = noun_phrase(&rest, &[])?;
            let topic = np.join(" ");
            let statement = if yes {
                rest.join(" ")
            } else {
                format!("We cannot assume that {}", rest.join(" "))
            };
            (topic, statement)
        }
        ("can", "we") => {
            let rest = words[2..].join(" ");
            let topic = lead_topic.clone().or_else(|| about(&words[2..]))?;
            (topic, format!("We can {not}{rest}"))
        }
        ("do", "we") => {
            let rest = words[2..].join(" ");
            let topic = about(&words[2..])?;
            let verb = if yes { "do" } else { "do not" };
            (topic, format!("We {verb} {rest}"))
        }
        ("is" | "are", _) => {
            let np = noun_phrase(&words[1..], &[])?;
            let rest = words[1 + np.len()..].join(" ");
            let topic = if PRONOUNS.contains(&np[0].to_lowercase().as_str()) {
                "the scope".to_string()
            } else {
                np.join(" ")
            };
            (topic, format!("{} {first} {not}{rest}", np.join(" ")))
        }
        ("does" | "do", _) => {
            let np = noun_phrase(&words[1..], VERBS)?;
            let verb = words.get(1 + np.len())?.to_lowercase();
            if !VERBS.contains(&verb.as_str()) {
                return None;
            }
            let rest = words[2 + np.len()..].join(" ");
            let conjugated = if !yes {
                format!("does not {verb}")
            } else if verb == "have" {
                "has".into()
            } else if verb == "go" {
                "goes".into()
            } else {
                format!("{verb}s")
            };
            let topic = np.join(" ");
            (topic, format!("{} {conjugated} {rest}", np.join(" ")))
        }
        _ => return None,
    };
    let mut statement = statement.trim().to_string();
    let mut topic = topic;
    if let Some(lead) = lead {
        if lead_topic.as_deref() != Some(topic.as_str()) {
            // The clause qualifies the topic: "the call if there is no available operator".
            let lead_lower = lowercase_first(lead);
            if !lead.starts_with("For ") {
                topic = format!("{topic} {lead_lower}");
            }
        }
        statement = format!("{lead}, {}", lowercase_first(&statement));
    }
    Some((topic, format!("{}.", text::upper_first(&statement))))
}

fn starts_question(s: &str) -> bool {
    let first = s.split_whitespace().next().unwrap_or("").to_lowercase();
    matches!(
        first.as_str(),
        "can" | "do" | "does" | "is" | "are" | "should" | "will"
    )
}

/// The noun phrase that opens `words`: a pronoun, or an optional determiner and the words up
/// to a verb of `verbs` (at most three), or one word.
fn noun_phrase<'w>(words: &[&'w str], verbs: &[&str]) -> Option<Vec<&'w str>> {
    let first = words.first()?.to_lowercase();
    if PRONOUNS.contains(&first.as_str()) {
        return Some(words[..1].to_vec());
    }
    let start = usize::from(DETERMINERS.contains(&first.as_str()));
    if !verbs.is_empty() {
        let end = (start + 1..words.len().min(start + 4))
            .find(|&i| verbs.contains(&words[i].to_lowercase().as_str()))?;
        return Some(words[..end].to_vec());
    }
    (words.len() > start).then(|| words[..=start].to_vec())
}

/// The topic of "we need to handle 'VIP' calls where …": what follows "about", else the
/// object after the first verb, up to a relative word (at most three words).
fn about(words: &[&str]) -> Option<String> {
    if let Some(i) = words.iter().position(|w| w.eq_ignore_ascii_case("about")) {
        return (i + 1 < words.len()).then(|| words[i + 1..].join(" "));
    }
    // "need to handle X", "have to worry X": the verb after "to"; else the first verb.
    let verb_end = if words
        .first()
        .is_some_and(|w| matches!(w.to_lowercase().as_str(), "need" | "have"))
        && words.get(1).is_some_and(|w| w.eq_ignore_ascii_case("to"))
    {
        3
    } else {
        1
    };
    let object: Vec<&str> = words
        .iter()
        .copied()
        .skip(verb_end)
        .take_while(|w| {
            !matches!(
                w.to_lowercase().as_str(),
                "where" | "that" | "which" | "for" | "with" | "only"
            )
        })
        .take(3)
        .collect();
    (!object.is_empty()).then(|| object.join(" "))
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_no_constraints_become_assumptions() {
        let cases = [
            (
                "Can we assume kilns always start cold?",
                true,
                "kilns",
                "Kilns always start cold.",
            ),
            (
                "For glazing, can we use a single coat?",
                true,
                "glazing",
                "For glazing, we can use a single coat.",
            ),
            (
                "Do we need to handle rush orders?",
                false,
                "rush orders",
                "We do not need to handle rush orders.",
            ),
            (
                "Is the shelf shared by all potters?",
                true,
                "the shelf",
                "The shelf is shared by all potters.",
            ),
            (
                "Does the studio have two kilns?",
                true,
                "the studio",
                "The studio has two kilns.",
            ),
        ];
        for (question, yes, topic, statement) in cases {
            assert_eq!(
                assumption(question, yes),
                Some((topic.to_string(), statement.to_string())),
                "{question}"
            );
        }
        assert_eq!(yes_no("- Yes"), Some((true, String::new())));
        assert_eq!(
            yes_no("No, only one"),
            Some((false, "only one".to_string()))
        );
        assert_eq!(yes_no("Operator, supervisor"), None);
        assert!(CHECKLIST.is_match("Are all inputs are valid here?"));
    }
}
