//! One file's cards → note drafts, in document order: the fields every card of a section
//! shares (context, source, tags), the card's own fields, and its numbered identity key.

use super::html::Renderer;
use super::{MediaResolver, NoteDraft, NoteFields, NotetypeKind, RenderOptions};
use crate::document::Document;
use crate::error::{Result, SourceLocation, Warning};
use crate::extract::{Card, CardBody, Piece};
use crate::key::{self, normalize_key};
use crate::markup::{escape, file_url};

/// Renders the cards of one file, one at a time and in document order (identity keys are
/// numbered within the file).
pub struct FileRenderer<'a> {
    r: Renderer<'a>,
    /// How many cards so far had each identity key (by fingerprint: a big file has many).
    keys: key::Numbering,
    deck_key: String,
    page: String,
    /// Cards come section by section, and the cards of one section share their breadcrumb:
    /// what derives from it (key prefix, tags, context, source) is made once per breadcrumb.
    shared: Option<SectionFields>,
}

impl<'a> FileRenderer<'a> {
    pub fn new(
        doc: &'a Document,
        options: &'a RenderOptions,
        media: &'a mut dyn MediaResolver,
    ) -> Self {
        FileRenderer {
            r: Renderer {
                doc,
                options,
                media,
                warnings: Vec::new(),
                line: 0,
                image_places: std::cell::OnceCell::new(),
            },
            keys: key::Numbering::default(),
            deck_key: normalize_key(&options.deck_name),
            page: format!("{}{}", options.base_url, file_url(&doc.file)),
            shared: None,
        }
    }

    pub fn card(&mut self, card: Card) -> Result<NoteDraft> {
        let r = &mut self.r;
        r.line = card.line;
        let (kind, front, mut back, card_count) = match &card.body {
            CardBody::Basic { front, back } => {
                (NotetypeKind::Standard, r.pieces(front)?, r.pieces(back)?, 1)
            }
            CardBody::Cloze { text, extra } => {
                let max = cloze_max(text);
                (
                    NotetypeKind::Cloze,
                    r.pieces(text)?,
                    r.pieces(extra)?,
                    max.max(1),
                )
            }
        };
        for figure in &card.figures {
            back.push_str(&r.figure(figure)?);
        }
        if !matches!(&self.shared, Some(s) if s.section == card.section && s.path == card.path) {
            self.shared = None;
        }
        let (options, doc) = (r.options, r.doc);
        let section = self.shared.get_or_insert_with(|| {
            SectionFields::new(options, doc, &card, &self.deck_key, &self.page)
        });
        let item = normalize_key(&card.item);
        let mut key = String::with_capacity(section.key_prefix.len() + item.len() + 24);
        key.push_str(&section.key_prefix);
        key::push_part(&mut key, card.rule);
        key::push_part(&mut key, &item);
        let base_len = key.len();
        let key = self.keys.number(key);
        // `key/N` for the N-th card of the file with this key.
        let repeat = key
            .get(base_len + 1..)
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        let fields = NoteFields {
            front,
            back,
            context: section.context.clone(),
            source: section.source.clone(),
            further_reading: r.further_reading(&card.further_reading),
        };
        Ok(NoteDraft {
            key,
            pin: card.pin,
            rule: card.rule,
            repeat,
            deck: options.deck,
            kind,
            fields,
            tags: section.tags.clone(),
            card_count,
            origin: SourceLocation::new(&doc.file, card.line, 0),
        })
    }

    pub fn into_warnings(self) -> Vec<Warning> {
        self.r.warnings
    }
}

/// The fields and key parts every card of one section (one breadcrumb) shares.
struct SectionFields {
    section: usize,
    path: Vec<String>,
    /// Deck and breadcrumb, normalised and joined with `/`: the start of each card's key.
    key_prefix: String,
    tags: Vec<String>,
    context: String,
    source: String,
}

impl SectionFields {
    fn new(
        options: &RenderOptions,
        doc: &Document,
        card: &Card,
        deck_key: &str,
        page: &str,
    ) -> Self {
        // Each heading normalised once, for the key and the tag.
        let normalized: Vec<String> = card.path.iter().map(|p| normalize_key(p)).collect();
        let mut key_prefix = deck_key.to_string();
        for part in &normalized {
            key::push_part(&mut key_prefix, part);
        }
        let anchor = &doc.sections[card.section].anchor;
        // Without a base URL the page is a bare path, which no card can open: no link.
        let source = if options.base_url.is_empty() {
            String::new()
        } else if anchor.is_empty() {
            escape(page)
        } else {
            escape(&format!("{page}#{anchor}"))
        };
        SectionFields {
            section: card.section,
            path: card.path.clone(),
            key_prefix,
            tags: tags(&options.tag_prefix, &normalized),
            context: escape(&card.path.join(" › ")),
            source,
        }
    }
}

fn cloze_max(pieces: &[Piece]) -> u32 {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Cloze(n, _) => *n,
            Piece::ClozeList(items) => items.iter().map(|(n, _)| *n).max().unwrap_or(0),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

/// The card's tag: the prefix, then each heading of the path (`normalized`: by
/// `normalize_key`), joined by `::`.
fn tags(prefix: &str, normalized: &[String]) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    if !prefix.trim().is_empty() {
        parts.push(prefix.trim().replace(' ', "_"));
    }
    parts.extend(
        normalized
            .iter()
            .map(|p| p.replace(' ', "_"))
            .filter(|p| !p.is_empty()),
    );
    if parts.is_empty() {
        Vec::new()
    } else {
        vec![parts.join("::")]
    }
}
