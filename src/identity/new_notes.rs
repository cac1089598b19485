//! The notes of a build that are new, neither known to the lock nor adopted nor renamed:
//! counting and dating them ([`count_new_notes`]), keeping them off GUIDs the lock already
//! has ([`avoid_lock_guids`]), listing their keys ([`list_added_keys`]), and giving every note
//! without one a note id ([`give_note_ids`]). [`super::resolve`] runs these in turn.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::digest::FileNotes;
use super::lock::Lock;
use super::report::{IdentityReport, LISTED_KEYS};
use super::resolve::At;
use super::{ID_STRIDE, guid_for};

/// A deck's unknown notes that are not new: adopted ones, and renamed ones.
pub(super) struct Taken {
    pub(super) adopted: HashSet<At>,
    pub(super) renamed: HashSet<At>,
}

/// Counts the deck's new notes (unknown, not adopted, not renamed) and dates them `now`;
/// queues them and the adopted ones for a note id.
pub(super) fn count_new_notes(
    files: &mut [FileNotes],
    unknown: &[At],
    taken: &Taken,
    now: i64,
    report: &mut IdentityReport,
    needs_id: &mut Vec<At>,
) {
    // Adopted notes need an id too; ids follow document order.
    for &(file_index, index) in unknown {
        if taken.renamed.contains(&(file_index, index)) {
            continue;
        }
        needs_id.push((file_index, index));
        if taken.adopted.contains(&(file_index, index)) {
            continue; // counted by `adopt_notes`
        }
        report.added += 1;
        files[file_index].notes[index].mtime = now;
    }
}

/// A new note whose key derives a GUID the lock already has (a note renamed away from that key
/// keeps the GUID it derived; a released member of a repeated-key group; a removed note, which
/// learners still have, of another key or type) would be the same note to Anki as that one,
/// and overwrite it: it gets another GUID, derived from the first.
pub(super) fn avoid_lock_guids(
    (deck_index, deck): (usize, &str),
    files: &[FileNotes],
    old: &Lock,
    taken: &Taken,
    guids: &mut HashMap<At, String>,
) {
    let new_notes = files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.deck == deck_index)
        .flat_map(|(file_index, f)| {
            f.derived
                .iter()
                .map(move |(index, guid)| ((file_index, *index as usize), guid))
        })
        .filter(|(at, _)| !taken.renamed.contains(at) && !taken.adopted.contains(at));
    let mut used: Option<HashSet<&str>> = None;
    for (at, derived) in new_notes {
        let used = used.get_or_insert_with(|| {
            // The GUIDs of removed notes too: learners still have those notes.
            old.decks
                .values()
                .chain(old.gone.values())
                .flat_map(|notes| notes.values().map(|n| n.guid.as_str()))
                .collect()
        });
        let derived = String::from_utf8_lossy(derived).into_owned();
        if !used.contains(derived.as_str()) {
            continue;
        }
        let mut n = 1;
        let guid = loop {
            let guid = guid_for(deck, &format!("{derived}\0{n}"));
            if !used.contains(guid.as_str()) {
                break guid;
            }
            n += 1;
        };
        guids.insert(at, guid);
    }
}

/// Lists the keys of the deck's first new notes, adopted and renamed ones left out.
pub(super) fn list_added_keys(
    (deck_index, deck): (usize, &str),
    files: &[FileNotes],
    taken: &Taken,
    report: &mut IdentityReport,
) {
    for (file_index, file) in files.iter().enumerate() {
        if file.deck != deck_index {
            continue;
        }
        for (index, identity) in &file.listed_new {
            let at = (file_index, *index as usize);
            if report.added_keys.len() < LISTED_KEYS
                && !taken.renamed.contains(&at)
                && !taken.adopted.contains(&at)
            {
                report.added_keys.push((deck.to_string(), identity.clone()));
            }
        }
    }
}

/// Gives the notes in `needs_id` their note ids. New notes get ids below the build time (never
/// in the future), away from every id the lock already uses so that card ids (note id + ord)
/// cannot collide either. Ids are handed out from the last new note backwards, so that they
/// ascend in document order.
pub(super) fn give_note_ids(files: &mut [FileNotes], old: &Lock, now: i64, mut needs_id: Vec<At>) {
    // Removed notes' ids too: a restored note takes its old id back.
    let taken_ids: BTreeSet<i64> = old
        .decks
        .values()
        .chain(old.gone.values())
        .flat_map(|notes| notes.values().map(|n| n.note_id))
        .collect();
    let mut next_id = now * 1000 - ID_STRIDE;
    needs_id.sort_unstable();
    for &(file_index, index) in needs_id.iter().rev() {
        while taken_ids
            .range(next_id - ID_STRIDE + 1..next_id + ID_STRIDE)
            .next()
            .is_some()
        {
            next_id -= ID_STRIDE;
        }
        files[file_index].notes[index].note_id = next_id;
        next_id -= ID_STRIDE;
    }
}
