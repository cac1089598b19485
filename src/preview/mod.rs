//! `primer-anki preview`: one static HTML page showing every card, front and back, rendered
//! with the same templates and stylesheet the decks carry into Anki, so a change can be
//! reviewed before it is published.
//!
//! The page has a search box and a light/dark toggle that adds Anki's `nightMode` and
//! `night_mode` classes (open it with `?theme=dark` to start dark). Media are copied next to the
//! page under their packed names, exactly as the fields refer to them in Anki.

pub mod serve;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::apkg::template::{self, Side};
use crate::build;
use crate::error::{Error, Result, Warning};
use crate::fs::write_atomically;
use crate::input;
use crate::markup::{escape as html_escape, html_to_text};
use crate::package::model::{MediaSource, Notetype, NotetypeKind};
use crate::package::notetypes;

/// The page's file name inside the output directory.
pub const PAGE: &str = "index.html";

#[derive(Debug, Clone)]
pub struct PreviewOptions {
    pub content: PathBuf,
    pub out: PathBuf,
}

#[derive(Debug, Clone, Default)]
pub struct PreviewReport {
    pub page: PathBuf,
    pub decks: usize,
    pub notes: usize,
    pub cards: usize,
    pub media: usize,
    pub warnings: Vec<Warning>,
    /// What loading the content said once (a build by convention, a missing base URL).
    pub notices: Vec<String>,
}

/// One rendered card, its HTML in the parts the page is made of. `open` and `sides` (the
/// `<article>` tag and both sides) depend on the card alone; the meta line also carries the
/// card's number and source line, which an edit above it shifts, so `--watch` can send those
/// few bytes alone for a card that did not change.
#[derive(Debug, Clone)]
pub struct PageCard {
    /// Stable across builds (a hash of deck, identity key and card number): the element's id
    /// and what `--watch` matches the open page's cards by.
    pub id: String,
    pub deck: String,
    pub open: String,
    /// Without the card's number, which is added when the page is put together.
    meta: String,
    pub sides: String,
}

impl PageCard {
    /// The meta line's inner HTML for the card at `number` (1-based) on the page. The number
    /// has a span of its own: `--watch` renumbers the open page's cards itself, so that an
    /// inserted card does not make a patch of every card after it.
    pub fn meta(&self, number: usize) -> String {
        format!("<span class=\"pv-n\">#{number}</span> · {}", self.meta)
    }

    /// The meta line without the number: what a patch sends when it alone changed.
    pub fn meta_rest(&self) -> &str {
        &self.meta
    }

    /// The whole `<article>` element.
    pub fn html(&self, number: usize) -> String {
        format!(
            "{}<div class=\"pv-meta\">{}</div>\n{}",
            self.open,
            self.meta(number),
            self.sides
        )
    }
}

/// The page of one build: its cards in order, and the stylesheet of the note types.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub cards: Vec<PageCard>,
    css: String,
}

impl Page {
    /// What the page's `<h1>` says, e.g. "954 cards in 3 decks"; its title adds the tool.
    pub fn heading(&self) -> String {
        let decks = self.deck_names().len();
        format!(
            "{} cards in {} deck{}",
            self.cards.len(),
            decks,
            if decks == 1 { "" } else { "s" }
        )
    }

    pub fn title(&self) -> String {
        format!("{} · primer-anki preview", self.heading())
    }

    /// The decks in page order (a deck's cards are consecutive).
    pub fn deck_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.cards.iter().map(|c| c.deck.as_str()).collect();
        names.dedup();
        names
    }

    pub fn html(&self) -> String {
        page_html(self)
    }
}

/// What one source file gave the page, kept by [`Previewer`] between builds.
struct FileCards {
    /// What else the cards depend on (the deck's settings, the content's): see
    /// [`Previewer::build`].
    settings: String,
    cards: Vec<PageCard>,
    notes: usize,
    warnings: Vec<Warning>,
    media: Vec<crate::package::model::MediaFile>,
}

/// Builds the page again and again (`--watch`), re-rendering only the source files that
/// changed: a save touches one file, and the others' cards are the same as last time.
#[derive(Default)]
pub struct Previewer {
    /// By deck index and absolute source path; only the files of the last good build.
    files: HashMap<(usize, PathBuf), std::sync::Arc<FileCards>>,
}

impl Previewer {
    /// Render the page of `options.content`, copying the media of the files it re-rendered
    /// into `options.out`; the page itself is not written. `changed`: the paths that changed
    /// since the last call (absolute), or `None` for a build from scratch. Anything changed
    /// but a known source file (the manifest, an image, a new file) renders every file again,
    /// since any card may depend on it.
    pub fn build(
        &mut self,
        options: &PreviewOptions,
        changed: Option<&[PathBuf]>,
    ) -> Result<(PreviewReport, Page)> {
        let result = self.build_inner(options, changed);
        if result.is_err() {
            // A failed build may have left a file's cards stale: the next one starts over.
            self.files.clear();
        }
        result
    }

    fn build_inner(
        &mut self,
        options: &PreviewOptions,
        changed: Option<&[PathBuf]>,
    ) -> Result<(PreviewReport, Page)> {
        let content = input::load(&options.content)?;
        let mut report = PreviewReport {
            notices: content.notices.clone(),
            ..PreviewReport::default()
        };
        let fresh: std::collections::HashSet<PathBuf> = match changed {
            Some(paths) if paths.iter().all(|p| self.is_reusable_change(p)) => {
                paths.iter().cloned().collect()
            }
            _ => {
                self.files.clear();
                Default::default()
            }
        };
        // A deck's name and settings can change with no manifest to say so (a build by
        // convention names a deck by its README's first heading): a kept file is reused only
        // under the settings it was rendered with.
        let settings: Vec<String> = content
            .decks
            .iter()
            .map(|spec| {
                format!(
                    "{:?}",
                    (
                        spec,
                        &content.root,
                        &content.base_url,
                        &content.extra_css,
                        content.remote_images
                    )
                )
            })
            .collect();
        let key = |deck: usize, source: &input::SourceFile| (deck, absolute(&source.path));
        let wanted = |deck: usize, source: &input::SourceFile| {
            let key = key(deck, source);
            fresh.contains(&key.1)
                || self
                    .files
                    .get(&key)
                    .is_none_or(|kept| kept.settings != settings[deck])
        };
        let rendered = build::render_files(&content, &content.base_url, &wanted)?;
        let types = notetypes::all(0, &content.extra_css);
        let (Some(basic), Some(cloze)) = (
            types.iter().find(|t| t.kind == NotetypeKind::Standard),
            types.iter().find(|t| t.kind == NotetypeKind::Cloze),
        ) else {
            return Err(Error::new("the note types lack a basic or a cloze type"));
        };
        std::fs::create_dir_all(&options.out)
            .map_err(|e| Error::io("create the preview directory", &options.out, e))?;
        let mut files = HashMap::new();
        let mut page = Page {
            cards: Vec::new(),
            css: basic.css.clone(),
        };
        let mut media_names: Vec<std::collections::BTreeSet<String>> =
            vec![Default::default(); content.decks.len()];
        let jobs = content
            .decks
            .iter()
            .enumerate()
            .flat_map(|(index, spec)| spec.sources.iter().map(move |source| (index, source)));
        for ((deck, source), file) in jobs.zip(rendered) {
            let key = key(deck, source);
            let file = match file {
                Some(file) => {
                    let mut shown = file_cards(file, &content.decks[deck].name, (basic, cloze));
                    shown.settings = settings[deck].clone();
                    copy_media(&shown.media, &options.out)?;
                    std::sync::Arc::new(shown)
                }
                None => match self.files.get(&key) {
                    Some(kept) => kept.clone(),
                    None => return Err(Error::new("a source file was neither kept nor rendered")),
                },
            };
            report.notes += file.notes;
            report.warnings.extend(file.warnings.iter().cloned());
            media_names[deck].extend(file.media.iter().map(|m| m.name.clone()));
            page.cards.extend(file.cards.iter().cloned());
            files.insert(key, file);
        }
        self.files = files;
        report.decks = content.decks.len();
        report.media = media_names.iter().map(|names| names.len()).sum();
        report.cards = page.cards.len();
        report.page = options.out.join(PAGE);
        number_duplicates(&mut page.cards);
        Ok((report, page))
    }

    /// A change the kept cards survive: a source file of the last build (it is re-rendered),
    /// or a path gone by now that no kept file came from or used (an editor's temporary
    /// file, saved by renaming it over the source).
    fn is_reusable_change(&self, path: &Path) -> bool {
        let source = self.files.keys().any(|(_, source)| source == path);
        if source {
            return true;
        }
        let gone = std::fs::symlink_metadata(path).is_err();
        gone && !self.files.iter().any(|((_, source), file)| {
            source.starts_with(path)
                || file.media.iter().any(|m| match &m.source {
                    MediaSource::File(media) => absolute(media).starts_with(path),
                    MediaSource::Bytes(_) => false,
                })
        })
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Two cards with the same id (an author pinned two notes alike) get `-2`, `-3`… so that ids
/// stay unique on the page.
fn number_duplicates(cards: &mut [PageCard]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for card in cards {
        let count = seen.entry(card.id.clone()).or_default();
        *count += 1;
        if *count > 1 {
            let id = format!("{}-{count}", card.id);
            card.open =
                card.open
                    .replacen(&format!("id=\"{}\"", card.id), &format!("id=\"{id}\""), 1);
            card.id = id;
        }
    }
}

fn copy_media(media: &[crate::package::model::MediaFile], out: &Path) -> Result<()> {
    for media in media {
        let target = out.join(&media.name);
        match &media.source {
            MediaSource::File(path) if !is_copy(&target, path) => {
                std::fs::copy(path, &target).map_err(|e| Error::io("copy media", path, e))?;
            }
            MediaSource::File(_) => {}
            MediaSource::Bytes(bytes) => {
                std::fs::write(&target, bytes).map_err(|e| Error::io("write media", &target, e))?;
            }
        }
    }
    Ok(())
}

/// Whether `target` is already a copy of `source`: as long, and written after it. A re-render
/// under `--watch` finds its images in place, and copying megabytes of them on every save
/// would take longer than the rest of the rebuild.
fn is_copy(target: &Path, source: &Path) -> bool {
    let (Ok(target), Ok(source)) = (std::fs::metadata(target), std::fs::metadata(source)) else {
        return false;
    };
    match (target.modified(), source.modified()) {
        (Ok(copied), Ok(changed)) => target.len() == source.len() && copied >= changed,
        _ => false,
    }
}

/// One source file's drafts as the page's cards.
fn file_cards(
    file: build::RenderedFile,
    deck: &str,
    (basic, cloze): (&Notetype, &Notetype),
) -> FileCards {
    let mut cards = Vec::new();
    for draft in &file.drafts {
        let notetype: &Notetype = if draft.kind == NotetypeKind::Cloze {
            cloze
        } else {
            basic
        };
        let fields: HashMap<String, String> = notetype
            .fields
            .iter()
            .map(|f| f.name.clone())
            .zip(draft.fields.to_vec())
            .collect();
        let template = &notetype.templates[0];
        let ords = match draft.kind {
            NotetypeKind::Cloze => template::cloze_ords(&draft.fields.front),
            NotetypeKind::Standard => vec![0],
        };
        let search = html_to_text(&format!(
            "{} {} {} {}",
            template::strip_cloze(&draft.fields.front),
            draft.fields.back,
            draft.fields.context,
            draft.tags.join(" ")
        ))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
        for ord in ords {
            let question = template::render(&template.front, &fields, ord, Side::Question, "");
            let answer = template::render(&template.back, &fields, ord, Side::Answer, &question);
            let identity = draft.pin.as_deref().unwrap_or(&draft.key);
            let digest = Sha256::digest(format!("{deck}\0{identity}\0{ord}").as_bytes());
            let id: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            cards.push(card_html(&Shown {
                id: format!("card-{id}"),
                deck: deck.to_string(),
                notetype: notetype.name.clone(),
                ord,
                question,
                answer,
                search: format!("{} {search}", deck.to_lowercase()),
                origin: draft.origin.to_string(),
                source: draft.fields.source.clone(),
            }));
        }
    }
    FileCards {
        settings: String::new(),
        cards,
        notes: file.drafts.len(),
        warnings: file.warnings,
        media: file.media,
    }
}

/// One rendered card.
struct Shown {
    id: String,
    deck: String,
    notetype: String,
    ord: u32,
    question: String,
    answer: String,
    search: String,
    origin: String,
    source: String,
}

/// Render every card of `options.content` into `options.out/index.html`, media beside it.
pub fn preview(options: &PreviewOptions) -> Result<PreviewReport> {
    let (report, page) = Previewer::default().build(options, None)?;
    write_atomically(&report.page, page.html().as_bytes())?;
    Ok(report)
}

const CHROME_CSS: &str = r#"
html, body { margin: 0; padding: 0; }
body.pv-body { background: #eef1f4; color: #1f2328; font-family: -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
body.pv-body.nightMode { background: #111315; color: #e6edf3; }
.pv-bar { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: center; padding: 10px 16px; background: #ffffff; border-bottom: 1px solid #d1d9e0; }
.nightMode .pv-bar { background: #1b1e22; border-color: #3d444d; }
.pv-bar h1 { font-size: 16px; margin: 0 12px 0 0; font-weight: 600; }
#pv-search { flex: 1 1 8em; min-width: 0; max-width: 420px; font-size: 15px; padding: 6px 10px; border: 1px solid #c3ccd5; border-radius: 6px; }
.nightMode #pv-search { background: #0d1117; color: #e6edf3; border-color: #3d444d; }
#pv-theme { font-size: 14px; padding: 6px 12px; border-radius: 6px; border: 1px solid #c3ccd5; background: #f6f8fa; cursor: pointer; }
.nightMode #pv-theme { background: #21262d; color: #e6edf3; border-color: #3d444d; }
#pv-count { font-size: 13px; opacity: 0.75; white-space: nowrap; }
.pv-deck > h2 { font-size: 15px; margin: 18px 16px 6px; font-weight: 600; }
.pv-card { margin: 10px 16px 16px; content-visibility: auto; contain-intrinsic-size: auto 320px; }
.pv-meta { font-size: 12px; opacity: 0.7; margin: 0 2px 4px; }
.pv-meta a { color: inherit; }
.pv-sides { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.pv-side { margin: 0; border: 1px solid #d1d9e0; border-radius: 8px; overflow: hidden; background: #ffffff; }
.nightMode .pv-side { border-color: #3d444d; background: #2c2c2c; }
.pv-side > figcaption { font-size: 11px; text-transform: uppercase; letter-spacing: 0.06em; padding: 4px 10px; opacity: 0.6; }
.pv-side > .card { min-height: 60px; padding-bottom: 6px; }
@media (max-width: 720px) { .pv-sides { grid-template-columns: 1fr; } }
"#;

/// What Anki's desktop reviewer puts around a card (its reviewer.css and theme variables, as
/// of Anki 26.9), so that the preview shows what the reviewer shows: in night mode the card
/// takes the theme's canvas and text colours, which outrank `.card`; images are capped to
/// the card's width and the window's height. tests/it/reviewer.rs checks that the two agree.
const ANKI_REVIEWER_CSS: &str = r#"
body.pv-body { --canvas: #f5f5f5; --fg: #020202; }
body.pv-body.nightMode { --canvas: #2c2c2c; --fg: #fcfcfc; }
.nightMode .pv-side > .card { background-color: var(--canvas); color: var(--fg); }
.pv-side > .card img { max-width: 100%; max-height: 95vh; }
.pv-side > .card pre { text-align: left; }
"#;

const SCRIPT: &str = r#"
(function () {
  var body = document.body;
  var button = document.getElementById('pv-theme');
  var search = document.getElementById('pv-search');
  var count = document.getElementById('pv-count');
  var cards = Array.prototype.slice.call(document.querySelectorAll('.pv-card'));
  var decks = Array.prototype.slice.call(document.querySelectorAll('.pv-deck'));
  function setDark(dark) {
    body.classList.toggle('nightMode', dark);
    body.classList.toggle('night_mode', dark);
    button.textContent = dark ? 'Light' : 'Dark';
    button.setAttribute('aria-pressed', dark ? 'true' : 'false');
  }
  var params = new URLSearchParams(location.search);
  setDark(params.get('theme') === 'dark' || location.hash === '#dark');
  button.addEventListener('click', function () { setDark(!body.classList.contains('nightMode')); });
  function filter() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    // Only what changes is touched: a write to every card's `hidden` costs the browser a
    // pass over the whole page.
    cards.forEach(function (card) {
      var text = card.getAttribute('data-search');
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      if (card.hidden === ok) card.hidden = !ok;
      if (ok) shown++;
    });
    decks.forEach(function (deck) {
      var empty = !deck.querySelector('.pv-card:not([hidden])');
      if (deck.hidden !== empty) deck.hidden = empty;
    });
    count.textContent = shown + ' of ' + cards.length + ' cards';
  }
  search.addEventListener('input', filter);
  if (params.get('q')) { search.value = params.get('q'); }
  filter();
  // `preview --watch` swaps changed cards into the open page, then calls this.
  window.pvCardsChanged = function () {
    cards = Array.prototype.slice.call(document.querySelectorAll('.pv-card'));
    decks = Array.prototype.slice.call(document.querySelectorAll('.pv-deck'));
    filter();
  };
})();
"#;

fn card_html(card: &Shown) -> PageCard {
    let source = if card.source.starts_with("https://") || card.source.starts_with("http://") {
        format!(" · <a href=\"{}\">source</a>", html_escape(&card.source))
    } else {
        String::new()
    };
    PageCard {
        id: card.id.clone(),
        deck: card.deck.clone(),
        open: format!(
            "<article class=\"pv-card\" id=\"{}\" data-search=\"{}\">\n",
            card.id,
            html_escape(&card.search)
        ),
        meta: format!(
            "{notetype} · card {ord} · {origin}{source}",
            notetype = html_escape(&card.notetype),
            ord = card.ord + 1,
            origin = html_escape(&card.origin),
        ),
        sides: format!(
            "<div class=\"pv-sides\">\n<figure class=\"pv-side pv-front\"><figcaption>Front</figcaption><div class=\"card\">{q}</div></figure>\n<figure class=\"pv-side pv-back\"><figcaption>Back</figcaption><div class=\"card\">{a}</div></figure>\n</div>\n</article>\n",
            q = card.question,
            a = card.answer,
        ),
    }
}

fn page_html(page: &Page) -> String {
    let cards = &page.cards;
    let mut out = String::with_capacity(
        cards
            .iter()
            .map(|c| c.open.len() + c.sides.len() + 200)
            .sum::<usize>()
            + 16384,
    );
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!(
        "<title>{}</title>\n<style>",
        html_escape(&page.title())
    ));
    out.push_str(ANKI_REVIEWER_CSS);
    out.push_str("</style>\n<style>\n");
    out.push_str(&page.css);
    out.push_str("\n</style>\n<style>");
    out.push_str(CHROME_CSS);
    out.push_str("</style>\n</head>\n<body class=\"pv-body\">\n<header class=\"pv-bar\">\n");
    out.push_str(&format!("<h1>{}</h1>\n", page.heading()));
    out.push_str("<input id=\"pv-search\" type=\"search\" placeholder=\"Search cards\" aria-label=\"Search cards\">\n");
    out.push_str("<button id=\"pv-theme\" type=\"button\" aria-pressed=\"false\">Dark</button>\n");
    out.push_str(&format!(
        "<span id=\"pv-count\">{} cards</span>\n</header>\n<main>\n",
        cards.len()
    ));
    let mut current: Option<&str> = None;
    for (index, card) in cards.iter().enumerate() {
        if current != Some(card.deck.as_str()) {
            if current.is_some() {
                out.push_str("</section>\n");
            }
            out.push_str(&format!(
                "<section class=\"pv-deck\" data-deck=\"{name}\">\n<h2>{name}</h2>\n",
                name = html_escape(&card.deck)
            ));
            current = Some(&card.deck);
        }
        out.push_str(&card.html(index + 1));
    }
    if current.is_some() {
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    #[test]
    fn a_rebuild_of_the_changed_file_alone_gives_the_page_a_full_build_gives() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("notes");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plain-notes"),
            &content,
        );
        let options = PreviewOptions {
            content: content.clone(),
            out: dir.path().join("preview"),
        };
        let mut watching = Previewer::default();
        watching.build(&options, None).unwrap();
        let readme = (0, absolute(&content.join("README.md")));
        let kept = watching.files[&readme].clone();
        let wifi = absolute(&content.join("networking/wifi.md"));
        let mut text = std::fs::read_to_string(&wifi).unwrap();
        text.push_str("\n## Antennas\n\n* **Dipole** - two rods fed in the middle.\n");
        std::fs::write(&wifi, text).unwrap();
        let (report, page) = watching.build(&options, Some(&[wifi])).unwrap();
        let (fresh, scratch) = Previewer::default().build(&options, None).unwrap();
        assert_eq!(
            page.html(),
            scratch.html(),
            "the kept cards are still right"
        );
        assert_eq!(
            (report.cards, report.notes, report.media),
            (fresh.cards, fresh.notes, fresh.media)
        );
        assert!(page.html().contains("Dipole"));
        assert!(
            std::sync::Arc::ptr_eq(&kept, &watching.files[&readme]),
            "the README's cards were kept, not rendered again"
        );
        // A deck renamed by its README's first heading: the other deck's files are rendered
        // again under the new name, though only the README changed.
        let top = absolute(&content.join("README.md"));
        let text = std::fs::read_to_string(&top).unwrap();
        let first = text
            .lines()
            .find(|l| l.starts_with("# "))
            .unwrap()
            .to_string();
        std::fs::write(&top, text.replacen(&first, "# Cooking Physics", 1)).unwrap();
        let (_, renamed) = watching.build(&options, Some(&[top])).unwrap();
        let (_, scratch) = Previewer::default().build(&options, None).unwrap();
        assert_eq!(
            renamed.html(),
            scratch.html(),
            "no card kept its old deck name"
        );
        assert!(renamed.html().contains("Cooking Physics"));
        // A path that is not a source (here a new file) renders everything again; one gone
        // by now that nothing came from (an editor's temporary file) does not.
        std::fs::write(content.join("new.md"), "# New\n").unwrap();
        assert!(!watching.is_reusable_change(&absolute(&content.join("new.md"))));
        assert!(watching.is_reusable_change(&absolute(&content.join("gone.md.tmp"))));
    }
}
