//! Deciding every note's GUID, note id and mtime at once, from the digests of the whole build
//! and the last build's lock. [`resolve`] runs these steps in turn:
//!
//! 1. no two notes of a deck may share an identity ([`reject_duplicates`]);
//! 2. the lock's keys this build no longer produces, per deck ([`vanished_keys`]);
//! 3. the notes the lock knows are counted, unchanged or changed ([`sort_by_lock`]);
//! 4. then deck by deck, among the notes the lock does not know: those `--adopt` planned take
//!    an old deck's GUID ([`adopt_notes`]), those close to a vanished key take its identity
//!    ([`rename_notes`]), the vanished keys left are removed ([`report_removed`]), and the rest
//!    are new ([`count_new_notes`], [`list_added_keys`]);
//! 5. every note without a note id gets one ([`give_note_ids`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::adopt;
use super::digest::{DeckRef, FileNotes, Locked, identity_hash};
use super::guid_for;
use super::lock::{ClozeItems, Lock, LockedNote, kind_label};
use super::new_notes::{Taken, avoid_lock_guids, count_new_notes, give_note_ids, list_added_keys};
use super::rename::{Unchanged, match_renames};
use super::report::{Emptied, IdentityReport, LISTED_KEYS, Removed, Rename};
use super::similarity::Signature;
use crate::error::{Error, Result};
use crate::render::NotetypeKind;

/// What [`resolve`] decided beyond each note's id and mtime.
#[derive(Debug, Default)]
pub struct Resolution {
    /// GUIDs that are not the derived one (kept from the lock, renamed or adopted notes), by
    /// (file index, note index).
    pub guids: HashMap<(usize, usize), String>,
    /// Renamed cloze notes, with the cloze items of the note they were renamed from: their
    /// deletions (numbered by position, or for their new key) are renumbered from these when
    /// the note is written (see `renumber_renamed`).
    pub cloze_items: HashMap<(usize, usize), ClozeItems>,
    pub report: IdentityReport,
    /// The new lock's `gone` lines: deck → identity → a note removed by this build or an
    /// earlier one whose key this build does not produce.
    pub gone: BTreeMap<String, HashMap<String, LockedNote>>,
}

impl Resolution {
    /// The GUID of note `index` of file `file`, whose identity in the deck of GUID namespace
    /// `deck` (see `Lock::namespace`) is `identity`.
    pub fn guid(&self, deck: &str, identity: &str, file: usize, index: usize) -> String {
        match self.guids.get(&(file, index)) {
            Some(guid) => guid.clone(),
            None => guid_for(deck, identity),
        }
    }
}

/// Reads the identity of note (file, index) back, for the rare checks that need the text.
pub type IdentityReader<'a> = dyn FnMut(usize, usize) -> Result<String> + 'a;

/// A note of the build: (file index, note index).
pub(super) type At = (usize, usize);

/// Per deck, the identity hash of every note and where the note is, as u32s: this map holds
/// every note at once.
/// Keyed by [`identity_hash`]es: already hashes, so the map's own hasher need only be cheap.
type Seen = Vec<HashMap<u64, (u32, u32), foldhash::fast::FixedState>>;

/// Per deck, the old notes that this build no longer produces under their identity, sorted by
/// key: rename candidates, or removed.
type Vanished = Vec<Vec<(String, LockedNote)>>;

/// Decide every note's GUID, note id and mtime from the last build's lock `old`. `now` is the
/// build time in seconds (`SOURCE_DATE_EPOCH` or the clock).
///
/// Identities are compared by hash; `identity_at` reads two back to confirm a duplicate. An old
/// key whose hash equals that of another, present key (odds about 1 in 10^13 for a million
/// notes) would be taken as present: not reported as removed, not offered for a rename.
pub fn resolve(
    decks: &[DeckRef<'_>],
    files: &mut [FileNotes],
    old: &Lock,
    now: i64,
    adoptions: &adopt::Plan,
    identity_at: &mut IdentityReader<'_>,
) -> Result<Resolution> {
    let mut resolution = Resolution {
        report: IdentityReport {
            adopted: adoptions.adopted.clone(),
            not_adopted: adoptions.not_adopted.clone(),
            ..IdentityReport::default()
        },
        ..Resolution::default()
    };
    let seen = reject_duplicates(decks, files, identity_at)?;
    let vanished = vanished_keys(decks, files, old, &seen);
    // Notes that need a fresh note id, in document order.
    let mut needs_id: Vec<At> = Vec::new();
    let unknown = sort_by_lock(decks, files, now, &mut resolution, &mut needs_id);

    for (deck_index, deck) in decks.iter().enumerate() {
        let (unknown, vanished) = (&unknown[deck_index], &vanished[deck_index]);
        // Adoptions first, then renames and moves among the vanished keys of this deck.
        let (adopted, unmatched) =
            adopt_notes(deck.name, files, unknown, adoptions, now, &mut resolution);
        let unchanged = if vanished.is_empty() || unmatched.is_empty() {
            Unchanged::default()
        } else {
            Unchanged::new(
                unchanged_signatures((deck_index, deck.name), files, old, &seen),
                kept_questions(deck_index, files),
            )
        };
        let (renamed_old, renamed_new) = rename_notes(
            deck.name,
            files,
            (&unmatched, &unchanged),
            vanished,
            now,
            &mut resolution,
        );
        keep_gone(
            (deck_index, deck.name),
            vanished,
            &renamed_old,
            &seen,
            old,
            &mut resolution.gone,
        );
        let report = &mut resolution.report;
        report_removed(deck.name, vanished, &renamed_old, report);
        let taken = Taken {
            adopted,
            renamed: renamed_new,
        };
        count_new_notes(files, unknown, &taken, now, report, &mut needs_id);
        avoid_lock_guids(
            (deck_index, deck.namespace),
            files,
            old,
            &taken,
            &mut resolution.guids,
        );
        list_added_keys((deck_index, deck.name), files, &taken, report);
    }
    report_removed_decks(decks, old, &mut resolution.report);
    for (name, notes) in old.decks.iter().chain(&old.gone) {
        if !decks.iter().any(|d| d.name == name) {
            let gone = resolution.gone.entry(name.clone()).or_default();
            gone.extend(notes.iter().map(|(k, n)| (k.clone(), n.clone())));
        }
    }
    resolution.report.removed.sort();
    give_note_ids(files, old, now, needs_id);
    Ok(resolution)
}

/// Fails when two notes of one deck have the same identity; returns where each identity is.
fn reject_duplicates(
    decks: &[DeckRef<'_>],
    files: &[FileNotes],
    identity_at: &mut IdentityReader<'_>,
) -> Result<Seen> {
    let mut seen: Seen = vec![HashMap::default(); decks.len()];
    for (file_index, file) in files.iter().enumerate() {
        for (index, note) in file.notes.iter().enumerate() {
            let Some((other_file, other_index)) =
                seen[file.deck].insert(note.identity_hash, (file_index as u32, index as u32))
            else {
                continue;
            };
            let (other_file, other_index) = (other_file as usize, other_index as usize);
            let identity = identity_at(file_index, index)?;
            if identity != identity_at(other_file, other_index)? {
                continue; // two identities with one hash: not a duplicate
            }
            return Err(Error::new(format!(
                "two cards in deck \"{}\" have the same identity \"{identity}\" (the other is at {})",
                decks[file.deck].name,
                files[other_file].origin(other_index)
            ))
            .at(file.origin(index))
            .help("give one of them a different heading or term, or pin it with <!-- id: some-unique-id -->"));
        }
    }
    Ok(seen)
}

/// The keys of `old` that no note of this build has, or whose note was released (see
/// `FileNotes::push`), per deck, sorted.
fn vanished_keys(decks: &[DeckRef<'_>], files: &[FileNotes], old: &Lock, seen: &Seen) -> Vanished {
    let mut released: Vec<HashSet<&str>> = vec![HashSet::new(); decks.len()];
    for file in files {
        released[file.deck].extend(file.released.iter().map(String::as_str));
    }
    let mut vanished: Vanished = vec![Vec::new(); decks.len()];
    for (deck_index, deck) in decks.iter().enumerate() {
        if let Some(notes) = old.decks.get(deck.name) {
            let mut gone: Vec<(String, LockedNote)> = notes
                .iter()
                .filter(|(key, _)| {
                    !seen[deck_index].contains_key(&identity_hash(key))
                        || released[deck_index].contains(key.as_str())
                })
                .map(|(key, note)| (key.clone(), note.clone()))
                .collect();
            gone.sort_by(|a, b| a.0.cmp(&b.0));
            vanished[deck_index] = gone;
        }
    }
    vanished
}

/// The similarity signatures, as the lock records them, of deck `deck`'s notes that this build
/// keeps under their key, unchanged or changed: a new note more like one of these than like a
/// vanished note is not a renamed one. Changed notes count by their old text, which is what a
/// split leaves a new note beside: the second half of a split table row is part of its own
/// row's old text, and must not take the GUID of a deleted sibling row one word apart.
fn unchanged_signatures(
    (deck_index, deck): (usize, &str),
    files: &[FileNotes],
    old: &Lock,
    seen: &Seen,
) -> Vec<Signature> {
    let Some(notes) = old.decks.get(deck) else {
        return Vec::new();
    };
    notes
        .iter()
        .filter_map(|(key, note)| {
            let &(file, index) = seen[deck_index].get(&identity_hash(key))?;
            let digest = &files[file as usize].notes[index as usize];
            matches!(
                digest.locked,
                Locked::Unchanged | Locked::UnchangedUnsigned | Locked::Changed
            )
            .then_some(note.signature)
            .flatten()
        })
        .collect()
}

/// The question hashes of deck `deck_index`'s notes that this build keeps under their key,
/// unchanged or changed: a new card asking one of these asks what a kept note asks (the second
/// half of a split note, a card added beside one), so it is not a renamed note.
fn kept_questions(deck_index: usize, files: &[FileNotes]) -> HashSet<u64> {
    files
        .iter()
        .filter(|f| f.deck == deck_index)
        .flat_map(|f| &f.notes)
        .filter(|n| {
            matches!(
                n.locked,
                Locked::Unchanged | Locked::UnchangedUnsigned | Locked::Changed
            )
        })
        .map(|n| n.question)
        .collect()
}

/// Reports the notes the lock knows (unchanged or changed; their ids and mtimes were set when
/// they were digested) and keeps the GUIDs it gives them; returns the others, by deck. A note
/// the lock knows as one of the other type is new (dated `now`, queued in `needs_id`) and the
/// old one removed; cloze notes that lost items are listed.
fn sort_by_lock(
    decks: &[DeckRef<'_>],
    files: &mut [FileNotes],
    now: i64,
    resolution: &mut Resolution,
    needs_id: &mut Vec<At>,
) -> Vec<Vec<At>> {
    let report = &mut resolution.report;
    let mut unknown: Vec<Vec<At>> = vec![Vec::new(); decks.len()];
    for (file_index, file) in files.iter_mut().enumerate() {
        let deck = decks[file.deck];
        for (index, identity, guid, from, to) in &file.type_changed {
            report.removed.push(Removed {
                deck: deck.name.to_string(),
                key: identity.clone(),
                guid: guid.clone(),
                reason: Some(format!(
                    "note type changed: {} → {}",
                    kind_label(*from),
                    kind_label(*to)
                )),
            });
            let at = (file_index, *index as usize);
            file.notes[at.1].mtime = now;
            needs_id.push(at);
            report.added += 1;
        }
        for (identity, numbers) in &file.emptied {
            if report.emptied.len() < LISTED_KEYS {
                report.emptied.push(Emptied {
                    deck: deck.name.to_string(),
                    key: identity.clone(),
                    numbers: numbers.clone(),
                });
            }
        }
        for (index, guid) in &file.locked_guids {
            resolution
                .guids
                .insert((file_index, *index as usize), guid.clone());
        }
        for identity in &file.listed_changed {
            if report.changed_keys.len() < LISTED_KEYS {
                report
                    .changed_keys
                    .push((deck.name.to_string(), identity.clone()));
            }
        }
        for (index, identity) in &file.restored {
            let guid = match resolution.guids.get(&(file_index, *index as usize)) {
                Some(guid) => guid.clone(),
                None => guid_for(deck.namespace, identity),
            };
            report
                .restored
                .push((deck.name.to_string(), identity.clone(), guid));
        }
        for (index, note) in file.notes.iter().enumerate() {
            match note.locked {
                Locked::New => unknown[file.deck].push((file_index, index)),
                Locked::Unchanged => report.unchanged += 1,
                Locked::UnchangedUnsigned => {
                    report.unchanged += 1;
                    report.signatures_added += 1;
                }
                Locked::Changed => report.changed += 1,
                Locked::TypeChanged => {} // counted above
                Locked::Restored => {}    // listed above
            }
        }
    }
    unknown
}

/// Gives the old note's GUID to each of deck `deck`'s unknown notes that `--adopt` planned it
/// for, with an mtime strictly newer than the old note's. Returns the adopted notes, and the
/// others in order.
fn adopt_notes(
    deck: &str,
    files: &mut [FileNotes],
    unknown: &[At],
    adoptions: &adopt::Plan,
    now: i64,
    resolution: &mut Resolution,
) -> (HashSet<At>, Vec<At>) {
    let report = &mut resolution.report;
    let mut adopted = HashSet::new();
    let mut unmatched = Vec::new();
    for &(file_index, index) in unknown {
        let adoption = files[file_index].adopt.get(index).and_then(|c| {
            adoptions
                .by_key
                .get(&(deck.to_string(), c.identity.clone()))
                .map(|a| (a, c.identity.clone()))
        });
        let Some((a, identity)) = adoption else {
            unmatched.push((file_index, index));
            continue;
        };
        let note = &mut files[file_index].notes[index];
        // Strictly newer than the old note, so Anki updates it in place.
        note.mtime = now.max(a.old_mtime + 1);
        resolution.guids.insert((file_index, index), a.guid.clone());
        adopted.insert((file_index, index));
        report.added += 1;
        if report.added_keys.len() < LISTED_KEYS {
            report.added_keys.push((deck.to_string(), identity));
        }
    }
    (adopted, unmatched)
}

/// Matches the `unmatched` notes of deck `deck` to its `vanished` keys; a matched note takes
/// the old note's GUID, id and (unless its content changed) mtime. Returns the positions in
/// `vanished` that were matched, and the notes that matched them.
fn rename_notes(
    deck: &str,
    files: &mut [FileNotes],
    (unmatched, unchanged): (&[At], &Unchanged),
    vanished: &[(String, LockedNote)],
    now: i64,
    resolution: &mut Resolution,
) -> (HashSet<usize>, HashSet<At>) {
    let matches = if vanished.is_empty() {
        Vec::new()
    } else {
        match_renames(files, unmatched, vanished, unchanged)
    };
    let report = &mut resolution.report;
    let mut renamed_old: HashSet<usize> = HashSet::new();
    let mut renamed_new: HashSet<At> = HashSet::new();
    for m in matches {
        let (old_key, locked) = &vanished[m.old];
        let (file_index, index) = m.new;
        let note = &mut files[file_index].notes[index];
        note.note_id = locked.note_id;
        note.mtime = if locked.hash == note.hash {
            locked.mtime
        } else {
            now.max(locked.mtime + 1)
        };
        // A renamed note keeps its old GUID, which is never the one its new key derives.
        resolution
            .guids
            .insert((file_index, index), locked.guid.clone());
        // ... and its cards keep their items.
        if let Some(items) = &locked.clozes
            && note.kind == NotetypeKind::Cloze
        {
            resolution
                .cloze_items
                .insert((file_index, index), items.clone());
        }
        report.changed += 1;
        report.renamed.push(Rename {
            deck: deck.to_string(),
            from: old_key.clone(),
            to: m.identity,
            guid: locked.guid.clone(),
            similarity: m.similarity,
            same_item: m.same_item,
        });
        renamed_old.insert(m.old);
        renamed_new.insert(m.new);
    }
    (renamed_old, renamed_new)
}

/// Records in `gone` the notes deck `deck` loses in this build (the `vanished` keys no note was
/// renamed from), and keeps the old lock's `gone` lines of the deck whose key this build does
/// not produce. A key this build has (restored, back under the other type, or a released
/// member of a repeated-key group) has no `gone` line: the lock's note of that key is its note.
fn keep_gone(
    (deck_index, deck): (usize, &str),
    vanished: &[(String, LockedNote)],
    renamed_old: &HashSet<usize>,
    seen: &Seen,
    old: &Lock,
    gone: &mut BTreeMap<String, HashMap<String, LockedNote>>,
) {
    let absent = |key: &str| !seen[deck_index].contains_key(&identity_hash(key));
    let kept = old
        .gone
        .get(deck)
        .into_iter()
        .flatten()
        .filter(|(key, _)| absent(key));
    let lost = vanished
        .iter()
        .enumerate()
        .filter(|(position, (key, _))| !renamed_old.contains(position) && absent(key))
        .map(|(_, (key, note))| (key, note));
    let mut notes: HashMap<String, LockedNote> = kept
        .chain(lost)
        .map(|(key, note)| (key.clone(), note.clone()))
        .collect();
    notes.shrink_to_fit();
    if !notes.is_empty() {
        gone.insert(deck.to_string(), notes);
    }
}

/// Reports the `vanished` keys of deck `deck` that no note was renamed from as removed.
fn report_removed(
    deck: &str,
    vanished: &[(String, LockedNote)],
    renamed_old: &HashSet<usize>,
    report: &mut IdentityReport,
) {
    for (position, (key, locked)) in vanished.iter().enumerate() {
        if !renamed_old.contains(&position) {
            report.removed.push(Removed {
                deck: deck.to_string(),
                key: key.clone(),
                guid: locked.guid.clone(),
                reason: None,
            });
        }
    }
}

/// Reports every note of the decks the manifest no longer has as removed.
fn report_removed_decks(decks: &[DeckRef<'_>], old: &Lock, report: &mut IdentityReport) {
    for (name, notes) in &old.decks {
        if !decks.iter().any(|d| d.name == name) {
            for (key, locked) in notes {
                report.removed.push(Removed {
                    deck: name.clone(),
                    key: key.clone(),
                    guid: locked.guid.clone(),
                    reason: None,
                });
            }
        }
    }
}
