//! The collection of an untrusted `.apkg` is an SQLite file a stranger wrote: before any query,
//! its schema must hold only tables Anki writes (no view, whose query could run forever or
//! build huge strings, no trigger, no virtual table), and the connection is bounded: a progress
//! handler stops any statement after [`MAX_STEPS`] virtual-machine steps, and a string or blob
//! longer than [`MAX_VALUE_BYTES`] is an error instead of an allocation.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::Connection;
use rusqlite::limits::Limit;

use crate::error::{Error, Result};

/// Virtual-machine steps a connection may take in all (a 100k-note deck reads in well under
/// 1 % of this).
pub const MAX_STEPS: u64 = 200_000_000;
/// The longest string or blob SQLite will make.
pub const MAX_VALUE_BYTES: i32 = 64 << 20;
/// Steps between two calls of the progress handler.
const STEPS_PER_CALL: i32 = 10_000;

/// Tables a schema 11 collection may hold (Anki's own, and `sqlite_*` statistics).
const TABLES: &[&str] = &[
    "col",
    "notes",
    "cards",
    "revlog",
    "graves",
    "config",
    "deck_config",
    "decks",
    "fields",
    "notetypes",
    "tags",
    "templates",
    "media",
];
/// Tables we read: each must be a real table.
const REQUIRED: &[&str] = &["col", "notes", "cards"];

/// Bounds `conn` and checks its schema; `path` and `member` name the package in errors.
pub fn guard(conn: &mut Connection, path: &Path, member: &str) -> Result<()> {
    bound(conn).map_err(|e| super::invalid(path, format!("cannot open {member}: {e}")))?;
    let refuse = |what: String| {
        Err(Error::new(format!("{member} {what}; it is not read"))
            .in_file(path)
            .help("only open packages from sources you trust; this one is malformed or malicious"))
    };
    let schema: Vec<(String, String, String)> = conn
        .prepare("select type, name, coalesce(sql, '') from sqlite_master")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .map_err(|e| super::invalid(path, format!("{member} is not an SQLite database ({e})")))?;
    for (kind, name, sql) in &schema {
        let shown = crate::markup::shorten(&name.escape_debug().to_string(), 60);
        match kind.as_str() {
            "index" => {}
            "table" if sql.to_ascii_uppercase().starts_with("CREATE VIRTUAL") => {
                return refuse(format!("holds a virtual table \"{shown}\""));
            }
            "table" if TABLES.contains(&name.as_str()) || name.starts_with("sqlite_") => {}
            "table" => return refuse(format!("holds an unexpected table \"{shown}\"")),
            other => {
                let other = crate::markup::shorten(&other.escape_debug().to_string(), 20);
                return refuse(format!("holds a {other} \"{shown}\""));
            }
        }
    }
    for table in REQUIRED {
        if !schema.iter().any(|(k, n, _)| k == "table" && n == table) {
            return Err(super::invalid(
                path,
                format!("{member} is not an Anki collection (it has no table \"{table}\")"),
            ));
        }
    }
    Ok(())
}

/// The progress handler and the length limit.
fn bound(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)?;
    conn.set_limit(Limit::SQLITE_LIMIT_SQL_LENGTH, 1 << 20)?;
    let steps = Arc::new(AtomicU64::new(0));
    conn.progress_handler(
        STEPS_PER_CALL,
        Some(move || {
            let done = steps.fetch_add(STEPS_PER_CALL as u64, Ordering::Relaxed);
            done >= MAX_STEPS
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_query_is_interrupted_and_huge_strings_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        bound(&mut conn).unwrap();
        let start = std::time::Instant::now();
        let endless = conn.query_row(
            "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r",
            [],
            |r| r.get::<_, i64>(0),
        );
        assert!(endless.is_err(), "{endless:?}");
        assert!(start.elapsed().as_secs() < 120);
        let huge = conn.query_row("select length(zeroblob(100000000))", [], |r| {
            r.get::<_, i64>(0)
        });
        assert!(huge.is_err(), "{huge:?}");
    }
}
