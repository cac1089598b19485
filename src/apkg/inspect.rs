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
use crate::apkg::open_apkg;
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

struct Model {
    name: String,
    cloze: bool,
    fields: Vec<String>,
    templates: Vec<(String, String, String)>,
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
    let sql = |e: rusqlite::Error| e.to_string();
    let (schema, models, decks): (i64, String, String) = conn
        .query_row("select ver, models, decks from col limit 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .map_err(sql)?;
    let models: serde_json::Value =
        serde_json::from_str(&models).map_err(|e| format!("col.models is not JSON: {e}"))?;
    let decks: serde_json::Value =
        serde_json::from_str(&decks).map_err(|e| format!("col.decks is not JSON: {e}"))?;
    let mut model_map: BTreeMap<i64, Model> = BTreeMap::new();
    for (id, m) in models.as_object().ok_or("col.models is not an object")? {
        let id: i64 = id
            .parse()
            .map_err(|_| format!("note type id {id:?} is not a number"))?;
        let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
        model_map.insert(
            id,
            Model {
                name: text(&m["name"]),
                cloze: m["type"].as_i64() == Some(1),
                fields: m["flds"]
                    .as_array()
                    .map(|a| a.iter().map(|f| text(&f["name"])).collect())
                    .unwrap_or_default(),
                templates: m["tmpls"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|t| (text(&t["name"]), text(&t["qfmt"]), text(&t["afmt"])))
                            .collect()
                    })
                    .unwrap_or_default(),
            },
        );
    }
    let mut deck_names: BTreeMap<i64, String> = BTreeMap::new();
    for (id, d) in decks.as_object().ok_or("col.decks is not an object")? {
        let id: i64 = id
            .parse()
            .map_err(|_| format!("deck id {id:?} is not a number"))?;
        deck_names.insert(id, d["name"].as_str().unwrap_or("").to_string());
    }
    let notes: i64 = conn
        .query_row("select count(*) from notes", [], |r| r.get(0))
        .map_err(sql)?;
    let cards: i64 = conn
        .query_row("select count(*) from cards", [], |r| r.get(0))
        .map_err(sql)?;
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
            name: deck_names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("(deck {id})")),
            notes: n as usize,
            cards: c as usize,
        });
    }
    deck_list.sort_by(|a, b| a.name.cmp(&b.name));
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
    let notetypes = model_map
        .iter()
        .map(|(id, m)| NotetypeInfo {
            id: *id,
            name: m.name.clone(),
            kind: if m.cloze { "cloze" } else { "standard" },
            fields: m.fields.clone(),
            templates: m.templates.iter().map(|t| t.0.clone()).collect(),
            notes: per_model.get(id).copied().unwrap_or(0),
        })
        .collect();
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
        let Some(model) = model_map.get(&mid) else {
            continue;
        };
        let fields: HashMap<String, String> = model
            .fields
            .iter()
            .cloned()
            .zip(flds.split('\u{1f}').map(str::to_string))
            .collect();
        let index = if model.cloze { 0 } else { ord.max(0) as usize };
        let Some((name, qfmt, afmt)) = model.templates.get(index) else {
            continue;
        };
        let ord = ord.max(0) as u32;
        let q = template::render(qfmt, &fields, ord, Side::Question, "");
        let a = template::render(afmt, &fields, ord, Side::Answer, "");
        let question = crate::apkg::field_text(&q);
        let mut answer = crate::apkg::field_text(&a);
        if model.cloze {
            // The answer of a cloze card is what its deletion hid.
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
        sample_list.push(Sample {
            deck: deck_names.get(&did).cloned().unwrap_or_default(),
            notetype: model.name.clone(),
            template: name.clone(),
            guid,
            question: crate::markup::shorten(&question, 200),
            answer: crate::markup::shorten(&answer, 300),
        });
    }
    Ok((
        deck_list,
        notetypes,
        notes as usize,
        cards as usize,
        sample_list,
        schema,
    ))
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
                d.name, d.id, d.notes, d.cards
            ));
        }
        out.push_str("note types:\n");
        for nt in &self.notetypes {
            out.push_str(&format!(
                "  {} (id {}, {}): {} notes; fields: {}; templates: {}\n",
                nt.name,
                nt.id,
                nt.kind,
                nt.notes,
                nt.fields.join(", "),
                nt.templates.join(", ")
            ));
        }
        if !self.media.is_empty() {
            out.push_str("media:\n");
            for m in &self.media {
                out.push_str(&format!("  {} ({})\n", m.name, human(m.size)));
            }
        }
        if !self.samples.is_empty() {
            out.push_str("sample cards:\n");
            for (i, s) in self.samples.iter().enumerate() {
                out.push_str(&format!(
                    "  {}. {} · {} · {} · {}\n     Q: {}\n     A: {}\n",
                    i + 1,
                    s.deck,
                    s.notetype,
                    s.template,
                    s.guid,
                    s.question,
                    s.answer
                ));
            }
        }
        out
    }
}
