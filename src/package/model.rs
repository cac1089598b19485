//! The packager's input: plain data describing one `.apkg` (decks, note types, notes, media).
//!
//! Nothing here knows about markdown. Every id, GUID and timestamp is decided before this point
//! (by the identity stage), so the writer is a pure function of this model.

use std::path::PathBuf;

pub use crate::identity::{Card, Note};
pub use crate::render::NotetypeKind;

/// Everything one `.apkg` file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// The decks the cards go into; subdecks are named with `::`.
    pub decks: Vec<Deck>,
    /// Note types used by the notes (normally [`crate::package::notetypes::all`]).
    pub notetypes: Vec<Notetype>,
    /// Notes in new-card order: card `due` positions follow this order.
    pub notes: Vec<Note>,
    /// Media files referenced by the notes' fields, under their packed names.
    pub media: Vec<MediaFile>,
    /// Build time in seconds since the epoch (`SOURCE_DATE_EPOCH` or now).
    pub build_time: i64,
}

/// Everything about a package except its notes: what the writer needs before the first note.
#[derive(Debug, Clone, Copy)]
pub struct PackageMeta<'a> {
    pub decks: &'a [Deck],
    pub notetypes: &'a [Notetype],
    pub media: &'a [MediaFile],
    /// Build time in seconds since the epoch.
    pub build_time: i64,
}

impl Package {
    pub fn meta(&self) -> PackageMeta<'_> {
        PackageMeta {
            decks: &self.decks,
            notetypes: &self.notetypes,
            media: &self.media,
            build_time: self.build_time,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deck {
    /// Fixed id, never 1 (1 is Anki's "Default").
    pub id: i64,
    /// Stable name; Anki matches decks by name.
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notetype {
    pub id: i64,
    pub name: String,
    pub kind: NotetypeKind,
    /// Modification time in seconds; bump only when the JSON changes.
    pub mtime: i64,
    pub fields: Vec<NotetypeField>,
    pub templates: Vec<Template>,
    pub css: String,
    /// Index of the sort field.
    pub sort_field: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotetypeField {
    /// Stable id so that a rename is not a schema change (Anki 23.10+).
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub id: i64,
    pub name: String,
    pub front: String,
    pub back: String,
}

/// A media file as packed: `name` is the basename fields refer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    pub name: String,
    pub source: MediaSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaSource {
    File(PathBuf),
    Bytes(Vec<u8>),
}
