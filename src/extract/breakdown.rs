//! Size breakdowns: a list that adds up the fields of a record ("`user_id` - 8 bytes", …,
//! "Total: ~50 bytes") is one estimate, not a list to recall field by field. Asking which
//! field takes 5 bytes tests nothing a learner needs; the total, with its parts shown on
//! the back, is the number an estimate builds on.

use super::{CardBody, Cx, Piece};
use crate::document::{Inline, plain_text};

/// "name - 8 bytes", "name - 1 KB": a field and its size.
fn is_field_size(item: &str) -> bool {
    let Some((name, size)) = item.trim().rsplit_once(" - ") else {
        return false;
    };
    let mut words = size.split_whitespace();
    let number = words.next().unwrap_or("").trim_start_matches('~');
    let unit = words.next().unwrap_or("").to_lowercase();
    !name.trim().is_empty()
        && name.split_whitespace().count() <= 3
        && !number.is_empty()
        && number
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && matches!(
            unit.as_str(),
            "byte" | "bytes" | "b" | "kb" | "mb" | "gb" | "tb" | "pb"
        )
        && matches!(words.next(), None | Some("average" | "avg"))
        && words.next().is_none()
}

/// "Total: ~50 bytes".
fn is_total(item: &str) -> bool {
    let t = item.trim().to_lowercase();
    t.starts_with("total") && t.chars().any(|c| c.is_ascii_digit())
}

/// Whether the items are a size breakdown; if so, its card (when it has a total) is made.
pub(super) fn card(
    cx: &mut Cx<'_>,
    index: usize,
    (line, pin): (usize, Option<String>),
    intro_text: &str,
    items: &[Vec<Inline>],
) -> bool {
    let texts: Vec<String> = items.iter().map(|i| plain_text(i)).collect();
    let fields = texts.iter().filter(|t| is_field_size(t)).count();
    let totals: Vec<usize> = (0..texts.len()).filter(|&i| is_total(&texts[i])).collect();
    // One other part may stand among the fields ("1 KB content per paste").
    if fields < 2 || fields + totals.len() + 1 < texts.len() {
        return false;
    }
    let [total] = totals.as_slice() else {
        // Parts without their sum: nothing to estimate.
        return true;
    };
    let what = intro_text.trim();
    let mut front = vec![Piece::Subject(cx.subject(index))];
    if what.is_empty() {
        front.push(Piece::Text(": about how large in total?".into()));
    } else {
        front.push(Piece::Text(format!(": {what} — about how much in total?")));
    }
    let parts = (0..items.len())
        .filter(|i| i != total)
        .map(|i| items[i].clone())
        .collect();
    cx.push(
        index,
        "size-breakdown",
        intro_text,
        line,
        pin,
        CardBody::Basic {
            front,
            back: vec![Piece::Para(items[*total].clone()), Piece::List(parts)],
        },
    );
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_sizes_and_totals() {
        assert!(is_field_size("order_id - 8 bytes"));
        assert!(is_field_size("payload - ~1 KB"));
        assert!(is_field_size("media - 10 KB average"));
        assert!(!is_field_size("Reads - about 40 per second"));
        assert!(!is_field_size(
            "The cache - a fast store of 8 bytes per key"
        ));
        assert!(is_total("Total: ~50 bytes"));
        assert!(!is_total("Total cost of ownership"));
    }
}
