//! The lock a package of ours carries in its collection config (see
//! `package::collection::EMBEDDED_LOCK_KEY`): for `build --adopt`, which restores identities
//! from it, and for `diff`, which tells a note type change, and a restored note (one the lock
//! records as removed), from an unrelated addition.

use std::path::Path;

use crate::error::{Error, Result};
use crate::identity::lock::Lock;
use crate::package::collection::EMBEDDED_LOCK_KEY;

/// The lock the package at `path` carries, if it is a package of ours that carries one.
pub fn carried_lock(path: &Path) -> Result<Option<Lock>> {
    let opened = super::open_apkg(path)?;
    let conf: String = opened
        .conn
        .query_row("select conf from col", [], |row| row.get(0))
        .map_err(|e| {
            Error::new(format!(
                "cannot read the collection of {} ({e})",
                path.display()
            ))
        })?;
    // A package of another tool may have any config, or none that parses: it carries no lock.
    let Ok(serde_json::Value::Object(conf)) = serde_json::from_str(&conf) else {
        return Ok(None);
    };
    match conf.get(EMBEDDED_LOCK_KEY) {
        Some(serde_json::Value::String(text)) => Ok(Some(Lock::parse(text, path)?)),
        _ => Ok(None),
    }
}
