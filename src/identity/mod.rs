//! Note drafts → notes: GUIDs, note and card ids, and modification times.
//!
//! A note's GUID comes from where it lives (deck + identity key, or an author's pin), never from
//! its content, so edits update the learner's note instead of duplicating it. The lock file
//! remembers each note's GUID, id, content hash and mtime; a rebuild keeps them for unchanged
//! notes and gives a strictly newer mtime exactly to the notes whose content changed, which is
//! what Anki's importer needs to update them (anki-format.md §2.6).
//!
//! The stage works on digests, not on the notes' text: a build pushes each draft into a
//! [`FileNotes`] (identity, content hash, line) as soon as it is rendered, and [`resolve`]
//! then decides every note's GUID, id and mtime at once, so a million notes fit in memory.
//! [`assign`] does the same for drafts held in memory (tests, benchmarks).

pub mod adopt;
pub mod lock;
mod note;
pub mod similarity;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result, SourceLocation};
use crate::key::{basic_id, cloze_id};
use crate::render::NoteDraft;
use crate::render::NotetypeKind;
use lock::{Lock, LockedNote};
pub use note::{Card, Note};
use similarity::Signature;

/// Each note's cards get ids `note id + ord`, so note ids are allocated this far apart.
pub const ID_STRIDE: i64 = 1000;

/// The GUID for a note first seen with this deck and key. Namespaced by tool and deck, so notes
/// of other decks and other tools cannot collide with it.
pub fn guid_for(deck_name: &str, identity: &str) -> String {
    let bytes = guid_bytes(deck_name, identity);
    String::from_utf8_lossy(&bytes).into_owned()
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
    let mut hasher = Sha256::new();
    let f = &draft.fields;
    for field in [&f.front, &f.back, &f.context, &f.source, &f.further_reading] {
        hasher.update(field.as_bytes());
        hasher.update([0x1f]);
    }
    // The (always empty) Extra field.
    hasher.update([0x1f]);
    for (index, tag) in draft.tags.iter().enumerate() {
        if index > 0 {
            hasher.update(b" ");
        }
        hasher.update(tag.as_bytes());
    }
    hasher.update(format!("\0{:?}\0{}\0{}", draft.kind, draft.card_count, deck_id).as_bytes());
    let digest = hasher.finalize();
    u64::from_be_bytes(digest[..8].try_into().expect("sha256 has 32 bytes"))
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

/// At most this many keys are listed per kind of change in a report; the counts are exact.
pub const LISTED_KEYS: usize = 1000;

/// What identity assignment found, for the build report.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct IdentityReport {
    pub added: usize,
    /// Changed notes, renamed ones included.
    pub changed: usize,
    pub unchanged: usize,
    /// Notes in the lock that this build no longer produces: (deck, key, guid).
    pub removed: Vec<(String, String, String)>,
    /// (deck, key) of the first [`LISTED_KEYS`] new notes.
    pub added_keys: Vec<(String, String)>,
    /// (deck, key) of the first [`LISTED_KEYS`] notes whose content changed (renamed notes are
    /// in `renamed`).
    pub changed_keys: Vec<(String, String)>,
    pub renamed: Vec<Rename>,
    /// Unchanged notes whose lock line had no similarity signature (lock format v1).
    pub signatures_added: usize,
    /// Notes that took the GUID of an old deck's note (`build --adopt`).
    pub adopted: Vec<adopt::Adopted>,
    /// Old notes `--adopt` found no card for, with the reason.
    pub not_adopted: Vec<adopt::NotAdopted>,
}

impl IdentityReport {
    /// Something about the notes changed, so the lock file must be rewritten.
    pub fn changes_lock(&self) -> bool {
        self.added > 0 || self.changed > 0 || !self.removed.is_empty() || self.signatures_added > 0
    }
}

/// A renamed or moved note is recognised when the estimated Jaccard similarity of its question
/// and answer (word and word-pair sets, see [`similarity`]) with a vanished note of the same
/// deck reaches this, after adding [`SAME_ITEM_BONUS`] when the rule and item are unchanged.
pub const RENAME_THRESHOLD: f64 = 0.5;

/// Evidence that a note only moved: the last two key components (rule and item, e.g.
/// `definition/consumer` or `message queue/summary`) are equal under another heading path.
pub const SAME_ITEM_BONUS: f64 = 0.2;

/// What the old lock says of a note's identity, found when the note is digested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locked {
    /// The lock does not know it: a new, renamed or adopted note.
    New,
    /// Known with the same content hash.
    Unchanged,
    /// Known with the same content hash, but without a similarity signature (lock v1).
    UnchangedUnsigned,
    /// Known with another content hash.
    Changed,
}

/// What the identity stage keeps of one note: small and without allocations, so that a
/// million fit in memory. The note's text and identity are kept elsewhere (a build spills them
/// to disk) until the package is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteDigest {
    /// [`content_hash`].
    pub hash: u64,
    /// A hash of the identity, to find duplicates and vanished keys without the text.
    pub identity_hash: u64,
    /// Note id: from the lock when it knows the identity, else set by [`resolve`].
    pub note_id: i64,
    /// Modification time in seconds: from the lock when it knows the identity, else set by
    /// [`resolve`].
    pub mtime: i64,
    /// Line of the source, for messages.
    pub line: u32,
    pub locked: Locked,
}

/// The notes of one source file in document order, as the identity stage sees them.
#[derive(Debug, Default)]
pub struct FileNotes {
    /// Index into the build's deck list.
    pub deck: usize,
    /// The source file, for messages.
    pub file: PathBuf,
    pub notes: Vec<NoteDigest>,
    /// GUIDs from the lock that are not the derived one (e.g. kept through an earlier rename).
    locked_guids: Vec<(u32, String)>,
    /// New notes that may be renamed ones, with their signature and identity (kept only when
    /// the old lock has notes of this deck: otherwise nothing can be renamed).
    candidates: Vec<(u32, Signature, String)>,
    /// Identities of the first [`LISTED_KEYS`] new and changed notes, for reports.
    listed_new: Vec<(u32, String)>,
    listed_changed: Vec<String>,
    /// What `--adopt` needs of each note, when it was asked for.
    pub adopt: Vec<adopt::Candidate>,
}

/// A deck as the identity stage sees it.
#[derive(Debug, Clone, Copy)]
pub struct DeckRef<'a> {
    pub name: &'a str,
    pub id: i64,
}

/// What [`FileNotes::push`] needs besides the draft.
#[derive(Debug, Clone, Copy)]
pub struct DigestContext<'a> {
    pub deck: DeckRef<'a>,
    /// The last build's lock.
    pub old: &'a Lock,
    /// Build time in seconds.
    pub now: i64,
    /// Keep what `--adopt` needs.
    pub for_adoption: bool,
}

/// The in-memory hash of an identity (not stored anywhere).
fn identity_hash(identity: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    identity.hash(&mut hasher);
    hasher.finish()
}

impl FileNotes {
    pub fn new(deck: usize, file: PathBuf) -> Self {
        FileNotes {
            deck,
            file,
            ..FileNotes::default()
        }
    }

    pub fn len(&self) -> usize {
        self.notes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.notes.is_empty()
    }

    /// Adds `draft`, looking its identity up in the old lock: a known note gets its id and
    /// mtime now; an unknown one may be a renamed one, so its similarity signature is kept for
    /// [`resolve`]. Returns the identity (the caller spills it with the note).
    pub fn push(&mut self, draft: &NoteDraft, cx: DigestContext<'_>) -> Result<String> {
        if i64::from(draft.card_count) >= ID_STRIDE {
            return Err(Error::new(format!(
                "a cloze note has {} deletions; the limit is {}",
                draft.card_count,
                ID_STRIDE - 1
            ))
            .at(draft.origin.clone())
            .help("split the list into smaller ones"));
        }
        let deck = cx.deck;
        let identity = identity_of(draft);
        let index = u32::try_from(self.notes.len())
            .map_err(|_| Error::new("a source file yields more than 4 billion cards"))?;
        let mut note = NoteDigest {
            hash: content_hash(draft, deck.id),
            identity_hash: identity_hash(&identity),
            note_id: 0,
            mtime: 0,
            line: u32::try_from(draft.origin.line).unwrap_or(u32::MAX),
            locked: Locked::New,
        };
        match cx.old.get(deck.name, &identity) {
            Some(locked) => {
                note.note_id = locked.note_id;
                if locked.guid.as_bytes() != guid_bytes(deck.name, &identity) {
                    self.locked_guids.push((index, locked.guid.clone()));
                }
                if locked.hash == note.hash {
                    note.mtime = locked.mtime;
                    note.locked = if locked.signature.is_some() {
                        Locked::Unchanged
                    } else {
                        Locked::UnchangedUnsigned
                    };
                } else {
                    note.mtime = cx.now.max(locked.mtime + 1);
                    note.locked = Locked::Changed;
                    if self.listed_changed.len() < LISTED_KEYS {
                        self.listed_changed.push(identity.clone());
                    }
                }
            }
            None => {
                if cx.old.decks.get(deck.name).is_some_and(|n| !n.is_empty()) {
                    let signature = Signature::of(&draft.fields.front, &draft.fields.back);
                    self.candidates.push((index, signature, identity.clone()));
                }
                if self.listed_new.len() < LISTED_KEYS {
                    self.listed_new.push((index, identity.clone()));
                }
            }
        }
        if cx.for_adoption {
            self.adopt.push(adopt::Candidate::of(draft, &identity));
        }
        self.notes.push(note);
        Ok(identity)
    }

    /// Releases spare capacity (the digests of every file are held until the build ends).
    pub fn shrink_to_fit(&mut self) {
        self.notes.shrink_to_fit();
        self.candidates.shrink_to_fit();
        self.locked_guids.shrink_to_fit();
    }

    fn origin(&self, index: usize) -> SourceLocation {
        SourceLocation::new(&self.file, self.notes[index].line as usize, 0)
    }
}

/// What [`resolve`] decided beyond each note's id and mtime.
#[derive(Debug, Default)]
pub struct Resolution {
    /// GUIDs that are not the derived one (kept from the lock, renamed or adopted notes), by
    /// (file index, note index).
    pub guids: HashMap<(usize, usize), String>,
    pub report: IdentityReport,
}

impl Resolution {
    /// The GUID of note `index` of file `file`, whose identity in `deck` is `identity`.
    pub fn guid(&self, deck: &str, identity: &str, file: usize, index: usize) -> String {
        match self.guids.get(&(file, index)) {
            Some(guid) => guid.clone(),
            None => guid_for(deck, identity),
        }
    }
}

/// Reads the identity of note (file, index) back, for the rare checks that need the text.
pub type IdentityReader<'a> = dyn FnMut(usize, usize) -> Result<String> + 'a;

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
    // Old notes that this build no longer produces under their identity, per deck: rename
    // candidates, or removed.
    let mut vanished: Vec<Vec<(String, LockedNote)>> = vec![Vec::new(); decks.len()];
    {
        // (file, index) as u32s: this map holds every note at once.
        let mut seen: Vec<HashMap<u64, (u32, u32)>> = vec![HashMap::new(); decks.len()];
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
        for (deck_index, deck) in decks.iter().enumerate() {
            if let Some(notes) = old.decks.get(deck.name) {
                let mut gone: Vec<(String, LockedNote)> = notes
                    .iter()
                    .filter(|(key, _)| !seen[deck_index].contains_key(&identity_hash(key)))
                    .map(|(key, note)| (key.clone(), note.clone()))
                    .collect();
                gone.sort_by(|a, b| a.0.cmp(&b.0));
                vanished[deck_index] = gone;
            }
        }
    }

    let report = &mut resolution.report;
    // Notes the lock does not know, by deck: (file, index).
    let mut unknown: Vec<Vec<(usize, usize)>> = vec![Vec::new(); decks.len()];
    for (file_index, file) in files.iter().enumerate() {
        let deck = decks[file.deck];
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
        for (index, note) in file.notes.iter().enumerate() {
            match note.locked {
                Locked::New => unknown[file.deck].push((file_index, index)),
                Locked::Unchanged => report.unchanged += 1,
                Locked::UnchangedUnsigned => {
                    report.unchanged += 1;
                    report.signatures_added += 1;
                }
                Locked::Changed => report.changed += 1,
            }
        }
    }

    // Notes that need a fresh note id, in document order.
    let mut needs_id: Vec<(usize, usize)> = Vec::new();
    let mut adopted: HashSet<(usize, usize)> = HashSet::new();
    for (deck_index, deck) in decks.iter().enumerate() {
        // Adoptions first, then renames and moves among the vanished keys of this deck.
        let mut unmatched = Vec::new();
        for &(file_index, index) in &unknown[deck_index] {
            let adoption = files[file_index].adopt.get(index).and_then(|c| {
                adoptions
                    .by_key
                    .get(&(deck.name.to_string(), c.identity.clone()))
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
                report.added_keys.push((deck.name.to_string(), identity));
            }
        }
        let matches = if vanished[deck_index].is_empty() {
            Vec::new()
        } else {
            match_renames(files, &unmatched, &vanished[deck_index])
        };
        let mut renamed_old: HashSet<usize> = HashSet::new();
        let mut renamed_new: HashSet<(usize, usize)> = HashSet::new();
        for m in matches {
            let (old_key, locked) = &vanished[deck_index][m.old];
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
            report.changed += 1;
            report.renamed.push(Rename {
                deck: deck.name.to_string(),
                from: old_key.clone(),
                to: m.identity,
                guid: locked.guid.clone(),
                similarity: m.similarity,
                same_item: m.same_item,
            });
            renamed_old.insert(m.old);
            renamed_new.insert(m.new);
        }
        for (position, (key, locked)) in vanished[deck_index].iter().enumerate() {
            if !renamed_old.contains(&position) {
                report
                    .removed
                    .push((deck.name.to_string(), key.clone(), locked.guid.clone()));
            }
        }
        // The rest are new. Adopted notes need an id too; ids follow document order.
        for &(file_index, index) in &unknown[deck_index] {
            if renamed_new.contains(&(file_index, index)) {
                continue;
            }
            needs_id.push((file_index, index));
            if adopted.contains(&(file_index, index)) {
                continue; // counted above
            }
            report.added += 1;
            files[file_index].notes[index].mtime = now;
        }
        // The first new notes' keys, renamed ones left out.
        for (file_index, file) in files.iter().enumerate() {
            if file.deck != deck_index {
                continue;
            }
            for (index, identity) in &file.listed_new {
                let at = (file_index, *index as usize);
                if report.added_keys.len() < LISTED_KEYS
                    && !renamed_new.contains(&at)
                    && !adopted.contains(&at)
                {
                    report
                        .added_keys
                        .push((deck.name.to_string(), identity.clone()));
                }
            }
        }
    }

    // Decks the manifest no longer has: all their notes are gone.
    for (name, notes) in &old.decks {
        if !decks.iter().any(|d| d.name == name) {
            for (key, locked) in notes {
                report
                    .removed
                    .push((name.clone(), key.clone(), locked.guid.clone()));
            }
        }
    }
    report.removed.sort();

    // New notes get ids below the build time (never in the future), away from every id the
    // lock already uses so that card ids (note id + ord) cannot collide either. Ids are handed
    // out from the last new note backwards, so that they ascend in document order.
    let taken_ids: BTreeSet<i64> = old
        .decks
        .values()
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
    Ok(resolution)
}

/// A rename found by [`match_renames`].
struct RenameMatch {
    /// (file, index) of the new note.
    new: (usize, usize),
    /// Its identity.
    identity: String,
    /// Position in the deck's vanished list.
    old: usize,
    similarity: f64,
    same_item: bool,
}

/// Greedy best-first matching of new notes to vanished lock keys of one deck: every pair
/// scoring at least [`RENAME_THRESHOLD`] is a candidate, the best pair is taken, both sides
/// leave the pool, and so on. Ties break on the keys, so the result is stable.
fn match_renames(
    files: &[FileNotes],
    unmatched: &[(usize, usize)],
    vanished: &[(String, LockedNote)],
) -> Vec<RenameMatch> {
    let wanted: HashSet<(usize, usize)> = unmatched.iter().copied().collect();
    let mut candidates = Vec::new();
    for (file_index, file) in files.iter().enumerate() {
        for (index, signature, identity) in &file.candidates {
            let new = (file_index, *index as usize);
            if !wanted.contains(&new) {
                continue;
            }
            for (position, (old_key, old)) in vanished.iter().enumerate() {
                let Some(old_signature) = old.signature else {
                    continue;
                };
                let similarity = signature.similarity(&old_signature);
                let same_item = same_item(identity, old_key);
                let score = similarity + if same_item { SAME_ITEM_BONUS } else { 0.0 };
                if score >= RENAME_THRESHOLD {
                    candidates.push((
                        score,
                        identity.as_str(),
                        old_key.as_str(),
                        new,
                        position,
                        similarity,
                        same_item,
                    ));
                }
            }
        }
    }
    candidates.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.cmp(b.1))
            .then_with(|| a.2.cmp(b.2))
    });
    let mut used_new = HashSet::new();
    let mut used_old = HashSet::new();
    let mut out = Vec::new();
    for (_, identity, _, new, old, similarity, same_item) in candidates {
        if used_new.contains(&new) || used_old.contains(&old) {
            continue;
        }
        used_new.insert(new);
        used_old.insert(old);
        out.push(RenameMatch {
            new,
            identity: identity.to_string(),
            old,
            similarity,
            same_item,
        });
    }
    out.sort_by_key(|m| m.new);
    out
}

/// The last two components of two keys are equal (and the keys are not pins).
fn same_item(a: &str, b: &str) -> bool {
    fn tail(k: &str) -> Option<(&str, &str)> {
        let mut parts = k.rsplitn(3, '/');
        let item = parts.next()?;
        let rule = parts.next()?;
        parts.next()?;
        Some((item, rule))
    }
    !a.starts_with("pin:") && !b.starts_with("pin:") && tail(a).is_some() && tail(a) == tail(b)
}

/// The lock line of note `index` of `file` (whose identity in `deck` is `identity`) after
/// [`resolve`].
pub fn locked_note(
    (deck, identity): (&str, &str),
    files: &[FileNotes],
    resolution: &Resolution,
    (file, index): (usize, usize),
    signature: Signature,
) -> LockedNote {
    let note = &files[file].notes[index];
    LockedNote {
        guid: resolution.guid(deck, identity, file, index),
        note_id: note.note_id,
        mtime: note.mtime,
        hash: note.hash,
        signature: Some(signature),
    }
}

/// A note's identity as decided for this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    pub guid: String,
    pub note_id: i64,
    pub mtime: i64,
}

/// The note with these fields, tags and identity, with its cards.
pub fn into_note(
    kind: NotetypeKind,
    card_count: u32,
    fields: Vec<String>,
    tags: Vec<String>,
    assigned: Assigned,
    deck_id: i64,
) -> Note {
    let (notetype_id, card_count) = match kind {
        NotetypeKind::Standard => (basic_id(), 1),
        NotetypeKind::Cloze => (cloze_id(), card_count.max(1)),
    };
    Note {
        id: assigned.note_id,
        guid: assigned.guid,
        notetype_id,
        mtime: assigned.mtime,
        tags,
        fields,
        cards: (0..card_count)
            .map(|ord| Card {
                id: assigned.note_id + i64::from(ord),
                ord,
                deck_id,
            })
            .collect(),
    }
}

/// Identities for drafts held in memory (tests, benchmarks, small tools): resolves them
/// against `lock`, updates `lock` to this build, and returns each deck's notes.
pub fn assign(
    decks: &[DeckDrafts<'_>],
    lock: &mut Lock,
    now: i64,
) -> Result<(Vec<Vec<Note>>, IdentityReport)> {
    let refs: Vec<DeckRef<'_>> = decks
        .iter()
        .map(|d| DeckRef {
            name: d.name,
            id: d.id,
        })
        .collect();
    let mut files = Vec::with_capacity(decks.len());
    let mut signatures = Vec::with_capacity(decks.len());
    let mut identities = Vec::with_capacity(decks.len());
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
        for draft in deck.drafts {
            ids.push(file.push(draft, cx)?);
            sigs.push(Signature::of(&draft.fields.front, &draft.fields.back));
        }
        files.push(file);
        signatures.push(sigs);
        identities.push(ids);
    }
    let resolution = resolve(
        &refs,
        &mut files,
        lock,
        now,
        &adopt::Plan::default(),
        &mut |file, index| Ok(identities[file][index].clone()),
    )?;
    let mut new_lock = Lock {
        notetypes: lock.notetypes.clone(),
        ..Lock::default()
    };
    let mut out = Vec::with_capacity(decks.len());
    for (index, deck) in decks.iter().enumerate() {
        let mut notes = Vec::with_capacity(deck.drafts.len());
        for (position, draft) in deck.drafts.iter().enumerate() {
            let identity = &identities[index][position];
            let locked = locked_note(
                (deck.name, identity),
                &files,
                &resolution,
                (index, position),
                signatures[index][position],
            );
            let assigned = Assigned {
                guid: locked.guid.clone(),
                note_id: locked.note_id,
                mtime: locked.mtime,
            };
            notes.push(into_note(
                draft.kind,
                draft.card_count,
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

/// Every way the new lock differs from `old`, one line each, for `build --locked`.
pub fn describe_lock_changes(
    report: &IdentityReport,
    old: &Lock,
    notetypes: &std::collections::BTreeMap<i64, lock::LockedNotetype>,
) -> String {
    let mut lines = Vec::new();
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
    for (deck, key, guid) in &report.removed {
        lines.push(format!("  removed: {deck}: {key} (guid {guid})"));
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
