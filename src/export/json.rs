//! One deck as JSON for other tools: the deck, our note types (fields, templates, CSS), every
//! note with its GUID, named fields, tags and cards, and the media names.

use serde::Serialize;

use crate::package::model::{NotetypeKind, Package};

#[derive(Serialize)]
struct Export<'a> {
    format: &'static str,
    decks: Vec<Deck<'a>>,
    notetypes: Vec<Notetype<'a>>,
    notes: Vec<Note<'a>>,
    media: Vec<&'a str>,
}

#[derive(Serialize)]
struct Deck<'a> {
    id: i64,
    name: &'a str,
    description: &'a str,
}

#[derive(Serialize)]
struct Notetype<'a> {
    id: i64,
    name: &'a str,
    kind: &'static str,
    fields: Vec<&'a str>,
    templates: Vec<Template<'a>>,
    css: &'a str,
}

#[derive(Serialize)]
struct Template<'a> {
    name: &'a str,
    front: &'a str,
    back: &'a str,
}

#[derive(Serialize)]
struct Note<'a> {
    guid: &'a str,
    id: i64,
    notetype: &'a str,
    deck: &'a str,
    tags: &'a [String],
    fields: serde_json::Map<String, serde_json::Value>,
    cards: Vec<Card>,
    mtime: i64,
}

#[derive(Serialize)]
struct Card {
    id: i64,
    ord: u32,
}

/// The package as pretty JSON (stable key order, so it diffs well).
pub fn to_json(package: &Package) -> String {
    let notetypes: Vec<Notetype<'_>> = package
        .notetypes
        .iter()
        .map(|nt| Notetype {
            id: nt.id,
            name: &nt.name,
            kind: match nt.kind {
                NotetypeKind::Standard => "standard",
                NotetypeKind::Cloze => "cloze",
            },
            fields: nt.fields.iter().map(|f| f.name.as_str()).collect(),
            templates: nt
                .templates
                .iter()
                .map(|t| Template {
                    name: &t.name,
                    front: &t.front,
                    back: &t.back,
                })
                .collect(),
            css: &nt.css,
        })
        .collect();
    let notes = package
        .notes
        .iter()
        .map(|note| {
            let nt = package
                .notetypes
                .iter()
                .find(|nt| nt.id == note.notetype_id);
            let mut fields = serde_json::Map::new();
            for (index, value) in note.fields.iter().enumerate() {
                let name = nt
                    .and_then(|nt| nt.fields.get(index))
                    .map_or_else(|| format!("Field {}", index + 1), |f| f.name.clone());
                fields.insert(name, serde_json::Value::String(value.clone()));
            }
            let deck_id = note.cards.first().map(|c| c.deck_id);
            Note {
                guid: &note.guid,
                id: note.id,
                notetype: nt.map_or("", |nt| nt.name.as_str()),
                deck: package
                    .decks
                    .iter()
                    .find(|d| Some(d.id) == deck_id)
                    .map_or("", |d| d.name.as_str()),
                tags: &note.tags,
                fields,
                cards: note
                    .cards
                    .iter()
                    .map(|c| Card {
                        id: c.id,
                        ord: c.ord,
                    })
                    .collect(),
                mtime: note.mtime,
            }
        })
        .collect();
    let export = Export {
        format: "primer-anki-deck/1",
        decks: package
            .decks
            .iter()
            .map(|d| Deck {
                id: d.id,
                name: &d.name,
                description: &d.description,
            })
            .collect(),
        notetypes,
        notes,
        media: package.media.iter().map(|m| m.name.as_str()).collect(),
    };
    let mut json = serde_json::to_string_pretty(&export).expect("a package serializes");
    json.push('\n');
    json
}
