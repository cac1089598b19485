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
use std::path::Path;

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
