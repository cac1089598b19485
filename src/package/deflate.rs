//! Deflates a big file on all cores: the file is cut into fixed-size chunks, each chunk is
//! compressed on its own and ends on a byte boundary (a sync flush), and the pieces are handed
//! out in file order. Concatenated, they form the blocks of one raw deflate stream that still
//! needs a final block (the zip entry's own encoder writes it).
//!
//! The chunk size is fixed, not derived from the number of cores, so the bytes are the same on
//! every machine. Chunks are large enough that starting each with an empty window costs next to
//! nothing in size.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::mpsc;

use flate2::{Compress, Compression, FlushCompress};

/// Bytes of input per independently compressed chunk.
pub const CHUNK: usize = 4 << 20;

/// A file's length and CRC-32, as a zip entry records them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    pub len: u64,
    pub crc32: u32,
}

/// Compresses the file at `path` at deflate `level` in `chunk`-byte pieces on up to
/// `available_parallelism` threads and passes the compressed pieces to `out` in file order.
/// Memory stays bounded: each thread holds one chunk and one compressed piece at a time.
pub fn deflate_file(
    path: &Path,
    level: u32,
    chunk: usize,
    mut out: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<Checked> {
    let len = std::fs::metadata(path)?.len();
    let chunks = len.div_ceil(chunk as u64);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(usize::try_from(chunks).unwrap_or(usize::MAX))
        .max(1);
    let mut crc = crc32fast::Hasher::new();
    std::thread::scope(|scope| -> io::Result<()> {
        let mut pieces = Vec::with_capacity(threads);
        for first in 0..threads {
            // Capacity 1: a thread runs at most one chunk ahead of the writer.
            let (send, receive) = mpsc::sync_channel::<io::Result<Piece>>(1);
            pieces.push(receive);
            scope.spawn(move || {
                let mut worker = match Worker::new(path, level, chunk) {
                    Ok(worker) => worker,
                    Err(e) => {
                        let _ = send.send(Err(e));
                        return;
                    }
                };
                let mut index = first as u64;
                while index < chunks {
                    let piece = worker.compress(index * chunk as u64);
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
            crc.combine(&crc32fast::Hasher::new_with_initial_len(
                piece.crc32,
                piece.len,
            ));
            out(&piece.compressed)?;
        }
        Ok(())
    })?;
    Ok(Checked {
        len,
        crc32: crc.finalize(),
    })
}

/// One chunk, compressed.
struct Piece {
    compressed: Vec<u8>,
    len: u64,
    crc32: u32,
}

/// A thread's own file handle (so reads do not share a file position), input buffer and
/// compressor, reused from chunk to chunk.
struct Worker {
    file: File,
    chunk: usize,
    input: Vec<u8>,
    compress: Compress,
}

impl Worker {
    fn new(path: &Path, level: u32, chunk: usize) -> io::Result<Worker> {
        Ok(Worker {
            file: File::open(path)?,
            chunk,
            input: Vec::with_capacity(chunk),
            compress: Compress::new(Compression::new(level), false),
        })
    }

    fn compress(&mut self, offset: u64) -> io::Result<Piece> {
        self.input.clear();
        self.file.seek(SeekFrom::Start(offset))?;
        (&mut self.file)
            .take(self.chunk as u64)
            .read_to_end(&mut self.input)?;
        self.compress.reset();
        let compressed = deflate_block_aligned(&mut self.compress, &self.input)?;
        Ok(Piece {
            compressed,
            len: self.input.len() as u64,
            crc32: crc32fast::hash(&self.input),
        })
    }
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
    use std::io::Write;

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
        let checked = deflate_file(file.path(), level, chunk, |piece| {
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
            deflate_file(file.path(), 1, 1000, |piece| {
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

    #[test]
    fn a_write_error_stops_the_threads_and_comes_back() {
        let data = sample(20_000);
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&data).unwrap();
        let mut pieces = 0;
        let result = deflate_file(file.path(), 1, 1000, |_| {
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
