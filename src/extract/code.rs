//! Rule 6 — code blocks. A fenced block without a language that is laid out as a table (a
//! title line, a dashed rule, rows of columns separated by two or more spaces) becomes one
//! card per row; times are given as the largest unit first ("~250 µs (250,000 ns)").
//! A one-line formula introduced by a sentence is asked as "… — what is the formula?". Other
//! code is never an answer (nobody recalls code verbatim): it is shown, highlighted, as context
//! under the card before it in its section.

use std::sync::LazyLock;

use regex::Regex;

use super::{CardBody, Cx, Piece, text};
use crate::document::{Block, Inline};

static TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^~?([\d,.]+)\s*(ns|us|µs|ms|s|min|h)$").unwrap());

pub fn cards(
    cx: &mut Cx<'_>,
    index: usize,
    block: &Block,
    lang: Option<&str>,
    code: &str,
    intro: Option<&[Inline]>,
) {
    if lang.is_none()
        && let Some(groups) = parse_table(code)
    {
        table_cards(cx, index, block, &groups);
        return;
    }
    let intro = intro.map(text::strip_trailing_colon);
    // A one-line formula introduced by a sentence: the sentence states what it computes, so
    // the question names it and the formula is the answer.
    if let Some(intro) = &intro
        && is_formula(code)
    {
        let item = crate::document::plain_text(intro);
        let front = vec![
            Piece::Subject(cx.subject(index)),
            Piece::Text(cx.words().colon.into()),
            Piece::Inlines(intro.clone()),
            Piece::Text(cx.words().formula.into()),
        ];
        let back = vec![Piece::Code {
            lang: lang.map(str::to_string),
            text: code.trim_end().to_string(),
        }];
        cx.push(
            index,
            "code",
            &item,
            block.line,
            block.pin.clone(),
            CardBody::Basic { front, back },
        );
        return;
    }
    // Other code (an API call, a table schema, a class) is nobody's answer: it is shown as
    // context on the card before it in its section, the card of the statement it illustrates.
    attach_as_context(cx, index, lang, code, intro.as_deref());
}

/// A code block laid out as a table (latency numbers, powers of two): one card per row, or
/// per filled cell when the columns have headers.
fn table_cards(cx: &mut Cx<'_>, index: usize, block: &Block, groups: &[Group]) {
    let subject = cx.subject(index);
    for group in groups {
        for row in &group.rows {
            // With column headers: one card per filled cell ("Power 20 — bytes?").
            if let Some(h) = group
                .headers
                .as_ref()
                .filter(|h| h.len() == row.values.len() + 1)
            {
                for (c, value) in row.values.iter().enumerate() {
                    if value.trim().is_empty() {
                        continue;
                    }
                    // The headers are the source's own words; what joins them is the deck's.
                    let words = cx.words();
                    let (between, end) = words.row_column;
                    let front = vec![
                        Piece::Subject(subject.clone()),
                        Piece::Text(format!(
                            "{}{} {}{between}{}{end}",
                            words.colon,
                            h[0],
                            row.key,
                            h[c + 1].to_lowercase()
                        )),
                    ];
                    let item = format!("{} {} {}", group.title, row.key, h[c + 1]);
                    cx.push(
                        index,
                        "code-table",
                        &item,
                        block.line + row.offset,
                        None,
                        CardBody::Basic {
                            front,
                            back: vec![Piece::Text(value.clone())],
                        },
                    );
                }
                continue;
            }
            let mut front = vec![
                Piece::Subject(subject.clone()),
                Piece::Text(cx.words().colon.into()),
            ];
            let words = cx.words();
            let (between, end) = words.row_column;
            let question = match &group.headers {
                Some(h) if h.len() == row.values.len() + 1 => {
                    format!(
                        "{} {}{between}{}{end}",
                        h[0],
                        row.key,
                        h[1..].join(", ").to_lowercase()
                    )
                }
                _ if group.equation => format!("{} = ?", row.key),
                _ => format!("{}{}", row.key, words.question_mark),
            };
            front.push(Piece::Text(question));
            let answer = format_values(&row.values);
            let item = format!("{} {}", group.title, row.key);
            cx.push(
                index,
                "code-table",
                &item,
                block.line + row.offset,
                None,
                CardBody::Basic {
                    front,
                    back: vec![Piece::Text(answer)],
                },
            );
        }
    }
}

/// Longest code shown as context; longer Python is cut to its skeleton (class and method
/// signatures), other longer code is left out.
const MAX_CONTEXT: usize = 700;

/// Longest back of a basic card once code is shown under its answer.
const MAX_BACK: usize = 1200;
/// ... and in words: the answer stays under the 200 words `check` allows (the long-answer
/// warning), with room for the diagram's attribution.
const MAX_BACK_WORDS: usize = 180;

/// Puts the code (and the sentence that introduced it) under the answer of the last card of
/// section `index`, if the section has one.
pub fn attach_as_context(
    cx: &mut Cx<'_>,
    index: usize,
    lang: Option<&str>,
    code: &str,
    intro: Option<&[Inline]>,
) {
    let Some(text) = context_code(code) else {
        return;
    };
    let Some(card) = cx.cards.iter_mut().rev().find(|c| c.section == index) else {
        return;
    };
    let mut pieces = Vec::new();
    if let Some(intro) = intro {
        let mut intro = intro.to_vec();
        intro.push(Inline::Text(":".into()));
        pieces.push(Piece::Para(intro));
    }
    pieces.push(Piece::Code {
        lang: lang.map(str::to_string),
        text,
    });
    add_context(card, pieces);
}

/// Shows `pieces` under the answer of `card` (the back extra of a cloze). The back of a basic
/// card is its answer: context that would take it over `MAX_BACK` characters or
/// `MAX_BACK_WORDS` words is left out.
pub fn add_context(card: &mut super::Card, pieces: Vec<Piece>) {
    match &mut card.body {
        CardBody::Basic { back, .. } => {
            if shown_len(back) + shown_len(&pieces) <= MAX_BACK
                && shown_words(back) + shown_words(&pieces) <= MAX_BACK_WORDS
            {
                back.extend(pieces);
            }
        }
        CardBody::Cloze { extra, .. } => extra.extend(pieces),
    }
}

/// Words shown for pieces. Highlighted code reads token by token (`self.cache = cache` is
/// five), so code counts its names and its punctuation.
fn shown_words(pieces: &[Piece]) -> usize {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Code { text, .. } => code_tokens(text),
            other => text::pieces_text(std::slice::from_ref(other))
                .split_whitespace()
                .count(),
        })
        .sum()
}

/// Names, numbers and punctuation marks of code.
fn code_tokens(code: &str) -> usize {
    let mut n = 0;
    let mut in_word = false;
    for c in code.chars() {
        let word = c.is_alphanumeric() || c == '_';
        if word && !in_word || !word && !c.is_whitespace() {
            n += 1;
        }
        in_word = word;
    }
    n
}

/// Characters shown for pieces, code included.
fn shown_len(pieces: &[Piece]) -> usize {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Code { text, .. } => text.chars().count(),
            other => text::pieces_text(std::slice::from_ref(other))
                .chars()
                .count(),
        })
        .sum()
}

/// The code as shown for context: whole when short, else its Python skeleton when that is
/// short enough.
fn context_code(code: &str) -> Option<String> {
    let code = code.trim_end();
    if code.chars().count() <= MAX_CONTEXT {
        return Some(code.to_string());
    }
    let skeleton = super::object_design::skeletons(code);
    (!skeleton.is_empty() && skeleton.chars().count() <= MAX_CONTEXT).then_some(skeleton)
}

/// A single line `left = right`: a formula.
fn is_formula(code: &str) -> bool {
    let lines: Vec<&str> = code.lines().filter(|l| !l.trim().is_empty()).collect();
    lines.len() == 1 && lines[0].contains(" = ") && lines[0].chars().count() <= 160
}

#[derive(Debug)]
struct Group {
    title: String,
    headers: Option<Vec<String>>,
    equation: bool,
    rows: Vec<Row>,
}

#[derive(Debug)]
struct Row {
    key: String,
    values: Vec<String>,
    offset: usize,
}

fn is_rule(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3 && t.chars().all(|c| c == '-' || c == '=')
}

/// Fields separated by two or more spaces, with their byte spans.
fn fields(line: &str) -> Vec<(usize, usize, String)> {
    let mut out: Vec<(usize, usize, String)> = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let start = i;
        while i < bytes.len() && !(bytes[i] == b' ' && bytes.get(i + 1).is_none_or(|&b| b == b' '))
        {
            i += 1;
        }
        let text = line[start..i].trim().to_string();
        // A bare unit belongs to the number before it ("10,000   ns").
        if matches!(text.as_str(), "ns" | "us" | "µs" | "ms" | "s" | "min" | "h")
            && let Some(last) = out.last_mut()
        {
            last.2 = format!("{} {}", last.2, text);
            last.1 = i;
            continue;
        }
        out.push((start, i, text));
    }
    out
}

fn parse_table(code: &str) -> Option<Vec<Group>> {
    let lines: Vec<&str> = code.lines().collect();
    let mut groups = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if i + 1 < lines.len() && !lines[i].trim().is_empty() && is_rule(lines[i + 1]) {
            let title_fields = fields(lines[i]);
            let headers = (title_fields.len() >= 2).then_some(title_fields.clone());
            let mut group = Group {
                title: lines[i].trim().to_string(),
                headers: headers
                    .as_ref()
                    .map(|h| h.iter().map(|f| f.2.clone()).collect()),
                equation: false,
                rows: Vec::new(),
            };
            let mut j = i + 2;
            while j < lines.len()
                && !lines[j].trim().is_empty()
                && !(j + 1 < lines.len() && is_rule(lines[j + 1]))
            {
                let f = fields(lines[j]);
                if let Some(h) = &headers {
                    // Place each field under the header column it overlaps most.
                    let mut values = vec![String::new(); h.len()];
                    for (start, end, text) in f {
                        let col = (0..h.len())
                            .max_by_key(|&c| {
                                let lo = h[c].0;
                                let hi = h.get(c + 1).map(|n| n.0).unwrap_or(usize::MAX);
                                end.min(hi).saturating_sub(start.max(lo))
                            })
                            .unwrap_or(0);
                        if values[col].is_empty() {
                            values[col] = text;
                        } else {
                            values[col] = format!("{} {}", values[col], text);
                        }
                    }
                    let key = values.remove(0);
                    if !key.is_empty() {
                        group.rows.push(Row {
                            key,
                            values,
                            offset: j + 1,
                        });
                    }
                } else if f.len() >= 2 {
                    let mut values: Vec<String> = f.into_iter().map(|x| x.2).collect();
                    let key = values.remove(0);
                    group.rows.push(Row {
                        key,
                        values,
                        offset: j + 1,
                    });
                } else if let Some((k, v)) = lines[j].split_once(" = ") {
                    group.equation = true;
                    group.rows.push(Row {
                        key: k.trim().into(),
                        values: vec![v.trim().into()],
                        offset: j + 1,
                    });
                }
                j += 1;
            }
            if !group.rows.is_empty() {
                groups.push(group);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    let rows: usize = groups.iter().map(|g| g.rows.len()).sum();
    (rows >= 3).then_some(groups)
}

/// "10,000 ns · 10 us · 10 ms · note" → "~10 ms (10,000 ns; 10,000 µs) — note".
fn format_values(values: &[String]) -> String {
    let values: Vec<String> = values
        .iter()
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .replace(" us", " µs")
        })
        .collect();
    let times: Vec<&String> = values.iter().filter(|v| TIME.is_match(v)).collect();
    if times.len() >= 2 {
        let headline = times[times.len() - 1];
        let others: Vec<&str> = times[..times.len() - 1]
            .iter()
            .map(|s| s.as_str())
            .collect();
        let notes: Vec<&str> = values
            .iter()
            .filter(|v| !TIME.is_match(v))
            .map(|s| s.as_str())
            .collect();
        let mut out = format!("~{headline} ({})", others.join("; "));
        if !notes.is_empty() {
            out.push_str(&format!(" — {}", notes.join("; ")));
        }
        return out;
    }
    values.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_counts_its_tokens_as_highlighted() {
        assert_eq!(code_tokens("self.cache = cache"), 5);
        assert_eq!(code_tokens("def get(self, key):"), 8);
        let prose = vec![Piece::Para(vec![Inline::Text("Two words".into())])];
        let code = vec![Piece::Code {
            lang: None,
            text: "a.b".into(),
        }];
        assert_eq!(shown_words(&prose) + shown_words(&code), 5);
    }

    #[test]
    fn columns_follow_the_header() {
        let code = "Size     Exact        Rough\n--------------------------\n3              8\n4             16    about 16\n9            512    half a K\n";
        let groups = parse_table(code).unwrap();
        let rows = &groups[0].rows;
        assert_eq!(rows[0].values, ["8", ""]);
        assert_eq!(rows[1].values, ["16", "about 16"]);
    }

    #[test]
    fn units_join_their_numbers() {
        assert_eq!(
            format_values(&["5,000   ns".into(), "5 us".into()]),
            "~5 µs (5,000 ns)"
        );
        let f = fields("Do a thing     2,000   ns       2 us     note here");
        assert_eq!(
            f.iter().map(|x| x.2.as_str()).collect::<Vec<_>>(),
            ["Do a thing", "2,000 ns", "2 us", "note here"]
        );
    }
}
