//! Deflates a big file on all cores: the file is cut into fixed-size chunks, each chunk is
//! compressed on its own and ends on a byte boundary (a sync flush), and the pieces are handed
//! out in file order. Concatenated, they form the blocks of one raw deflate stream that still
//! needs a final block (the zip entry's own encoder writes it).
//!
//! The chunk size is fixed, not derived from the number of cores, so the bytes are the same on
//! every machine. Chunks are large enough that starting each with an empty window costs next to
//! nothing in size.
//!
//! Chunks can also be compressed [`ahead`] of time, while the file is still being finished
//! elsewhere (SQLite creating indexes): such a piece is used only if its chunk still has the
//! CRC it was made from, so the output is the same bytes either way.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use flate2::{Compress, Compression, FlushCompress};

/// Bytes of input per independently compressed chunk.
pub const CHUNK: usize = 4 << 20;

/// A file's length and CRC-32, as a zip entry records them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    pub len: u64,
    pub crc32: u32,
    /// Chunks whose piece compressed ahead of time was used.
    pub reused: usize,
}

/// Compresses the file at `path` at deflate `level` in `chunk`-byte pieces on up to
/// `available_parallelism` threads and passes the compressed pieces to `out` in file order.
/// Memory stays bounded: each thread holds one chunk and one compressed piece at a time.
pub fn deflate_file(
    path: &Path,
    level: u32,
    chunk: usize,
    ahead: Option<&Ahead>,
    mut out: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<Checked> {
    let len = std::fs::metadata(path)?.len();
    let chunks = len.div_ceil(chunk as u64);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(usize::try_from(chunks).unwrap_or(usize::MAX))
        .max(1);
    let mut crc = crc32fast::Hasher::new();
    let mut reused = 0;
    let mut take = |piece: Piece| -> io::Result<()> {
        crc.combine(&crc32fast::Hasher::new_with_initial_len(
            piece.crc32,
            piece.len,
        ));
        reused += usize::from(piece.reused);
        out(&piece.compressed)
    };
    if threads == 1 {
        // One chunk (most collections): on this thread, whose memory is already paged in. A
        // thread of its own faulted in fresh pages for the compressor and the chunk, about a
        // tenth of the packaging of the primer's small decks.
        let mut worker = Worker::new(path, level, chunk, ahead)?;
        for index in 0..chunks {
            take(worker.compress(index)?)?;
        }
    } else {
        deflate_on_threads(path, (level, chunk, ahead), (chunks, threads), &mut take)?;
    }
    Ok(Checked {
        len,
        crc32: crc.finalize(),
        reused,
    })
}

/// [`deflate_file`]'s chunks compressed on `threads` threads, chunk `i` on thread
/// `i % threads`, each handed to `take` in order.
fn deflate_on_threads(
    path: &Path,
    (level, chunk, ahead): (u32, usize, Option<&Ahead>),
    (chunks, threads): (u64, usize),
    take: &mut dyn FnMut(Piece) -> io::Result<()>,
) -> io::Result<()> {
    std::thread::scope(|scope| -> io::Result<()> {
        let mut pieces = Vec::with_capacity(threads);
        for first in 0..threads {
            // Capacity 1: a thread runs at most one chunk ahead of the writer.
            let (send, receive) = mpsc::sync_channel::<io::Result<Piece>>(1);
            pieces.push(receive);
            scope.spawn(move || {
                let mut worker = match Worker::new(path, level, chunk, ahead) {
                    Ok(worker) => worker,
                    Err(e) => {
                        let _ = send.send(Err(e));
                        return;
                    }
                };
                let mut index = first as u64;
                while index < chunks {
                    let piece = worker.compress(index);
                    let failed = piece.is_err();
                    // A closed channel means the writer stopped on an error: stop too.
                    if send.send(piece).is_err() || failed {
                        return;
                    }
                    index += threads as u64;
                }
            });
        }
        for index in 0..chunks {
            let thread = (index % threads as u64) as usize;
            let piece = pieces[thread]
                .recv()
                .map_err(|_| io::Error::other("a compression thread stopped early"))??;
            take(piece)?;
        }
        Ok(())
    })
}

/// One chunk, compressed.
struct Piece {
    compressed: Vec<u8>,
    len: u64,
    crc32: u32,
    reused: bool,
}

/// A thread's own file handles (so reads do not share a file position), input buffer and
/// compressor, reused from chunk to chunk.
struct Worker<'a> {
    file: File,
    chunk: usize,
    input: Vec<u8>,
    compress: Compress,
    ahead: Option<(&'a Ahead, File)>,
}

impl<'a> Worker<'a> {
    fn new(path: &Path, level: u32, chunk: usize, ahead: Option<&'a Ahead>) -> io::Result<Self> {
        let ahead = match ahead {
            Some(ahead) => Some((ahead, ahead.pieces.reopen()?)),
            None => None,
        };
        let file = File::open(path)?;
        // No bigger than the file: most collections are a fraction of a chunk.
        let room = usize::try_from(file.metadata()?.len()).map_or(chunk, |len| len.min(chunk));
        Ok(Worker {
            file,
            chunk,
            input: Vec::with_capacity(room),
            compress: Compress::new(Compression::new(level), false),
            ahead,
        })
    }

    /// The chunk at `index`: its piece from ahead of time if the chunk is unchanged since,
    /// else compressed now.
    fn compress(&mut self, index: u64) -> io::Result<Piece> {
        self.input.clear();
        self.file.seek(SeekFrom::Start(index * self.chunk as u64))?;
        (&mut self.file)
            .take(self.chunk as u64)
            .read_to_end(&mut self.input)?;
        let crc32 = crc32fast::hash(&self.input);
        let len = self.input.len() as u64;
        if let Some((ahead, pieces)) = &mut self.ahead
            && let Some(early) = ahead.piece(index)
            && early.len == len
            && early.crc32 == crc32
        {
            let mut compressed = vec![0; early.compressed_len as usize];
            pieces.seek(SeekFrom::Start(early.offset))?;
            pieces.read_exact(&mut compressed)?;
            return Ok(Piece {
                compressed,
                len,
                crc32,
                reused: true,
            });
        }
        self.compress.reset();
        let compressed = deflate_block_aligned(&mut self.compress, &self.input)?;
        Ok(Piece {
            compressed,
            len,
            crc32,
            reused: false,
        })
    }
}

/// Pieces compressed ahead of time, waiting in a temporary file: chunk 1 onwards (chunk 0
/// holds the SQLite header, which changes to the last).
pub struct Ahead {
    pieces: tempfile::NamedTempFile,
    early: Vec<EarlyPiece>,
}

/// Where a piece compressed ahead of time is, and what input it was made from.
struct EarlyPiece {
    offset: u64,
    compressed_len: u64,
    len: u64,
    crc32: u32,
}

impl Ahead {
    fn piece(&self, index: u64) -> Option<&EarlyPiece> {
        let at = usize::try_from(index.checked_sub(1)?).ok()?;
        self.early.get(at)
    }
}

/// Compresses, on the calling thread, the whole chunks of `path` from the second one up to
/// byte `settled` (the first chunk holds the SQLite header, which changes to the last), into
/// `pieces`, until `stop` is set: from then on [`deflate_file`] does the rest on all cores. It
/// uses each piece whose chunk is still the same.
pub fn ahead(
    path: &Path,
    level: u32,
    chunk: usize,
    settled: u64,
    pieces: tempfile::NamedTempFile,
    stop: &AtomicBool,
) -> io::Result<Ahead> {
    let mut worker = Worker::new(path, level, chunk, None)?;
    let mut ahead = Ahead {
        pieces,
        early: Vec::new(),
    };
    let mut out = io::BufWriter::with_capacity(1 << 20, ahead.pieces.as_file_mut());
    let mut offset = 0;
    for index in 1..settled / chunk as u64 {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let piece = worker.compress(index)?;
        out.write_all(&piece.compressed)?;
        ahead.early.push(EarlyPiece {
            offset,
            compressed_len: piece.compressed.len() as u64,
            len: piece.len,
            crc32: piece.crc32,
        });
        offset += piece.compressed.len() as u64;
    }
    out.flush()?;
    drop(out);
    Ok(ahead)
}

/// `input` as deflate blocks that end on a byte boundary and are not final (a sync flush).
fn deflate_block_aligned(compress: &mut Compress, input: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() / 2 + 1024);
    let start = compress.total_in();
    loop {
        let consumed = (compress.total_in() - start) as usize;
        compress
            .compress_vec(&input[consumed..], &mut out, FlushCompress::Sync)
            .map_err(io::Error::other)?;
        // The flush is complete once all input is in and the output was not filled up.
        if (compress.total_in() - start) as usize == input.len() && out.len() < out.capacity() {
            return Ok(out);
        }
        out.reserve(out.capacity().max(64 * 1024));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text that compresses, with some noise so that chunks differ.
    fn sample(len: usize) -> Vec<u8> {
        let mut state = 0x2545_f491_u32;
        (0..len)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                if i % 7 == 0 {
                    (state % 251) as u8
                } else {
                    b"abcdefgh "[i % 9]
                }
            })
            .collect()
    }

    fn round_trip(data: &[u8], chunk: usize, level: u32) -> (Vec<u8>, Checked) {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(data).unwrap();
        let mut stream = Vec::new();
        let checked = deflate_file(file.path(), level, chunk, None, |piece| {
            stream.extend_from_slice(piece);
            Ok(())
        })
        .unwrap();
        // What the zip entry's own encoder adds: an empty final block.
        stream.extend_from_slice(&[0x03, 0x00]);
        let mut inflated = Vec::new();
        flate2::read::DeflateDecoder::new(stream.as_slice())
            .read_to_end(&mut inflated)
            .unwrap();
        (inflated, checked)
    }

    #[test]
    fn pieces_form_one_stream_with_the_file_crc() {
        for (len, chunk) in [
            (0, 64),
            (1, 64),
            (64, 64),
            (65, 64),
            (10_000, 1000),
            (100_003, 4096),
        ] {
            let data = sample(len);
            for level in [1, 6, 9] {
                let (inflated, checked) = round_trip(&data, chunk, level);
                assert_eq!(
                    inflated, data,
                    "{len} bytes, chunks of {chunk}, level {level}"
                );
                assert_eq!(checked.len, len as u64);
                assert_eq!(checked.crc32, crc32fast::hash(&data));
            }
        }
    }

    #[test]
    fn output_does_not_depend_on_timing() {
        let data = sample(50_000);
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&data).unwrap();
        let run = || {
            let mut stream = Vec::new();
            deflate_file(file.path(), 1, 1000, None, |piece| {
                stream.extend_from_slice(piece);
                Ok(())
            })
            .unwrap();
            stream
        };
        let first = run();
        for _ in 0..5 {
            assert_eq!(run(), first);
        }
    }

    fn stream_of(path: &Path, ahead: Option<&Ahead>) -> (Vec<u8>, Checked) {
        let mut stream = Vec::new();
        let checked = deflate_file(path, 1, 1000, ahead, |piece| {
            stream.extend_from_slice(piece);
            Ok(())
        })
        .unwrap();
        (stream, checked)
    }

    #[test]
    fn pieces_made_ahead_give_the_same_bytes_and_changed_chunks_are_redone() {
        let data = sample(20_500);
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&data).unwrap();
        let (plain, _) = stream_of(file.path(), None);
        let keep_going = AtomicBool::new(false);
        let pieces = || tempfile::NamedTempFile::new().unwrap();
        // Chunks 1..=14 are whole and below the settled 15,000 bytes.
        let ahead = super::ahead(file.path(), 1, 1000, 15_000, pieces(), &keep_going).unwrap();
        assert_eq!(ahead.early.len(), 14);
        let (stream, checked) = stream_of(file.path(), Some(&ahead));
        assert_eq!(stream, plain);
        assert_eq!(checked.reused, 14);

        // A chunk that changed after it was compressed ahead is compressed again.
        let mut changed = data.clone();
        changed[5_500] ^= 0xff;
        std::fs::write(file.path(), &changed).unwrap();
        let (stream, checked) = stream_of(file.path(), Some(&ahead));
        assert_eq!(checked.reused, 13);
        assert_eq!(checked.crc32, crc32fast::hash(&changed));
        assert_eq!(stream, stream_of(file.path(), None).0);

        // Told to stop, it compresses nothing more.
        let stop = AtomicBool::new(true);
        let none = super::ahead(file.path(), 1, 1000, 15_000, pieces(), &stop).unwrap();
        assert!(none.early.is_empty());
    }

    #[test]
    fn a_write_error_stops_the_threads_and_comes_back() {
        let data = sample(20_000);
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&data).unwrap();
        let mut pieces = 0;
        let result = deflate_file(file.path(), 1, 1000, None, |_| {
            pieces += 1;
            if pieces == 3 {
                Err(io::Error::new(io::ErrorKind::StorageFull, "full"))
            } else {
                Ok(())
            }
        });
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::StorageFull);
        assert_eq!(pieces, 3);
    }
}
