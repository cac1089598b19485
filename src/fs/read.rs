//! Reading files we do not trust: the content directory of a stranger's pull request, a lock
//! file in it. One rule for every such read: the path resolves (symlinks included) inside the
//! directory it belongs to, it is a regular file (never a FIFO or a device, which would hang a
//! read or never end), and it is no bigger than a cap, so a hostile checkout cannot publish
//! the runner's files, hang the build or exhaust its memory.

use std::collections::HashSet;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The largest source file, manifest, lock or stylesheet we read (bytes).
pub const MAX_TEXT_BYTES: u64 = 256 << 20;
/// The largest image we pack (bytes).
pub const MAX_IMAGE_BYTES: u64 = 64 << 20;

/// `path` (below `root`, or any path naming something in it) with symlinks resolved, when
/// that lies inside `root`; otherwise an error naming the link and where it points.
pub fn resolve_inside(root: &Path, path: &Path) -> Result<PathBuf> {
    let canonical_root = root
        .canonicalize()
        .map_err(|e| Error::io("read the content directory", root, e))?;
    let shown = shown(root, path);
    let target = path
        .canonicalize()
        .map_err(|e| Error::io("read", &shown, e))?;
    if target.starts_with(&canonical_root) {
        return Ok(target);
    }
    Err(Error::new(format!(
        "`{}` resolves to `{}`, outside the content directory; it is not read",
        shown.display(),
        target.display()
    ))
    .in_file(&shown)
    .help("keep every source, image and manifest entry inside the content directory: copy the file in instead of linking to it"))
}

/// `path` as a user knows it: relative to `root` when it is below it.
pub fn shown(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// The bytes of `path` (shown in messages as `shown`), which must be a regular file of at most
/// `limit` bytes. The file type is checked before opening, and again on the open file.
pub fn read_regular(path: &Path, shown: &Path, limit: u64) -> Result<Vec<u8>> {
    let (file, meta) = open_regular(path, shown, limit)?;
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", shown, e))?;
    refuse_big(bytes.len() as u64, shown, limit)?;
    Ok(bytes)
}

/// [`read_regular`] a piece at a time: each piece goes to `each` as it is read, so a file that
/// is only hashed (an image) is never held whole. Returns the number of bytes read.
pub fn stream_regular(
    path: &Path,
    shown: &Path,
    limit: u64,
    each: &mut dyn FnMut(&[u8]),
) -> Result<u64> {
    let (mut file, _) = open_regular(path, shown, limit)?;
    let mut piece = [0u8; STREAM_PIECE_BYTES];
    let mut total = 0u64;
    loop {
        let n = match file.read(&mut piece) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io("read", shown, e)),
        };
        total += n as u64;
        refuse_big(total, shown, limit)?;
        each(&piece[..n]);
    }
}

/// `path` opened for [`read_regular`] and [`stream_regular`], with its metadata: refused unless
/// it is a regular file of at most `limit` bytes, checked before opening and again on the open
/// file (the path may have changed in between; opening never blocks).
fn open_regular(path: &Path, shown: &Path, limit: u64) -> Result<(File, std::fs::Metadata)> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io("read", shown, e))?;
    refuse_special(&meta, shown)?;
    refuse_big(meta.len(), shown, limit)?;
    let file = open_nonblocking(path).map_err(|e| Error::io("read", shown, e))?;
    let meta = file.metadata().map_err(|e| Error::io("read", shown, e))?;
    refuse_special(&meta, shown)?;
    Ok((file, meta))
}

/// A piece of [`stream_regular`]: on the stack, and big enough that reads cost little.
const STREAM_PIECE_BYTES: usize = 32 << 10;

/// [`read_regular`] of a path that must resolve inside `root`.
pub fn read_inside(root: &Path, path: &Path, limit: u64) -> Result<Vec<u8>> {
    let target = resolve_inside(root, path)?;
    read_regular(&target, &shown(root, path), limit)
}

/// [`read_inside`] as UTF-8 text.
pub fn read_text_inside(root: &Path, path: &Path, limit: u64) -> Result<String> {
    let bytes = read_inside(root, path, limit)?;
    let shown = shown(root, path);
    String::from_utf8(bytes).map_err(|e| {
        Error::new(format!(
            "the file is not valid UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
        .in_file(&shown)
        .help("save the file as UTF-8")
    })
}

/// Refuse anything but a regular file: a FIFO blocks a reader forever, a device like
/// `/dev/zero` never ends.
pub fn refuse_special(meta: &Metadata, shown: &Path) -> Result<()> {
    if meta.is_file() {
        return Ok(());
    }
    let kind = kind_of(meta);
    Err(Error::new(format!(
        "`{}` is {kind}, not a regular file; it is not read",
        shown.display()
    ))
    .in_file(shown)
    .help("replace it with an ordinary file, or remove it"))
}

fn refuse_big(len: u64, shown: &Path, limit: u64) -> Result<()> {
    if len <= limit {
        return Ok(());
    }
    Err(Error::new(format!(
        "`{}` is larger than the {} MiB we read from one file",
        shown.display(),
        limit >> 20
    ))
    .in_file(shown)
    .help("split the file, or shrink it"))
}

fn kind_of(meta: &Metadata) -> &'static str {
    if meta.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

/// Open for reading without blocking on a FIFO swapped in after the type check.
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// Directories a walk has entered, by (device, inode): a symlink back to an ancestor (a loop)
/// or a second link to the same folder is entered once.
#[derive(Default)]
pub struct Visited(HashSet<(u64, u64)>);

impl Visited {
    /// True the first time a directory is seen.
    pub fn first_visit(&mut self, meta: &Metadata) -> bool {
        self.0.insert(identity(meta))
    }
}

#[cfg(unix)]
fn identity(meta: &Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(meta: &Metadata) -> (u64, u64) {
    (meta.len(), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_out_of_the_root_is_refused_and_named() {
        let outside = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.md"), "secret").unwrap();
        std::fs::write(root.path().join("ok.md"), "fine").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path().join("secret.md"), root.path().join("l.md"))
            .unwrap();
        assert_eq!(
            read_inside(root.path(), &root.path().join("ok.md"), 100).unwrap(),
            b"fine"
        );
        let error = read_inside(root.path(), &root.path().join("l.md"), 100).unwrap_err();
        assert!(error.message.contains("`l.md` resolves to"), "{error}");
        assert!(error.message.contains("secret.md"), "{error}");
        let climb = root
            .path()
            .join("..")
            .join(outside.path().file_name().unwrap());
        let error = read_inside(root.path(), &climb.join("secret.md"), 100).unwrap_err();
        assert!(error.message.contains("outside the content"), "{error}");
    }

    #[test]
    fn big_and_special_files_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let big = root.path().join("big.md");
        std::fs::write(&big, "0123456789").unwrap();
        let error = read_regular(&big, Path::new("big.md"), 5).unwrap_err();
        assert!(error.message.contains("larger than"), "{error}");
        let error = read_regular(root.path(), Path::new("dir"), 5).unwrap_err();
        assert!(error.message.contains("a directory"), "{error}");
        #[cfg(unix)]
        {
            let error = read_regular(Path::new("/dev/zero"), Path::new("z"), 5).unwrap_err();
            assert!(error.message.contains("a device"), "{error}");
            let error =
                stream_regular(Path::new("/dev/zero"), Path::new("z"), 5, &mut |_| {}).unwrap_err();
            assert!(error.message.contains("a device"), "{error}");
        }
        let error = stream_regular(&big, Path::new("big.md"), 5, &mut |_| {}).unwrap_err();
        assert!(error.message.contains("larger than"), "{error}");
    }

    #[test]
    fn a_stream_gives_every_byte_in_order() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("image.png");
        let bytes: Vec<u8> = (0..(3 * STREAM_PIECE_BYTES + 17))
            .map(|i| i as u8)
            .collect();
        std::fs::write(&path, &bytes).unwrap();
        let mut streamed = Vec::new();
        let total = stream_regular(&path, Path::new("image.png"), 1 << 20, &mut |piece| {
            streamed.extend_from_slice(piece)
        })
        .unwrap();
        assert_eq!(total, bytes.len() as u64);
        assert_eq!(streamed, bytes);
    }
}
