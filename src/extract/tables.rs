//! Rule 5 — tables. The key column is the first whose cells are filled, unique and not just
//! links. Each row gives one card per value cell: "Subject: Row — Column?" (or
//! "Subject: Row (column)?" when there is one value column). A key cell that is itself a
//! definition (`**MapReduce** - …`) gives a definition card. Reference tables — whose value
//! cells are nothing but links — give no cards: their links are reading, not facts.

use super::{CardBody, Cx, Piece, definitions, text};
use crate::document::{Block, Inline, Table, plain_text};

pub fn cards(
    cx: &mut Cx<'_>,
    index: usize,
    block: &Block,
    table: &Table,
    intro: Option<&[Inline]>,
) {
    let _ = intro;
    let cols = table.header.len();
    let rows: Vec<(usize, &Vec<Vec<Inline>>)> = table
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.iter().any(|c| !plain_text(c).trim().is_empty()))
        .collect();
    if cols < 2 || rows.is_empty() {
        return;
    }
    let cell = |r: &Vec<Vec<Inline>>, c: usize| r.get(c).cloned().unwrap_or_default();
    let Some(key) = (0..cols).find(|&c| {
        let keys: Vec<String> = rows
            .iter()
            .map(|(_, r)| text::normalize_key(&plain_text(&cell(r, c))))
            .collect();
        let filled = keys.iter().filter(|k| !k.is_empty()).count();
        let mut unique = keys.clone();
        unique.sort();
        unique.dedup();
        filled * 5 >= rows.len() * 4
            && unique.len() == keys.len()
            && rows
                .iter()
                .filter(|(_, r)| text::is_link_only(&cell(r, c)))
                .count()
                * 2
                < rows.len()
    }) else {
        return;
    };
    let value_cols: Vec<usize> = (0..cols).filter(|&c| c != key).collect();
    let values: Vec<(usize, usize)> = rows
        .iter()
        .flat_map(|(ri, _)| value_cols.iter().map(move |&c| (*ri, c)))
        .collect();
    let link_cells = values
        .iter()
        .filter(|&&(ri, c)| {
            let v = cell(&table.rows[ri], c);
            text::is_link_only(&v) || plain_text(&v).trim().is_empty()
        })
        .count();
    let definitional = rows
        .iter()
        .filter(|(_, r)| definitions::split_term(&cell(r, key)).is_some())
        .count();
    let subject = cx.subject(index);
    let key_header = header(table, key);
    if definitional * 2 >= rows.len() {
        for (ri, r) in &rows {
            let Some((term, def)) = definitions::split_term(&cell(r, key)) else {
                continue;
            };
            let group = value_cols
                .iter()
                .map(|&c| cell(r, c))
                .find(|v| !plain_text(v).trim().is_empty() && !text::is_link_only(v))
                .map(|v| plain_text(&v));
            let mut front = vec![Piece::Subject(subject.clone())];
            if let Some(g) = group.filter(|g| g.len() <= 40) {
                front.push(Piece::Text(format!(" ({g})")));
            }
            front.push(Piece::Text(": what is ".into()));
            front.push(Piece::Inlines(vec![Inline::Strong(term.clone())]));
            front.push(Piece::Text("?".into()));
            let line = table.row_lines.get(*ri).copied().unwrap_or(block.line);
            cx.push(
                index,
                "table-definition",
                &plain_text(&term),
                line,
                None,
                CardBody::Basic {
                    front,
                    back: vec![Piece::Para(def.clone())],
                },
            );
            // Names worth producing: the reverse card (description → name).
            // Not when the description gives the name away ("Distributed file system" → GFS).
            if text::len(&def) >= 12 && !text::shares_stem(&plain_text(&term), &plain_text(&def)) {
                let front = vec![
                    Piece::Subject(subject.clone()),
                    Piece::Text(": which one is “".into()),
                    Piece::Inlines(def.clone()),
                    Piece::Text("”?".into()),
                ];
                cx.push(
                    index,
                    "table-definition-reverse",
                    &plain_text(&term),
                    line,
                    None,
                    CardBody::Basic {
                        front,
                        back: vec![Piece::Para(term.clone())],
                    },
                );
            }
        }
        return;
    }
    if link_cells * 5 >= values.len() * 4 {
        return; // A reference table.
    }
    for (ri, r) in &rows {
        let row_key = cell(r, key);
        let row_text = plain_text(&row_key);
        if row_text.trim().is_empty() {
            continue;
        }
        let line = table.row_lines.get(*ri).copied().unwrap_or(block.line);
        for &c in &value_cols {
            let value = cell(r, c);
            if plain_text(&value).trim().is_empty() || text::is_link_only(&value) {
                continue;
            }
            let col = header(table, c);
            let mut front = vec![Piece::Subject(subject.clone()), Piece::Text(": ".into())];
            if !row_text.contains(' ') && !key_header.is_empty() {
                front.push(Piece::Text(format!("{key_header} ")));
            }
            front.push(Piece::Inlines(row_key.clone()));
            if value_cols.len() == 1 {
                if !col.is_empty() {
                    front.push(Piece::Text(format!(" ({})", col.to_lowercase())));
                }
                front.push(Piece::Text("?".into()));
            } else {
                front.push(Piece::Text(format!(" — {col}?")));
            }
            let item = format!("{row_text} {col}");
            let row_pin = table.row_pins.get(*ri).cloned().flatten();
            let pin = match row_pin {
                Some(p) if value_cols.len() == 1 => Some(p),
                Some(p) => Some(format!("{p}/{}", text::normalize_key(&col))),
                None => block
                    .pin
                    .clone()
                    .map(|p| format!("{p}/{}", text::normalize_key(&item))),
            };
            cx.push(
                index,
                "table",
                &item,
                line,
                pin,
                CardBody::Basic {
                    front,
                    back: vec![Piece::Para(value)],
                },
            );
        }
    }
}

fn header(table: &Table, c: usize) -> String {
    table
        .header
        .get(c)
        .map(|h| {
            plain_text(h)
                .trim()
                .trim_end_matches('*')
                .trim()
                .to_string()
        })
        .unwrap_or_default()
}
