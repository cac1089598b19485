//! Reads an existing `.apkg` (ours or anyone's) for `primer-anki diff` and `build --adopt`.
//!
//! The file is untrusted: member names with path components are refused, the total and
//! per-member uncompressed size and the compression ratio are capped, the collection is copied
//! to a private temporary file and opened read-only. Legacy packages (`collection.anki2`,
//! `collection.anki21`, schema 11) are read; `collection.anki21b` (zstd, schema 18) is
//! reported as unsupported.

pub mod carried;
pub mod diff;
mod guard;
pub mod inspect;
pub mod template;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

/// The most a package may unpack to.
pub const MAX_UNCOMPRESSED: u64 = 1 << 30;
/// The highest compression ratio accepted for members larger than 1 MiB (zip bombs).
pub const MAX_RATIO: u64 = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApkgNotetype {
    pub id: i64,
    pub name: String,
    pub fields: Vec<String>,
    pub templates: Vec<ApkgTemplate>,
    pub mtime: i64,
    /// 1 for cloze note types.
    pub kind: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApkgTemplate {
    pub name: String,
    /// The question format (`qfmt`).
    pub front: String,
    /// The answer format (`afmt`).
    pub back: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApkgNote {
    pub id: i64,
    pub guid: String,
    pub notetype_id: i64,
    pub mtime: i64,
    pub tags: Vec<String>,
    pub fields: Vec<String>,
    /// The deck of the note's first card (by ord), if it has cards.
    pub deck: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApkgContents {
    pub notetypes: BTreeMap<i64, ApkgNotetype>,
    pub decks: BTreeMap<i64, String>,
    /// Sorted by note id.
    pub notes: Vec<ApkgNote>,
}

impl ApkgContents {
    /// The name of field `index` of a note, or `Field N`.
    pub fn field_name(&self, note: &ApkgNote, index: usize) -> String {
        self.notetypes
            .get(&note.notetype_id)
            .and_then(|nt| nt.fields.get(index).cloned())
            .unwrap_or_else(|| format!("Field {}", index + 1))
    }
}

fn invalid(path: &Path, what: impl Into<String>) -> Error {
    Error::new(what).in_file(path).help(
        "check that this is an Anki deck package (.apkg) exported by Anki or built by primer-anki; re-export or rebuild it if it is damaged",
    )
}

/// Read the notes, note types and decks of the package at `path`.
pub fn read_apkg(path: &Path) -> Result<ApkgContents> {
    let opened = open_apkg(path)?;
    let member = opened.collection_member;
    read_collection(&opened.conn).map_err(|e| {
        invalid(
            path,
            format!("{member} is not an Anki collection this tool can read ({e})"),
        )
    })
}

/// A package opened for reading: its members (name, uncompressed size), and its collection
/// copied to a private temporary file, opened read-only and bounded (`guard`), the copy
/// unlinked as soon as SQLite holds it open.
pub struct OpenedApkg {
    pub members: Vec<(String, u64)>,
    /// `collection.anki21` or `collection.anki2`.
    pub collection_member: &'static str,
    pub conn: Connection,
    archive: zip::ZipArchive<std::fs::File>,
    path: std::path::PathBuf,
}

impl OpenedApkg {
    /// The bytes of a member (e.g. `media`), refusing more than `max` bytes whatever its
    /// header says.
    pub fn read_member(&mut self, name: &str, max: u64) -> Result<Vec<u8>> {
        let path = self.path.clone();
        let entry = self
            .archive
            .by_name(name)
            .map_err(|e| invalid(&path, format!("cannot read {name} ({e})")))?;
        let mut bytes = Vec::new();
        entry
            .take(max + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| invalid(&path, format!("cannot unpack {name} ({e})")))?;
        if bytes.len() as u64 > max {
            return Err(invalid(
                &path,
                format!("{name} unpacks to more than {max} bytes"),
            ));
        }
        Ok(bytes)
    }
}

/// Open the package at `path` with the checks described in the module documentation.
pub fn open_apkg(path: &Path) -> Result<OpenedApkg> {
    // A FIFO or a device named like a package would block or never end: regular files only.
    let meta = std::fs::metadata(path).map_err(|e| Error::io("open the package", path, e))?;
    crate::fs::read::refuse_special(&meta, path)?;
    let file = std::fs::File::open(path).map_err(|e| Error::io("open the package", path, e))?;
    let mut archive = zip::ZipArchive::new(file)
        .map_err(|e| invalid(path, format!("not a readable zip archive ({e})")))?;
    let names = checked_members(&mut archive, path)?;
    let member = collection_member(&names, path)?;
    let temp = unpack_collection(&mut archive, member, path)?;
    let mut conn = Connection::open_with_flags(
        temp.path(),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| invalid(path, format!("{member} is not an SQLite database ({e})")))?;
    // Reading the schema opens the file; from then on SQLite holds it open, so the copy is
    // unlinked now and nothing is left behind even if we are killed.
    let checked = guard::guard(&mut conn, path, member);
    let _ = temp.close();
    checked?;
    Ok(OpenedApkg {
        members: names,
        collection_member: member,
        conn,
        archive,
        path: path.to_path_buf(),
    })
}

/// Every member's name and size, after refusing names with paths, zip bombs and packages that
/// unpack to more than [`MAX_UNCOMPRESSED`].
fn checked_members(
    archive: &mut zip::ZipArchive<std::fs::File>,
    path: &Path,
) -> Result<Vec<(String, u64)>> {
    let mut names = Vec::new();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| invalid(path, format!("damaged zip entry {index} ({e})")))?;
        let name = entry
            .name()
            .map_err(|e| {
                invalid(
                    path,
                    format!("zip entry {index} has an unreadable name ({e})"),
                )
            })?
            .to_string();
        if name.is_empty()
            || name.contains(['/', '\\', '\0'])
            || name == "."
            || name == ".."
            || name.contains(':')
        {
            return Err(invalid(
                path,
                format!("the package holds a member with a path in its name: {name:?}"),
            )
            .help(
                "only open packages from sources you trust; this one is malformed or malicious",
            ));
        }
        total = total.saturating_add(entry.size());
        if entry.size() > 1 << 20 && entry.size() / entry.compressed_size().max(1) > MAX_RATIO {
            return Err(invalid(
                path,
                format!("member {name:?} is compressed more than {MAX_RATIO}:1"),
            )
            .help("only open packages from sources you trust; this one looks like a zip bomb"));
        }
        names.push((name, entry.size()));
    }
    if total > MAX_UNCOMPRESSED {
        return Err(invalid(
            path,
            format!(
                "the package unpacks to {total} bytes, more than the {MAX_UNCOMPRESSED}-byte limit"
            ),
        ));
    }
    Ok(names)
}

/// The collection member to read: the newest legacy one the package holds.
fn collection_member(names: &[(String, u64)], path: &Path) -> Result<&'static str> {
    let member = if names.iter().any(|(n, _)| n == "collection.anki21") {
        "collection.anki21"
    } else if names.iter().any(|(n, _)| n == "collection.anki21b") {
        return Err(Error::new(
            "this package uses the newer Anki format (collection.anki21b, zstd-compressed), which primer-anki cannot read",
        )
        .in_file(path)
        .help("in Anki, export the deck again with \"Support older Anki versions\" ticked"));
    } else if names.iter().any(|(n, _)| n == "collection.anki2") {
        "collection.anki2"
    } else {
        return Err(invalid(
            path,
            "the package has no collection (collection.anki2 or collection.anki21)",
        ));
    };

    Ok(member)
}

/// The collection copied to a private temporary file, stopping at the size limit whatever
/// the zip header claims.
fn unpack_collection(
    archive: &mut zip::ZipArchive<std::fs::File>,
    member: &str,
    path: &Path,
) -> Result<tempfile::NamedTempFile> {
    let mut temp = tempfile::Builder::new()
        .prefix("primer-anki-read.")
        .tempfile()
        .map_err(|e| Error::io("create a temporary file", &std::env::temp_dir(), e))?;
    {
        let entry = archive
            .by_name(member)
            .map_err(|e| invalid(path, format!("cannot read {member} ({e})")))?;
        // The declared size can lie: stop copying at the limit whatever the header says.
        let mut limited = entry.take(MAX_UNCOMPRESSED + 1);
        let copied = std::io::copy(&mut limited, temp.as_file_mut())
            .map_err(|e| invalid(path, format!("cannot unpack {member} ({e})")))?;
        if copied > MAX_UNCOMPRESSED {
            return Err(invalid(
                path,
                format!("{member} unpacks to more than {MAX_UNCOMPRESSED} bytes"),
            ));
        }
        temp.as_file_mut()
            .flush()
            .map_err(|e| Error::io("write", temp.path(), e))?;
    }
    Ok(temp)
}

/// The collection's own record (`col`): schema version, note types and deck names. The one
/// place `col.models` and `col.decks` are parsed.
pub struct CollectionInfo {
    pub schema: i64,
    pub notetypes: BTreeMap<i64, ApkgNotetype>,
    pub decks: BTreeMap<i64, String>,
}

/// Reads the `col` row of an opened collection.
pub fn read_col(conn: &Connection) -> std::result::Result<CollectionInfo, String> {
    let (schema, models, decks): (i64, String, String) = conn
        .query_row("select ver, models, decks from col limit 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .map_err(|e| e.to_string())?;
    let models: serde_json::Value =
        serde_json::from_str(&models).map_err(|e| format!("col.models is not JSON: {e}"))?;
    let decks: serde_json::Value =
        serde_json::from_str(&decks).map_err(|e| format!("col.decks is not JSON: {e}"))?;
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let mut notetypes = BTreeMap::new();
    for (id, model) in models.as_object().ok_or("col.models is not an object")? {
        let id: i64 = id
            .parse()
            .map_err(|_| format!("note type id {id:?} is not a number"))?;
        let list = |key: &str| model[key].as_array().map_or(&[][..], Vec::as_slice);
        notetypes.insert(
            id,
            ApkgNotetype {
                id,
                name: text(&model["name"]),
                // A field without a name keeps its place, so values still line up.
                fields: list("flds").iter().map(|f| text(&f["name"])).collect(),
                templates: list("tmpls")
                    .iter()
                    .map(|t| ApkgTemplate {
                        name: text(&t["name"]),
                        front: text(&t["qfmt"]),
                        back: text(&t["afmt"]),
                    })
                    .collect(),
                mtime: model["mod"].as_i64().unwrap_or(0),
                kind: model["type"].as_i64().unwrap_or(0),
            },
        );
    }
    let mut deck_names = BTreeMap::new();
    for (id, deck) in decks.as_object().ok_or("col.decks is not an object")? {
        let id: i64 = id
            .parse()
            .map_err(|_| format!("deck id {id:?} is not a number"))?;
        deck_names.insert(id, text(&deck["name"]));
    }
    Ok(CollectionInfo {
        schema,
        notetypes,
        decks: deck_names,
    })
}

fn read_collection(conn: &Connection) -> std::result::Result<ApkgContents, String> {
    let sql = |e: rusqlite::Error| e.to_string();
    let col = read_col(conn)?;
    let mut out = ApkgContents {
        notetypes: col.notetypes,
        decks: col.decks,
        notes: Vec::new(),
    };
    let mut first_deck: BTreeMap<i64, i64> = BTreeMap::new();
    let mut stmt = conn
        .prepare("select nid, did from cards order by nid, ord, id")
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
        .map_err(sql)?;
    for row in rows {
        let (nid, did) = row.map_err(sql)?;
        first_deck.entry(nid).or_insert(did);
    }
    let mut stmt = conn
        .prepare("select id, guid, mid, mod, tags, flds from notes order by id")
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .map_err(sql)?;
    for row in rows {
        let (id, guid, notetype_id, mtime, tags, fields) = row.map_err(sql)?;
        out.notes.push(ApkgNote {
            id,
            guid,
            notetype_id,
            mtime,
            tags: tags.split_whitespace().map(str::to_string).collect(),
            fields: fields.split('\u{1f}').map(str::to_string).collect(),
            deck: first_deck
                .get(&id)
                .and_then(|did| out.decks.get(did).cloned()),
        });
    }
    Ok(out)
}

/// A field's visible text on one line: markup dropped, whitespace collapsed.
pub fn field_text(html: &str) -> String {
    crate::markup::html_to_text(html)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_with(members: &[(&str, &[u8])]) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut zip = zip::ZipWriter::new(file.reopen().unwrap());
        for (name, bytes) in members {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
        file
    }

    #[test]
    fn rejects_member_names_with_paths() {
        let file = zip_with(&[("../evil", b"x"), ("collection.anki2", b"x")]);
        let err = read_apkg(file.path()).unwrap_err().to_string();
        assert!(err.contains("path in its name"), "{err}");
    }

    #[test]
    fn rejects_a_non_zip_and_a_non_sqlite_collection_naming_the_file() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), b"not a zip").unwrap();
        let err = read_apkg(file.path()).unwrap_err().to_string();
        assert!(
            err.contains("not a readable zip") && err.contains(&*file.path().to_string_lossy()),
            "{err}"
        );
        let file = zip_with(&[(
            "collection.anki2",
            b"hello, not sqlite at all, padding padding padding",
        )]);
        let err = read_apkg(file.path()).unwrap_err().to_string();
        assert!(err.contains("collection.anki2"), "{err}");
    }

    #[test]
    fn reports_anki21b_as_unsupported() {
        let file = zip_with(&[("collection.anki2", b"x"), ("collection.anki21b", b"x")]);
        let err = read_apkg(file.path()).unwrap_err().to_string();
        assert!(
            err.contains("anki21b") && err.contains("Support older Anki versions"),
            "{err}"
        );
    }
}
