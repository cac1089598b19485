//! Note drafts → notes: GUIDs, note and card ids, and modification times.
//!
//! A note's GUID comes from where it lives (deck + identity key, or an author's pin), never from
//! its content, so edits update the learner's note instead of duplicating it. The lock file
//! remembers each note's GUID, id, content hash and mtime; a rebuild keeps them for unchanged
//! notes and gives a strictly newer mtime exactly to the notes whose content changed, which is
//! what Anki's importer needs to update them (anki-format.md §2.6).

pub mod adopt;
pub mod lock;
pub mod similarity;

use std::collections::{BTreeSet, HashMap, HashSet};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::package::model::{Card, Note, NotetypeKind};
use crate::package::notetypes;
use crate::render::NoteDraft;
use lock::{Lock, LockedNote};
use similarity::Signature;

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

/// A note recognised under a new key: its key vanished and a new note of the same deck is
/// close enough (see [`RENAME_THRESHOLD`]). It keeps its GUID, note id and review history.
#[derive(Debug, Clone, PartialEq)]
pub struct Rename {
    pub deck: String,
    pub from: String,
    pub to: String,
    pub guid: String,
    /// Estimated Jaccard similarity of the question and answer text.
    pub similarity: f64,
    /// The rule and item (last two key components) are the same: only the heading path moved.
    pub same_item: bool,
}

/// What identity assignment found, for the build report.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct IdentityReport {
    pub added: usize,
    /// Changed notes, renamed ones included.
    pub changed: usize,
    pub unchanged: usize,
    /// Notes in the lock that this build no longer produces: (deck, key, guid).
    pub removed: Vec<(String, String, String)>,
    /// (deck, key) of every new note.
    pub added_keys: Vec<(String, String)>,
    /// (deck, key) of every note whose content changed (renamed notes are in `renamed`).
    pub changed_keys: Vec<(String, String)>,
    pub renamed: Vec<Rename>,
    /// Notes that took the GUID of an old deck's note (`build --adopt`).
    pub adopted: Vec<adopt::Adopted>,
    /// Old notes `--adopt` found no card for, with the reason.
    pub not_adopted: Vec<adopt::NotAdopted>,
}

/// A renamed or moved note is recognised when the estimated Jaccard similarity of its question
/// and answer (word and word-pair sets, see [`similarity`]) with a vanished note of the same
/// deck reaches this, after adding [`SAME_ITEM_BONUS`] when the rule and item are unchanged.
pub const RENAME_THRESHOLD: f64 = 0.5;

/// Evidence that a note only moved: the last two key components (rule and item, e.g.
/// `definition/consumer` or `message queue/summary`) are equal under another heading path.
pub const SAME_ITEM_BONUS: f64 = 0.2;

/// Assign identities to every deck's drafts, reading and updating `lock`. `now` is the build
/// time in seconds (`SOURCE_DATE_EPOCH` or the clock).
pub fn assign(
    decks: &[DeckDrafts<'_>],
    lock: &mut Lock,
    now: i64,
) -> Result<(Vec<Vec<Note>>, IdentityReport)> {
    assign_with_adoptions(decks, lock, now, &adopt::Plan::default())
}

/// [`assign`], with some new notes taking the GUIDs of an old deck's notes (`build --adopt`).
pub fn assign_with_adoptions(
    decks: &[DeckDrafts<'_>],
    lock: &mut Lock,
    now: i64,
    adoptions: &adopt::Plan,
) -> Result<(Vec<Vec<Note>>, IdentityReport)> {
    let (assigned, report) = assign_identities(decks, lock, now, adoptions)?;
    let notes = decks
        .iter()
        .zip(assigned)
        .map(|(deck, ids)| {
            deck.drafts
                .iter()
                .zip(ids)
                .map(|(draft, id)| into_note(draft.clone(), id, deck.id))
                .collect()
        })
        .collect();
    Ok((notes, report))
}

/// A note's identity as decided for this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    pub guid: String,
    pub note_id: i64,
    pub mtime: i64,
}

/// The identities of every deck's drafts, in draft order, reading and updating `lock`. The
/// drafts are only borrowed, so the caller can then move their fields into notes
/// ([`into_note`]) instead of copying them: the fields are most of a build's memory.
pub fn assign_identities(
    decks: &[DeckDrafts<'_>],
    lock: &mut Lock,
    now: i64,
    adoptions: &adopt::Plan,
) -> Result<(Vec<Vec<Assigned>>, IdentityReport)> {
    check_unique(decks)?;
    let mut report = IdentityReport {
        adopted: adoptions.adopted.clone(),
        not_adopted: adoptions.not_adopted.clone(),
        ..IdentityReport::default()
    };
    // New notes get ids below the build time (never in the future), away from every id the
    // lock already uses so that card ids (note id + ord) cannot collide either. Ids are handed
    // out at the end, highest last, so that they ascend in document order.
    let taken_ids: BTreeSet<i64> = lock.notes.values().map(|n| n.note_id).collect();
    let mut next_id = now * 1000 - ID_STRIDE;
    let mut alloc_id = move || {
        while taken_ids
            .range(next_id - ID_STRIDE + 1..next_id + ID_STRIDE)
            .next()
            .is_some()
        {
            next_id -= ID_STRIDE;
        }
        let id = next_id;
        next_id -= ID_STRIDE;
        id
    };
    // (deck index, draft index) of notes that need a fresh note id.
    let mut needs_id: Vec<(usize, usize)> = Vec::new();
    let mut deck_entries: Vec<Vec<LockedNote>> = Vec::with_capacity(decks.len());
    let old_lock = lock.clone();
    let seen: HashSet<(String, String)> = decks
        .iter()
        .flat_map(|d| {
            d.drafts
                .iter()
                .map(|draft| (d.name.to_string(), identity_of(draft)))
        })
        .collect();
    for (deck_index, deck) in decks.iter().enumerate() {
        // Pass 1: notes whose key the lock knows.
        let mut entries: Vec<Option<LockedNote>> = Vec::with_capacity(deck.drafts.len());
        let mut pending = Vec::new();
        // Signatures are computed once per note, and not at all for an unchanged note whose
        // signature the lock already holds.
        let mut sigs: Vec<Option<Signature>> = vec![None; deck.drafts.len()];
        for (index, draft) in deck.drafts.iter().enumerate() {
            let identity = identity_of(draft);
            let hash = content_hash(draft, deck.id);
            match old_lock
                .notes
                .get(&(deck.name.to_string(), identity.clone()))
            {
                Some(old) if old.hash == hash => {
                    report.unchanged += 1;
                    let signature = Some(
                        old.signature
                            .unwrap_or_else(|| signature_of(&mut sigs, deck.drafts, index)),
                    );
                    entries.push(Some(LockedNote {
                        signature,
                        ..old.clone()
                    }));
                }
                Some(old) => {
                    report.changed += 1;
                    report.changed_keys.push((deck.name.to_string(), identity));
                    entries.push(Some(LockedNote {
                        hash,
                        mtime: now.max(old.mtime + 1),
                        signature: Some(signature_of(&mut sigs, deck.drafts, index)),
                        ..old.clone()
                    }));
                }
                None => {
                    entries.push(None);
                    pending.push(index);
                }
            }
        }
        // Pass 2: adoptions, then renames and moves among the vanished keys of this deck.
        let mut unmatched = Vec::new();
        for index in pending {
            let draft = &deck.drafts[index];
            let identity = identity_of(draft);
            if let Some(a) = adoptions.by_key.get(&(deck.name.to_string(), identity)) {
                needs_id.push((deck_index, index));
                entries[index] = Some(LockedNote {
                    guid: a.guid.clone(),
                    note_id: 0,
                    // Strictly newer than the old note, so Anki updates it in place.
                    mtime: now.max(a.old_mtime + 1),
                    hash: content_hash(draft, deck.id),
                    signature: Some(signature_of(&mut sigs, deck.drafts, index)),
                });
                report.added += 1;
                report
                    .added_keys
                    .push((deck.name.to_string(), identity_of(draft)));
            } else {
                unmatched.push(index);
            }
        }
        let vanished: Vec<(&String, &LockedNote)> = old_lock
            .notes
            .iter()
            .filter(|((d, _), _)| d == deck.name)
            .filter(|(k, _)| !seen.contains(*k))
            .map(|((_, key), note)| (key, note))
            .collect();
        for &index in &unmatched {
            signature_of(&mut sigs, deck.drafts, index);
        }
        let matches = match_renames(deck.drafts, &sigs, &unmatched, &vanished);
        for (index, old_key, similarity, same_item) in matches {
            let draft = &deck.drafts[index];
            let old = &old_lock.notes[&(deck.name.to_string(), old_key.clone())];
            let hash = content_hash(draft, deck.id);
            let mtime = if old.hash == hash {
                old.mtime
            } else {
                now.max(old.mtime + 1)
            };
            entries[index] = Some(LockedNote {
                hash,
                mtime,
                signature: Some(signature_of(&mut sigs, deck.drafts, index)),
                ..old.clone()
            });
            report.changed += 1;
            report.renamed.push(Rename {
                deck: deck.name.to_string(),
                from: old_key.clone(),
                to: identity_of(draft),
                guid: old.guid.clone(),
                similarity,
                same_item,
            });
            lock.notes.remove(&(deck.name.to_string(), old_key));
        }
        // Pass 3: the rest are new.
        let mut resolved = Vec::with_capacity(deck.drafts.len());
        for (index, (draft, entry)) in deck.drafts.iter().zip(entries).enumerate() {
            let entry = entry.unwrap_or_else(|| {
                let identity = identity_of(draft);
                report.added += 1;
                report
                    .added_keys
                    .push((deck.name.to_string(), identity.clone()));
                needs_id.push((deck_index, index));
                LockedNote {
                    guid: guid_for(deck.name, &identity),
                    note_id: 0,
                    mtime: now,
                    hash: content_hash(draft, deck.id),
                    signature: Some(signature_of(&mut sigs, deck.drafts, index)),
                }
            });
            resolved.push(entry);
        }
        deck_entries.push(resolved);
    }
    for &(deck_index, index) in needs_id.iter().rev() {
        deck_entries[deck_index][index].note_id = alloc_id();
    }
    let mut out = Vec::with_capacity(decks.len());
    for (deck, entries) in decks.iter().zip(deck_entries) {
        let mut notes = Vec::with_capacity(deck.drafts.len());
        for (draft, entry) in deck.drafts.iter().zip(entries) {
            let identity = identity_of(draft);
            notes.push(Assigned {
                guid: entry.guid.clone(),
                note_id: entry.note_id,
                mtime: entry.mtime,
            });
            lock.notes.insert((deck.name.to_string(), identity), entry);
        }
        out.push(notes);
    }
    let gone: Vec<_> = lock
        .notes
        .keys()
        .filter(|k| !seen.contains(*k))
        .cloned()
        .collect();
    for key in gone {
        if let Some(old) = lock.notes.remove(&key) {
            report.removed.push((key.0, key.1, old.guid));
        }
    }
    Ok((out, report))
}

/// The signature of `drafts[index]`, computed on first use.
fn signature_of(sigs: &mut [Option<Signature>], drafts: &[NoteDraft], index: usize) -> Signature {
    *sigs[index].get_or_insert_with(|| {
        Signature::of(&drafts[index].fields.front, &drafts[index].fields.back)
    })
}

/// Greedy best-first matching of new drafts (by index) to vanished lock keys of one deck:
/// every pair scoring at least [`RENAME_THRESHOLD`] is a candidate, the best pair is taken,
/// both sides leave the pool, and so on. Ties break on the keys, so the result is stable.
/// Returns (draft index, old key, similarity, same item).
fn match_renames(
    drafts: &[NoteDraft],
    sigs: &[Option<Signature>],
    unmatched: &[usize],
    vanished: &[(&String, &LockedNote)],
) -> Vec<(usize, String, f64, bool)> {
    let mut candidates = Vec::new();
    for &index in unmatched {
        let draft = &drafts[index];
        let identity = identity_of(draft);
        let signature =
            sigs[index].unwrap_or_else(|| Signature::of(&draft.fields.front, &draft.fields.back));
        for (old_key, old) in vanished {
            let Some(old_signature) = old.signature else {
                continue;
            };
            let similarity = signature.similarity(&old_signature);
            let same_item = same_item(&identity, old_key);
            let score = similarity + if same_item { SAME_ITEM_BONUS } else { 0.0 };
            if score >= RENAME_THRESHOLD {
                candidates.push((
                    score,
                    similarity,
                    same_item,
                    index,
                    identity.clone(),
                    (*old_key).clone(),
                ));
            }
        }
    }
    candidates.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.4.cmp(&b.4))
            .then_with(|| a.5.cmp(&b.5))
    });
    let mut used_new = HashSet::new();
    let mut used_old = HashSet::new();
    let mut out = Vec::new();
    for (_, similarity, same_item, index, _, old_key) in candidates {
        if used_new.contains(&index) || used_old.contains(&old_key) {
            continue;
        }
        used_new.insert(index);
        used_old.insert(old_key.clone());
        out.push((index, old_key, similarity, same_item));
    }
    out.sort_by_key(|m| m.0);
    out
}

/// The last two components of two keys are equal (and the keys are not pins).
fn same_item(a: &str, b: &str) -> bool {
    let tail = |k: &str| {
        let parts: Vec<&str> = k.rsplitn(3, '/').collect();
        (parts.len() == 3).then(|| (parts[0].to_string(), parts[1].to_string()))
    };
    !a.starts_with("pin:") && !b.starts_with("pin:") && tail(a).is_some() && tail(a) == tail(b)
}

/// The note for a draft and its identity; the draft's fields and tags move into it.
pub fn into_note(draft: NoteDraft, assigned: Assigned, deck_id: i64) -> Note {
    let (notetype_id, card_count) = match draft.kind {
        NotetypeKind::Standard => (notetypes::basic_id(), 1),
        NotetypeKind::Cloze => (notetypes::cloze_id(), draft.card_count.max(1)),
    };
    Note {
        id: assigned.note_id,
        guid: assigned.guid,
        notetype_id,
        mtime: assigned.mtime,
        tags: draft.tags,
        fields: draft.fields.into_vec(),
        cards: (0..card_count)
            .map(|ord| Card {
                id: assigned.note_id + i64::from(ord),
                ord,
                deck_id,
            })
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

/// Every way `new` differs from `old`, one line each, for `build --locked`.
pub fn describe_lock_changes(report: &IdentityReport, old: &Lock, new: &Lock) -> String {
    let mut lines = Vec::new();
    for (deck, key) in &report.added_keys {
        lines.push(format!("  new: {deck}: {key}"));
    }
    for (deck, key) in &report.changed_keys {
        lines.push(format!("  changed: {deck}: {key}"));
    }
    for r in &report.renamed {
        lines.push(format!("  renamed: {}: {} -> {}", r.deck, r.from, r.to));
    }
    for (deck, key, guid) in &report.removed {
        lines.push(format!("  removed: {deck}: {key} (guid {guid})"));
    }
    for (id, nt) in &new.notetypes {
        if old.notetypes.get(id) != Some(nt) {
            lines.push(format!("  note type changed: {id}"));
        }
    }
    let signatures = new
        .notes
        .iter()
        .filter(|(k, n)| {
            old.notes
                .get(*k)
                .is_some_and(|o| o.signature != n.signature && o.hash == n.hash)
        })
        .count();
    if signatures > 0 {
        lines.push(format!(
            "  {signatures} similarity signatures added (lock file format v1 -> v2)"
        ));
    }
    if lines.is_empty() {
        lines.push("  (formatting only)".into());
    }
    lines.join("\n")
}
