//! Notes held in memory made whole: a decided identity and a draft's fields become a [`Note`]
//! with its cards, and a lock line. [`assign`] runs the whole stage on drafts in memory (tests,
//! benchmarks); a build, which spills the drafts, calls [`locked_note`] and [`into_note`] itself.

use std::path::PathBuf;

use super::adopt;
use super::clozes;
use super::content_hash_of;
use super::digest::{DeckRef, DigestContext, FileNotes};
use super::lock::{Lock, LockedNote};
use super::note::{Card, Note};
use super::report::IdentityReport;
use super::resolve::{Resolution, resolve};
use super::similarity::Signature;
use crate::error::Result;
use crate::key::{basic_id, cloze_id};
use crate::render::{NoteDraft, NoteFields, NotetypeKind};

/// One deck's drafts with the facts identity needs about the deck.
pub struct DeckDrafts<'a> {
    pub name: &'a str,
    pub id: i64,
    pub drafts: &'a [NoteDraft],
}

/// The lock line of note `index` of `file` (whose identity in the deck of GUID namespace
/// `deck` is `identity`, and whose first field is `front`) after [`resolve`].
pub fn locked_note(
    (deck, identity): (&str, &str),
    files: &[FileNotes],
    resolution: &Resolution,
    (file, index): (usize, usize),
    (signature, front): (Signature, &str),
) -> LockedNote {
    let note = &files[file].notes[index];
    LockedNote {
        guid: resolution.guid(deck, identity, file, index),
        note_id: note.note_id,
        mtime: note.mtime,
        hash: note.hash,
        signature: Some(signature),
        kind: Some(note.kind),
        clozes: match note.kind {
            NotetypeKind::Cloze => Some(clozes::locked_items(front, note.cloze_high)),
            NotetypeKind::Standard => None,
        },
    }
}

/// A renamed cloze note takes the cloze numbers of the note it was renamed from: renumbers its
/// first field and returns the lock line's content hash and highest cloze number for the
/// result. `None` (nothing to do) for every other note.
pub fn renumber_renamed(
    resolution: &Resolution,
    at: (usize, usize),
    fields: &mut NoteFields,
    tags: &[String],
    deck_id: i64,
) -> Option<(u64, u32)> {
    let items = resolution.cloze_items.get(&at)?;
    let numbered = clozes::renumber(&mut fields.front, Some(items));
    let card_count = clozes::numbers(&fields.front).last().copied().unwrap_or(1);
    let hash = content_hash_of(fields, tags, (NotetypeKind::Cloze, card_count), deck_id);
    Some((hash, numbered.high))
}

/// Puts what [`renumber_renamed`] returned into the note's lock line.
pub fn apply_renumbered(locked: &mut LockedNote, renumbered: Option<(u64, u32)>) {
    if let Some((hash, high)) = renumbered {
        locked.hash = hash;
        if let Some(c) = &mut locked.clozes {
            c.high = c.high.max(high);
        }
    }
}

/// A note's identity as decided for this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    pub guid: String,
    pub note_id: i64,
    pub mtime: i64,
}

/// The note with these fields, tags and identity, with its cards: one for a standard note, one
/// per cloze number its text uses for a cloze note (numbers of removed items are gaps).
pub fn into_note(
    kind: NotetypeKind,
    fields: Vec<String>,
    tags: Vec<String>,
    assigned: Assigned,
    deck_id: i64,
) -> Note {
    let front = fields.first().map_or("", String::as_str);
    let (notetype_id, cards) = cards_of(kind, front, assigned.note_id, deck_id);
    Note {
        id: assigned.note_id,
        guid: assigned.guid,
        notetype_id,
        mtime: assigned.mtime,
        tags,
        fields,
        cards,
    }
}

/// The note type id and the cards of a note of `kind` whose first field is `front` (see
/// [`into_note`]).
pub fn cards_of(kind: NotetypeKind, front: &str, note_id: i64, deck_id: i64) -> (i64, Vec<Card>) {
    let card = |ord: u32| Card {
        id: note_id + i64::from(ord),
        ord,
        deck_id,
    };
    match kind {
        NotetypeKind::Standard => (basic_id(), vec![card(0)]),
        NotetypeKind::Cloze => {
            let mut cards: Vec<Card> = clozes::numbers(front)
                .into_iter()
                .filter(|n| *n > 0)
                .map(|n| card(n - 1))
                .collect();
            if cards.is_empty() {
                cards.push(card(0));
            }
            (cloze_id(), cards)
        }
    }
}

/// Identities for drafts held in memory (tests, benchmarks, small tools): resolves them
/// against `lock`, updates `lock` to this build, and returns each deck's notes.
pub fn assign(
    decks: &[DeckDrafts<'_>],
    lock: &mut Lock,
    now: i64,
) -> Result<(Vec<Vec<Note>>, IdentityReport)> {
    let pairs: Vec<(&str, i64)> = decks.iter().map(|d| (d.name, d.id)).collect();
    let deck_renames = lock.follow_deck_renames(&pairs, &Default::default());
    let refs: Vec<DeckRef<'_>> = decks
        .iter()
        .map(|d| DeckRef {
            name: d.name,
            id: d.id,
            namespace: lock.namespace(d.name),
        })
        .collect();
    let mut files = Vec::with_capacity(decks.len());
    let mut signatures = Vec::with_capacity(decks.len());
    let mut identities = Vec::with_capacity(decks.len());
    let mut drafts: Vec<Vec<NoteDraft>> = Vec::with_capacity(decks.len());
    for (index, deck) in decks.iter().enumerate() {
        let mut file = FileNotes::new(index, PathBuf::new());
        let cx = DigestContext {
            deck: refs[index],
            old: lock,
            now,
            for_adoption: false,
        };
        let mut sigs = Vec::with_capacity(deck.drafts.len());
        let mut ids = Vec::with_capacity(deck.drafts.len());
        let mut numbered = Vec::with_capacity(deck.drafts.len());
        for draft in deck.drafts {
            let mut draft = draft.clone();
            let (identity, signature) = file.push(&mut draft, cx)?;
            ids.push(identity);
            sigs.push(signature);
            numbered.push(draft);
        }
        files.push(file);
        signatures.push(sigs);
        identities.push(ids);
        drafts.push(numbered);
    }
    let mut resolution = resolve(
        &refs,
        &mut files,
        lock,
        now,
        &adopt::Plan::default(),
        &mut |file, index| Ok(identities[file][index].clone()),
    )?;
    resolution.report.deck_renames = deck_renames;
    let mut new_lock = Lock {
        notetypes: lock.notetypes.clone(),
        deck_info: lock
            .deck_info
            .iter()
            .filter(|(name, _)| decks.iter().any(|d| d.name == name.as_str()))
            .map(|(name, deck)| (name.clone(), deck.clone()))
            .collect(),
        gone: std::mem::take(&mut resolution.gone),
        ..Lock::default()
    };
    let mut out = Vec::with_capacity(decks.len());
    for (index, deck) in decks.iter().enumerate() {
        let mut notes = Vec::with_capacity(deck.drafts.len());
        for (position, draft) in drafts[index].iter_mut().enumerate() {
            let identity = &identities[index][position];
            let renumbered = renumber_renamed(
                &resolution,
                (index, position),
                &mut draft.fields,
                &draft.tags,
                deck.id,
            );
            let mut locked = locked_note(
                (refs[index].namespace, identity),
                &files,
                &resolution,
                (index, position),
                (signatures[index][position], &draft.fields.front),
            );
            apply_renumbered(&mut locked, renumbered);
            let assigned = Assigned {
                guid: locked.guid.clone(),
                note_id: locked.note_id,
                mtime: locked.mtime,
            };
            notes.push(into_note(
                draft.kind,
                draft.fields.to_vec(),
                draft.tags.clone(),
                assigned,
                deck.id,
            ));
            new_lock.insert(deck.name, identity, locked);
        }
        out.push(notes);
    }
    *lock = new_lock;
    Ok((out, resolution.report))
}
