//! Cards → notes: turns extracted cards into note drafts whose fields are finished HTML.
//!
//! A draft has everything a note needs except its identity (GUID, ids, mtime), which the
//! identity stage adds. Local images are handed to a [`MediaResolver`], which packs them and
//! returns the content-hashed name the HTML refers to.

mod file;
mod highlight;
mod html;
mod remote;
mod sanitize;

use std::path::{Path, PathBuf};

use crate::document::Document;
use crate::error::{Result, SourceLocation, Warning};
use crate::extract::Card;
pub use crate::input::RemoteImages;

pub use file::FileRenderer;
pub use highlight::highlight;
pub use sanitize::sanitize;

/// How cards become notes for one deck.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Index into the build's deck list (goes into [`NoteDraft::deck`]).
    pub deck: usize,
    /// First component of [`NoteDraft::key`].
    pub deck_name: String,
    /// Absolute directory of the content, for resolving images and relative links.
    pub content_root: PathBuf,
    /// URL of the content root online, ending in `/`.
    pub base_url: String,
    /// First tag component, e.g. `primer` → `primer::database::sharding`.
    pub tag_prefix: String,
    /// What becomes of a remote image the content has no copy of (see `remote.rs`).
    pub remote_images: RemoteImages,
}

/// Turns a document's cards into note drafts with finished, sanitised HTML fields.
pub fn render(
    doc: &Document,
    cards: &[Card],
    options: &RenderOptions,
    media: &mut dyn MediaResolver,
) -> Result<(Vec<NoteDraft>, Vec<Warning>)> {
    let mut drafts = Vec::with_capacity(cards.len());
    let warnings = render_each(doc, cards.to_vec(), options, media, &mut |draft| {
        drafts.push(draft);
        Ok(())
    })?;
    Ok((drafts, warnings))
}

/// [`render`] for huge inputs: the cards are consumed, and each draft goes to `each` as soon
/// as it is finished instead of into a list.
pub fn render_each(
    doc: &Document,
    cards: Vec<Card>,
    options: &RenderOptions,
    media: &mut dyn MediaResolver,
    each: &mut dyn FnMut(NoteDraft) -> Result<()>,
) -> Result<Vec<Warning>> {
    let mut renderer = FileRenderer::new(doc, options, media);
    for card in cards {
        each(renderer.card(card)?)?;
    }
    Ok(renderer.into_warnings())
}

/// A note whose content is final but whose identity is not yet assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteDraft {
    /// Where the note lives, normalised (see `identity::key`): deck, heading path, rule, item.
    pub key: String,
    /// An author's explicit identity pin (`<!-- id: … -->`), which wins over `key`.
    pub pin: Option<String>,
    /// The rule that made the card (`summary`, `list`, …), also a part of `key`.
    pub rule: &'static str,
    /// 1, or N when `key` is the N-th key of the file with its text and so ends in `/N`.
    pub repeat: u32,
    /// Index into the build's deck list.
    pub deck: usize,
    pub kind: NotetypeKind,
    /// Fields in note type order (see `package::notetypes`).
    pub fields: NoteFields,
    /// Hierarchical tags, e.g. `primer::database::sharding`.
    pub tags: Vec<String>,
    /// Number of cards: 1 for standard notes, the highest cloze number for cloze notes (render
    /// numbers deletions 1, 2, 3… by position; identity renumbers them so that a card follows
    /// its item, and the note's cards are then the numbers its text uses).
    pub card_count: u32,
    /// Where the card came from, for messages.
    pub origin: SourceLocation,
}

/// The fields shared by both of our note types. For cloze notes `front` is the cloze text and
/// `back` the "back extra".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoteFields {
    pub front: String,
    pub back: String,
    /// Breadcrumb of source headings, e.g. `Database › Sharding`.
    pub context: String,
    /// Absolute URL of the source section.
    pub source: String,
    /// HTML list of further-reading links, possibly empty.
    pub further_reading: String,
}

impl NoteFields {
    /// The fields in note type order, moved out.
    pub fn into_vec(self) -> Vec<String> {
        vec![
            self.front,
            self.back,
            self.context,
            self.source,
            self.further_reading,
            String::new(),
        ]
    }

    /// The fields in note type order.
    pub fn to_vec(&self) -> Vec<String> {
        self.texts().map(String::from).to_vec()
    }

    /// The fields in note type order, borrowed (the last, Extra, is always empty).
    pub fn texts(&self) -> [&str; 6] {
        [
            &self.front,
            &self.back,
            &self.context,
            &self.source,
            &self.further_reading,
            "",
        ]
    }
}

/// Packs a local media file and says what name the HTML must use for it.
pub trait MediaResolver {
    /// `path` is the file on disk; `origin` is where it was referenced (for errors).
    fn resolve(&mut self, path: &Path, origin: &SourceLocation) -> Result<String>;
}

#[derive(Debug, Clone, PartialEq, Eq, Copy)]
pub enum NotetypeKind {
    Standard,
    Cloze,
}

#[cfg(test)]
mod tests {
    use super::NoteFields;

    #[test]
    fn borrowed_fields_are_the_fields_in_note_type_order() {
        let fields = NoteFields {
            front: "f".into(),
            back: "b".into(),
            context: "c".into(),
            source: "s".into(),
            further_reading: "r".into(),
        };
        assert_eq!(fields.texts().to_vec(), fields.clone().into_vec());
        assert_eq!(fields.to_vec(), fields.into_vec());
    }
}
