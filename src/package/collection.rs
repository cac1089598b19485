//! Writes the schema-11 SQLite collection (`collection.anki2`) for a
//! [`Package`](super::model::Package), or note by note with [`CollectionWriter`].
//!
//! The file is written to disk (not memory) so that huge decks stay within bounded memory; rows
//! are inserted 64 at a time with prepared statements in one transaction and the indexes are
//! created after the bulk insert. Everything written is a function of the model, so the bytes are
//! reproducible.

use std::path::Path;
use std::sync::LazyLock;

use rusqlite::{Connection, params};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::model::{Deck, Note, Notetype, NotetypeKind, PackageMeta};
use crate::error::{Error, Result};

const SCHEMA: &str = "
create table col (id integer primary key, crt integer not null, mod integer not null,
  scm integer not null, ver integer not null, dty integer not null, usn integer not null,
  ls integer not null, conf text not null, models text not null, decks text not null,
  dconf text not null, tags text not null);
create table notes (id integer primary key, guid text not null, mid integer not null,
  mod integer not null, usn integer not null, tags text not null, flds text not null,
  sfld integer not null, csum integer not null, flags integer not null, data text not null);
create table cards (id integer primary key, nid integer not null, did integer not null,
  ord integer not null, mod integer not null, usn integer not null, type integer not null,
  queue integer not null, due integer not null, ivl integer not null, factor integer not null,
  reps integer not null, lapses integer not null, left integer not null, odue integer not null,
  odid integer not null, flags integer not null, data text not null);
create table revlog (id integer primary key, cid integer not null, usn integer not null,
  ease integer not null, ivl integer not null, lastIvl integer not null,
  factor integer not null, time integer not null, type integer not null);
create table graves (usn integer not null, oid integer not null, type integer not null);
";

const INDEXES: &str = "
create index ix_notes_usn on notes (usn);
create index ix_cards_usn on cards (usn);
create index ix_revlog_usn on revlog (usn);
create index ix_cards_nid on cards (nid);
create index ix_cards_sched on cards (did, queue, due);
create index ix_revlog_cid on revlog (cid);
create index ix_notes_csum on notes (csum);
";

/// Writes a collection one note at a time, so a build never holds all its notes: rows go
/// straight into the SQLite file (one transaction, prepared statements, indexes at the end).
pub struct CollectionWriter<'a> {
    conn: Connection,
    meta: PackageMeta<'a>,
    path: std::path::PathBuf,
    notes: usize,
    cards: usize,
    /// Rows waiting to go in [`BATCH`] at a time: one statement per batch instead of one per
    /// row roughly halves SQLite's share of the work.
    pending_notes: Vec<NoteRow>,
    /// (card id, note id, deck id, ord, mtime, due).
    pending_cards: Vec<[i64; 6]>,
    /// The deck's lock, to carry in the collection's config (see [`EMBEDDED_LOCK_KEY`]).
    embedded_lock: Option<JsonText>,
}

/// The key of the collection config (`col.conf`) under which a package carries the lock lines
/// of its notes, so that `build --adopt` can recover every identity from a published deck.
/// Every importer ignores the package's config: the new importer takes notes, cards, decks,
/// deck configs, note types and media (anki-format.md §2.1), the legacy importer and
/// AnkiDroid's port notes, cards, note types and decks (`Anki2Importer._import`).
pub const EMBEDDED_LOCK_KEY: &str = "primerAnkiLock";

/// Rows per multi-row insert.
const BATCH: usize = 64;

const INSERT_NOTE: &str = "insert into notes values (?, ?, ?, ?, -1, ?, ?, ?, ?, 0, '')";
const INSERT_CARD: &str =
    "insert into cards values (?, ?, ?, ?, ?, -1, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '')";

/// `insert into <table> values (row), (row), …` for `rows` rows.
fn multi_insert(single: &str, rows: usize) -> String {
    let (head, row) = single
        .split_once(" values ")
        .expect("insert statements have a values clause");
    let mut sql = format!("{head} values ");
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(row);
    }
    sql
}

impl<'a> CollectionWriter<'a> {
    /// A new, empty collection at `path` for a package described by `meta`.
    pub fn create(path: &Path, meta: PackageMeta<'a>) -> Result<Self> {
        let conn = Connection::open(path).map_err(|e| sql_error(path, e))?;
        // No journal: the file is a temporary that is thrown away on failure anyway. 16 KiB
        // pages make the bulk insert faster; the page size does not matter to Anki.
        conn.execute_batch(
            "pragma page_size = 16384; pragma journal_mode = off; pragma synchronous = off;",
        )
        .map_err(|e| sql_error(path, e))?;
        conn.execute_batch(SCHEMA).map_err(|e| sql_error(path, e))?;
        conn.execute_batch("begin")
            .map_err(|e| sql_error(path, e))?;
        Ok(CollectionWriter {
            conn,
            meta,
            path: path.to_path_buf(),
            notes: 0,
            cards: 0,
            pending_notes: Vec::with_capacity(BATCH),
            pending_cards: Vec::with_capacity(BATCH),
            embedded_lock: None,
        })
    }

    /// Carries `lock` (the lock lines of this package's notes) in the collection's config.
    pub fn embed_lock(&mut self, lock: JsonText) {
        self.embedded_lock = Some(lock);
    }

    /// Adds a note and its cards; cards are due in the order notes are added.
    pub fn add(&mut self, note: &Note) -> Result<()> {
        let row = NoteRow::new(note, self.meta.notetypes);
        self.add_row(row)
    }

    /// Adds a note prepared with [`NoteRow::new`] (which can run on another thread).
    pub fn add_row(&mut self, row: NoteRow) -> Result<()> {
        for card in &row.cards {
            self.cards += 1;
            self.pending_cards.push([
                card.id,
                row.id,
                card.deck_id,
                i64::from(card.ord),
                row.mtime,
                self.cards as i64,
            ]);
            if self.pending_cards.len() == BATCH {
                self.flush_cards()?;
            }
        }
        self.notes += 1;
        self.pending_notes.push(row);
        if self.pending_notes.len() == BATCH {
            self.flush_notes()?;
        }
        Ok(())
    }

    fn flush_notes(&mut self) -> Result<()> {
        static BATCH_SQL: LazyLock<String> = LazyLock::new(|| multi_insert(INSERT_NOTE, BATCH));
        let sql_err = |e| sql_error(&self.path, e);
        let full = self.pending_notes.len() == BATCH;
        let sql = if full {
            BATCH_SQL.as_str()
        } else {
            INSERT_NOTE
        };
        for chunk in self.pending_notes.chunks(if full { BATCH } else { 1 }) {
            let mut insert = self.conn.prepare_cached(sql).map_err(sql_err)?;
            let mut at = 1;
            for row in chunk {
                let mut bind = |value: &dyn rusqlite::ToSql| -> rusqlite::Result<()> {
                    insert.raw_bind_parameter(at, value)?;
                    at += 1;
                    Ok(())
                };
                bind(&row.id)
                    .and_then(|()| bind(&row.guid))
                    .and_then(|()| bind(&row.notetype_id))
                    .and_then(|()| bind(&row.mtime))
                    .and_then(|()| bind(&row.tags))
                    .and_then(|()| bind(&row.fields))
                    .and_then(|()| bind(&row.sort_field))
                    .and_then(|()| bind(&row.checksum))
                    .map_err(sql_err)?;
            }
            insert.raw_execute().map_err(sql_err)?;
        }
        self.pending_notes.clear();
        Ok(())
    }

    fn flush_cards(&mut self) -> Result<()> {
        let sql_err = |e| sql_error(&self.path, e);
        static BATCH_SQL: LazyLock<String> = LazyLock::new(|| multi_insert(INSERT_CARD, BATCH));
        let full = self.pending_cards.len() == BATCH;
        let sql = if full {
            BATCH_SQL.as_str()
        } else {
            INSERT_CARD
        };
        for chunk in self.pending_cards.chunks(if full { BATCH } else { 1 }) {
            let mut insert = self.conn.prepare_cached(sql).map_err(sql_err)?;
            let mut at = 1;
            for card in chunk {
                for value in card {
                    insert.raw_bind_parameter(at, value).map_err(sql_err)?;
                    at += 1;
                }
            }
            insert.raw_execute().map_err(sql_err)?;
        }
        self.pending_cards.clear();
        Ok(())
    }

    /// Notes added so far.
    pub fn notes(&self) -> usize {
        self.notes
    }

    /// Cards added so far.
    pub fn cards(&self) -> usize {
        self.cards
    }

    /// Writes the collection row, commits and creates the indexes.
    pub fn finish(self) -> Result<()> {
        self.commit()?.create_indexes()
    }

    /// Writes the collection row and commits: every row is in; the indexes are still to come.
    pub fn commit(mut self) -> Result<Committed> {
        self.flush_notes()?;
        self.flush_cards()?;
        let path = self.path.clone();
        let sql_err = |e| sql_error(&path, e);
        let meta = &self.meta;
        let build_ms = meta.build_time * 1000;
        // The lock text goes into the config text and is dropped before SQLite copies it.
        let conf = conf_text(meta, self.cards, self.embedded_lock.take())?;
        self.conn
            .execute(
                "insert into col values (1, ?, ?, ?, 11, 0, 0, 0, ?, ?, ?, ?, '{}')",
                params![
                    meta.build_time - meta.build_time.rem_euclid(86_400),
                    build_ms,
                    build_ms,
                    conf,
                    models_json(meta).to_string(),
                    decks_json(meta).to_string(),
                    dconf_json().to_string(),
                ],
            )
            .map_err(sql_err)?;
        self.conn.execute_batch("commit").map_err(sql_err)?;
        let free_pages: i64 = self
            .conn
            .query_row("pragma freelist_count", [], |row| row.get(0))
            .map_err(sql_err)?;
        let len = std::fs::metadata(&self.path)
            .map_err(|e| Error::io("read the size of", &self.path, e))?
            .len();
        Ok(Committed {
            conn: self.conn,
            path: self.path,
            settled: if free_pages == 0 { len } else { 0 },
        })
    }
}

/// A collection with all its rows committed, before its indexes are created.
pub struct Committed {
    conn: Connection,
    path: std::path::PathBuf,
    settled: u64,
}

impl Committed {
    /// The bytes of the file, from the start, that creating the indexes leaves as they are,
    /// apart from the first page (the header and the schema). With no free pages to reuse,
    /// SQLite puts every new index page after the end of the file; with free pages, nothing is
    /// promised and this is 0. Readers that rely on it still check (see `deflate`).
    pub fn settled_len(&self) -> u64 {
        self.settled
    }

    /// Creates the indexes and closes the file.
    pub fn create_indexes(self) -> Result<()> {
        let sql_err = |e| sql_error(&self.path, e);
        self.conn.execute_batch(INDEXES).map_err(sql_err)?;
        self.conn.close().map_err(|(_, e)| sql_err(e))?;
        Ok(())
    }
}

/// A note with its columns computed: the part of writing a note that needs no database.
#[derive(Debug, Clone)]
pub struct NoteRow {
    id: i64,
    guid: String,
    notetype_id: i64,
    mtime: i64,
    cards: Vec<super::model::Card>,
    tags: String,
    fields: String,
    sort_field: String,
    checksum: i64,
}

/// What a row takes from a note besides its text.
#[derive(Debug, Clone)]
pub struct RowIds {
    pub id: i64,
    pub guid: String,
    pub notetype_id: i64,
    pub mtime: i64,
    pub cards: Vec<super::model::Card>,
}

impl NoteRow {
    pub fn new(note: &Note, notetypes: &[Notetype]) -> NoteRow {
        let ids = RowIds {
            id: note.id,
            guid: note.guid.clone(),
            notetype_id: note.notetype_id,
            mtime: note.mtime,
            cards: note.cards.clone(),
        };
        NoteRow::from_parts(ids, &note.fields, &note.tags, notetypes)
    }

    /// The row of a note held in parts (a build reads its notes back into reused buffers
    /// rather than into a [`Note`] each).
    pub fn from_parts<S: AsRef<str>>(
        ids: RowIds,
        fields: &[S],
        tags: &[String],
        notetypes: &[Notetype],
    ) -> NoteRow {
        let sort_index = notetypes
            .iter()
            .find(|nt| nt.id == ids.notetype_id)
            .map_or(0, |nt| nt.sort_field);
        let field = |index: usize| fields.get(index).map_or("", |s| s.as_ref());
        let first_field = strip_html_keep_media(field(0));
        let checksum = field_checksum(&first_field);
        let sort_field = if sort_index == 0 {
            first_field
        } else {
            strip_html_keep_media(field(sort_index))
        };
        NoteRow {
            tags: tags_column(tags),
            fields: join_fields(fields),
            sort_field,
            checksum,
            id: ids.id,
            guid: ids.guid,
            notetype_id: ids.notetype_id,
            mtime: ids.mtime,
            cards: ids.cards,
        }
    }
}

/// The fields as Anki stores them: separated by 0x1f.
fn join_fields<S: AsRef<str>>(fields: &[S]) -> String {
    let len = fields.iter().map(|f| f.as_ref().len() + 1).sum::<usize>();
    let mut out = String::with_capacity(len.saturating_sub(1));
    for (index, field) in fields.iter().enumerate() {
        if index > 0 {
            out.push('\x1f');
        }
        out.push_str(field.as_ref());
    }
    out
}

fn sql_error(path: &Path, e: rusqlite::Error) -> Error {
    Error::new("cannot write the deck's SQLite collection")
        .in_file(path)
        .caused_by(e)
        .help("check that the output directory is writable and the disk is not full")
}

/// Anki stores tags as one space-separated string with a leading and trailing space.
fn tags_column(tags: &[String]) -> String {
    if tags.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(tags.iter().map(|t| t.len() + 1).sum::<usize>() + 1);
    for tag in tags {
        out.push(' ');
        out.push_str(tag);
    }
    out.push(' ');
    out
}

/// Anki's duplicate-check checksum: the first 4 bytes (big-endian) of the SHA-1 of the first
/// field with HTML stripped.
pub fn field_checksum(stripped_first_field: &str) -> i64 {
    let digest = Sha1::digest(stripped_first_field.as_bytes());
    i64::from(u32::from_be_bytes(
        digest[..4].try_into().expect("sha1 has 20 bytes"),
    ))
}

/// Strip HTML as Anki does for the sort field: media references keep their file name, tags go,
/// common entities are decoded.
pub fn strip_html_keep_media(html: &str) -> String {
    static IMG: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r#"(?is)<img[^>]*?\bsrc\s*=\s*["']?([^"'>\s]+)["']?[^>]*>"#)
            .expect("valid regex")
    });
    // Most fields have no image: skip the regex (the costliest step per note) for them.
    let has_img = html
        .as_bytes()
        .windows(4)
        .any(|w| w[0] == b'<' && w.eq_ignore_ascii_case(b"<img"));
    let with_names = if has_img {
        IMG.replace_all(html, " ${1} ")
    } else {
        std::borrow::Cow::Borrowed(html)
    };
    let text = strip_tags(&with_names);
    // Decoding text without an `&` gives it back as it is.
    let decoded = if text.contains('&') {
        std::borrow::Cow::Owned(crate::markup::decode_entities(&text))
    } else {
        text
    };
    let trimmed = decoded.trim();
    if trimmed.len() == decoded.len() {
        decoded.into_owned()
    } else {
        trimmed.to_string()
    }
}

/// Removes `<!-- … -->` comments and `<…>` tags, exactly as the regex
/// `(?s)<!--.*?-->|<[^>]*>` replaced by nothing would, without a regex. Byte by byte: a field
/// has a few short tags, and a search call per `<` and `>` cost more than the scan.
fn strip_tags(html: &str) -> std::borrow::Cow<'_, str> {
    if !html.contains('<') {
        return std::borrow::Cow::Borrowed(html);
    }
    let bytes = html.as_bytes();
    let find = |from: usize, byte: u8| bytes[from..].iter().position(|&b| b == byte);
    let mut out = String::with_capacity(html.len());
    // `start` and every `<` and `>` are char boundaries: the text between is copied whole.
    let mut start = 0;
    while let Some(offset) = find(start, b'<') {
        let open = start + offset;
        out.push_str(&html[start..open]);
        let tail = &html[open..];
        let comment_end = tail
            .strip_prefix("<!--")
            .and_then(|body| body.find("-->").map(|end| 4 + end + 3));
        let end = comment_end.or_else(|| find(open, b'>').map(|end| end + 1));
        match end {
            Some(end) => start = open + end,
            None => {
                out.push('<');
                start = open + 1;
            }
        }
    }
    out.push_str(&html[start..]);
    std::borrow::Cow::Owned(out)
}

/// The collection's config as JSON text: [`conf_json`], with the lock carried when there is
/// one. The lock can be tens of megabytes (about 200 bytes a note), so it comes escaped (see
/// [`JsonText`]) and goes straight into the text instead of into a JSON value serialised
/// later; the text is the same either way.
fn conf_text(package: &PackageMeta<'_>, cards: usize, lock: Option<JsonText>) -> Result<String> {
    let Some(lock) = lock else {
        return Ok(conf_json(package, cards, None).to_string());
    };
    // An empty lock marks its place; the key is ours and comes once.
    let text = conf_json(package, cards, Some("")).to_string();
    let mark = format!("{}:\"\"", Value::from(EMBEDDED_LOCK_KEY));
    let Some(at) = text.find(&mark).map(|at| at + mark.len() - 1) else {
        return Err(Error::new(
            "internal error: the collection's config has no place for the lock",
        ));
    };
    let mut out = String::with_capacity(text.len() + lock.escaped.len());
    out.push_str(&text[..at]);
    out.push_str(lock.as_str()?);
    drop(lock);
    out.push_str(&text[at..]);
    Ok(out)
}

/// Text escaped as it grows into the inside of a JSON string (the part between the quotes),
/// exactly as `serde_json` escapes it: the lock a package carries is written line by line
/// into one, so the megabytes of lock text are never held twice nor escaped in one pass at
/// the end.
#[derive(Debug, Default)]
pub struct JsonText {
    /// Valid UTF-8: the text with some ASCII bytes replaced by ASCII escapes.
    escaped: Vec<u8>,
    len: usize,
}

impl JsonText {
    /// An empty text with room for `capacity` bytes of escaped text.
    pub fn with_capacity(capacity: usize) -> Self {
        JsonText {
            escaped: Vec::with_capacity(capacity),
            len: 0,
        }
    }

    /// The length of the text before escaping.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `text`, escaped.
    pub fn push_str(&mut self, text: &str) {
        self.len += text.len();
        escape_json_into(&mut self.escaped, text);
    }

    /// The escaped text.
    fn as_str(&self) -> Result<&str> {
        std::str::from_utf8(&self.escaped)
            .map_err(|e| Error::new("cannot write the collection's config").caused_by(e))
    }
}

impl std::fmt::Write for JsonText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

/// Appends `text` to `out` escaped as a JSON string's content, byte for byte as serde_json
/// escapes a string (the rest of the config is written by serde_json). A lock line has about
/// ten tabs and nothing else to escape: such a line is copied between its tabs, found by
/// memchr, rather than byte by byte (serde_json's escaping was a sixth of the thread that
/// prepares the rows).
fn escape_json_into(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    // No early exit, so that the check runs over whole vectors.
    let only_tabs_and_newlines = !bytes.iter().fold(false, |other, &b| {
        other | (b < 0x20 && b != b'\t' && b != b'\n') | (b == b'"') | (b == b'\\')
    });
    if only_tabs_and_newlines {
        let mut start = 0;
        for at in memchr::memchr2_iter(b'\t', b'\n', bytes) {
            out.extend_from_slice(&bytes[start..at]);
            out.extend_from_slice(if bytes[at] == b'\t' { b"\\t" } else { b"\\n" });
            start = at + 1;
        }
        out.extend_from_slice(&bytes[start..]);
        return;
    }
    let mut start = 0;
    for (at, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..at]);
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 15)]);
        } else {
            out.extend_from_slice(short);
        }
        start = at + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

fn conf_json(package: &PackageMeta<'_>, cards: usize, lock: Option<&str>) -> Value {
    let first_deck = package.decks.first().map_or(1, |d| d.id);
    let mut conf = json!({
        "activeDecks": [first_deck],
        "curDeck": first_deck,
        "newSpread": 0,
        "collapseTime": 1200,
        "timeLim": 0,
        "estTimes": true,
        "dueCounts": true,
        "curModel": package.notetypes.first().map(|nt| nt.id.to_string()),
        "nextPos": cards + 1,
        "sortType": "noteFld",
        "sortBackwards": false,
        "addToCur": true,
    });
    if let Some(lock) = lock {
        conf[EMBEDDED_LOCK_KEY] = Value::String(lock.to_string());
    }
    conf
}

fn models_json(package: &PackageMeta<'_>) -> Value {
    let mut models = serde_json::Map::new();
    for nt in package.notetypes {
        models.insert(nt.id.to_string(), notetype_json(nt));
    }
    Value::Object(models)
}

fn notetype_json(nt: &Notetype) -> Value {
    let flds: Vec<Value> = nt
        .fields
        .iter()
        .enumerate()
        .map(|(ord, f)| {
            json!({
                "name": f.name, "ord": ord, "sticky": false, "rtl": false,
                "font": "Arial", "size": 20, "media": [], "description": "",
                "plainText": false, "collapsed": false, "excludeFromSearch": false,
                "id": f.id, "tag": null, "preventDeletion": false,
            })
        })
        .collect();
    let tmpls: Vec<Value> = nt
        .templates
        .iter()
        .enumerate()
        .map(|(ord, t)| {
            json!({
                "name": t.name, "ord": ord, "qfmt": t.front, "afmt": t.back,
                "bqfmt": "", "bafmt": "", "did": null, "bfont": "", "bsize": 0, "id": t.id,
            })
        })
        .collect();
    json!({
        "id": nt.id,
        "name": nt.name,
        "type": match nt.kind { NotetypeKind::Standard => 0, NotetypeKind::Cloze => 1 },
        "mod": nt.mtime,
        "usn": -1,
        "sortf": nt.sort_field,
        "did": 1,
        "tmpls": tmpls,
        "flds": flds,
        "css": nt.css,
        "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
        "latexPost": "\\end{document}",
        "latexsvg": false,
        // Old clients use `req` to generate cards when a learner adds notes by hand: the only
        // template needs the first field.
        "req": [[0, "any", [0]]],
        "tags": [],
        "vers": [],
    })
}

fn decks_json(package: &PackageMeta<'_>) -> Value {
    let mut decks = serde_json::Map::new();
    // Old clients expect the Default deck to exist; new importers skip it.
    let default = Deck {
        id: 1,
        name: "Default".into(),
        description: String::new(),
    };
    for deck in std::iter::once(&default).chain(package.decks) {
        decks.insert(deck.id.to_string(), deck_json(deck, package.build_time));
    }
    Value::Object(decks)
}

fn deck_json(deck: &Deck, mtime: i64) -> Value {
    json!({
        "id": deck.id,
        "name": deck.name,
        "desc": deck.description,
        "mod": mtime,
        "usn": -1,
        "collapsed": false,
        "browserCollapsed": false,
        "dyn": 0,
        "conf": 1,
        "extendNew": 0,
        "extendRev": 0,
        "newToday": [0, 0],
        "revToday": [0, 0],
        "lrnToday": [0, 0],
        "timeToday": [0, 0],
    })
}

fn dconf_json() -> Value {
    json!({
        "1": {
            "id": 1, "mod": 0, "name": "Default", "usn": 0, "maxTaken": 60, "autoplay": true,
            "timer": 0, "replayq": true, "dyn": false,
            "new": {"bury": true, "delays": [1.0, 10.0], "initialFactor": 2500,
                    "ints": [1, 4, 0], "order": 1, "perDay": 20, "separate": true},
            "lapse": {"delays": [10.0], "leechAction": 1, "leechFails": 8, "minInt": 1,
                      "mult": 0.0},
            "rev": {"bury": true, "ease4": 1.3, "fuzz": 0.05, "ivlFct": 1.0, "maxIvl": 36500,
                    "minSpace": 1, "perDay": 200, "hardFactor": 1.2},
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde_json makes of `text` as a string, without the quotes.
    fn serde_escaped(text: &str) -> Vec<u8> {
        let quoted = serde_json::to_vec(text).unwrap();
        quoted[1..quoted.len() - 1].to_vec()
    }

    #[test]
    fn lock_text_is_escaped_as_serde_json_escapes_it() {
        let mut every_byte: String = (0u8..128).map(char::from).collect();
        every_byte.push_str("é\u{2028}字");
        for text in [
            "note\tpaX\t1\tbench/topic 0/summary\n",
            "",
            "\t\t\n",
            "a \"quoted\" key\\ with\ttabs\n",
            "bell\u{7}\tdel\u{7f}",
            &every_byte,
        ] {
            let mut out = b"before".to_vec();
            escape_json_into(&mut out, text);
            assert_eq!(&out[..6], b"before");
            assert_eq!(out[6..], serde_escaped(text), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_escaped_as_serde_json_escapes_it(
            text in "[\\x00-\\x7f\\t\\nab\"\\\\é字]{0,40}"
        ) {
            let mut out = Vec::new();
            escape_json_into(&mut out, &text);
            proptest::prop_assert_eq!(out, serde_escaped(&text));
        }
    }

    #[test]
    fn strips_html_but_keeps_media_names() {
        assert_eq!(
            strip_html_keep_media("<b>Hi</b> <img src=\"a.png\"> &amp; x"),
            "Hi  a.png  & x"
        );
    }

    proptest::proptest! {
        /// The shortcuts of `strip_html_keep_media` (the image test, no decoding without an
        /// `&`, no copy when nothing is trimmed) change nothing.
        #[test]
        fn stripping_takes_no_shortcut_that_shows(
            html in "([a-z ]|<|>|<img src=x>|<IMG|&amp;|&#39;|&|;|<!--|-->|\\PC| |\n)*",
        ) {
            let has_img = html
                .as_bytes()
                .windows(4)
                .any(|w| w.eq_ignore_ascii_case(b"<img"));
            let regex = regex::Regex::new(r#"(?is)<img[^>]*?\bsrc\s*=\s*["']?([^"'>\s]+)["']?[^>]*>"#)
                .unwrap();
            let with_names = if has_img {
                regex.replace_all(&html, " ${1} ")
            } else {
                std::borrow::Cow::Borrowed(html.as_str())
            };
            let text = strip_tags(&with_names);
            let before = crate::markup::decode_entities(&text).trim().to_string();
            proptest::prop_assert_eq!(strip_html_keep_media(&html), before);
        }

        /// Fields and tags are joined as `join` and `format!` joined them.
        #[test]
        fn columns_are_joined_as_before(
            fields in proptest::collection::vec("\\PC{0,8}", 0..7),
            tags in proptest::collection::vec("[a-z:]{0,8}", 0..5),
        ) {
            proptest::prop_assert_eq!(join_fields(&fields), fields.join("\x1f"));
            let before = if tags.is_empty() {
                String::new()
            } else {
                format!(" {} ", tags.join(" "))
            };
            proptest::prop_assert_eq!(tags_column(&tags), before);
        }
    }

    #[test]
    fn strip_tags_matches_the_regex() {
        let re = regex::Regex::new(r"(?s)<!--.*?-->|<[^>]*>").unwrap();
        for html in [
            "a<b>c</b>d",
            "<!-- x --> y",
            "<!-->z-->w",
            "<!-- open <b>bold</b>",
            "a < b and c > d",
            "tail <",
            "<<b>>",
            "x<!--a-->y<!--b",
            "é<span class=\"q\">ü</span>",
        ] {
            assert_eq!(strip_tags(html), re.replace_all(html, ""), "{html}");
        }
    }

    proptest::proptest! {
        /// `JsonText` escapes as `serde_json` does, whatever the text and however it comes.
        #[test]
        fn json_text_is_escaped_as_serde_json_escapes(
            parts in proptest::collection::vec("\\PC*|[\\x00-\\x7f]*|\\\\\"\t\n\x7f\u{2028}", 0..6),
        ) {
            let mut text = JsonText::default();
            for part in &parts {
                text.push_str(part);
            }
            let whole = parts.concat();
            let serde = serde_json::to_string(&whole).unwrap();
            proptest::prop_assert_eq!(text.len(), whole.len());
            proptest::prop_assert_eq!(text.as_str().unwrap(), &serde[1..serde.len() - 1]);
        }
    }

    #[test]
    fn every_byte_is_escaped_as_serde_json_escapes() {
        let all: String = (0u8..128)
            .map(char::from)
            .chain(['é', '\u{2028}', '😀'])
            .collect();
        let mut text = JsonText::default();
        text.push_str(&all);
        let serde = serde_json::to_string(&all).unwrap();
        assert_eq!(text.as_str().unwrap(), &serde[1..serde.len() - 1]);
    }

    #[test]
    fn checksum_matches_anki() {
        // int(sha1("hello").hexdigest()[:8], 16)
        assert_eq!(field_checksum("hello"), 0xaaf4c61d);
    }
}
