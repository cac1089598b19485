//! What the identity stage keeps of each note while a build renders the rest: a small
//! [`NoteDigest`] per note, grouped by source file in [`FileNotes`], looked up in the old lock
//! as it is pushed so that [`resolve`](super::resolve) has only the unknown notes left to decide.

use std::path::PathBuf;

use super::clozes;
use super::lock::{ClozeItems, Lock, LockedNote};
use super::similarity::Signature;
use super::{
    GUID_LEN, ID_STRIDE, LISTED_KEYS, adopt, content_hash, guid_bytes, guid_for_kind, identity_of,
};
use crate::error::{Error, Result, SourceLocation};
use crate::render::{NoteDraft, NotetypeKind};

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
    /// Known, but as a note of the other note type: a new note with a fresh GUID, and the old
    /// one is removed (Anki cannot turn a note into one of another type on import).
    TypeChanged,
    /// Known as a note an earlier build removed (a `gone` line): it comes back with its GUID,
    /// id and cloze numbers, so a learner who still has it gets it updated, not a copy.
    Restored,
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
    /// Note id: from the lock when it knows the identity, else set by [`resolve`](super::resolve).
    pub note_id: i64,
    /// Modification time in seconds: from the lock when it knows the identity, else set by
    /// [`resolve`](super::resolve).
    pub mtime: i64,
    /// A hash of the question (first field) as rendered, to tell a new card that asks what a
    /// kept note asks (a split's second half) from a renamed note.
    pub question: u64,
    /// Line of the source, for messages.
    pub line: u32,
    pub locked: Locked,
    pub kind: NotetypeKind,
    /// For a cloze note, the highest cloze number it has ever used (for the lock).
    pub cloze_high: u32,
}

/// A new note that may be a renamed one: what rename matching compares.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub(super) index: u32,
    pub(super) signature: Signature,
    pub(super) identity: String,
    pub(super) kind: NotetypeKind,
    /// The rule that made it (a part of its key).
    pub(super) rule: &'static str,
}

/// A note whose note type changed: (index, identity, the old GUID, old type, new type).
pub(super) type TypeChange = (u32, String, String, NotetypeKind, NotetypeKind);

/// The notes of one source file in document order, as the identity stage sees them.
#[derive(Debug, Default)]
pub struct FileNotes {
    /// Index into the build's deck list.
    pub deck: usize,
    /// The source file, for messages.
    pub file: PathBuf,
    pub notes: Vec<NoteDigest>,
    /// GUIDs from the lock that are not the derived one (e.g. kept through an earlier rename).
    pub(super) locked_guids: Vec<(u32, String)>,
    /// New notes that may be renamed ones, with their signature and identity (kept only when
    /// the old lock has notes of this deck: otherwise nothing can be renamed).
    pub(super) candidates: Vec<Candidate>,
    /// Notes the lock knows as notes of the other type.
    pub(super) type_changed: Vec<TypeChange>,
    /// Cloze notes whose items were removed, with the cloze numbers whose cards are now empty.
    pub(super) emptied: Vec<(String, Vec<u32>)>,
    /// Lock keys this build still produces but whose note was released for rename matching:
    /// a repeated key (`key`, `key/2`, …) whose group grew, see [`FileNotes::push`].
    pub(super) released: Vec<String>,
    /// The derived GUID of each new note, when the lock has notes of the deck: a renamed note
    /// keeps the GUID its old key derived, so a new note at that old key must not take it.
    pub(super) derived: Vec<(u32, [u8; GUID_LEN])>,
    /// The similarity signature of each note of the file so far; only while the file is being
    /// pushed (emptied by [`FileNotes::shrink_to_fit`]).
    signatures: Vec<Signature>,
    /// Identities of the notes restored from the lock's `gone` lines (all of them: the new lock
    /// drops their `gone` lines).
    pub(super) restored: Vec<(u32, String)>,
    /// Identities of the first [`LISTED_KEYS`] new and changed notes, for reports.
    pub(super) listed_new: Vec<(u32, String)>,
    pub(super) listed_changed: Vec<String>,
    /// What `--adopt` needs of each note, when it was asked for.
    pub adopt: Vec<adopt::Candidate>,
}

/// A deck as the identity stage sees it.
#[derive(Debug, Clone, Copy)]
pub struct DeckRef<'a> {
    pub name: &'a str,
    pub id: i64,
    /// The name the deck's GUIDs derive from (see `Lock::namespace`): its name, unless the
    /// manifest renamed it.
    pub namespace: &'a str,
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

/// The in-memory hash of an identity (not stored anywhere): foldhash's quality hash with a
/// fixed seed, cheaper than SipHash on the two texts of every note.
pub(super) fn identity_hash(identity: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0xa409_3822_299f_31d0).hash_one(identity)
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
    /// [`resolve`](super::resolve). A cloze draft's deletions are renumbered so that each item
    /// keeps the cloze number the lock gave it (see `clozes`). Returns the identity (the caller
    /// spills it with the note) and the note's similarity signature.
    ///
    /// A repeated key is numbered by position (`key`, `key/2`, … in document order), so when a
    /// card with the key of an existing one appears above it (a sibling heading renamed to the
    /// existing one's title, a new list put above an unintroduced one), the newcomer would take
    /// the existing note's identity by its key. So when a group of repeated keys grows (the lock
    /// knows `key` but not `key/N`), every earlier member whose content changed gives its key
    /// back: it is matched like a renamed note, and its old key like a vanished one, so that
    /// each old note goes to the card that is really it, or is removed.
    pub fn push(
        &mut self,
        draft: &mut NoteDraft,
        cx: DigestContext<'_>,
    ) -> Result<(String, Signature)> {
        let deck = cx.deck;
        let identity = identity_of(draft);
        let index = u32::try_from(self.notes.len())
            .map_err(|_| Error::new("a source file yields more than 4 billion cards"))?;
        let locked = cx.old.get(deck.name, &identity);
        // A lock line without a type (v1, v2) is taken to be of the same type.
        let type_changed = locked.and_then(|l| l.kind).filter(|k| *k != draft.kind);
        // A key an earlier build removed, back with its type: the note the learner still has.
        // (Back with the other type it is a new note, and keeps off the old GUID, see
        // `avoid_lock_guids`.)
        let restored = match locked {
            None => cx
                .old
                .gone_note(deck.name, &identity)
                .filter(|g| g.kind.is_none_or(|k| k == draft.kind)),
            Some(_) => None,
        };
        // Of the text as render numbered it (by position), so that renumbering never makes two
        // versions of a list look less alike, and signatures stay those of earlier builds.
        let signature = Signature::of(&draft.fields.front, &draft.fields.back);
        let cloze_high = if draft.kind == NotetypeKind::Cloze {
            let old_items = locked
                .filter(|_| type_changed.is_none())
                .or(restored)
                .and_then(|l| l.clozes.as_ref());
            self.renumber_clozes(draft, old_items, &identity)?
        } else {
            0
        };
        let grew = locked.is_none()
            && restored.is_none()
            && draft.repeat >= 2
            && draft.pin.is_none()
            && cx.old.decks.contains_key(deck.name);
        if grew {
            let base = identity
                .strip_suffix(&format!("/{}", draft.repeat))
                .unwrap_or(&identity);
            if cx.old.contains(deck.name, base) {
                self.release_group(deck.namespace, base, draft.repeat, draft.rule);
            }
        }
        let mut note = NoteDigest {
            hash: content_hash(draft, deck.id),
            identity_hash: identity_hash(&identity),
            question: identity_hash(&draft.fields.front),
            note_id: 0,
            mtime: 0,
            line: u32::try_from(draft.origin.line).unwrap_or(u32::MAX),
            locked: Locked::New,
            kind: draft.kind,
            cloze_high,
        };
        match (locked.or(restored), type_changed) {
            (Some(gone), _) if restored.is_some() => {
                self.known_note(&mut note, gone, deck.namespace, &identity, cx.now, index);
                note.locked = Locked::Restored;
                // Listed as restored, not as changed.
                if self.listed_changed.last() == Some(&identity) {
                    self.listed_changed.pop();
                }
                self.restored.push((index, identity.clone()));
            }
            (Some(locked), Some(old_kind)) => self.type_changed_note(
                index,
                &mut note,
                locked,
                old_kind,
                deck.namespace,
                &identity,
                draft.kind,
            ),
            (Some(locked), None) => {
                self.known_note(&mut note, locked, deck.namespace, &identity, cx.now, index)
            }
            (None, _) => self.new_note(index, deck, &identity, signature, draft, cx),
        }
        if cx.for_adoption {
            self.adopt.push(adopt::Candidate::of(draft, &identity));
        }
        self.notes.push(note);
        self.signatures.push(signature);
        Ok((identity, signature))
    }

    /// Numbers a cloze note's deletions by the items its lock line records (see
    /// [`clozes::renumber`]); returns the highest number the note has used.
    fn renumber_clozes(
        &mut self,
        draft: &mut NoteDraft,
        old_items: Option<&ClozeItems>,
        identity: &str,
    ) -> Result<u32> {
        let numbered = clozes::renumber(&mut draft.fields.front, old_items);
        if i64::from(numbered.high) >= ID_STRIDE {
            return Err(Error::new(format!(
                "a cloze note has used {} cloze numbers; the limit is {}",
                numbered.high,
                ID_STRIDE - 1
            ))
            .at(draft.origin.clone())
            .help(
                "split the list into smaller ones, or give it a new identity with <!-- id: … -->",
            ));
        }
        draft.card_count = clozes::numbers(&draft.fields.front)
            .last()
            .copied()
            .unwrap_or(1);
        if !numbered.emptied.is_empty() {
            self.emptied.push((identity.to_string(), numbered.emptied));
        }
        Ok(numbered.high)
    }

    /// A key the lock knows under another note type: a new note, with a fresh GUID from the
    /// key and the type; id and mtime come in `resolve`.
    #[allow(clippy::too_many_arguments)]
    fn type_changed_note(
        &mut self,
        index: u32,
        note: &mut NoteDigest,
        locked: &LockedNote,
        old_kind: NotetypeKind,
        deck: &str,
        identity: &str,
        kind: NotetypeKind,
    ) {
        note.locked = Locked::TypeChanged;
        self.locked_guids
            .push((index, guid_for_kind(deck, identity, kind)));
        self.type_changed.push((
            index,
            identity.to_string(),
            locked.guid.clone(),
            old_kind,
            kind,
        ));
        if self.listed_new.len() < LISTED_KEYS {
            self.listed_new.push((index, identity.to_string()));
        }
    }

    /// A key the lock knows: its id, and its mtime unless the content changed.
    fn known_note(
        &mut self,
        note: &mut NoteDigest,
        locked: &LockedNote,
        deck: &str,
        identity: &str,
        now: i64,
        index: u32,
    ) {
        note.note_id = locked.note_id;
        if locked.guid.as_bytes() != guid_bytes(deck, identity) {
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
            note.mtime = now.max(locked.mtime + 1);
            note.locked = Locked::Changed;
            if self.listed_changed.len() < LISTED_KEYS {
                self.listed_changed.push(identity.to_string());
            }
        }
    }

    /// A key the lock does not know: new, or a renamed note that rename matching may find.
    fn new_note(
        &mut self,
        index: u32,
        deck: DeckRef<'_>,
        identity: &str,
        signature: Signature,
        draft: &NoteDraft,
        cx: DigestContext<'_>,
    ) {
        let known = |notes: Option<&std::collections::HashMap<String, LockedNote>>| {
            notes.is_some_and(|n| !n.is_empty())
        };
        if known(cx.old.decks.get(deck.name)) || known(cx.old.gone.get(deck.name)) {
            self.derived
                .push((index, guid_bytes(deck.namespace, identity)));
            self.candidates.push(Candidate {
                index,
                signature,
                identity: identity.to_string(),
                kind: draft.kind,
                rule: draft.rule,
            });
        }
        if self.listed_new.len() < LISTED_KEYS {
            self.listed_new.push((index, identity.to_string()));
        }
    }

    /// Releases (with GUIDs derived in `deck`, the deck's namespace) the earlier members `base`, `base/2` … `base/(repeat - 1)` of a group of
    /// repeated keys that grew: those whose content changed become rename candidates, and
    /// their old keys are offered for matching.
    fn release_group(&mut self, deck: &str, base: &str, repeat: u32, rule: &'static str) {
        for n in 1..repeat {
            let member = if n == 1 {
                base.to_string()
            } else {
                format!("{base}/{n}")
            };
            let hash = identity_hash(&member);
            let Some(index) = self.notes.iter().rposition(|d| d.identity_hash == hash) else {
                continue;
            };
            let note = &mut self.notes[index];
            if note.locked != Locked::Changed {
                continue; // unchanged: certainly the same note; or already new
            }
            note.locked = Locked::New;
            note.note_id = 0;
            note.mtime = 0;
            let index = index as u32;
            self.locked_guids.retain(|(i, _)| *i != index);
            self.listed_changed.retain(|k| *k != member);
            self.candidates.push(Candidate {
                index,
                signature: self.signatures[index as usize],
                identity: member.clone(),
                kind: note.kind,
                rule,
            });
            if self.listed_new.len() < LISTED_KEYS {
                self.listed_new.push((index, member.clone()));
            }
            self.derived.push((index, guid_bytes(deck, &member)));
            self.released.push(member);
        }
    }

    /// Releases spare capacity (the digests of every file are held until the build ends).
    pub fn shrink_to_fit(&mut self) {
        self.notes.shrink_to_fit();
        self.signatures = Vec::new();
        self.derived.shrink_to_fit();
        self.candidates.shrink_to_fit();
        self.locked_guids.shrink_to_fit();
    }

    pub(super) fn origin(&self, index: usize) -> SourceLocation {
        SourceLocation::new(&self.file, self.notes[index].line as usize, 0)
    }
}
