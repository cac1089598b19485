//! `primer-anki inspect FILE.apkg`: what a package holds — decks, note types, counts, media and
//! a sample of cards rendered with the package's own templates. Works on any legacy `.apkg`
//! (ours, the primer's 2017 decks, genanki output). The file is untrusted: it is opened through
//! [`crate::apkg::open_apkg`] (no paths in member names, size and ratio caps, the
//! collection copied to a private temporary file and opened read-only).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::Serialize;

use super::template::{self, Side};
use crate::apkg::{ApkgTemplate, CollectionInfo, open_apkg, read_col};
use crate::error::{Error, Result};

static CLOZE_SPAN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r#"(?s)<span class="cloze">(.*?)</span>"#).unwrap()
});

/// The most the `media` map may unpack to.
const MAX_MEDIA_MAP: u64 = 64 << 20;

#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    pub file: PathBuf,
    pub size: u64,
    /// `collection.anki2` or `collection.anki21`.
    pub collection: String,
    pub schema: i64,
    pub decks: Vec<DeckInfo>,
    pub notetypes: Vec<NotetypeInfo>,
    pub notes: usize,
    pub cards: usize,
    pub media: Vec<MediaInfo>,
    pub media_bytes: u64,
    pub samples: Vec<Sample>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeckInfo {
    pub id: i64,
    pub name: String,
    pub notes: usize,
    pub cards: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotetypeInfo {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub fields: Vec<String>,
    pub templates: Vec<String>,
    pub notes: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct MediaInfo {
    pub name: String,
    pub size: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub deck: String,
    pub notetype: String,
    pub template: String,
    pub guid: String,
    pub question: String,
    pub answer: String,
}

fn bad(path: &Path, what: String) -> Error {
    Error::new(what).in_file(path).help(
        "check that this is an Anki deck package (.apkg); re-export it from Anki if it is damaged",
    )
}

/// Inspect the package at `path`, with up to `samples` sample cards.
pub fn inspect(path: &Path, samples: usize) -> Result<Inspection> {
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io("read the package", path, e))?
        .len();
    let mut opened = open_apkg(path)?;
    let sizes: HashMap<String, u64> = opened.members.iter().cloned().collect();
    let member = opened.collection_member;
    let (decks, notetypes, notes, cards, sample_list, schema) = read(&opened.conn, samples)
        .map_err(|e| {
            bad(
                path,
                format!("{member} is not an Anki collection this tool can read ({e})"),
            )
        })?;
    let mut media = Vec::new();
    if sizes.contains_key("media") {
        let bytes = opened.read_member("media", MAX_MEDIA_MAP)?;
        let map: BTreeMap<String, String> = if bytes.is_empty() {
            BTreeMap::new()
        } else {
            serde_json::from_slice(&bytes).map_err(|e| {
                bad(
                    path,
                    format!("the media map is not a JSON object of names ({e})"),
                )
            })?
        };
        for (number, name) in map {
            media.push(MediaInfo {
                size: sizes.get(&number).copied().unwrap_or(0),
                name,
            });
        }
        media.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let media_bytes = media.iter().map(|m| m.size).sum();
    Ok(Inspection {
        file: path.to_path_buf(),
        size,
        collection: member.to_string(),
        schema,
        decks,
        notetypes,
        notes,
        cards,
        media,
        media_bytes,
        samples: sample_list,
    })
}

type Read = (
    Vec<DeckInfo>,
    Vec<NotetypeInfo>,
    usize,
    usize,
    Vec<Sample>,
    i64,
);

fn read(conn: &Connection, samples: usize) -> std::result::Result<Read, String> {
    let col = read_col(conn)?;
    let count = |table: &str| -> std::result::Result<usize, String> {
        conn.query_row(&format!("select count(*) from {table}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| n as usize)
        .map_err(|e| e.to_string())
    };
    Ok((
        deck_list(conn, &col)?,
        notetype_list(conn, &col)?,
        count("notes")?,
        count("cards")?,
        sample_cards(conn, &col, samples)?,
        col.schema,
    ))
}

/// Every deck that has cards, with its note and card counts, by name.
fn deck_list(
    conn: &Connection,
    col: &CollectionInfo,
) -> std::result::Result<Vec<DeckInfo>, String> {
    let sql = |e: rusqlite::Error| e.to_string();
    let mut deck_list = Vec::new();
    let mut stmt = conn
        .prepare("select did, count(distinct nid), count(*) from cards group by did")
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .map_err(sql)?;
    for row in rows {
        let (id, n, c) = row.map_err(sql)?;
        deck_list.push(DeckInfo {
            id,
            name: col
                .decks
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("(deck {id})")),
            notes: n as usize,
            cards: c as usize,
        });
    }
    deck_list.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(deck_list)
}

/// Every note type with its fields, templates and note count.
fn notetype_list(
    conn: &Connection,
    col: &CollectionInfo,
) -> std::result::Result<Vec<NotetypeInfo>, String> {
    let sql = |e: rusqlite::Error| e.to_string();
    let mut per_model: HashMap<i64, usize> = HashMap::new();
    let mut stmt = conn
        .prepare("select mid, count(*) from notes group by mid")
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
        .map_err(sql)?;
    for row in rows {
        let (mid, n) = row.map_err(sql)?;
        per_model.insert(mid, n as usize);
    }
    Ok(col
        .notetypes
        .iter()
        .map(|(id, m)| NotetypeInfo {
            id: *id,
            name: m.name.clone(),
            kind: if m.kind == 1 { "cloze" } else { "standard" },
            fields: m.fields.clone(),
            templates: m.templates.iter().map(|t| t.name.clone()).collect(),
            notes: per_model.get(id).copied().unwrap_or(0),
        })
        .collect())
}

/// The first `samples` cards in deck and due order, rendered with the package's templates.
fn sample_cards(
    conn: &Connection,
    col: &CollectionInfo,
    samples: usize,
) -> std::result::Result<Vec<Sample>, String> {
    let sql = |e: rusqlite::Error| e.to_string();
    let mut sample_list = Vec::new();
    let mut stmt = conn
        .prepare(
            "select c.ord, c.did, n.mid, n.flds, n.guid from cards c join notes n on n.id = c.nid \
             order by c.did, c.due, c.ord, c.id limit ?1",
        )
        .map_err(sql)?;
    let rows = stmt
        .query_map([samples as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .map_err(sql)?;
    for row in rows {
        let (ord, did, mid, flds, guid) = row.map_err(sql)?;
        let Some(model) = col.notetypes.get(&mid) else {
            continue;
        };
        let cloze = model.kind == 1;
        let fields: HashMap<String, String> = model
            .fields
            .iter()
            .cloned()
            .zip(flds.split('\u{1f}').map(str::to_string))
            .collect();
        let index = if cloze { 0 } else { ord.max(0) as usize };
        let Some(template) = model.templates.get(index) else {
            continue;
        };
        let (question, answer) = sample_sides(template, &fields, ord.max(0) as u32, cloze);
        sample_list.push(Sample {
            deck: col.decks.get(&did).cloned().unwrap_or_default(),
            notetype: model.name.clone(),
            template: template.name.clone(),
            guid,
            question: crate::markup::shorten(&question, 200),
            answer: crate::markup::shorten(&answer, 300),
        });
    }
    Ok(sample_list)
}

/// A card's question and answer as text. The answer of a cloze card is what its deletion
/// hid; a standard card's answer leaves out the question it repeats.
fn sample_sides(
    template: &ApkgTemplate,
    fields: &HashMap<String, String>,
    ord: u32,
    cloze: bool,
) -> (String, String) {
    let q = template::render(&template.front, fields, ord, Side::Question, "");
    let a = template::render(&template.back, fields, ord, Side::Answer, "");
    let question = crate::apkg::field_text(&q);
    let mut answer = crate::apkg::field_text(&a);
    if cloze {
        let revealed: Vec<String> = CLOZE_SPAN
            .captures_iter(&template::cloze(
                fields
                    .values()
                    .find(|v| v.contains("{{c"))
                    .map_or("", |v| v.as_str()),
                ord + 1,
                Side::Answer,
            ))
            .map(|c| crate::apkg::field_text(&c[1]))
            .collect();
        if !revealed.is_empty() {
            answer = revealed.join(" · ");
        }
    } else if let Some(rest) = answer.strip_prefix(question.as_str()) {
        answer = rest.trim().to_string();
    }
    (question, answer)
}

fn human(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

impl Inspection {
    /// A readable report.
    pub fn to_text(&self) -> String {
        // Every string comes from the package: no control character reaches the terminal, and
        // no line is longer than a screen or two.
        use crate::markup::printable as p;
        const NAME: usize = 120;
        const LINE: usize = 400;
        let mut out = String::new();
        out.push_str(&format!(
            "package: {} ({}, schema {}, {})\n",
            self.file.display(),
            self.collection,
            self.schema,
            human(self.size)
        ));
        out.push_str(&format!(
            "totals: {} notes, {} cards, {} media files ({})\n",
            self.notes,
            self.cards,
            self.media.len(),
            human(self.media_bytes)
        ));
        out.push_str("decks:\n");
        for d in &self.decks {
            out.push_str(&format!(
                "  {} (id {}): {} notes, {} cards\n",
                p(&d.name, NAME),
                d.id,
                d.notes,
                d.cards
            ));
        }
        out.push_str("note types:\n");
        for nt in &self.notetypes {
            out.push_str(&format!(
                "  {} (id {}, {}): {} notes; fields: {}; templates: {}\n",
                p(&nt.name, NAME),
                nt.id,
                nt.kind,
                nt.notes,
                p(&nt.fields.join(", "), LINE),
                p(&nt.templates.join(", "), LINE)
            ));
        }
        if !self.media.is_empty() {
            out.push_str("media:\n");
            for m in &self.media {
                out.push_str(&format!("  {} ({})\n", p(&m.name, NAME), human(m.size)));
            }
        }
        if !self.samples.is_empty() {
            out.push_str("sample cards:\n");
            for (i, s) in self.samples.iter().enumerate() {
                out.push_str(&format!(
                    "  {}. {} · {} · {} · {}\n     Q: {}\n     A: {}\n",
                    i + 1,
                    p(&s.deck, NAME),
                    p(&s.notetype, NAME),
                    p(&s.template, NAME),
                    p(&s.guid, NAME),
                    p(&s.question, LINE),
                    p(&s.answer, LINE)
                ));
            }
        }
        out
    }
}
