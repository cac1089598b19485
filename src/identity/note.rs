//! A note as the identity stage decides it: GUID, ids and mtime settled, its cards listed. The
//! packager writes these as they are.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Millisecond timestamp, never in the future.
    pub id: i64,
    /// The identity Anki matches on; namespaced and stable.
    pub guid: String,
    pub notetype_id: i64,
    /// Modification time in seconds; must grow exactly when the content changes.
    pub mtime: i64,
    /// Tags without spaces; `::` marks hierarchy.
    pub tags: Vec<String>,
    /// One entry per note type field, HTML.
    pub fields: Vec<String>,
    /// Every card the note has (Anki does not generate cards on import).
    pub cards: Vec<Card>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// Millisecond timestamp, never in the future.
    pub id: i64,
    /// Template index, or cloze number − 1.
    pub ord: u32,
    pub deck_id: i64,
}
