//! What identity resolution found, for people: the counts and keys the build report prints,
//! and the lines `build --locked` fails with when the lock would change.

use std::collections::BTreeMap;

use super::adopt;
use super::lock::{DeckRename, Lock, LockedNotetype};
#[cfg(doc)]
use super::rename::RENAME_THRESHOLD;

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

/// A note of the lock this build no longer produces.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Removed {
    pub deck: String,
    pub key: String,
    pub guid: String,
    /// Why, when the key is still there: e.g. `note type changed: basic → cloze`.
    pub reason: Option<String>,
}

/// A cloze note that lost items: the learner's cards of these cloze numbers are now empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emptied {
    pub deck: String,
    pub key: String,
    pub numbers: Vec<u32>,
}

/// At most this many keys are listed per kind of change in a report; the counts are exact.
pub const LISTED_KEYS: usize = 1000;

/// What identity assignment found, for the build report.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct IdentityReport {
    pub added: usize,
    /// Changed notes, renamed ones included.
    pub changed: usize,
    pub unchanged: usize,
    /// Notes in the lock that this build no longer produces (a note whose type changed is
    /// removed and comes back as a new note under the same key).
    pub removed: Vec<Removed>,
    /// The first [`LISTED_KEYS`] cloze notes that lost items.
    pub emptied: Vec<Emptied>,
    /// (deck, key) of the first [`LISTED_KEYS`] new notes.
    pub added_keys: Vec<(String, String)>,
    /// (deck, key) of the first [`LISTED_KEYS`] notes whose content changed (renamed notes are
    /// in `renamed`).
    pub changed_keys: Vec<(String, String)>,
    pub renamed: Vec<Rename>,
    /// Notes an earlier build removed whose key is back (the lock's `gone` lines), as
    /// (deck, key, guid): each took its old GUID and id, so Anki updates the learner's note.
    /// Neither added nor changed.
    pub restored: Vec<(String, String, String)>,
    /// Unchanged notes whose lock line had no similarity signature (lock format v1).
    pub signatures_added: usize,
    /// Notes that took the GUID of an old deck's note (`build --adopt`).
    pub adopted: Vec<adopt::Adopted>,
    /// Old notes `--adopt` found no card for, with the reason.
    pub not_adopted: Vec<adopt::NotAdopted>,
    /// Decks the manifest renamed (same fixed id): their notes kept their GUIDs.
    pub deck_renames: Vec<DeckRename>,
}

impl Removed {
    /// `deck: key (guid …)`, and the reason if there is one.
    pub fn describe(&self) -> String {
        match &self.reason {
            Some(reason) => format!("{}: {} (guid {}): {reason}", self.deck, self.key, self.guid),
            None => format!("{}: {} (guid {})", self.deck, self.key, self.guid),
        }
    }
}

impl Emptied {
    /// What the learner sees and what to do about it.
    pub fn describe(&self) -> String {
        let numbers: Vec<String> = self.numbers.iter().map(|n| format!("c{n}")).collect();
        format!(
            "{}: {}: item removed, so the learner's card {} of this note is now empty; Anki keeps it (with its reviews) until it is deleted with Anki's Tools › Empty Cards",
            self.deck,
            self.key,
            numbers.join(", ")
        )
    }
}

impl IdentityReport {
    /// Something about the notes changed, so the lock file must be rewritten.
    pub fn changes_lock(&self) -> bool {
        self.added > 0
            || self.changed > 0
            || !self.removed.is_empty()
            || !self.restored.is_empty()
            || self.signatures_added > 0
            || !self.deck_renames.is_empty()
    }
}

impl DeckRename {
    /// What the build reports, and what a learner sees: Anki matches decks by name, so the
    /// learner's cards stay in the deck of the old name until they rename it.
    pub fn describe(&self) -> String {
        format!(
            "deck renamed: {} → {} (id {}): every note keeps its GUID; in Anki, a learner's cards stay in deck \"{}\" (Anki matches decks by name) and only new cards go to \"{}\", until the learner renames \"{}\" to \"{}\"",
            self.from, self.to, self.id, self.from, self.to, self.from, self.to
        )
    }
}

/// Every way the new lock differs from `old`, one line each, for `build --locked`.
pub fn describe_lock_changes(
    report: &IdentityReport,
    old: &Lock,
    notetypes: &BTreeMap<i64, LockedNotetype>,
) -> String {
    let mut lines = Vec::new();
    for rename in &report.deck_renames {
        lines.push(format!("  deck renamed: {} → {}", rename.from, rename.to));
    }
    for (deck, key) in &report.added_keys {
        lines.push(format!("  new: {deck}: {key}"));
    }
    if report.added > report.added_keys.len() {
        lines.push(format!(
            "  … and {} more new",
            report.added - report.added_keys.len()
        ));
    }
    for (deck, key) in &report.changed_keys {
        lines.push(format!("  changed: {deck}: {key}"));
    }
    let changed_listed = report.changed_keys.len() + report.renamed.len();
    if report.changed > changed_listed {
        lines.push(format!(
            "  … and {} more changed",
            report.changed - changed_listed
        ));
    }
    for r in &report.renamed {
        lines.push(format!("  renamed: {}: {} -> {}", r.deck, r.from, r.to));
    }
    for r in &report.removed {
        lines.push(format!("  removed: {}", r.describe()));
    }
    for (deck, key, guid) in &report.restored {
        lines.push(format!("  restored: {deck}: {key} (guid {guid})"));
    }
    for (id, nt) in notetypes {
        if old.notetypes.get(id) != Some(nt) {
            lines.push(format!("  note type changed: {id}"));
        }
    }
    if report.signatures_added > 0 {
        lines.push(format!(
            "  {} similarity signatures added (lock file format v1 -> v2)",
            report.signatures_added
        ));
    }
    if lines.is_empty() {
        lines.push("  (formatting or order only)".into());
    }
    lines.join("\n")
}
