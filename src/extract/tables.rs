//! Rule 5 — tables. The key column is the first whose cells are filled, unique and not just
//! links. Each row gives one card per value cell: "Subject: Row — Column?" (or
//! "Subject: Row (column)?" when there is one value column). A key cell that is itself a
//! definition (`**MapReduce** - …`) gives a definition card. Reference tables — whose value
//! cells are nothing but links — give no cards: their links are reading, not facts.

use super::{CardBody, Cx, Piece, definitions, lang, text};
use crate::document::{Block, Inline, Table, is_blank, plain_text};

pub fn cards(
    cx: &mut Cx<'_>,
    index: usize,
    block: &Block,
    table: &Table,
    intro: Option<&[Inline]>,
) {
    let _ = intro;
    let Some(grid) = Grid::of(table, block) else {
        return;
    };
    let key = grid.key;
    let definitional = grid
        .rows
        .iter()
        .filter(|&&ri| definitions::split_term(&grid.cell(ri, key)).is_some())
        .count();
    if definitional * 2 >= grid.rows.len() {
        definition_cards(cx, index, &grid);
    } else if !grid.is_reference() {
        row_cards(cx, index, &grid);
    }
}

/// Whether the table is one of references (its value cells nearly all links): it gives no
/// cards, by design, and `check --coverage` counts it with the reading lists.
pub fn is_reference_table(table: &Table) -> bool {
    let block = Block {
        line: 0,
        pin: None,
        kind: crate::document::BlockKind::Rule,
    };
    Grid::of(table, &block).is_some_and(|grid| grid.is_reference())
}

/// A table with its non-empty rows, its key column and the columns that hold values.
struct Grid<'a> {
    table: &'a Table,
    block: &'a Block,
    rows: Vec<usize>,
    key: usize,
    value_cols: Vec<usize>,
}

impl<'a> Grid<'a> {
    /// The grid of `table`, or `None` when it has fewer than two columns, no filled row or no
    /// column that can key its rows.
    fn of(table: &'a Table, block: &'a Block) -> Option<Grid<'a>> {
        let cols = table.header.len();
        let rows: Vec<usize> = table
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.iter().any(|c| !is_blank(c)))
            .map(|(i, _)| i)
            .collect();
        if cols < 2 || rows.is_empty() {
            return None;
        }
        let key = key_column(table, &rows, cols)?;
        Some(Grid {
            table,
            block,
            rows,
            key,
            value_cols: (0..cols).filter(|&c| c != key).collect(),
        })
    }
}

impl Grid<'_> {
    fn cell(&self, ri: usize, c: usize) -> Vec<Inline> {
        self.table.rows[ri].get(c).cloned().unwrap_or_default()
    }

    fn line(&self, ri: usize) -> usize {
        self.table
            .row_lines
            .get(ri)
            .copied()
            .unwrap_or(self.block.line)
    }

    /// Most value cells are links or empty: a table of references, not of facts.
    fn is_reference(&self) -> bool {
        let values: Vec<(usize, usize)> = self
            .rows
            .iter()
            .flat_map(|&ri| self.value_cols.iter().map(move |&c| (ri, c)))
            .collect();
        let link_cells = values
            .iter()
            .filter(|&&(ri, c)| {
                let v = self.cell(ri, c);
                text::is_link_only(&v) || is_blank(&v)
            })
            .count();
        link_cells * 5 >= values.len() * 4
    }
}

/// The first column whose cells name their rows: filled in four rows of five, all different,
/// and mostly not bare links.
fn key_column(table: &Table, rows: &[usize], cols: usize) -> Option<usize> {
    let cell = |ri: usize, c: usize| table.rows[ri].get(c).cloned().unwrap_or_default();
    (0..cols).find(|&c| {
        let keys: Vec<String> = rows
            .iter()
            .map(|&ri| text::normalize_key(&plain_text(&cell(ri, c))))
            .collect();
        let filled = keys.iter().filter(|k| !k.is_empty()).count();
        let mut unique = keys.clone();
        unique.sort();
        unique.dedup();
        filled * 5 >= rows.len() * 4
            && unique.len() == keys.len()
            && rows
                .iter()
                .filter(|&&ri| text::is_link_only(&cell(ri, c)))
                .count()
                * 2
                < rows.len()
    })
}

/// Rows whose key cell is "**Term** – definition": a definition card per row, and the reverse
/// card when the definition does not give the name away.
fn definition_cards(cx: &mut Cx<'_>, index: usize, grid: &Grid<'_>) {
    let subject = cx.subject(index);
    for &ri in &grid.rows {
        // A table may have thousands of rows: its cards go on as they are made.
        cx.hand_off();
        let Some((term, def)) = definitions::split_term(&grid.cell(ri, grid.key)) else {
            continue;
        };
        let group = grid
            .value_cols
            .iter()
            .map(|&c| grid.cell(ri, c))
            .find(|v| !is_blank(v) && !text::is_link_only(v))
            .map(|v| plain_text(&v));
        let mut front = vec![Piece::Subject(subject.clone())];
        if let Some(g) = group.filter(|g| g.len() <= 40) {
            front.push(Piece::Text(format!(" ({g})")));
        }
        let (before, after) = cx.words().what_is_x;
        front.push(Piece::Text(before.into()));
        front.push(Piece::Inlines(vec![Inline::Strong(term.clone())]));
        front.push(Piece::Text(after.into()));
        let line = grid.line(ri);
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
            let (before, after) = cx.words().which_one_is;
            let front = vec![
                Piece::Subject(subject.clone()),
                Piece::Text(before.into()),
                Piece::Inlines(def.clone()),
                Piece::Text(after.into()),
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
}

/// One card per value cell that matters, asked with the row key and the column header.
fn row_cards(cx: &mut Cx<'_>, index: usize, grid: &Grid<'_>) {
    let subject = cx.subject(index);
    let key_header = header(grid.table, grid.key);
    let yes_no_cols: Vec<usize> = grid
        .value_cols
        .iter()
        .copied()
        .filter(|&c| is_yes_no_column(grid, c))
        .collect();
    for &ri in &grid.rows {
        // A table may have thousands of rows: its cards go on as they are made.
        cx.hand_off();
        let row_key = grid.cell(ri, grid.key);
        let row_text = plain_text(&row_key);
        if row_text.trim().is_empty() {
            continue;
        }
        for &c in &grid.value_cols {
            // A yes/no column is asked once, as a whole (below): one bit per card is no recall.
            if yes_no_cols.contains(&c) {
                continue;
            }
            let value = grid.cell(ri, c);
            if is_blank(&value) || text::is_link_only(&value) {
                continue;
            }
            let col = header(grid.table, c);
            let mut front = vec![
                Piece::Subject(subject.clone()),
                Piece::Text(cx.words().colon.into()),
            ];
            if !row_text.contains(' ') && !key_header.is_empty() {
                front.push(Piece::Text(format!("{key_header} ")));
            }
            front.push(Piece::Inlines(row_key.clone()));
            let words = cx.words();
            if grid.value_cols.len() == 1 {
                if !col.is_empty() {
                    front.push(Piece::Text(format!(" ({})", col.to_lowercase())));
                }
                front.push(Piece::Text(words.question_mark.into()));
            } else {
                let (between, end) = words.row_column;
                front.push(Piece::Text(format!("{between}{col}{end}")));
            }
            let item = format!("{row_text} {col}");
            let row_pin = grid.table.row_pins.get(ri).cloned().flatten();
            let pin = match row_pin {
                Some(p) if grid.value_cols.len() == 1 => Some(p),
                Some(p) => Some(format!("{p}/{}", text::normalize_key(&col))),
                None => grid
                    .block
                    .pin
                    .clone()
                    .map(|p| format!("{p}/{}", text::normalize_key(&item))),
            };
            cx.push(
                index,
                "table",
                &item,
                grid.line(ri),
                pin,
                CardBody::Basic {
                    front,
                    back: vec![Piece::Para(value)],
                },
            );
        }
    }
    for c in yes_no_cols {
        yes_no_card(cx, index, grid, c, &subject);
    }
}

/// The word a yes/no cell answers with ("Yes", "是"), whether it means yes, and what
/// qualifies it ("Yes if response contains freshness info" → "if response contains
/// freshness info"); `None` for any other cell.
fn yes_no(cell: &str) -> Option<(&'static str, bool, &str)> {
    let t = cell.trim();
    for (word, yes) in YES_NO {
        if let Some(rest) = t.strip_prefix(word) {
            // "Yes" and not "Yesterday": a whole word.
            if rest
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric() || text::is_cjk(c))
            {
                return Some((
                    word,
                    *yes,
                    rest.trim_start_matches([',', '，', '、', ' ']).trim(),
                ));
            }
        }
    }
    None
}

/// Words that answer yes or no, in every language's tables.
const YES_NO: &[(&str, bool)] = &[
    ("Yes", true),
    ("yes", true),
    ("No", false),
    ("no", false),
    ("はい", true),
    ("いいえ", false),
    ("是", true),
    ("否", false),
    ("✓", true),
    ("✔", true),
    ("✗", false),
    ("✘", false),
];

/// Whether every filled cell of column `c` says yes or no, and both are said. Asked of every
/// value column of every table: it stops at the first cell that says something else, and
/// reads the cells where they stand.
fn is_yes_no_column(grid: &Grid<'_>, c: usize) -> bool {
    let (mut yes, mut no) = (false, false);
    for &ri in &grid.rows {
        let Some(cell) = grid.table.rows[ri].get(c) else {
            continue;
        };
        let t = plain_text(cell);
        if t.trim().is_empty() {
            continue;
        }
        match yes_no(&t) {
            Some((_, true, _)) => yes = true,
            Some((_, false, _)) => no = true,
            None => return false,
        }
    }
    yes && no
}

/// A yes/no column as one card: "Subject: which verbs are idempotent? (3 items)" → the keys
/// of the rows that say yes, each with what qualifies it.
fn yes_no_card(cx: &mut Cx<'_>, index: usize, grid: &Grid<'_>, c: usize, subject: &str) {
    let mut keys: Vec<Vec<Inline>> = Vec::new();
    let mut yes_word = "Yes";
    for &ri in &grid.rows {
        let cell = plain_text(&grid.cell(ri, c));
        if let Some((word, true, qualifier)) = yes_no(&cell) {
            yes_word = word;
            let mut key = grid.cell(ri, grid.key);
            if !qualifier.is_empty() {
                key.push(Inline::Text(format!(" ({qualifier})")));
            }
            keys.push(key);
        }
    }
    let col = header(grid.table, c);
    let key_header = header(grid.table, grid.key);
    if col.is_empty() || key_header.is_empty() || keys.is_empty() {
        return;
    }
    let words = cx.words();
    let (keys_word, col_word) = if cx.lang == crate::input::Lang::En {
        (
            plural(&key_header.to_lowercase()),
            text::lowercase_name(&col),
        )
    } else {
        (key_header.clone(), col.clone())
    };
    let mut question = lang::fill(
        words.which_say_yes,
        &[("key", &keys_word), ("col", &col_word), ("yes", yes_word)],
    );
    if keys.len() >= 2 {
        question.push_str(&words.items(keys.len()));
    }
    let front = vec![
        Piece::Subject(subject.to_string()),
        Piece::Text(format!("{}{question}", words.colon)),
    ];
    let pin = grid
        .block
        .pin
        .clone()
        .map(|p| format!("{p}/{}", text::normalize_key(&col)));
    cx.push(
        index,
        "table-yes",
        &col,
        grid.block.line,
        pin,
        CardBody::Basic {
            front,
            back: vec![Piece::List(keys)],
        },
    );
}

/// An English noun's plural, as a header names the rows ("Verb" → "verbs").
fn plural(noun: &str) -> String {
    if noun.ends_with(['s', 'x']) || noun.ends_with("ch") || noun.ends_with("sh") {
        format!("{noun}es")
    } else if let Some(stem) = noun.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{noun}s")
    }
}

fn header(table: &Table, c: usize) -> String {
    table
        .header
        .get(c)
        .map(|h| plain_text(h).trim().trim_matches('*').trim().to_string())
        .unwrap_or_default()
}
