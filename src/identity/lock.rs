//! The lock file: for every note, its identity key → GUID, note id, content hash, mtime and a
//! similarity signature (to recognise the note after a rename or move, see `similarity`).
//!
//! Plain text, one note per tab-separated line, decks in manifest order and notes in document
//! order (like a table of contents), so it diffs well in git:
//!
//! ```text
//! # primer-anki lock v2 …
//! notetype <TAB> id <TAB> mtime <TAB> hash
//! note <TAB> guid <TAB> note id <TAB> mtime <TAB> hash <TAB> signature <TAB> deck <TAB> key
//! ```
//!
//! v1 lines (no signature column) are still read; the next build fills the signatures in.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::similarity::{SLOTS, Signature};
use crate::error::{Error, Result, SourceLocation};

const HEADER: &str = "# primer-anki lock v2: note identities, kept by `primer-anki build`. Commit it; do not edit by hand.\n# notetype\tid\tmtime\thash\n# note\tguid\tnote id\tmtime\tcontent hash\tsimilarity signature\tdeck\tkey\n";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedNote {
    pub guid: String,
    pub note_id: i64,
    pub mtime: i64,
    /// The content hash (see `identity::content_hash`), shown as 16 hex digits.
    pub hash: u64,
    /// MinHash of the question and answer text; `None` in v1 lock files.
    pub signature: Option<Signature>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedNotetype {
    pub mtime: i64,
    pub hash: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lock {
    /// Deck name → identity → note.
    pub decks: BTreeMap<String, HashMap<String, LockedNote>>,
    /// Note type id → what it looked like last time.
    pub notetypes: BTreeMap<i64, LockedNotetype>,
}

impl Lock {
    /// Read the lock at `path`; a missing file is an empty lock.
    pub fn read(path: &Path) -> Result<Lock> {
        match std::fs::read_to_string(path) {
            Ok(text) => Lock::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Lock::default()),
            Err(e) => Err(Error::io("read the lock file", path, e)),
        }
    }

    pub fn parse(text: &str, path: &Path) -> Result<Lock> {
        let mut lock = Lock::default();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || {
                Error::new("malformed lock file line")
                    .at(SourceLocation::new(path, index + 1, 0))
                    .help("restore the lock file from git; if it is lost, delete it and rebuild (learners then get new notes)")
            };
            let parts: Vec<&str> = line.split('\t').collect();
            match parts.as_slice() {
                ["notetype", id, mtime, hash] => {
                    let id = id.parse().map_err(|_| bad())?;
                    let mtime = mtime.parse().map_err(|_| bad())?;
                    lock.notetypes.insert(
                        id,
                        LockedNotetype {
                            mtime,
                            hash: hash.to_string(),
                        },
                    );
                }
                ["note", guid, note_id, mtime, hash, rest @ ..] if matches!(rest.len(), 2 | 3) => {
                    let (signature, deck, key) = match rest {
                        [deck, key] => (None, deck, key),
                        [signature, deck, key] if signature.starts_with('-') => (None, deck, key),
                        [signature, deck, key] => (
                            Some(Signature::from_hex(signature).ok_or_else(bad)?),
                            deck,
                            key,
                        ),
                        _ => return Err(bad()),
                    };
                    let note = LockedNote {
                        guid: guid.to_string(),
                        note_id: note_id.parse().map_err(|_| bad())?,
                        mtime: mtime.parse().map_err(|_| bad())?,
                        hash: u64::from_str_radix(hash, 16).map_err(|_| bad())?,
                        signature,
                    };
                    lock.insert(deck, key, note);
                }
                _ => return Err(bad()),
            }
        }
        Ok(lock)
    }

    /// The note of `deck` with `identity`, if the lock has one.
    pub fn get(&self, deck: &str, identity: &str) -> Option<&LockedNote> {
        self.decks.get(deck)?.get(identity)
    }

    pub fn insert(&mut self, deck: &str, identity: &str, note: LockedNote) {
        self.decks
            .entry(deck.to_string())
            .or_default()
            .insert(identity.to_string(), note);
    }

    pub fn contains(&self, deck: &str, identity: &str) -> bool {
        self.get(deck, identity).is_some()
    }

    /// Every note as (deck, identity, note), sorted by deck then identity.
    pub fn sorted(&self) -> Vec<(&str, &str, &LockedNote)> {
        let mut out: Vec<_> = self
            .decks
            .iter()
            .flat_map(|(deck, notes)| {
                notes
                    .iter()
                    .map(move |(key, note)| (deck.as_str(), key.as_str(), note))
            })
            .collect();
        out.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        out
    }

    /// The whole lock as text, notes sorted (a build writes them in document order instead,
    /// with [`LockWriter`]).
    pub fn render(&self) -> String {
        let mut writer = LockWriter::new(String::new(), &self.notetypes);
        for (deck, key, note) in self.sorted() {
            writer.note(deck, key, note);
        }
        writer.finish()
    }
}

/// Writes lock text line by line, so a build never holds the whole file in memory.
pub struct LockWriter<W: std::fmt::Write> {
    out: W,
}

impl<W: std::fmt::Write> LockWriter<W> {
    /// Starts the text: the header and the note type lines.
    pub fn new(mut out: W, notetypes: &BTreeMap<i64, LockedNotetype>) -> Self {
        let _ = out.write_str(HEADER);
        for (id, nt) in notetypes {
            let _ = writeln!(out, "notetype\t{id}\t{}\t{}", nt.mtime, nt.hash);
        }
        LockWriter { out }
    }

    pub fn note(&mut self, deck: &str, identity: &str, n: &LockedNote) {
        let _ = write!(
            self.out,
            "note\t{}\t{}\t{}\t{:016x}\t",
            n.guid, n.note_id, n.mtime, n.hash
        );
        match n.signature {
            Some(s) => s.write_hex(&mut self.out),
            None => {
                let _ = self.out.write_str(&"-".repeat(SLOTS * 2));
            }
        }
        let _ = writeln!(self.out, "\t{}\t{}", clean(deck), clean(identity));
    }

    /// The text written so far.
    pub fn output(&mut self) -> &mut W {
        &mut self.out
    }

    pub fn finish(self) -> W {
        self.out
    }
}

/// Keys and deck names never hold tabs or newlines in practice; make sure they cannot break
/// the line format.
fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['\t', '\n', '\r']) {
        s.replace(['\t', '\n', '\r'], " ").into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut lock = Lock::default();
        lock.notetypes.insert(
            5,
            LockedNotetype {
                mtime: 10,
                hash: "ab".into(),
            },
        );
        lock.insert(
            "Deck",
            "deck/a b/summary",
            LockedNote {
                guid: "g".into(),
                note_id: 1,
                mtime: 2,
                hash: 0xab,
                signature: Some(Signature::of("q", "a")),
            },
        );
        let text = lock.render();
        assert_eq!(Lock::parse(&text, Path::new("x")).unwrap(), lock);
    }

    #[test]
    fn reads_v1_lines_without_a_signature() {
        let lock = Lock::parse(
            "note\tg\t1\t2\t00000000000000ff\tDeck\tdeck/a/summary\n",
            Path::new("x"),
        )
        .unwrap();
        let note = lock.get("Deck", "deck/a/summary").unwrap();
        assert_eq!(note.hash, 0xff);
        assert_eq!(note.signature, None);
        assert_eq!(note.mtime, 2);
    }

    #[test]
    fn malformed_lines_name_the_line() {
        let err = Lock::parse("# c\nnote\tbroken\n", Path::new("x.lock")).unwrap_err();
        assert_eq!(err.location.unwrap().line, 2);
    }
}
