//! Writing files so that a reader never sees half of one: a temporary file beside the target,
//! synced, then renamed onto it. The one home of atomic writes and output permissions.
//!
//! Reading untrusted files (inside the content directory, regular files only, capped) lives
//! in [`read`].
//!
//! Leaf module: it imports nothing from the crate but the error type.

pub mod read;

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Write a small file atomically: a temporary beside it, then a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut temp = temporary_beside(path)?;
    temp.write_all(bytes)
        .map_err(|e| Error::io("write", path, e))?;
    put_in_place(temp, path)
}

/// A temporary file in `path`'s directory (created if missing), to be renamed onto `path` by
/// [`put_in_place`]; it deletes itself if the build fails first.
pub fn temporary_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create the directory", dir, e))?;
    tempfile::Builder::new()
        .prefix(".primer-anki.")
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a temporary file", dir, e))
}

/// The finished temporary onto `path`: synced, made readable like any file, then renamed, so
/// `path` holds either the old content or the whole new one.
pub fn put_in_place(temp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    temp.as_file()
        .sync_all()
        .map_err(|e| Error::io("write", path, e))?;
    make_world_readable(temp.as_file()).map_err(|e| Error::io("write", path, e))?;
    temp.persist(path)
        .map_err(|e| Error::io("move into place", path, e.error))?;
    Ok(())
}

/// A finished file still under its temporary name beside its target, synced and readable:
/// the build renames every output only after the lock, so that a kill leaves a lock at least
/// as new as the decks. Dropped without [`Unplaced::put_in_place`], the temporary is deleted.
pub struct Unplaced {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
}

impl Unplaced {
    /// `temp`, whose writing is finished, to be renamed onto `target` later: synced and made
    /// readable now, so that placing it is a rename alone.
    pub fn new(temp: tempfile::NamedTempFile, target: &Path) -> Result<Unplaced> {
        let write_err = |e: io::Error| Error::io("write", target, e);
        temp.as_file().sync_all().map_err(write_err)?;
        make_world_readable(temp.as_file()).map_err(write_err)?;
        Ok(Unplaced {
            temp,
            target: target.to_path_buf(),
        })
    }

    /// [`Unplaced::new`] for bytes in memory: a temporary beside `target` holding them.
    pub fn with_bytes(target: &Path, bytes: &[u8]) -> Result<Unplaced> {
        use std::io::Write;
        let mut temp = temporary_beside(target)?;
        temp.write_all(bytes)
            .map_err(|e| Error::io("write", target, e))?;
        Unplaced::new(temp, target)
    }

    /// Renames the file onto its target.
    pub fn put_in_place(self) -> Result<()> {
        let target = self.target;
        self.temp
            .persist(&target)
            .map_err(|e| Error::io("move the finished file into place", &target, e.error))?;
        Ok(())
    }
}

/// Temporary files are created private (0600); a published deck is an ordinary file.
pub fn make_world_readable(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}
