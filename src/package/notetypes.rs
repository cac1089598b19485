//! Our two note types, designed once for the long run.
//!
//! Adding, removing or reordering a field later is a schema change that stops every learner's
//! notes from updating (anki-format.md §2.3), so both types carry the same six fields from the
//! start, including room for further reading and a spare `Extra`. Ids are fixed and every field
//! and template has a stable `id`, so a rename is not a schema change on Anki 23.10+.

use super::model::{Notetype, NotetypeField, NotetypeKind, Template};
use crate::key::{basic_id, cloze_id};

/// The stylesheet shared by both note types.
pub const CSS: &str = include_str!("assets/style.css");

pub const BASIC_NAME: &str = "primer-anki Basic";
pub const CLOZE_NAME: &str = "primer-anki Cloze";

/// Field names of the basic type, in order. `render::NoteFields::to_vec` follows this order.
///
/// The question and answer fields and the template keep Anki's stock names (Front, Back,
/// "Card 1"): the primer's 2017 decks use the stock Basic type without field ids, and Anki's
/// note type merge pairs such fields by name, so adopted notes keep their one reviewed card
/// instead of gaining a second one.
pub const BASIC_FIELDS: [&str; 6] = [
    "Front",
    "Back",
    "Context",
    "Source",
    "Further Reading",
    "Extra",
];
/// Field names of the cloze type, in the same order and meaning.
pub const CLOZE_FIELDS: [&str; 6] = [
    "Text",
    "Back Extra",
    "Context",
    "Source",
    "Further Reading",
    "Extra",
];

/// A stable positive i64 for field and template ids.
fn element_id(key: &str) -> i64 {
    (crate::key::hash_u64(key) >> 1) as i64
}

/// Both note types. `mtime` is set by the caller (the identity stage bumps it only when the
/// note type's content changes); `extra_css` lets a manifest append its own rules.
pub fn all(mtime: i64, extra_css: &str) -> Vec<Notetype> {
    vec![basic(mtime, extra_css), cloze(mtime, extra_css)]
}

fn css_with(extra_css: &str) -> String {
    if extra_css.is_empty() {
        CSS.to_string()
    } else {
        format!("{CSS}\n/* content stylesheet */\n{extra_css}\n")
    }
}

pub fn basic(mtime: i64, extra_css: &str) -> Notetype {
    Notetype {
        id: basic_id(),
        name: BASIC_NAME.into(),
        kind: NotetypeKind::Standard,
        mtime,
        fields: fields("basic", &BASIC_FIELDS),
        templates: vec![Template {
            id: element_id("primer-anki/notetype/basic/template/recall"),
            name: "Card 1".into(),
            front: include_str!("assets/basic_front.html").into(),
            back: include_str!("assets/basic_back.html").into(),
        }],
        css: css_with(extra_css),
        sort_field: 0,
    }
}

pub fn cloze(mtime: i64, extra_css: &str) -> Notetype {
    Notetype {
        id: cloze_id(),
        name: CLOZE_NAME.into(),
        kind: NotetypeKind::Cloze,
        mtime,
        fields: fields("cloze", &CLOZE_FIELDS),
        templates: vec![Template {
            id: element_id("primer-anki/notetype/cloze/template/cloze"),
            name: "Cloze".into(),
            front: include_str!("assets/cloze_front.html").into(),
            back: include_str!("assets/cloze_back.html").into(),
        }],
        css: css_with(extra_css),
        sort_field: 0,
    }
}

fn fields(kind: &str, names: &[&str]) -> Vec<NotetypeField> {
    // Ids come from the field's position-independent role, the index, so that a later rename
    // keeps the id (Anki then treats it as the same field).
    names
        .iter()
        .enumerate()
        .map(|(index, name)| NotetypeField {
            id: element_id(&format!("primer-anki/notetype/{kind}/field/{index}")),
            name: (*name).into(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_fixed_and_in_range() {
        // These values are part of every learner's collection: they must never change.
        assert_eq!((basic_id(), cloze_id()), (1391145687, 1360736407));
        for id in [basic_id(), cloze_id()] {
            assert!((1 << 30..1 << 31).contains(&id));
        }
    }

    #[test]
    fn field_and_template_ids_are_unique_and_positive() {
        let mut ids = Vec::new();
        for nt in all(0, "") {
            ids.extend(nt.fields.iter().map(|f| f.id));
            ids.extend(nt.templates.iter().map(|t| t.id));
        }
        assert!(ids.iter().all(|id| *id > 0));
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count);
    }

    #[test]
    fn no_colours_outside_the_stylesheet_variables() {
        for nt in all(0, "") {
            for t in &nt.templates {
                assert!(!t.front.contains("style="), "inline style in {}", t.name);
                assert!(!t.back.contains("style="), "inline style in {}", t.name);
            }
        }
        assert!(CSS.contains(".nightMode"));
    }
}
