//! The lock file: for every note, its identity key → GUID, note id, content hash, mtime, a
//! similarity signature (to recognise the note after a rename or move, see `similarity`), its
//! note type, and for a cloze note which item each cloze number asks for.
//!
//! Plain text, one note per tab-separated line, decks in manifest order and notes in document
//! order (like a table of contents), so it diffs well in git:
//!
//! ```text
//! # primer-anki lock v3 …
//! notetype <TAB> id <TAB> mtime <TAB> hash
//! note <TAB> guid <TAB> note id <TAB> mtime <TAB> hash <TAB> signature <TAB> type <TAB> items <TAB> deck <TAB> key
//! ```
//!
//! `type` is `basic` or `cloze`. `items` is `-` for a basic note; for a cloze note it is the
//! highest cloze number the note ever used, a `/`, and `fingerprint=number` for each deletion,
//! comma-separated (`5/3f2a9c1e=1,77ab0c12=2,9d0e1f23=4`): the fingerprint is 8 hex digits of
//! the SHA-256 of the deletion's normalised text (see [`item_fingerprint`]).
//!
//! Older lines are still read: v1 (no signature) and v2 (no type, no items). A note whose line
//! has no type is taken to have kept its type; a cloze note whose line has no items is taken to
//! have been numbered by position (deletion k is cloze k), which is how every build before v3
//! numbered them. The next build writes the missing columns.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::similarity::{SLOTS, Signature};
use crate::error::{Error, Result, SourceLocation};
use crate::render::NotetypeKind;

const HEADER: &str = "# primer-anki lock v3: note identities, kept by `primer-anki build`. Commit it; do not edit by hand.\n# notetype\tid\tmtime\thash\n# note\tguid\tnote id\tmtime\tcontent hash\tsimilarity signature\ttype\tcloze items\tdeck\tkey\n";

/// Which item each cloze number of a cloze note asks for, and the highest number it ever used
/// (numbers of removed items are never given to another item).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClozeItems {
    /// The highest cloze number the note has ever used.
    pub high: u32,
    /// (item fingerprint, cloze number), in number order.
    pub items: Vec<(u32, u32)>,
}

impl ClozeItems {
    fn parse(text: &str) -> Option<ClozeItems> {
        let (high, items) = text.split_once('/')?;
        let mut out = ClozeItems {
            high: high.parse().ok()?,
            items: Vec::new(),
        };
        for item in items.split(',').filter(|i| !i.is_empty()) {
            let (fp, number) = item.split_once('=')?;
            if fp.len() != 8 {
                return None;
            }
            let number: u32 = number.parse().ok()?;
            if number == 0 || number > out.high {
                return None;
            }
            out.items.push((u32::from_str_radix(fp, 16).ok()?, number));
        }
        Some(out)
    }

    fn write<W: std::fmt::Write>(&self, out: &mut W) {
        let _ = write!(out, "{}/", self.high);
        for (index, (fp, number)) in self.items.iter().enumerate() {
            let comma = if index > 0 { "," } else { "" };
            let _ = write!(out, "{comma}{fp:08x}={number}");
        }
    }
}

/// The fingerprint of a cloze item: the first 4 bytes of the SHA-256 of its normalised text.
pub fn item_fingerprint(normalised: &str) -> u32 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(normalised.as_bytes());
    u32::from_be_bytes(digest[..4].try_into().expect("sha256 has 32 bytes"))
}

fn kind_name(kind: NotetypeKind) -> &'static str {
    match kind {
        NotetypeKind::Standard => "basic",
        NotetypeKind::Cloze => "cloze",
    }
}

/// `basic` or `cloze`, as the lock and the build report name note types.
pub fn kind_label(kind: NotetypeKind) -> &'static str {
    kind_name(kind)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedNote {
    pub guid: String,
    pub note_id: i64,
    pub mtime: i64,
    /// The content hash (see `identity::content_hash`), shown as 16 hex digits.
    pub hash: u64,
    /// MinHash of the question and answer text; `None` in v1 lock files.
    pub signature: Option<Signature>,
    /// The note type; `None` in v1 and v2 lock files (taken as unchanged).
    pub kind: Option<NotetypeKind>,
    /// For a cloze note, which item each cloze number asks for; `None` for basic notes and in
    /// v1 and v2 lock files (taken as numbered by position).
    pub clozes: Option<ClozeItems>,
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
                ["note", guid, note_id, mtime, hash, rest @ ..]
                    if matches!(rest.len(), 2 | 3 | 5) =>
                {
                    let (signature, kind, clozes, deck, key) = match rest {
                        [deck, key] => (None, None, None, deck, key),
                        [signature, deck, key] => (Some(*signature), None, None, deck, key),
                        [signature, kind, items, deck, key] => {
                            let kind = match *kind {
                                "basic" => NotetypeKind::Standard,
                                "cloze" => NotetypeKind::Cloze,
                                _ => return Err(bad()),
                            };
                            let clozes = match (kind, *items) {
                                (NotetypeKind::Standard, "-") => None,
                                (NotetypeKind::Cloze, items) => {
                                    Some(ClozeItems::parse(items).ok_or_else(bad)?)
                                }
                                _ => return Err(bad()),
                            };
                            (Some(*signature), Some(kind), clozes, deck, key)
                        }
                        _ => return Err(bad()),
                    };
                    let signature = match signature {
                        Some(s) if !s.starts_with('-') => {
                            Some(Signature::from_hex(s).ok_or_else(bad)?)
                        }
                        _ => None,
                    };
                    let note = LockedNote {
                        guid: guid.to_string(),
                        note_id: note_id.parse().map_err(|_| bad())?,
                        mtime: mtime.parse().map_err(|_| bad())?,
                        hash: u64::from_str_radix(hash, 16).map_err(|_| bad())?,
                        signature,
                        kind,
                        clozes,
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
        // A note always has a type once a v3 build wrote it; `basic` stands in for the
        // unknown one only in locks rendered straight from an old file.
        let kind = n.kind.unwrap_or(NotetypeKind::Standard);
        let _ = write!(self.out, "\t{}\t", kind_name(kind));
        match (&n.clozes, kind) {
            (Some(c), NotetypeKind::Cloze) => c.write(&mut self.out),
            (None, NotetypeKind::Cloze) => {
                let _ = self.out.write_str("0/");
            }
            _ => {
                let _ = self.out.write_str("-");
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
                kind: Some(NotetypeKind::Standard),
                clozes: None,
            },
        );
        lock.insert(
            "Deck",
            "deck/a b/list",
            LockedNote {
                guid: "h".into(),
                note_id: 3000,
                mtime: 4,
                hash: 0xcd,
                signature: Some(Signature::of("q", "a")),
                kind: Some(NotetypeKind::Cloze),
                clozes: Some(ClozeItems {
                    high: 5,
                    items: vec![(0x3f2a_9c1e, 1), (0x0000_00ab, 2), (0xffff_ffff, 5)],
                }),
            },
        );
        let text = lock.render();
        assert!(text.starts_with("# primer-anki lock v3"), "{text}");
        assert!(
            text.contains("\tcloze\t5/3f2a9c1e=1,000000ab=2,ffffffff=5\tDeck\tdeck/a b/list\n"),
            "{text}"
        );
        assert!(
            text.contains("\tbasic\t-\tDeck\tdeck/a b/summary\n"),
            "{text}"
        );
        assert_eq!(Lock::parse(&text, Path::new("x")).unwrap(), lock);
    }

    #[test]
    fn reads_v2_lines_without_a_type() {
        let signature = Signature::of("q", "a").to_hex();
        let lock = Lock::parse(
            &format!("note\tg\t1\t2\t00000000000000ff\t{signature}\tDeck\tdeck/a/list\n"),
            Path::new("x"),
        )
        .unwrap();
        let note = lock.get("Deck", "deck/a/list").unwrap();
        assert_eq!(note.signature, Some(Signature::of("q", "a")));
        assert_eq!((note.kind, &note.clozes), (None, &None));
    }

    #[test]
    fn rejects_bad_type_and_item_columns() {
        let signature = Signature::of("q", "a").to_hex();
        for (kind, items) in [
            ("note", "-"),
            ("basic", "1/"),
            ("cloze", "-"),
            ("cloze", "2/3f2a9c1e=3"),
            ("cloze", "2/3f2a9c=1"),
            ("cloze", "x/"),
        ] {
            let line = format!("note\tg\t1\t2\tff\t{signature}\t{kind}\t{items}\tDeck\tk\n");
            assert!(Lock::parse(&line, Path::new("x")).is_err(), "{line}");
        }
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
        assert_eq!((note.kind, &note.clozes), (None, &None));
    }

    #[test]
    fn malformed_lines_name_the_line() {
        let err = Lock::parse("# c\nnote\tbroken\n", Path::new("x.lock")).unwrap_err();
        assert_eq!(err.location.unwrap().line, 2);
    }
}
