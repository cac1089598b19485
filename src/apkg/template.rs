//! A small renderer for Anki card templates, enough for our note types and common decks:
//! `{{Field}}`, `{{#Field}}…{{/Field}}`, `{{^Field}}…{{/Field}}`, `{{text:Field}}`,
//! `{{cloze:Field}}` (card `ord` shows cloze `ord + 1` as the deletion), `{{hint:Field}}`,
//! `{{type:Field}}` (shown empty) and `{{FrontSide}}`. Unknown fields render empty.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::markup::html_to_text;

static CLOZE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}").unwrap());

/// Which side of a card is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Question,
    Answer,
}

/// Render `template` for card `ord` (0-based) with `fields`; `front_side` fills
/// `{{FrontSide}}` on the answer side.
pub fn render(
    template: &str,
    fields: &HashMap<String, String>,
    ord: u32,
    side: Side,
    front_side: &str,
) -> String {
    let mut out = String::new();
    render_into(template, fields, ord, side, front_side, &mut out);
    out
}

fn is_empty(value: Option<&String>) -> bool {
    value.is_none_or(|v| html_to_text(v).trim().is_empty() && !v.contains("<img"))
}

fn render_into(
    template: &str,
    fields: &HashMap<String, String>,
    ord: u32,
    side: Side,
    front_side: &str,
    out: &mut String,
) {
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return;
        };
        let tag = after[..end].trim();
        rest = &after[end + 2..];
        if let Some(name) = tag.strip_prefix('#').or_else(|| tag.strip_prefix('^')) {
            let name = name.trim();
            let close = format!("{{{{/{name}}}}}");
            let (inner, next) = match rest.find(&close) {
                Some(i) => (&rest[..i], &rest[i + close.len()..]),
                None => (rest, ""),
            };
            let show = is_empty(fields.get(name)) == tag.starts_with('^');
            if show {
                render_into(inner, fields, ord, side, front_side, out);
            }
            rest = next;
            continue;
        }
        if tag.starts_with('/') {
            continue;
        }
        if tag == "FrontSide" {
            out.push_str(front_side);
            continue;
        }
        let (filters, name) = match tag.rsplit_once(':') {
            Some((filters, name)) => (filters, name.trim()),
            None => ("", tag),
        };
        let value = fields.get(name).cloned().unwrap_or_default();
        let mut value = value;
        for filter in filters.split(':').rev().filter(|f| !f.is_empty()) {
            value = match filter.trim() {
                "text" => html_to_text(&value).trim().to_string(),
                "cloze" => cloze(&value, ord + 1, side),
                "type" => String::new(),
                "hint" => {
                    format!("<details class=\"hint\"><summary>{name}</summary>{value}</details>")
                }
                _ => value,
            };
        }
        out.push_str(&value);
    }
    out.push_str(rest);
}

/// Cloze deletions of `text` for card number `n` (1-based): deletion `n` is hidden on the
/// question (`[...]` or its hint) and highlighted on the answer; the others show their text.
pub fn cloze(text: &str, n: u32, side: Side) -> String {
    CLOZE
        .replace_all(text, |c: &regex::Captures<'_>| {
            let number: u32 = c[1].parse().unwrap_or(0);
            let content = &c[2];
            if number != n {
                return content.to_string();
            }
            match side {
                Side::Question => {
                    let hint = c.get(3).map_or("...", |h| h.as_str());
                    format!("<span class=\"cloze\">[{hint}]</span>")
                }
                Side::Answer => format!("<span class=\"cloze\">{content}</span>"),
            }
        })
        .into_owned()
}

/// `text` with every cloze deletion replaced by its content (for search and messages).
pub fn strip_cloze(text: &str) -> String {
    CLOZE.replace_all(text, "$2").into_owned()
}

/// The card ordinals (0-based) a cloze text makes: one per distinct deletion number.
pub fn cloze_ords(text: &str) -> Vec<u32> {
    let mut ords: Vec<u32> = CLOZE
        .captures_iter(text)
        .filter_map(|c| c[1].parse::<u32>().ok())
        .filter(|n| *n > 0)
        .map(|n| n - 1)
        .collect();
    ords.sort_unstable();
    ords.dedup();
    ords
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn fields_sections_and_filters() {
        let f = fields(&[("Front", "<b>Q</b>"), ("Back", ""), ("Src", "<i>u</i>")]);
        let t =
            "{{Front}}{{#Back}}[{{Back}}]{{/Back}}{{^Back}}none{{/Back}}{{text:Src}}{{Missing}}";
        assert_eq!(render(t, &f, 0, Side::Question, ""), "<b>Q</b>noneu");
        assert_eq!(
            render("{{FrontSide}}<hr>", &f, 0, Side::Answer, "F"),
            "F<hr>"
        );
    }

    #[test]
    fn cloze_per_card() {
        let text = "{{c1::Paris}} is in {{c2::France::country}}";
        assert_eq!(
            cloze(text, 1, Side::Question),
            "<span class=\"cloze\">[...]</span> is in France"
        );
        assert_eq!(
            cloze(text, 2, Side::Question),
            "Paris is in <span class=\"cloze\">[country]</span>"
        );
        assert_eq!(
            cloze(text, 2, Side::Answer),
            "Paris is in <span class=\"cloze\">France</span>"
        );
        assert_eq!(cloze_ords("{{c2::a}} {{c1::b}} {{c2::c}}"), vec![0, 1]);
    }
}
