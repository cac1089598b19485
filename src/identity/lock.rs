//! The lock file: for every note, its identity key → GUID, note id, content hash, mtime and a
//! similarity signature (to recognise the note after a rename or move, see `similarity`).
//!
//! Plain text, one note per tab-separated line, sorted, so it diffs well in git:
//!
//! ```text
//! # primer-anki lock v2 …
//! notetype <TAB> id <TAB> mtime <TAB> hash
//! note <TAB> guid <TAB> note id <TAB> mtime <TAB> hash <TAB> signature <TAB> deck <TAB> key
//! ```
//!
//! v1 lines (no signature column) are still read; the next build fills the signatures in.

use std::collections::BTreeMap;
use std::path::Path;

use super::similarity::{SLOTS, Signature};
use crate::error::{Error, Result, SourceLocation};

const HEADER: &str = "# primer-anki lock v2: note identities, kept by `primer-anki build`. Commit it; do not edit by hand.\n# notetype\tid\tmtime\thash\n# note\tguid\tnote id\tmtime\tcontent hash\tsimilarity signature\tdeck\tkey\n";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedNote {
    pub guid: String,
    pub note_id: i64,
    pub mtime: i64,
    pub hash: String,
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
    /// (deck name, identity) → note.
    pub notes: BTreeMap<(String, String), LockedNote>,
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
                        hash: hash.to_string(),
                        signature,
                    };
                    lock.notes.insert((deck.to_string(), key.to_string()), note);
                }
                _ => return Err(bad()),
            }
        }
        Ok(lock)
    }

    pub fn render(&self) -> String {
        let mut out = String::from(HEADER);
        for (id, nt) in &self.notetypes {
            out.push_str(&format!("notetype\t{id}\t{}\t{}\n", nt.mtime, nt.hash));
        }
        for ((deck, key), n) in &self.notes {
            let signature = n
                .signature
                .map_or_else(|| "-".repeat(SLOTS * 2), |s| s.to_hex());
            out.push_str(&format!(
                "note\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                n.guid,
                n.note_id,
                n.mtime,
                n.hash,
                signature,
                clean(deck),
                clean(key)
            ));
        }
        out
    }
}

/// Keys and deck names never hold tabs or newlines in practice; make sure they cannot break
/// the line format.
fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
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
        lock.notes.insert(
            ("Deck".into(), "deck/a b/summary".into()),
            LockedNote {
                guid: "g".into(),
                note_id: 1,
                mtime: 2,
                hash: "h".into(),
                signature: Some(Signature::of("q", "a")),
            },
        );
        let text = lock.render();
        assert_eq!(Lock::parse(&text, Path::new("x")).unwrap(), lock);
    }

    #[test]
    fn reads_v1_lines_without_a_signature() {
        let lock = Lock::parse("note\tg\t1\t2\th\tDeck\tdeck/a/summary\n", Path::new("x")).unwrap();
        let note = &lock.notes[&("Deck".to_string(), "deck/a/summary".to_string())];
        assert_eq!(note.signature, None);
        assert_eq!(note.mtime, 2);
    }

    #[test]
    fn malformed_lines_name_the_line() {
        let err = Lock::parse("# c\nnote\tbroken\n", Path::new("x.lock")).unwrap_err();
        assert_eq!(err.location.unwrap().line, 2);
    }
}
