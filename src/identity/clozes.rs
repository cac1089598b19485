//! A cloze note's cards follow its items, not their positions. Render numbers a note's
//! deletions 1, 2, 3… in order; here each deletion's item (a fingerprint of its normalised text)
//! is looked up in what the lock recorded for the note: a known item keeps its cloze number, a
//! new item takes the next number the note never used, and a removed item's number is never
//! given to another item (Anki keeps that card, with its reviews, until the learner deletes it
//! with Tools › Empty Cards). The draft's cloze numbers are rewritten to match.

use std::sync::LazyLock;

use regex::Regex;

use super::lock::{ClozeItems, item_fingerprint};
use crate::key::normalize_key;
use crate::markup::html_to_text;

/// `{{cN::content}}`; render makes the content safe, so the first `}}` ends it.
static DELETION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\{\{c(\d+)::(.*?)\}\}").expect("valid regex"));

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{c(\d+)::").expect("valid regex"));

/// The items of a cloze text: (cloze number, fingerprint of the normalised text of all its
/// deletions), in number order.
pub fn items(front: &str) -> Vec<(u32, u32)> {
    let mut by_number: Vec<(u32, String)> = Vec::new();
    for c in DELETION.captures_iter(front) {
        let Ok(number) = c[1].parse::<u32>() else {
            continue;
        };
        let text = normalize_key(&html_to_text(&c[2]));
        match by_number.iter_mut().find(|(n, _)| *n == number) {
            Some((_, all)) => {
                all.push('\0');
                all.push_str(&text);
            }
            None => by_number.push((number, text)),
        }
    }
    by_number.sort_by_key(|(n, _)| *n);
    by_number
        .into_iter()
        .map(|(n, text)| (n, item_fingerprint(&text)))
        .collect()
}

/// The cloze numbers a cloze text uses, ascending.
pub fn numbers(front: &str) -> Vec<u32> {
    let mut out: Vec<u32> = NUMBER
        .captures_iter(front)
        .filter_map(|c| c[1].parse().ok())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// What numbering a note's items did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Numbered {
    /// The highest number the note has used, now included.
    pub high: u32,
    /// Numbers whose item is gone: the learner's card of each is now empty.
    pub emptied: Vec<u32>,
}

/// Renumbers the deletions of `front` (numbered by position) so that each item keeps the number
/// `old` gives it; new items take numbers above `old.high`. Without `old` (a new note, or a lock
/// line older than v3) the positional numbers stand.
pub fn renumber(front: &mut String, old: Option<&ClozeItems>) -> Numbered {
    let items = items(front);
    let Some(old) = old else {
        return Numbered {
            high: items.last().map_or(0, |(n, _)| *n),
            emptied: Vec::new(),
        };
    };
    let mut high = old.high;
    let mut used = vec![false; old.items.len()];
    let mut map: Vec<(u32, u32)> = Vec::with_capacity(items.len());
    for (position, fp) in &items {
        let known = old
            .items
            .iter()
            .enumerate()
            .find(|(i, (old_fp, _))| !used[*i] && old_fp == fp);
        let number = match known {
            Some((i, (_, number))) => {
                used[i] = true;
                *number
            }
            None => {
                high += 1;
                high
            }
        };
        map.push((*position, number));
    }
    if map.iter().any(|(from, to)| from != to) {
        *front = NUMBER
            .replace_all(front, |c: &regex::Captures<'_>| {
                let from: u32 = c[1].parse().unwrap_or(0);
                let to = map
                    .iter()
                    .find(|(f, _)| *f == from)
                    .map_or(from, |(_, t)| *t);
                format!("{{{{c{to}::")
            })
            .into_owned();
    }
    let emptied = old
        .items
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|((_, number), _)| *number)
        .collect();
    Numbered { high, emptied }
}

/// What the lock records for a cloze note whose (final) text is `front`.
pub fn locked_items(front: &str, high: u32) -> ClozeItems {
    let items: Vec<(u32, u32)> = items(front).into_iter().map(|(n, fp)| (fp, n)).collect();
    let high = high.max(items.iter().map(|(_, n)| *n).max().unwrap_or(0));
    ClozeItems { high, items }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[(u32, &str)]) -> String {
        let mut out = String::from("<p>Subject (n items)</p><ul class=\"cloze-list\">");
        for (n, text) in items {
            out.push_str(&format!("<li>{{{{c{n}::{text}}}}}</li>"));
        }
        out.push_str("</ul>");
        out
    }

    #[test]
    fn items_keep_their_numbers_and_new_ones_take_unused_numbers() {
        let old = list(&[(1, "Alpha"), (2, "Beta"), (3, "Gamma"), (4, "Delta")]);
        let locked = locked_items(&old, 4);
        // Reordered, "Epsilon" inserted at the top, "Beta" removed.
        let mut front = list(&[
            (1, "Epsilon"),
            (2, "Delta"),
            (3, "<b>alpha</b>"),
            (4, "Gamma"),
        ]);
        let numbered = renumber(&mut front, Some(&locked));
        assert_eq!(
            front,
            list(&[
                (5, "Epsilon"),
                (4, "Delta"),
                (1, "<b>alpha</b>"),
                (3, "Gamma")
            ])
        );
        assert_eq!(
            numbered,
            Numbered {
                high: 5,
                emptied: vec![2]
            }
        );
        assert_eq!(numbers(&front), vec![1, 3, 4, 5]);
        // The next build: "Beta" comes back, and gets a number never used, not 2.
        let locked = locked_items(&front, numbered.high);
        let mut front = list(&[
            (1, "Beta"),
            (2, "Epsilon"),
            (3, "Delta"),
            (4, "Alpha"),
            (5, "Gamma"),
        ]);
        let numbered = renumber(&mut front, Some(&locked));
        assert_eq!(
            front,
            list(&[
                (6, "Beta"),
                (5, "Epsilon"),
                (4, "Delta"),
                (1, "Alpha"),
                (3, "Gamma")
            ])
        );
        assert_eq!(
            numbered,
            Numbered {
                high: 6,
                emptied: vec![]
            }
        );
    }

    #[test]
    fn without_a_record_the_positions_stand() {
        let mut front = list(&[(1, "Alpha"), (2, "Beta")]);
        let before = front.clone();
        assert_eq!(
            renumber(&mut front, None),
            Numbered {
                high: 2,
                emptied: vec![]
            }
        );
        assert_eq!(front, before);
    }

    #[test]
    fn repeated_items_and_grouped_deletions() {
        // Two deletions of one number (a key term used twice) are one item.
        let front = "{{c1::cache}} in front of the {{c2::database}}; the {{c1::cache}} …";
        assert_eq!(items(front).len(), 2);
        // Two equal items keep distinct numbers.
        let old = locked_items(&list(&[(1, "Same"), (2, "Same"), (3, "Other")]), 3);
        let mut front = list(&[(1, "Other"), (2, "Same"), (3, "Same")]);
        renumber(&mut front, Some(&old));
        assert_eq!(front, list(&[(3, "Other"), (1, "Same"), (2, "Same")]));
    }
}
