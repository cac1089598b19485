//! Note drafts → notes: GUIDs, note and card ids, and modification times.
//!
//! A note's GUID comes from where it lives (deck + identity key, or an author's pin), never from
//! its content, so edits update the learner's note instead of duplicating it. The lock file
//! remembers each note's GUID, id, content hash and mtime; a rebuild keeps them for unchanged
//! notes and gives a strictly newer mtime exactly to the notes whose content changed, which is
//! what Anki's importer needs to update them (anki-format.md §2.6). A note whose key vanished
//! is recognised under its new key by its text (see [`RENAME_THRESHOLD`]) and keeps its GUID; `--adopt`
//! gives the GUIDs of an old deck's notes to new cards of the same heading (see [`adopt`]).
//!
//! The stage works on digests, not on the notes' text: a build pushes each draft into a
//! [`FileNotes`] (identity, content hash, line) as soon as it is rendered, and [`resolve`]
//! then decides every note's GUID, id and mtime at once, so a million notes fit in memory.
//! [`assign`] does the same for drafts held in memory (tests, benchmarks).
//!
//! The files, in the order a build uses them:
//!
//! - this one: the GUID a deck and key derive, a note's identity and content hash;
//! - `digest.rs`: what the stage keeps of each note, looked up in the old [`lock`];
//! - [`adopt`]: which new card takes which old deck's note (`build --adopt`);
//! - `resolve.rs`: every note's GUID, id and mtime, decided at once;
//! - `rename.rs`: matching new notes to the keys that vanished, by [`similarity`];
//! - `assign.rs`: the finished [`Note`]s and their lock lines;
//! - `report.rs`: what changed, for the build report and `build --locked`.

pub mod adopt;
mod assign;
pub mod clozes;
mod digest;
pub mod lock;
mod new_notes;
mod note;
mod rename;
mod report;
mod resolve;
#[cfg(test)]
mod resolve_tests;
pub mod similarity;

use sha2::{Digest, Sha256};

use crate::render::{NoteDraft, NoteFields, NotetypeKind};
pub use assign::{
    Assigned, DeckDrafts, apply_renumbered, assign, cards_of, into_note, locked_note,
    renumber_renamed,
};
pub use digest::{DeckRef, DigestContext, FileNotes, Locked, NoteDigest};
pub use note::{Card, Note};
pub use rename::{RENAME_THRESHOLD, SAME_ITEM_BONUS};
pub use report::{Emptied, IdentityReport, LISTED_KEYS, Removed, Rename, describe_lock_changes};
pub use resolve::{IdentityReader, Resolution, resolve};

/// Each note's cards get ids `note id + ord`, so note ids are allocated this far apart.
pub const ID_STRIDE: i64 = 1000;

/// The GUID for a note first seen with this deck and key. Namespaced by tool and deck, so notes
/// of other decks and other tools cannot collide with it.
pub fn guid_for(deck_name: &str, identity: &str) -> String {
    let bytes = guid_bytes(deck_name, identity);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The GUID for a note whose key the lock knows as a note of the other type: derived from the
/// deck, the key and the new type, so it is deterministic and never the GUID of the old note
/// (a GUID never changes note type: Anki would leave the note conflicting, or abort the whole
/// import when merging note types).
pub fn guid_for_kind(deck_name: &str, identity: &str, kind: NotetypeKind) -> String {
    guid_for(
        deck_name,
        &format!("{identity}\0{}", lock::kind_label(kind)),
    )
}

/// Length of the GUIDs we make: `pa` and 16 base-62 digits.
pub const GUID_LEN: usize = 18;

/// The digits of a GUID after `pa`.
const GUID_ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The number a GUID spells: the first 128 bits of a namespaced SHA-256 of deck and key.
fn guid_number(deck_name: &str, identity: &str) -> u128 {
    let mut hasher = Sha256::new();
    hasher.update(b"primer-anki\0");
    hasher.update(deck_name.as_bytes());
    hasher.update(b"\0");
    hasher.update(identity.as_bytes());
    let digest = hasher.finalize();
    u128::from_be_bytes(digest[..16].try_into().expect("sha256 has 32 bytes"))
}

/// [`guid_for`] as fixed-size ASCII, to keep in memory without an allocation per note.
pub fn guid_bytes(deck_name: &str, identity: &str) -> [u8; GUID_LEN] {
    let mut n = guid_number(deck_name, identity);
    let mut out = [0u8; GUID_LEN];
    out[0] = b'p';
    out[1] = b'a';
    // Base-62 digits, least significant first. 128-bit division is a library call, so take
    // eight digits at a time with one 128-bit division and the rest in 64 bits.
    const EIGHT_DIGITS: u128 = 62u128.pow(8);
    for group in out[2..].chunks_mut(8) {
        let mut low = (n % EIGHT_DIGITS) as u64;
        n /= EIGHT_DIGITS;
        for byte in group {
            *byte = GUID_ALPHABET[(low % 62) as usize];
            low /= 62;
        }
    }
    out
}

/// The identity of a draft within its deck: the author's pin if there is one, else its key.
pub fn identity_of(draft: &NoteDraft) -> String {
    match &draft.pin {
        Some(pin) => crate::key::pin_identity(pin),
        None => draft.key.clone(),
    }
}

/// A hash of everything in a note that Anki stores: a change means the note must be updated.
pub fn content_hash(draft: &NoteDraft, deck_id: i64) -> u64 {
    content_hash_of(
        &draft.fields,
        &draft.tags,
        (draft.kind, draft.card_count),
        deck_id,
    )
}

/// [`content_hash`] of a note's parts.
pub fn content_hash_of(
    f: &NoteFields,
    tags: &[String],
    (kind, card_count): (NotetypeKind, u32),
    deck_id: i64,
) -> u64 {
    let mut hasher = Sha256::new();
    // Every field, the (always empty) Extra field too, each followed by 0x1f.
    for field in f.texts() {
        hasher.update(field.as_bytes());
        hasher.update([0x1f]);
    }
    for (index, tag) in tags.iter().enumerate() {
        if index > 0 {
            hasher.update(b" ");
        }
        hasher.update(tag.as_bytes());
    }
    hasher.update(format!("\0{kind:?}\0{card_count}\0{deck_id}").as_bytes());
    let digest = hasher.finalize();
    u64::from_be_bytes(digest[..8].try_into().expect("sha256 has 32 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GUIDs are what Anki matches notes by: their digits must never change.
    #[test]
    fn guid_digits_are_plain_base62_of_the_digest() {
        assert_eq!(
            std::str::from_utf8(&guid_bytes("Bench", "bench/topic 0 queue ledger/summary")),
            Ok("paqd4ECukcYFNRBoO4")
        );
        for i in 0..2000 {
            let (deck, identity) = (format!("deck {}", i % 7), format!("key/{i}"));
            // One digit at a time, the plain way.
            let mut n = guid_number(&deck, &identity);
            let mut expected = b"pa".to_vec();
            for _ in 2..GUID_LEN {
                expected.push(GUID_ALPHABET[(n % 62) as usize]);
                n /= 62;
            }
            assert_eq!(
                guid_bytes(&deck, &identity).as_slice(),
                expected,
                "{deck} {identity}"
            );
        }
    }
}
