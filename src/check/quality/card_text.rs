//! A note as a learner reads it, for the quality lint: the question, the answer or cloze text
//! as plain text, the deletions, and what makes two facts the same.

use crate::render::{NoteDraft, NotetypeKind};

/// HTML to plain text: tags dropped (block ends become newlines), entities decoded.
pub fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut tag = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' if in_tag => {
                in_tag = false;
                let name = tag.trim_start_matches('/').split(' ').next().unwrap_or("");
                if matches!(name, "p" | "li" | "br" | "div" | "pre" | "tr") && !out.ends_with('\n')
                {
                    out.push('\n');
                }
            }
            _ if in_tag => tag.push(c),
            _ => out.push(c),
        }
    }
    crate::markup::decode_entities(&out)
}

/// The text of a note as a learner reads it.
#[derive(Debug, Clone)]
pub struct NoteText {
    pub cloze: bool,
    /// The question (basic) or the cloze text (with `{{cN::…}}` markers).
    pub front: String,
    /// The answer (basic notes only; without diagram attributions).
    pub answer: String,
    /// The question without its subject (the exercise or section name) and the answer,
    /// lowercased with whitespace collapsed: what repeats when exercises ask the same fact.
    pub question_core: String,
    /// The answer is nothing but code (basic notes only).
    pub code_only: bool,
}

impl NoteText {
    pub fn of(d: &NoteDraft) -> NoteText {
        NoteText::from_html(
            d.kind == NotetypeKind::Cloze,
            &d.fields.front,
            &d.fields.back,
        )
    }

    /// From the front (or cloze text) and back HTML; a cloze note has no answer of its own.
    pub fn from_html(cloze: bool, front: &str, back: &str) -> NoteText {
        let answer = plain(back)
            .lines()
            .filter(|l| !l.trim_start().starts_with("Source:"))
            .collect::<Vec<_>>()
            .join("\n");
        NoteText {
            cloze,
            front: plain(front).trim().to_string(),
            answer: if cloze {
                String::new()
            } else {
                answer.trim().to_string()
            },
            question_core: fact_core(front, if cloze { "" } else { back }),
            code_only: !cloze && is_code_only(back),
        }
    }

    pub fn basic(front: &str, answer: &str) -> NoteText {
        NoteText {
            cloze: false,
            front: front.into(),
            answer: answer.into(),
            question_core: front.to_lowercase(),
            code_only: false,
        }
    }

    pub fn cloze(text: &str) -> NoteText {
        NoteText {
            cloze: true,
            front: text.into(),
            answer: String::new(),
            question_core: text.to_lowercase(),
            code_only: false,
        }
    }
}

/// The deletions of a cloze text, in order.
pub fn deletions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{c") {
        let after = &rest[start..];
        let Some(body) = after.find("::") else { break };
        let Some(end) = after.find("}}") else { break };
        if end > body {
            out.push(after[body + 2..end].to_string());
        }
        rest = &after[end + 2..];
    }
    out
}

/// The cloze text with every deletion shown.
pub fn revealed(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{c") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        match (after.find("::"), after.find("}}")) {
            (Some(body), Some(end)) if end > body => {
                out.push_str(&after[body + 2..end]);
                rest = &after[end + 2..];
            }
            _ => {
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

pub(super) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The question without its subject, and the answer: one fact, normalised for comparison.
pub(super) fn fact_core(front: &str, back: &str) -> String {
    let question = question_core(front);
    let answer = plain(back).split_whitespace().collect::<Vec<_>>().join(" ");
    if answer.is_empty() {
        question
    } else {
        format!("{question} => {}", answer.to_lowercase())
    }
}

/// The question of `front` (HTML) without its subject span, normalised for comparison.
pub(super) fn question_core(front: &str) -> String {
    let mut html = front.to_string();
    if let Some(start) = html.find("<span class=\"subject\">")
        && let Some(len) = html[start..].find("</span>")
    {
        html.replace_range(start..start + len + "</span>".len(), "");
    }
    plain(&html)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_start_matches([':', '—', '-', ' '])
        .to_lowercase()
}

/// Whether the answer `back` (HTML) is a code block and nothing else a learner reads (a
/// diagram's attribution aside).
pub(super) fn is_code_only(back: &str) -> bool {
    let Some(start) = back.find("<pre") else {
        return false;
    };
    let mut rest = back.to_string();
    let mut at = start;
    while let Some(end) = rest[at..].find("</pre>") {
        rest.replace_range(at..at + end + "</pre>".len(), "");
        match rest.find("<pre") {
            Some(next) => at = next,
            None => break,
        }
    }
    plain(&rest)
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with("Source:"))
}
