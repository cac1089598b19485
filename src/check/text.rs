//! Positions in text: byte offsets to 1-based lines and columns and back, the span of a line,
//! and the edit distance that suggests the anchor a broken link probably meant.

use std::collections::HashSet;
use std::ops::Range;

use crate::markup::{self, TextPlace};

/// The closest anchor to `wanted` by edit distance, if it is close.
pub(super) fn closest<'a>(wanted: &str, anchors: &'a HashSet<String>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for a in anchors {
        let d = edit_distance(wanted, a);
        if d <= (wanted.len() / 3).max(2) && best.is_none_or(|(bd, ba)| (d, a.as_str()) < (bd, ba))
        {
            best = Some((d, a));
        }
    }
    best.map(|(_, a)| a)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// 1-based line and column (in characters) of byte `offset`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

/// [`line_col`] for many offsets into one text, each found from the last when it lies further
/// on: findings come in order, so many of them on one long line cost one pass over it, not
/// one pass each.
#[derive(Default)]
pub(super) struct Positions {
    /// The text address and length, and the place, of the last answer.
    last: std::cell::Cell<Option<(usize, usize, TextPlace)>>,
}

impl Positions {
    pub(super) fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let this_text = (text.as_ptr() as usize, text.len());
        let place = self
            .last
            .get()
            .filter(|&(address, len, _)| (address, len) == this_text)
            .and_then(|(_, _, from)| markup::count_on(text, from, offset))
            .unwrap_or_else(|| {
                let (line, column) = line_col(text, offset);
                TextPlace {
                    offset,
                    line,
                    column,
                }
            });
        self.last.set(Some((this_text.0, this_text.1, place)));
        (place.line, place.column)
    }
}

/// Byte offset of 1-based `line` and `column` (characters), if inside the text.
pub(super) fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let start = line_start(text, line)?;
    let rest = &text[start..];
    let col = column.saturating_sub(1);
    Some(start + rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i))
}

fn line_start(text: &str, line: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    Some(start)
}

/// The span of 1-based `line` without its leading and trailing whitespace.
pub(super) fn line_span(text: &str, line: usize) -> Option<Range<usize>> {
    let start = line_start(text, line)?;
    let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
    let slice = &text[start..end];
    let lead = slice.len() - slice.trim_start().len();
    let trimmed = slice.trim();
    if trimmed.is_empty() {
        return Some(start..start);
    }
    Some(start + lead..start + lead + trimmed.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let text = "ab\ncdé f\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (2, 4));
        let positions = Positions::default();
        for offset in [0, 3, 7, 2, 7, 5] {
            assert_eq!(positions.line_col(text, offset), line_col(text, offset));
        }
        assert_eq!(offset_of(text, 2, 4), Some(7));
        assert_eq!(line_span(" x y \nz", 1), Some(1..4));
    }

    #[test]
    fn suggestions_are_close() {
        let anchors: HashSet<String> = ["sharding".to_string(), "replication".into()].into();
        assert_eq!(closest("shardin", &anchors), Some("sharding"));
        assert_eq!(closest("queues", &anchors), None);
    }
}
