//! The lock file: for every note, its identity key → GUID, note id, content hash, mtime, a
//! similarity signature (to recognise the note after a rename or move, see `similarity`), its
//! note type, and for a cloze note which item each cloze number asks for.
//!
//! Plain text, one note per tab-separated line, decks in manifest order and notes in document
//! order (like a table of contents), so it diffs well in git:
//!
//! ```text
//! # primer-anki lock v4 …
//! deck <TAB> id <TAB> namespace <TAB> name
//! notetype <TAB> id <TAB> mtime <TAB> hash
//! note <TAB> guid <TAB> note id <TAB> mtime <TAB> hash <TAB> signature <TAB> type <TAB> items <TAB> deck <TAB> key
//! ```
//!
//! `type` is `basic` or `cloze`. `items` is `-` for a basic note; for a cloze note it is the
//! highest cloze number the note ever used, a `/`, and `fingerprint=number` for each deletion,
//! comma-separated (`5/3f2a9c1e=1,77ab0c12=2,9d0e1f23=4`): the fingerprint is 8 hex digits of
//! the SHA-256 of the deletion's normalised text (see [`item_fingerprint`]).
//!
//! A `deck` line ties a deck's fixed id to the name its GUIDs are derived from (its namespace,
//! the name it had when the lock first recorded it) and to its current name, so that renaming a
//! deck in the manifest keeps every GUID (see [`Lock::follow_deck_renames`]). A lock without
//! deck lines (v1 to v3) takes each deck's name as its namespace, which is what derived its
//! GUIDs.
//!
//! A `gone` line has the columns of a `note` line and records a note an earlier build removed
//! (a section deleted, a deck dropped): Anki never deletes a note on import, so learners still
//! have it. When its key comes back, the build gives the note its old GUID, id and cloze
//! numbers (Anki updates the learner's note, reviews and all), and `diff` calls it restored
//! rather than added; no new note takes its GUID meanwhile. A lock has no `gone` line until a
//! build removes a note, so older locks read, and unchanged ones are written, byte for byte as
//! before; a build older than `gone` lines rejects a lock that has them.
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

/// The lock format this build writes and the newest it reads.
const VERSION: u32 = 4;

const HEADER: &str = "# primer-anki lock v4: note identities, kept by `primer-anki build`. Commit it; do not edit by hand.\n# deck\tid\tnamespace\tname\n# notetype\tid\tmtime\thash\n# note\tguid\tnote id\tmtime\tcontent hash\tsimilarity signature\ttype\tcloze items\tdeck\tkey\n";

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

/// A deck's fixed id and the name its GUIDs derive from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedDeck {
    pub id: i64,
    /// The name the deck's GUIDs are derived from: its name when the lock first recorded it.
    pub namespace: String,
}

/// A deck the manifest renamed: its notes keep their GUIDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeckRename {
    pub id: i64,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lock {
    /// Deck name → identity → note.
    pub decks: BTreeMap<String, HashMap<String, LockedNote>>,
    /// Deck name → its id and GUID namespace (empty in v1 to v3 lock files).
    pub deck_info: BTreeMap<String, LockedDeck>,
    /// Note type id → what it looked like last time.
    pub notetypes: BTreeMap<i64, LockedNotetype>,
    /// Deck name → identity → a note an earlier build removed (its `gone` line). No identity
    /// is both here and in `decks`.
    pub gone: BTreeMap<String, HashMap<String, LockedNote>>,
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
            if let Some(version) = line
                .strip_prefix("# primer-anki lock v")
                .and_then(|rest| rest.split(':').next())
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|&v| v > VERSION)
            {
                return Err(newer_lock(path, index, &format!("lock v{version}")));
            }
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || {
                Error::new("malformed lock file line")
                    .at(SourceLocation::new(path, index + 1, 0))
                    .help("restore the lock file from git; if it is lost, rebuild with `--adopt` of the last published decks, which carry their lock")
            };
            let parts: Vec<&str> = line.split('\t').collect();
            // A line of a kind this build does not know (a lowercase word, then a tab) is a
            // newer build's: say so, rather than call the lock broken and have it deleted.
            if let Some(tag) = parts.first().filter(|t| {
                parts.len() > 1
                    && !matches!(**t, "deck" | "notetype" | "note" | "gone")
                    && !t.is_empty()
                    && t.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            }) {
                return Err(newer_lock(path, index, &format!("`{tag}` lines")));
            }
            match parts.as_slice() {
                ["deck", id, namespace, name] => {
                    let id = id.parse().map_err(|_| bad())?;
                    let namespace = namespace.to_string();
                    lock.deck_info
                        .insert(name.to_string(), LockedDeck { id, namespace });
                }
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
                [
                    tag @ ("note" | "gone"),
                    guid,
                    note_id,
                    mtime,
                    hash,
                    rest @ ..,
                ] if matches!(rest.len(), 2 | 3 | 5) => {
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
                    if *tag == "gone" {
                        lock.gone
                            .entry(deck.to_string())
                            .or_default()
                            .insert(key.to_string(), note);
                    } else {
                        lock.insert(deck, key, note);
                    }
                }
                _ => return Err(bad()),
            }
        }
        Ok(lock)
    }

    /// The name deck `deck`'s GUIDs are derived from: its namespace, or its own name.
    pub fn namespace<'a>(&'a self, deck: &'a str) -> &'a str {
        self.deck_info
            .get(deck)
            .map_or(deck, |d| d.namespace.as_str())
    }

    /// Moves the notes of every deck the manifest renamed (same fixed id, another name) to
    /// the new name, keeping the deck's namespace and so every GUID; records every deck of
    /// `decks` (name, id) with its namespace. Returns the renames.
    ///
    /// A deck is taken as renamed when the lock knows its id under another name that the
    /// manifest no longer has, and has no notes under the new name. A lock without deck lines
    /// (v1 to v3) knows no ids: `known_ids` (id → name, e.g. from the decks the last build
    /// wrote) stands in for them.
    pub fn follow_deck_renames(
        &mut self,
        decks: &[(&str, i64)],
        known_ids: &BTreeMap<i64, String>,
    ) -> Vec<DeckRename> {
        let mut renames = Vec::new();
        let current: std::collections::HashSet<&str> = decks.iter().map(|d| d.0).collect();
        for &(name, id) in decks {
            if self.decks.get(name).is_some_and(|n| !n.is_empty()) {
                continue;
            }
            let old_name = self
                .deck_info
                .iter()
                .find(|(n, d)| d.id == id && n.as_str() != name)
                .map(|(n, _)| n.clone())
                .or_else(|| {
                    known_ids
                        .get(&id)
                        .filter(|n| n.as_str() != name && !self.deck_info.contains_key(*n))
                        .cloned()
                })
                .filter(|old| !current.contains(old.as_str()) && self.decks.contains_key(old));
            let Some(old_name) = old_name else { continue };
            let notes = self.decks.remove(&old_name).unwrap_or_default();
            // The deck's removed notes are the renamed deck's: they come back under its name.
            if let Some(gone) = self.gone.remove(&old_name) {
                self.gone.insert(name.to_string(), gone);
            }
            let info = self.deck_info.remove(&old_name).unwrap_or(LockedDeck {
                id,
                namespace: old_name.clone(),
            });
            self.decks.insert(name.to_string(), notes);
            self.deck_info.insert(name.to_string(), info);
            renames.push(DeckRename {
                id,
                from: old_name,
                to: name.to_string(),
            });
        }
        for &(name, id) in decks {
            let namespace = self.namespace(name).to_string();
            self.deck_info
                .insert(name.to_string(), LockedDeck { id, namespace });
        }
        renames
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

    /// The note of `deck` with `identity` that an earlier build removed, if the lock has one.
    pub fn gone_note(&self, deck: &str, identity: &str) -> Option<&LockedNote> {
        self.gone.get(deck)?.get(identity)
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
        let mut writer = LockWriter::new(String::new(), &self.deck_info, &self.notetypes);
        for (deck, key, note) in self.sorted() {
            writer.note(deck, key, note);
        }
        writer.all_gone(&self.gone);
        writer.finish()
    }
}

/// Writes lock text line by line, so a build never holds the whole file in memory.
pub struct LockWriter<W: std::fmt::Write> {
    out: W,
}

impl<W: std::fmt::Write> LockWriter<W> {
    /// Starts the text: the header, the deck lines and the note type lines.
    pub fn new(
        mut out: W,
        decks: &BTreeMap<String, LockedDeck>,
        notetypes: &BTreeMap<i64, LockedNotetype>,
    ) -> Self {
        let _ = out.write_str(HEADER);
        let mut decks: Vec<_> = decks.iter().collect();
        decks.sort_by_key(|(_, d)| d.id);
        for (name, deck) in decks {
            let _ = writeln!(
                out,
                "deck\t{}\t{}\t{}",
                deck.id,
                clean(&deck.namespace),
                clean(name)
            );
        }
        for (id, nt) in notetypes {
            let _ = writeln!(out, "notetype\t{id}\t{}\t{}", nt.mtime, nt.hash);
        }
        LockWriter { out }
    }

    pub fn note(&mut self, deck: &str, identity: &str, n: &LockedNote) {
        self.line("note", deck, identity, n);
    }

    /// Appends text made by [`note_line`]: a build writes each note's line to the lock file
    /// and to the copy its deck carries, and formats it once for both.
    pub fn note_text(&mut self, line: &str) {
        let _ = self.out.write_str(line);
    }

    /// The `gone` line of a note an earlier build removed.
    pub fn gone(&mut self, deck: &str, identity: &str, n: &LockedNote) {
        self.line("gone", deck, identity, n);
    }

    /// The `gone` lines of every deck of `gone` (deck → identity → note), sorted by deck then
    /// identity, after the notes: a lock changes in one place when a note goes.
    pub fn all_gone(&mut self, gone: &BTreeMap<String, HashMap<String, LockedNote>>) {
        for (deck, notes) in gone {
            let mut notes: Vec<_> = notes.iter().collect();
            notes.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (key, note) in notes {
                self.gone(deck, key, note);
            }
        }
    }

    fn line(&mut self, tag: &str, deck: &str, identity: &str, n: &LockedNote) {
        write_line(&mut self.out, tag, deck, identity, n);
    }

    /// The text written so far.
    pub fn output(&mut self) -> &mut W {
        &mut self.out
    }

    pub fn finish(self) -> W {
        self.out
    }
}

/// The `note` line of a note, appended to `out`, for [`LockWriter::note_text`].
pub fn note_line(out: &mut String, deck: &str, identity: &str, n: &LockedNote) {
    push_line(out, "note", deck, identity, n);
}

fn write_line<W: std::fmt::Write>(
    out: &mut W,
    tag: &str,
    deck: &str,
    identity: &str,
    n: &LockedNote,
) {
    let mut line = String::with_capacity(256);
    push_line(&mut line, tag, deck, identity, n);
    let _ = out.write_str(&line);
}

/// Appends a note's line to `out`, built by hand: `write!` cost more than the rest of the
/// line, and a build writes one per note. The text is what `{tag}\t{guid}\t{note id}\t{mtime}\t
/// {hash:016x}\t…` formats (see the test against it).
fn push_line(out: &mut String, tag: &str, deck: &str, identity: &str, n: &LockedNote) {
    out.push_str(tag);
    out.push('\t');
    out.push_str(&n.guid);
    out.push('\t');
    push_decimal(out, n.note_id);
    out.push('\t');
    push_decimal(out, n.mtime);
    out.push('\t');
    push_hex(out, n.hash, 16);
    out.push('\t');
    match n.signature {
        Some(s) => s.write_hex(out),
        None => out.extend(std::iter::repeat_n('-', SLOTS * 2)),
    }
    // A note always has a type once a v3 build wrote it; `basic` stands in for the unknown
    // one only in locks rendered straight from an old file.
    let kind = n.kind.unwrap_or(NotetypeKind::Standard);
    out.push('\t');
    out.push_str(kind_name(kind));
    out.push('\t');
    match (&n.clozes, kind) {
        (Some(c), NotetypeKind::Cloze) => {
            push_decimal(out, i64::from(c.high));
            out.push('/');
            for (index, &(fp, number)) in c.items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                push_hex(out, u64::from(fp), 8);
                out.push('=');
                push_decimal(out, i64::from(number));
            }
        }
        (None, NotetypeKind::Cloze) => out.push_str("0/"),
        _ => out.push('-'),
    }
    out.push('\t');
    out.push_str(&clean(deck));
    out.push('\t');
    out.push_str(&clean(identity));
    out.push('\n');
}

/// `n` in decimal, as `{}` formats it (by itoa, which serde_json already uses).
fn push_decimal(out: &mut String, n: i64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// `n` in lowercase hex, zero-padded to at least `width` digits, as `{:0width$x}` formats it.
fn push_hex(out: &mut String, n: u64, width: usize) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 16];
    let mut at = digits.len();
    let mut rest = n;
    while rest != 0 || digits.len() - at < width {
        at -= 1;
        digits[at] = DIGITS[(rest & 15) as usize];
        rest >>= 4;
    }
    out.push_str(std::str::from_utf8(&digits[at..]).expect("hex digits are ASCII"));
}

/// Keys and deck names never hold tabs or newlines in practice; make sure they cannot break
/// the line format.
fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| matches!(b, b'\t' | b'\n' | b'\r')) {
        s.replace(['\t', '\n', '\r'], " ").into()
    } else {
        s.into()
    }
}

/// A lock written by a newer primer-anki (`what` says how we know): it is not broken, and
/// deleting it would cost learners their reviews; the fix is a newer build.
fn newer_lock(path: &Path, index: usize, what: &str) -> Error {
    Error::new(format!(
        "this lock file was written by a newer primer-anki ({what}; this one reads up to lock v{VERSION})"
    ))
    .at(SourceLocation::new(path, index + 1, 0))
    .help("upgrade primer-anki (see README: Install); do not delete or edit the lock, its identities keep learners' reviews")
}

#[cfg(test)]
#[path = "lock_tests.rs"]
mod tests;
