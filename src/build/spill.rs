//! Rendered notes parked on disk between a build's two passes.
//!
//! The first pass renders every file (on all cores) but keeps only a small digest of each note
//! in memory (see `identity::FileNotes`); the note's fields go here, to a temporary file per
//! worker. Once identities are decided, the second pass reads the notes back in document order
//! and streams them into the package. Memory then grows with the number of notes only by the
//! digest, not by the text.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};

use crate::identity::similarity::{SLOTS, Signature};
use crate::package::model::NotetypeKind;
use crate::render::{NoteDraft, NoteFields};

/// Where one source file's notes sit in a worker's spill file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub worker: usize,
    pub start: u64,
    pub end: u64,
}

/// A note as read back: what the package needs beyond its identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpilledNote {
    /// The note's identity (see `identity::identity_of`).
    pub identity: String,
    pub kind: NotetypeKind,
    pub card_count: u32,
    pub signature: Signature,
    pub fields: NoteFields,
    pub tags: Vec<String>,
}

impl Default for SpilledNote {
    /// An empty note to read into (see [`SpillReader::next_into`]).
    fn default() -> Self {
        SpilledNote {
            identity: String::new(),
            kind: NotetypeKind::Standard,
            card_count: 0,
            signature: Signature([0; SLOTS]),
            fields: NoteFields::default(),
            tags: Vec::new(),
        }
    }
}

/// Appends notes to one worker's temporary file.
pub struct SpillWriter {
    out: BufWriter<File>,
    written: u64,
}

impl SpillWriter {
    pub fn new(file: File) -> Self {
        SpillWriter {
            out: BufWriter::with_capacity(1 << 20, file),
            written: 0,
        }
    }

    /// Bytes written so far: the offset of the next note.
    pub fn position(&self) -> u64 {
        self.written
    }

    pub fn write(
        &mut self,
        draft: &NoteDraft,
        identity: &str,
        signature: &Signature,
    ) -> io::Result<()> {
        let kind = match draft.kind {
            NotetypeKind::Standard => 0u8,
            NotetypeKind::Cloze => 1u8,
        };
        self.bytes(&[kind])?;
        self.bytes(&draft.card_count.to_le_bytes())?;
        self.bytes(&signature.0)?;
        self.text(identity)?;
        let f = &draft.fields;
        for text in [&f.front, &f.back, &f.context, &f.source, &f.further_reading] {
            self.text(text)?;
        }
        self.bytes(&(draft.tags.len() as u32).to_le_bytes())?;
        for tag in &draft.tags {
            self.text(tag)?;
        }
        Ok(())
    }

    /// Flushes and hands back the file for reading.
    pub fn finish(self) -> io::Result<File> {
        self.out.into_inner().map_err(|e| e.into_error())
    }

    fn bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn text(&mut self, text: &str) -> io::Result<()> {
        let len = u32::try_from(text.len())
            .map_err(|_| io::Error::other("a field is larger than 4 GB"))?;
        self.bytes(&len.to_le_bytes())?;
        self.bytes(text.as_bytes())
    }
}

/// The largest read-back buffer.
const READ_BUFFER: usize = 1 << 20;

/// Reads one segment's notes back, in the order they were written.
pub struct SpillReader<'a> {
    input: BufReader<ReadAt<'a>>,
    remaining: u64,
}

/// A file read from a position of its own rather than the file's shared one: the decks of a
/// build are read back on several threads at once, and two of them may share a spill file.
struct ReadAt<'a> {
    file: &'a File,
    position: u64,
}

impl Read for ReadAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(self.file, buf, self.position)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(self.file, buf, self.position)?;
        self.position += n as u64;
        Ok(n)
    }
}

impl<'a> SpillReader<'a> {
    pub fn new(file: &'a File, segment: Segment) -> io::Result<Self> {
        let at = ReadAt {
            file,
            position: segment.start,
        };
        // No bigger than the segment: a buffer fills itself whole, so a 1 MB one read 1 MB
        // (and faulted in a fresh 1 MB) for every file, however few notes it had. With 1,000
        // files of 100 notes that was 1 GB read back for 50 MB of notes.
        let length = segment.end.saturating_sub(segment.start);
        let capacity = usize::try_from(length).map_or(READ_BUFFER, |n| n.min(READ_BUFFER));
        Ok(SpillReader {
            input: BufReader::with_capacity(capacity, at),
            remaining: segment.end - segment.start,
        })
    }

    /// The next note, or `None` at the end of the segment.
    pub fn next_note(&mut self) -> io::Result<Option<SpilledNote>> {
        let mut note = SpilledNote::default();
        Ok(self.next_into(&mut note)?.then_some(note))
    }

    /// Reads the next note into `note`, reusing its strings (the second pass reads every note
    /// of a build: an allocation per string showed in its profile); `false` at the end of the
    /// segment.
    pub fn next_into(&mut self, note: &mut SpilledNote) -> io::Result<bool> {
        if self.remaining == 0 {
            return Ok(false);
        }
        let mut head = [0u8; 1 + 4 + SLOTS];
        self.exact(&mut head)?;
        note.kind = if head[0] == 1 {
            NotetypeKind::Cloze
        } else {
            NotetypeKind::Standard
        };
        note.card_count = u32::from_le_bytes(head[1..5].try_into().expect("4 bytes"));
        note.signature.0.copy_from_slice(&head[5..]);
        self.text_into(&mut note.identity)?;
        let fields = &mut note.fields;
        for field in [
            &mut fields.front,
            &mut fields.back,
            &mut fields.context,
            &mut fields.source,
            &mut fields.further_reading,
        ] {
            self.text_into(field)?;
        }
        let count = self.u32()? as usize;
        note.tags.truncate(count);
        for index in 0..count {
            if index == note.tags.len() {
                note.tags.push(String::new());
            }
            self.text_into(&mut note.tags[index])?;
        }
        Ok(true)
    }

    fn exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.input.read_exact(buf)?;
        self.remaining = self.remaining.saturating_sub(buf.len() as u64);
        Ok(())
    }

    fn u32(&mut self) -> io::Result<u32> {
        let mut buf = [0u8; 4];
        self.exact(&mut buf)?;
        Ok(u32::from_le_bytes(buf))
    }

    /// Reads a text into `out`, replacing what it held.
    fn text_into(&mut self, out: &mut String) -> io::Result<()> {
        let len = self.u32()? as usize;
        out.clear();
        let invalid = |e| io::Error::new(io::ErrorKind::InvalidData, e);
        // Straight from the reader's buffer when the text is in it (nearly always).
        if let Some(bytes) = self.input.buffer().get(..len) {
            out.push_str(std::str::from_utf8(bytes).map_err(invalid)?);
            self.input.consume(len);
            self.remaining = self.remaining.saturating_sub(len as u64);
            return Ok(());
        }
        let mut buf = std::mem::take(out).into_bytes();
        buf.resize(len, 0);
        self.exact(&mut buf)?;
        *out = String::from_utf8(buf).map_err(|e| invalid(e.utf8_error()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::SourceLocation;

    #[test]
    fn notes_come_back_as_written() {
        let draft = NoteDraft {
            key: "d/k".into(),
            pin: None,
            rule: "list",
            repeat: 1,
            deck: 0,
            kind: NotetypeKind::Cloze,
            fields: NoteFields {
                front: "{{c1::é}}".into(),
                back: String::new(),
                context: "A › B".into(),
                source: "https://x/#a".into(),
                further_reading: "<ul></ul>".into(),
            },
            tags: vec!["a::b".into(), "c".into()],
            card_count: 3,
            origin: SourceLocation::new("f.md", 1, 0),
        };
        let signature = Signature::of("q", "a");
        let mut writer = SpillWriter::new(tempfile::tempfile().unwrap());
        writer.write(&draft, "d/k", &signature).unwrap();
        let middle = writer.position();
        writer.write(&draft, "d/k", &signature).unwrap();
        let end = writer.position();
        let file = writer.finish().unwrap();
        let segment = Segment {
            worker: 0,
            start: middle,
            end,
        };
        let mut reader = SpillReader::new(&file, segment).unwrap();
        let note = reader.next_note().unwrap().unwrap();
        assert_eq!(note.identity, "d/k");
        assert_eq!(note.fields, draft.fields);
        assert_eq!(note.tags, draft.tags);
        assert_eq!(note.card_count, 3);
        assert_eq!(note.kind, NotetypeKind::Cloze);
        assert_eq!(note.signature, signature);
        assert_eq!(reader.next_note().unwrap(), None);
    }

    #[test]
    fn notes_read_into_one_buffer_come_back_as_written() {
        // Fields larger than half the read buffer: some cross its end.
        let big = "é".repeat(READ_BUFFER / 5);
        let mut drafts = Vec::new();
        for (n, tags) in [3, 0, 1, 2].into_iter().enumerate() {
            drafts.push(NoteDraft {
                key: format!("d/{n}"),
                pin: None,
                rule: "list",
                repeat: 1,
                deck: 0,
                kind: NotetypeKind::Standard,
                fields: NoteFields {
                    front: format!("{n}{big}"),
                    back: n.to_string(),
                    context: String::new(),
                    source: big.clone(),
                    further_reading: "x".repeat(n),
                },
                tags: (0..tags).map(|t| format!("t{n}{t}")).collect(),
                card_count: 1,
                origin: SourceLocation::new("f.md", 1, 0),
            });
        }
        let signature = Signature::of("q", "a");
        let mut writer = SpillWriter::new(tempfile::tempfile().unwrap());
        for draft in &drafts {
            writer.write(draft, &draft.key, &signature).unwrap();
        }
        let end = writer.position();
        let file = writer.finish().unwrap();
        let segment = Segment {
            worker: 0,
            start: 0,
            end,
        };
        let mut reader = SpillReader::new(&file, segment).unwrap();
        let mut note = SpilledNote::default();
        for draft in &drafts {
            assert!(reader.next_into(&mut note).unwrap());
            assert_eq!(note.identity, draft.key);
            assert_eq!(note.fields, draft.fields);
            assert_eq!(note.tags, draft.tags);
        }
        assert!(!reader.next_into(&mut note).unwrap());
    }
}
