//! `build --adopt OLD.apkg`: give the notes of an existing deck (the primer's 2017 decks) to the
//! new cards of the same heading, so learners keep their review history.
//!
//! Each old note's first field is its heading ("Sharding", "Reverse proxy (web server)"). In the
//! deck of the same name, the old note is matched to the card of that heading:
//!
//! 1. the heading's summary card (key `…/<heading>/summary`), else
//! 2. the first standard (non-cloze) card directly under that heading, else
//! 3. a standard card in a section below it: shallowest first, a summary before other cards.
//!
//! Headings compare normalised (`normalize_key`: case, punctuation, markup). Only standard
//! notes adopt: an old Basic note moved onto a cloze note type would lose its card. The chosen
//! card takes the old GUID and an mtime newer than the old note's, so Anki updates the old note
//! in place (moving it to our note type when "Merge note types" is on; see README).

use std::collections::{HashMap, HashSet};

use super::lock::Lock;
use crate::key::normalize_key;
use crate::markup::html_to_text;
use crate::render::NoteDraft;
use crate::render::NotetypeKind;

/// What a learner on the legacy importer gets from an adopting build: printed once by a build
/// that adopts, and said in README ("Adopting the 2017 decks"). Read from the legacy importer
/// (`Anki2Importer._importNotes`: a known GUID under another note type id is ignored, and so
/// are its cards).
pub const LEGACY_IMPORTER: &str = "learners on Anki 2.1.54 or older, or AnkiDroid 2.15 or older (the legacy importer), get no adopted note updated: the importer refuses a note whose note type changed (\"note type has been modified\"), so each adopted note stays their old note with its reviews, its card from this deck never arrives, and later updates of it never do either; every other note arrives as new. Newer versions (Anki 2.1.55+, AnkiDroid 2.16+) update adopted notes in place with \"Merge note types\" on.";

/// What Anki's merge does to our notes already in a collection when an import moves old notes
/// into our note type, and the remedy: printed once by a build that adopts. Measured with Anki
/// 26.9.3 (`tests/it/identity_decks.rs`): its merge copies the old note type's field numbering
/// onto ours, so the fields the old one lacks are emptied in every note of ours.
pub const MERGE_EMPTIES_FIELDS: &str = "when a learner's import moves old notes into our Basic note type while their collection already holds notes of it (a second adopting deck, or a deck of ours imported before), Anki 26.9.3 empties the Context, Source and Further Reading fields of those notes; importing each of our decks once more with \"Update notes: Always\" restores them (README, \"Adopting the 2017 decks\").";

/// What adoption needs to know of one old note (read from the old package by the caller: the
/// identity stage reads no package itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldNote {
    pub guid: String,
    /// The note's first field (its heading), as HTML.
    pub front: String,
    /// The deck of the note's first card, if it has cards.
    pub deck: Option<String>,
    /// Modification time in seconds.
    pub mtime: i64,
}

/// What adoption needs to know of one new note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The note's identity (see `identity_of`).
    pub identity: String,
    /// A heading's summary card (key `…/summary`).
    pub is_summary: bool,
    pub kind: NotetypeKind,
    /// The note's heading path, normalised.
    pub heading_path: Vec<String>,
}

impl Candidate {
    pub fn of(draft: &NoteDraft, identity: &str) -> Candidate {
        Candidate {
            identity: identity.to_string(),
            is_summary: draft.key.ends_with("/summary"),
            kind: draft.kind,
            heading_path: heading_path(&draft.fields.context),
        }
    }
}

/// One deck's new notes, in document order, as adoption sees them.
pub struct AdoptDeck<'a> {
    pub name: &'a str,
    pub candidates: Vec<&'a Candidate>,
}

/// One old note to adopt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adoption {
    pub guid: String,
    pub old_mtime: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adopted {
    pub deck: String,
    /// The old note's heading, as text.
    pub title: String,
    pub guid: String,
    /// The identity key of the card that took the GUID.
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAdopted {
    pub deck: String,
    pub title: String,
    pub guid: String,
    pub reason: String,
}

/// What `--adopt` will do: (deck, identity) → old note.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub by_key: HashMap<(String, String), Adoption>,
    pub adopted: Vec<Adopted>,
    pub not_adopted: Vec<NotAdopted>,
}

/// The heading path of a draft, from its Context breadcrumb (`A › B › C`), normalised.
fn heading_path(context: &str) -> Vec<String> {
    html_to_text(context)
        .split('›')
        .map(normalize_key)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Plan the adoption of `old`'s notes by `decks`. Notes whose key the lock already knows keep
/// their identity (their learners would otherwise lose it); an old GUID already in the lock
/// is not adopted twice.
pub fn plan(decks: &[AdoptDeck<'_>], old: &[OldNote], lock: &Lock) -> Plan {
    let mut plan = Plan::default();
    // Removed notes' GUIDs too: such a note comes back with its key (see `Lock::gone`).
    let locked_guids: HashSet<&str> = lock
        .decks
        .values()
        .chain(lock.gone.values())
        .flat_map(|notes| notes.values().map(|n| n.guid.as_str()))
        .collect();
    // Direct heading matches first, so a broader fallback never takes a card a heading of its
    // own would have had.
    let mut pending = Vec::new();
    for note in old {
        if locked_guids.contains(note.guid.as_str()) {
            // Adopted by an earlier build: the lock already gives this GUID to its card.
            continue;
        }
        match find_cards(note, decks) {
            Ok(found) => pending.push(found),
            Err(refused) => plan.not_adopted.push(refused),
        }
    }
    pending.sort_by_key(|p| p.rank);
    hand_out(pending, lock, &mut plan);
    plan
}

/// An old note and the cards that could adopt it, best first.
struct Pending<'a> {
    /// 0 when a card is directly under the note's heading, 1 when only sections below it have
    /// one.
    rank: u8,
    note: &'a OldNote,
    /// The old note's heading, as text.
    title: String,
    deck: &'a AdoptDeck<'a>,
    /// Indices into `deck.candidates`.
    choices: Vec<usize>,
}

/// The cards of the old note's deck that could adopt it, or why there are none.
fn find_cards<'a>(
    note: &'a OldNote,
    decks: &'a [AdoptDeck<'a>],
) -> Result<Pending<'a>, NotAdopted> {
    let title = html_to_text(&note.front);
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let deck_name = note.deck.clone().unwrap_or_default();
    let refuse = |reason: String| NotAdopted {
        deck: deck_name.clone(),
        title: title.clone(),
        guid: note.guid.clone(),
        reason,
    };
    let Some(deck) = decks.iter().find(|d| d.name == deck_name) else {
        return Err(refuse(format!(
            "this build has no deck named \"{deck_name}\""
        )));
    };
    let (rank, choices) = cards_of_heading(deck, &normalize_key(&title));
    if choices.is_empty() {
        return Err(refuse(format!(
            "no heading \"{title}\" with a standard card in deck \"{deck_name}\""
        )));
    }
    Ok(Pending {
        rank,
        note,
        title,
        deck,
        choices,
    })
}

/// The standard cards of `deck` for the heading `wanted` (normalised), best first: its summary
/// card, the cards directly under it, then those in sections below it. The rank is 0 when
/// there is a card directly under the heading, else 1.
fn cards_of_heading(deck: &AdoptDeck<'_>, wanted: &str) -> (u8, Vec<usize>) {
    let standard: Vec<(usize, &Vec<String>)> = deck
        .candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == NotetypeKind::Standard)
        .map(|(i, c)| (i, &c.heading_path))
        .collect();
    let direct: Vec<usize> = standard
        .iter()
        .filter(|(_, path)| path.last().map(String::as_str) == Some(wanted))
        .map(|(i, _)| *i)
        .collect();
    let summary = direct
        .iter()
        .copied()
        .find(|&i| deck.candidates[i].is_summary);
    // Below the heading: shallowest first, summaries before other cards, then source order.
    let mut below: Vec<(usize, bool, usize)> = standard
        .iter()
        .filter_map(|(i, path)| {
            let at = path.iter().position(|h| h == wanted)?;
            let is_summary = deck.candidates[*i].is_summary;
            (at + 1 < path.len()).then_some((path.len() - at, !is_summary, *i))
        })
        .collect();
    below.sort();
    let rank = if summary.is_some() || !direct.is_empty() {
        0
    } else {
        1
    };
    let choices = summary
        .into_iter()
        .chain(direct.iter().copied())
        .chain(below.into_iter().map(|(_, _, i)| i))
        .collect();
    (rank, choices)
}

/// Gives each pending old note, in order, its first card that neither the lock nor an earlier
/// old note has taken.
fn hand_out(pending: Vec<Pending<'_>>, lock: &Lock, plan: &mut Plan) {
    let mut taken: HashSet<(String, String)> = HashSet::new();
    for Pending {
        note,
        title,
        deck,
        choices,
        ..
    } in pending
    {
        let free = choices.into_iter().find(|&i| {
            let identity = &deck.candidates[i].identity;
            !taken.contains(&(deck.name.to_string(), identity.clone()))
                && !lock.contains(deck.name, identity)
                && lock.gone_note(deck.name, identity).is_none()
        });
        let Some(index) = free else {
            plan.not_adopted.push(NotAdopted {
                deck: deck.name.to_string(),
                title,
                guid: note.guid.clone(),
                reason: "every card of that heading already has an identity (in the lock, or adopted by another old note)".into(),
            });
            continue;
        };
        let key = (
            deck.name.to_string(),
            deck.candidates[index].identity.clone(),
        );
        taken.insert(key.clone());
        plan.adopted.push(Adopted {
            deck: deck.name.to_string(),
            title,
            guid: note.guid.clone(),
            key: key.1.clone(),
        });
        plan.by_key.insert(
            key,
            Adoption {
                guid: note.guid.clone(),
                old_mtime: note.mtime,
            },
        );
    }
}
