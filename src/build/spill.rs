//! Rendered notes parked on disk between a build's two passes.
//!
//! The first pass renders every file (on all cores) but keeps only a small digest of each note
//! in memory (see `identity::FileNotes`); the note's fields go here, to a temporary file per
//! worker. Once identities are decided, the second pass reads the notes back in document order
//! and streams them into the package. Memory then grows with the number of notes only by the
//! digest, not by the text.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

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
    input: BufReader<&'a File>,
    remaining: u64,
}

impl<'a> SpillReader<'a> {
    pub fn new(file: &'a File, segment: Segment) -> io::Result<Self> {
        let mut handle = file;
        handle.seek(SeekFrom::Start(segment.start))?;
        // No bigger than the segment: a buffer fills itself whole, so a 1 MB one read 1 MB
        // (and faulted in a fresh 1 MB) for every file, however few notes it had. With 1,000
        // files of 100 notes that was 1 GB read back for 50 MB of notes.
        let length = segment.end.saturating_sub(segment.start);
        let capacity = usize::try_from(length).map_or(READ_BUFFER, |n| n.min(READ_BUFFER));
        Ok(SpillReader {
            input: BufReader::with_capacity(capacity, file),
            remaining: segment.end - segment.start,
        })
    }

    /// The next note, or `None` at the end of the segment.
    pub fn next_note(&mut self) -> io::Result<Option<SpilledNote>> {
        if self.remaining == 0 {
            return Ok(None);
        }
        let mut head = [0u8; 1 + 4 + SLOTS];
        self.exact(&mut head)?;
        let kind = if head[0] == 1 {
            NotetypeKind::Cloze
        } else {
            NotetypeKind::Standard
        };
        let card_count = u32::from_le_bytes(head[1..5].try_into().expect("4 bytes"));
        let mut signature = Signature([0; SLOTS]);
        signature.0.copy_from_slice(&head[5..]);
        let identity = self.text()?;
        let fields = NoteFields {
            front: self.text()?,
            back: self.text()?,
            context: self.text()?,
            source: self.text()?,
            further_reading: self.text()?,
        };
        let count = self.u32()? as usize;
        let mut tags = Vec::with_capacity(count.min(64));
        for _ in 0..count {
            tags.push(self.text()?);
        }
        Ok(Some(SpilledNote {
            identity,
            kind,
            card_count,
            signature,
            fields,
            tags,
        }))
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

    fn text(&mut self) -> io::Result<String> {
        let len = self.u32()? as usize;
        let mut buf = vec![0u8; len];
        self.exact(&mut buf)?;
        String::from_utf8(buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
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
}
