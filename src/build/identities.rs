//! Between the passes: identities decided for every note at once, our note types given their
//! mtimes, the notes of an `--adopt`ed deck matched, and whether the lock file changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::BuildOptions;
use super::first_pass::{FirstPass, read_back_error, spill_ended};
use super::spill;
use crate::error::{Error, Result};
use crate::identity::lock::{DeckRename, Lock, LockWriter, LockedDeck, LockedNotetype};
use crate::identity::{self, DeckRef};
use crate::input::Content;
use crate::package::model::Notetype;
use crate::package::notetypes;

/// What the identity step decided, for the second pass.
pub(super) struct Identities {
    /// Our note types, with their mtimes.
    pub notetypes: Vec<Notetype>,
    /// The note types as the new lock records them.
    pub notetype_locks: BTreeMap<i64, LockedNotetype>,
    /// The decks as the new lock records them: id and GUID namespace.
    pub deck_locks: BTreeMap<String, LockedDeck>,
    pub resolution: identity::Resolution,
    /// The lock file must be rewritten.
    pub lock_changed: bool,
}

/// Decides the identity of every note of `pass` against the old lock (and the `--adopt`ed
/// deck): note types first, then adoptions, then every note at once.
pub(super) fn decide(
    options: &BuildOptions,
    content: &Content,
    (old_lock, old_lock_text): (&Lock, Option<&[u8]>),
    deck_renames: Vec<DeckRename>,
    pass: &mut FirstPass,
) -> Result<Identities> {
    let mut notetype_locks = old_lock.notetypes.clone();
    let notetypes = assign_notetypes(&content.extra_css, &mut notetype_locks, options.now);
    let deck_refs: Vec<DeckRef<'_>> = content
        .decks
        .iter()
        .map(|d| DeckRef {
            name: &d.name,
            id: d.id,
            namespace: old_lock.namespace(&d.name),
        })
        .collect();
    let deck_locks: BTreeMap<String, LockedDeck> = deck_refs
        .iter()
        .map(|d| {
            let namespace = d.namespace.to_string();
            (
                d.name.to_string(),
                LockedDeck {
                    id: d.id,
                    namespace,
                },
            )
        })
        .collect();
    let adoptions = if options.adopt.is_empty() {
        identity::adopt::Plan::default()
    } else {
        adoption_plan(&options.adopt, &deck_refs, pass, old_lock)?
    };
    let mut resolution = {
        let (files, segments, spills) = (&mut pass.files, &pass.segments, &pass.spills);
        identity::resolve(
            &deck_refs,
            files,
            old_lock,
            options.now,
            &adoptions,
            &mut |file, index| read_identity(spills, segments[file], index),
        )?
    };
    resolution.report.deck_renames = deck_renames;
    let lock_changed = resolution.report.changes_lock()
        || notetype_locks != old_lock.notetypes
        || !lock_text_unchanged(
            old_lock_text,
            old_lock,
            (&deck_locks, &notetype_locks),
            &deck_refs,
            pass,
            &resolution,
        )?;
    Ok(Identities {
        notetypes,
        notetype_locks,
        deck_locks,
        resolution,
        lock_changed,
    })
}

impl Identities {
    /// The error `--locked` gives when the lock file would change, with the changes.
    pub(super) fn lock_would_change(&self, old_lock: &Lock, lock_path: &Path) -> Error {
        Error::new(format!(
            "the lock file would change:\n{}",
            identity::describe_lock_changes(
                &self.resolution.report,
                old_lock,
                &self.notetype_locks
            )
        ))
        .in_file(lock_path)
        .help("run `primer-anki build` without --locked and commit the updated lock file and decks")
    }
}

/// Which notes of the old packages at `paths` give their GUIDs to which new cards.
fn adoption_plan(
    paths: &[PathBuf],
    deck_refs: &[DeckRef<'_>],
    pass: &FirstPass,
    old_lock: &Lock,
) -> Result<identity::adopt::Plan> {
    let decks: Vec<identity::adopt::AdoptDeck<'_>> = deck_refs
        .iter()
        .enumerate()
        .map(|(index, deck)| identity::adopt::AdoptDeck {
            name: deck.name,
            candidates: pass
                .files
                .iter()
                .filter(|f| f.deck == index)
                .flat_map(|f| &f.adopt)
                .collect(),
        })
        .collect();
    let mut old = Vec::new();
    for path in paths {
        old.extend(old_notes(path)?);
    }
    Ok(identity::adopt::plan(&decks, &old, old_lock))
}

/// Text into a SHA-256.
struct HashText(Sha256);

impl std::fmt::Write for HashText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

/// When no note changed, the lock would still be rewritten if its lines were in another order
/// or format: compare the text it would have with the file's, by hash.
fn lock_text_unchanged(
    old_text: Option<&[u8]>,
    old: &Lock,
    (deck_locks, notetypes): (
        &BTreeMap<String, LockedDeck>,
        &BTreeMap<i64, LockedNotetype>,
    ),
    decks: &[DeckRef<'_>],
    pass: &FirstPass,
    resolution: &identity::Resolution,
) -> Result<bool> {
    let Some(old_text) = old_text else {
        return Ok(false);
    };
    let mut writer = LockWriter::new(HashText(Sha256::new()), deck_locks, notetypes);
    for (file_index, file) in pass.files.iter().enumerate() {
        let (deck, namespace) = (decks[file.deck].name, decks[file.deck].namespace);
        let segment = pass.segments[file_index];
        let mut reader = spill::SpillReader::new(&pass.spills[segment.worker], segment)
            .map_err(read_back_error)?;
        for index in 0..file.len() {
            let spilled = reader
                .next_note()
                .map_err(read_back_error)?
                .ok_or_else(spill_ended)?;
            let identity = spilled.identity;
            // Every note is unchanged, so the old lock has its signature.
            let Some(signature) = old.get(deck, &identity).and_then(|n| n.signature) else {
                return Ok(false);
            };
            let locked = identity::locked_note(
                (namespace, &identity),
                &pass.files,
                resolution,
                (file_index, index),
                (signature, &spilled.fields.front),
            );
            writer.note(deck, &identity, &locked);
        }
    }
    writer.all_gone(&resolution.gone);
    Ok(writer.finish().0.finalize()[..] == Sha256::digest(old_text)[..])
}

/// The identity of note `index` of a spilled segment (read back only to confirm a duplicate).
fn read_identity(
    spills: &[std::fs::File],
    segment: spill::Segment,
    index: usize,
) -> Result<String> {
    let mut reader =
        spill::SpillReader::new(&spills[segment.worker], segment).map_err(read_back_error)?;
    for _ in 0..index {
        reader.next_note().map_err(read_back_error)?;
    }
    Ok(reader
        .next_note()
        .map_err(read_back_error)?
        .ok_or_else(spill_ended)?
        .identity)
}

/// Our note types with mtimes from the lock: a note type keeps its mtime until its content
/// (templates, fields, stylesheet) changes, so Anki updates it exactly then.
fn assign_notetypes(
    extra_css: &str,
    locked: &mut BTreeMap<i64, LockedNotetype>,
    now: i64,
) -> Vec<Notetype> {
    let mut out = notetypes::all(0, extra_css);
    for nt in &mut out {
        let hash = notetype_hash(nt);
        let mtime = match locked.get(&nt.id) {
            Some(old) if old.hash == hash => old.mtime,
            Some(old) => now.max(old.mtime + 1),
            None => now,
        };
        nt.mtime = mtime;
        locked.insert(nt.id, LockedNotetype { mtime, hash });
    }
    out
}

fn notetype_hash(nt: &Notetype) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!("{nt:?}").as_bytes());
    let digest = hasher.finalize();
    crate::key::hex(&digest[..8])
}

/// The notes of an old package, as `--adopt` needs them.
fn old_notes(path: &Path) -> Result<Vec<identity::adopt::OldNote>> {
    Ok(crate::apkg::read_apkg(path)?
        .notes
        .into_iter()
        .map(|note| identity::adopt::OldNote {
            front: note.fields.into_iter().next().unwrap_or_default(),
            guid: note.guid,
            deck: note.deck,
            mtime: note.mtime,
        })
        .collect())
}
