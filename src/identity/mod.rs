//! Note drafts → notes: GUIDs, note and card ids, and modification times.
//!
//! A note's GUID comes from where it lives (deck + identity key, or an author's pin), never from
//! its content, so edits update the learner's note instead of duplicating it. The lock file
//! remembers each note's GUID, id, content hash and mtime; a rebuild keeps them for unchanged
//! notes and gives a strictly newer mtime exactly to the notes whose content changed, which is
//! what Anki's importer needs to update them (anki-format.md §2.6).

pub mod lock;

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::package::model::{Card, Note, NotetypeKind};
use crate::package::notetypes;
use crate::render::NoteDraft;
use lock::{Lock, LockedNote};

/// Each note's cards get ids `note id + ord`, so note ids are allocated this far apart.
pub const ID_STRIDE: i64 = 1000;

/// A fixed deck id for a deck name (used where no manifest gives one), never 1.
pub fn deck_id(name: &str) -> i64 {
    (1 << 40) + (hash_u64(&format!("primer-anki/deck/{name}")) % (1 << 40)) as i64
}

fn hash_u64(key: &str) -> u64 {
    let digest = Sha256::digest(key.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().expect("sha256 has 32 bytes"))
}

/// The GUID for a note first seen with this deck and key. Namespaced by tool and deck, so notes
/// of other decks and other tools cannot collide with it.
pub fn guid_for(deck_name: &str, identity: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let digest = Sha256::digest(format!("primer-anki\0{deck_name}\0{identity}").as_bytes());
    let mut n = u128::from_be_bytes(digest[..16].try_into().expect("sha256 has 32 bytes"));
    let mut out = String::from("pa");
    for _ in 0..16 {
        out.push(ALPHABET[(n % 62) as usize] as char);
        n /= 62;
    }
    out
}

/// The identity of a draft within its deck: the author's pin if there is one, else its key.
pub fn identity_of(draft: &NoteDraft) -> String {
    match &draft.pin {
        Some(pin) => format!("pin:{}", crate::extract::normalize_key(pin)),
        None => draft.key.clone(),
    }
}

/// A hash of everything in a note that Anki stores: a change means the note must be updated.
pub fn content_hash(draft: &NoteDraft, deck_id: i64) -> String {
    let mut hasher = Sha256::new();
    for field in draft.fields.to_vec() {
        hasher.update(field.as_bytes());
        hasher.update([0x1f]);
    }
    hasher.update(draft.tags.join(" ").as_bytes());
    hasher.update(format!("\0{:?}\0{}\0{}", draft.kind, draft.card_count, deck_id).as_bytes());
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// One deck's drafts with the facts identity needs about the deck.
pub struct DeckDrafts<'a> {
    pub name: &'a str,
    pub id: i64,
    pub drafts: &'a [NoteDraft],
}

/// What identity assignment found, for the build report.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IdentityReport {
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Notes in the lock that this build no longer produces: (deck, key, guid).
    pub removed: Vec<(String, String, String)>,
}

/// Assign identities to every deck's drafts, reading and updating `lock`. `now` is the build
/// time in seconds (`SOURCE_DATE_EPOCH` or the clock).
pub fn assign(
    decks: &[DeckDrafts<'_>],
    lock: &mut Lock,
    now: i64,
) -> Result<(Vec<Vec<Note>>, IdentityReport)> {
    check_unique(decks)?;
    let mut report = IdentityReport::default();
    let mut taken_ids: HashSet<i64> = lock.notes.values().map(|n| n.note_id).collect();
    let mut next_id = now * 1000 - ID_STRIDE;
    let mut alloc_id = |taken: &mut HashSet<i64>| {
        // New notes get ids just below the build time (never in the future), away from every
        // id the lock already uses so that card ids (note id + ord) cannot collide either.
        while taken.iter().any(|t| (t - next_id).abs() < ID_STRIDE) {
            next_id -= ID_STRIDE;
        }
        let id = next_id;
        taken.insert(id);
        next_id -= ID_STRIDE;
        id
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for deck in decks {
        let mut notes = Vec::with_capacity(deck.drafts.len());
        for draft in deck.drafts {
            let identity = identity_of(draft);
            let hash = content_hash(draft, deck.id);
            let lock_key = (deck.name.to_string(), identity.clone());
            seen.insert(lock_key.clone());
            let entry = match lock.notes.get(&lock_key) {
                Some(old) if old.hash == hash => {
                    report.unchanged += 1;
                    old.clone()
                }
                Some(old) => {
                    report.changed += 1;
                    LockedNote { hash, mtime: now.max(old.mtime + 1), ..old.clone() }
                }
                None => {
                    report.added += 1;
                    LockedNote {
                        guid: guid_for(deck.name, &identity),
                        note_id: alloc_id(&mut taken_ids),
                        mtime: now,
                        hash,
                    }
                }
            };
            lock.notes.insert(lock_key, entry.clone());
            notes.push(to_note(draft, &entry, deck.id));
        }
        out.push(notes);
    }
    let gone: Vec<_> = lock.notes.keys().filter(|k| !seen.contains(*k)).cloned().collect();
    for key in gone {
        if let Some(old) = lock.notes.remove(&key) {
            report.removed.push((key.0, key.1, old.guid));
        }
    }
    Ok((out, report))
}

fn to_note(draft: &NoteDraft, entry: &LockedNote, deck_id: i64) -> Note {
    let (notetype_id, card_count) = match draft.kind {
        NotetypeKind::Standard => (notetypes::basic_id(), 1),
        NotetypeKind::Cloze => (notetypes::cloze_id(), draft.card_count.max(1)),
    };
    Note {
        id: entry.note_id,
        guid: entry.guid.clone(),
        notetype_id,
        mtime: entry.mtime,
        tags: draft.tags.clone(),
        fields: draft.fields.to_vec(),
        cards: (0..card_count)
            .map(|ord| Card { id: entry.note_id + i64::from(ord), ord, deck_id })
            .collect(),
    }
}

/// Two drafts with one identity would become two notes with one GUID, which Anki imports
/// silently as two notes; refuse, naming both sources.
fn check_unique(decks: &[DeckDrafts<'_>]) -> Result<()> {
    for deck in decks {
        let mut first: HashMap<String, &NoteDraft> = HashMap::new();
        for draft in deck.drafts {
            if draft.card_count as i64 >= ID_STRIDE {
                return Err(Error::new(format!(
                    "a cloze note has {} deletions; the limit is {}",
                    draft.card_count,
                    ID_STRIDE - 1
                ))
                .at(draft.origin.clone())
                .help("split the list into smaller ones"));
            }
            let identity = identity_of(draft);
            if let Some(other) = first.insert(identity.clone(), draft) {
                return Err(Error::new(format!(
                    "two cards in deck \"{}\" have the same identity \"{identity}\" (the other is at {})",
                    deck.name, other.origin
                ))
                .at(draft.origin.clone())
                .help("give one of them a different heading or term, or pin it with <!-- id: some-unique-id -->"));
            }
        }
    }
    Ok(())
}
