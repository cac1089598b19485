//! Card findings: answers left empty in the source, cards that render empty or too long,
//! questions asked twice in one deck, two cards of one deck with the same identity, and the
//! quality lint.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::quality::{self, NoteText};
use super::{Checker, Finding, Parsed, Place, Severity};
use crate::document::{Block, BlockKind, Inline, plain_text};
use crate::error::WarningKind;
use crate::extract;
use crate::identity::identity_of;
use crate::input;
use crate::markup::{html_to_text, shorten};
use crate::package::media::{MediaPacker, PackedImages};
use crate::package::model::NotetypeKind;
use crate::render::{self, NoteDraft, RenderOptions};

impl Checker<'_> {
    /// Answers the author started but left empty (`A:` with nothing after it, `**Term** -`
    /// with no definition): extraction drops them silently, so no card is made.
    pub(super) fn written_answers(&mut self, p: &Parsed) {
        let mut found: Vec<(usize, String, &'static str)> = Vec::new();
        let mut asked: Vec<(usize, String)> = Vec::new();
        for section in &p.doc.sections {
            empty_answers_in(&section.blocks, &mut found, &mut asked);
        }
        for (line, question) in asked {
            let span = self.span_of_line(p, line);
            let key = (p.deck, normalize_text(&question));
            if let Some(first) = self.asked.get(&key).cloned() {
                let place = self.place(&self.shown(&p.source.display), &p.raw, span, "asked again");
                self.push(Finding {
                    severity: Severity::Warning,
                    code: "duplicate-question",
                    message: format!(
                        "the question \"{}\" is asked twice in one deck; the second card gets its heading appended to tell them apart",
                        shorten(&question, 80)
                    ),
                    place,
                    help: "make the questions differ (name what is different about each), or merge the two answers into one card".into(),
                    related: Some(first),
                });
            } else {
                let place = self.place(
                    &self.shown(&p.source.display),
                    &p.raw,
                    span,
                    "asked first here",
                );
                self.asked.insert(key, place);
            }
        }
        for (line, subject, help) in found {
            let span = self.span_of_line(p, line);
            let place = self.place(&self.shown(&p.source.display), &p.raw, span, "no answer");
            self.push(Finding {
                severity: Severity::Error,
                code: "empty-answer",
                message: format!(
                    "\"{}\" has an empty answer, so no card is made for it",
                    shorten(&subject, 80)
                ),
                place,
                help: help.into(),
                related: None,
            });
        }
    }

    /// Card-level checks: runs extraction and rendering like `build` does, except that a
    /// missing image does not stop the file (links.rs reports it at its exact place).
    pub(super) fn cards(&mut self, content: &input::Content, parsed: &[Parsed]) {
        let mut per_deck: Vec<Vec<(usize, NoteDraft)>> = vec![Vec::new(); content.decks.len()];
        let packed = PackedImages::default();
        for (index, p) in parsed.iter().enumerate() {
            let spec = &content.decks[p.deck];
            let (cards, warnings) = extract::extract(
                &p.doc,
                &extract::ExtractOptions {
                    profile: spec.profile,
                    lang: spec.lang,
                },
            );
            for w in &warnings {
                self.warning_finding(p, w);
            }
            if spec.profile == input::Profile::Topics {
                self.unplaced(p, spec, &cards);
            }
            let options = RenderOptions {
                deck: p.deck,
                deck_name: spec.name.clone(),
                content_root: content.root.clone(),
                base_url: content.base_url.clone(),
                tag_prefix: spec.tag_prefix.clone(),
                remote_images: content.remote_images,
            };
            let mut packer = ImagesCheckedElsewhere(MediaPacker::new(&content.root, &packed));
            match render::render(&p.doc, &cards, &options, &mut packer) {
                Ok((drafts, warnings)) => {
                    for w in &warnings {
                        // Images are checked in links.rs, with the exact place.
                        if !matches!(
                            w.kind,
                            WarningKind::ImageScheme | WarningKind::ImageOutsideContent
                        ) {
                            self.warning_finding(p, w);
                        }
                    }
                    per_deck[p.deck].extend(drafts.into_iter().map(|d| (index, d)));
                }
                Err(error) => self.error_finding("unreadable-source", &error, Some(&p.raw)),
            }
        }
        for (deck, drafts) in per_deck.iter().enumerate() {
            self.report.notes += drafts.len();
            self.report.cards += drafts
                .iter()
                .map(|(_, d)| d.card_count as usize)
                .sum::<usize>();
            let mut identities: HashMap<String, usize> = HashMap::new();
            for (i, (index, draft)) in drafts.iter().enumerate() {
                let p = &parsed[*index];
                self.card(p, draft);
                let identity = identity_of(draft);
                if let Some(&first) = identities.get(&identity) {
                    let (fi, fd) = &drafts[first];
                    let related =
                        self.card_place(&parsed[*fi], fd, "the first card with this identity");
                    let place = self.card_place(p, draft, "same identity");
                    self.push(Finding {
                        severity: Severity::Error,
                        code: "identity-collision",
                        message: format!(
                            "two cards of deck \"{}\" have the same identity `{identity}`; the build refuses them",
                            content.decks[deck].name
                        ),
                        place,
                        help: "give one of them a different heading or term, or pin one with <!-- id: some-unique-id --> on the line before".into(),
                        related: Some(related),
                    });
                } else {
                    identities.insert(identity, i);
                }
            }
            let exercises = content.decks[deck].profile == input::Profile::Exercise;
            self.quality(parsed, drafts, exercises);
        }
    }

    /// Code, Q/A pairs and figures of a topics file that reach no card (see
    /// [`super::coverage::unplaced`]).
    fn unplaced(&mut self, p: &Parsed, spec: &input::DeckSpec, cards: &[extract::Card]) {
        let options = extract::ExtractOptions {
            profile: spec.profile,
            lang: spec.lang,
        };
        for (line, kind) in super::coverage::unplaced(&p.doc, &options, cards) {
            let (code, message, help) = match kind {
                "code" => (
                    "unplaced-code",
                    "this code block reaches no card",
                    "introduce it with a sentence ending in a colon under a statement a card asks \
                     about, or lay it out as a table (title line, dashed rule, rows)",
                ),
                "Q/A" => (
                    "unparsed-qa",
                    "this question gives no card: no answer paragraph follows it",
                    "put the answer in the next paragraph, starting with `A:` (or `答：`, `A：`)",
                ),
                _ => (
                    "unplaced-figure",
                    "this figure is on no card",
                    "put the figure in a section that gives cards (under the heading, before \
                     its first paragraph), or remove it",
                ),
            };
            let span = self.span_of_line(p, line);
            let place = self.place(&self.shown(&p.source.display), &p.raw, span, kind);
            self.push(Finding {
                severity: Severity::Warning,
                code,
                message: message.into(),
                place,
                help: help.into(),
                related: None,
            });
        }
    }

    /// The quality lint over one deck's cards (see [`quality`]).
    fn quality(&mut self, parsed: &[Parsed], drafts: &[(usize, NoteDraft)], exercises: bool) {
        let notes: Vec<(usize, NoteText)> = drafts
            .iter()
            .map(|(file, draft)| (*file, NoteText::of(draft)))
            .collect();
        for (i, defect) in quality::deck_defects(&notes, exercises) {
            let (file, draft) = &drafts[i];
            let question = shorten(&display_text(&html_to_text(&draft.fields.front)), 80);
            let place = self.card_place(&parsed[*file], draft, "this card");
            self.push(Finding {
                severity: Severity::Warning,
                code: defect.code,
                message: format!("{}: \"{question}\"", defect.what),
                place,
                help: defect.help.into(),
                related: None,
            });
        }
    }

    fn card_place(&self, p: &Parsed, draft: &NoteDraft, label: &str) -> Place {
        let span = self.span_of_line(p, draft.origin.line);
        self.place(&self.shown(&p.source.display), &p.raw, span, label)
    }

    /// Empty and too-long answers of one card.
    fn card(&mut self, p: &Parsed, draft: &NoteDraft) {
        let front = html_to_text(&draft.fields.front);
        let back = html_to_text(&draft.fields.back);
        let has_media = |html: &str| html.contains("<img");
        let question = shorten(&display_text(&front), 80);
        let (problem, help) = match draft.kind {
            NotetypeKind::Standard
                if front.trim().is_empty() && !has_media(&draft.fields.front) =>
            {
                (
                    Some("a card with an empty question".to_string()),
                    "give the heading, term or list a text the card can ask about",
                )
            }
            NotetypeKind::Standard if back.trim().is_empty() && !has_media(&draft.fields.back) => (
                Some(format!("the card \"{question}\" has an empty answer")),
                "write the answer under the heading or after the term, or remove the empty item",
            ),
            NotetypeKind::Cloze if !draft.fields.front.contains("{{c") => (
                Some(format!("the cloze card \"{question}\" hides nothing")),
                "give the list or sentence something to hide, or remove it",
            ),
            _ => (None, ""),
        };
        if let Some(message) = problem {
            let place = self.card_place(p, draft, "this card");
            self.push(Finding {
                severity: Severity::Error,
                code: "empty-answer",
                message,
                place,
                help: help.into(),
                related: None,
            });
            return;
        }
        let answer = if draft.kind == NotetypeKind::Cloze {
            &front
        } else {
            &back
        };
        let words = answer.split_whitespace().count();
        if words > self.options.max_answer_words {
            let place = self.card_place(p, draft, "this card");
            self.push(Finding {
                severity: Severity::Warning,
                code: "long-answer",
                message: format!(
                    "the answer of \"{question}\" has {words} words, more than the {} a card should hold",
                    self.options.max_answer_words
                ),
                place,
                help: "split the section with subheadings or lists so each card asks one thing"
                    .into(),
                related: None,
            });
        }
    }
}

/// Q/A pairs with an empty `A:` and bold terms with a dash or colon but no definition.
fn empty_answers_in(
    blocks: &[Block],
    found: &mut Vec<(usize, String, &'static str)>,
    asked: &mut Vec<(usize, String)>,
) {
    for (i, block) in blocks.iter().enumerate() {
        match &block.kind {
            BlockKind::Paragraph(inlines) => {
                let text = plain_text(inlines);
                let text = text.trim();
                if let Some(q) = text.strip_prefix("Q:") {
                    if !q.trim().is_empty() {
                        asked.push((block.line, q.trim().to_string()));
                    }
                    let next = blocks.get(i + 1).and_then(|b| match &b.kind {
                        BlockKind::Paragraph(a) => Some((b.line, plain_text(a))),
                        _ => None,
                    });
                    if let Some((line, a)) = next
                        && let Some(rest) = a.trim().strip_prefix("A:")
                        && rest.trim().is_empty()
                    {
                        found.push((line, q.trim().to_string(), "write the answer after `A:` on the same paragraph, or remove the question"));
                    }
                }
            }
            BlockKind::List(list) => {
                for item in &list.items {
                    if let Some(Block {
                        kind: BlockKind::Paragraph(inlines),
                        ..
                    }) = item.blocks.first()
                        && let Some(Inline::Strong(term)) = inlines.first()
                    {
                        let rest = plain_text(&inlines[1..]);
                        let rest = rest.trim();
                        if item.blocks.len() == 1 && ["-", ":", "–", "—"].contains(&rest) {
                            found.push((item.line, plain_text(term), "write the definition after the dash, or drop the dash if the list only names things"));
                        }
                    }
                    empty_answers_in(&item.blocks, found, asked);
                }
            }
            BlockKind::Quote(inner) => empty_answers_in(inner, found, asked),
            _ => {}
        }
    }
}

static CLOZE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}").unwrap());

/// Text as shown in a message: cloze markers removed, whitespace collapsed.
fn display_text(s: &str) -> String {
    let s = CLOZE.replace_all(s, "$1");
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" :", ":")
}

/// Whitespace collapsed, lowercased: what makes two questions "the same".
fn normalize_text(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Packs media like the build, but lets rendering go on past a missing image: `check` reports
/// missing images itself, with their exact place, and still checks the file's cards.
struct ImagesCheckedElsewhere<'a>(MediaPacker<'a>);

impl crate::render::MediaResolver for ImagesCheckedElsewhere<'_> {
    fn resolve(
        &mut self,
        path: &std::path::Path,
        origin: &crate::error::SourceLocation,
    ) -> crate::Result<String> {
        // Only a missing file is reported elsewhere; a FIFO, a device or a link out of the
        // content goes to the packer, which refuses it.
        if std::fs::symlink_metadata(path).is_err() {
            return Ok(path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default());
        }
        self.0.resolve(path, origin)
    }
}
