//! `primer-anki preview`: one static HTML page showing every card, front and back, rendered
//! with the same templates and stylesheet the decks carry into Anki, so a change can be
//! reviewed before it is published.
//!
//! The page has a search box and a light/dark toggle that adds Anki's `nightMode` and
//! `night_mode` classes (open it with `?theme=dark` to start dark). Media are copied next to the
//! page under their packed names, exactly as the fields refer to them in Anki.

pub mod serve;

use std::collections::HashMap;
use std::path::PathBuf;

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

/// One rendered card.
struct Shown {
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
    let content = input::load(&options.content)?;
    let mut report = PreviewReport {
        notices: content.notices.clone(),
        ..PreviewReport::default()
    };
    let rendered = build::render_content(&content, &content.base_url, &mut report.warnings)?;
    let types = notetypes::all(0, &content.extra_css);
    let basic = types
        .iter()
        .find(|t| t.kind == NotetypeKind::Standard)
        .expect("a basic type");
    let cloze = types
        .iter()
        .find(|t| t.kind == NotetypeKind::Cloze)
        .expect("a cloze type");
    std::fs::create_dir_all(&options.out)
        .map_err(|e| Error::io("create the preview directory", &options.out, e))?;
    let mut cards = Vec::new();
    for deck in &rendered {
        report.decks += 1;
        for draft in &deck.drafts {
            report.notes += 1;
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
                let answer =
                    template::render(&template.back, &fields, ord, Side::Answer, &question);
                cards.push(Shown {
                    deck: deck.spec.name.clone(),
                    notetype: notetype.name.clone(),
                    ord,
                    question,
                    answer,
                    search: format!("{} {search}", deck.spec.name.to_lowercase()),
                    origin: draft.origin.to_string(),
                    source: draft.fields.source.clone(),
                });
            }
        }
        for media in &deck.media {
            let target = options.out.join(&media.name);
            match &media.source {
                MediaSource::File(path) => {
                    std::fs::copy(path, &target).map_err(|e| Error::io("copy media", path, e))?;
                }
                MediaSource::Bytes(bytes) => {
                    std::fs::write(&target, bytes)
                        .map_err(|e| Error::io("write media", &target, e))?;
                }
            }
            report.media += 1;
        }
    }
    report.cards = cards.len();
    let page = options.out.join(PAGE);
    write_atomically(&page, page_html(&cards, &basic.css).as_bytes())?;
    report.page = page;
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
.pv-card { margin: 10px 16px 16px; }
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
    cards.forEach(function (card) {
      var text = card.getAttribute('data-search');
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      card.hidden = !ok;
      if (ok) shown++;
    });
    decks.forEach(function (deck) { deck.hidden = !deck.querySelector('.pv-card:not([hidden])'); });
    count.textContent = shown + ' of ' + cards.length + ' cards';
  }
  search.addEventListener('input', filter);
  if (params.get('q')) { search.value = params.get('q'); }
  filter();
})();
"#;

fn page_html(cards: &[Shown], css: &str) -> String {
    let mut out = String::new();
    let decks = {
        let mut names: Vec<&str> = cards.iter().map(|c| c.deck.as_str()).collect();
        names.dedup();
        names.len()
    };
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!(
        "<title>{} cards in {} deck{} · primer-anki preview</title>\n<style>",
        cards.len(),
        decks,
        if decks == 1 { "" } else { "s" }
    ));
    out.push_str(ANKI_REVIEWER_CSS);
    out.push_str("</style>\n<style>\n");
    out.push_str(css);
    out.push_str("\n</style>\n<style>");
    out.push_str(CHROME_CSS);
    out.push_str("</style>\n</head>\n<body class=\"pv-body\">\n<header class=\"pv-bar\">\n");
    out.push_str(&format!(
        "<h1>{} cards in {} deck{}</h1>\n",
        cards.len(),
        decks,
        if decks == 1 { "" } else { "s" }
    ));
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
                "<section class=\"pv-deck\">\n<h2>{}</h2>\n",
                html_escape(&card.deck)
            ));
            current = Some(&card.deck);
        }
        let source = if card.source.starts_with("https://") || card.source.starts_with("http://") {
            format!(" · <a href=\"{}\">source</a>", html_escape(&card.source))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "<article class=\"pv-card\" id=\"card-{n}\" data-search=\"{search}\">\n<div class=\"pv-meta\">#{n} · {notetype} · card {ord} · {origin}{source}</div>\n<div class=\"pv-sides\">\n<figure class=\"pv-side pv-front\"><figcaption>Front</figcaption><div class=\"card\">{q}</div></figure>\n<figure class=\"pv-side pv-back\"><figcaption>Back</figcaption><div class=\"card\">{a}</div></figure>\n</div>\n</article>\n",
            n = index + 1,
            search = html_escape(&card.search),
            notetype = html_escape(&card.notetype),
            ord = card.ord + 1,
            origin = html_escape(&card.origin),
            q = card.question,
            a = card.answer,
        ));
    }
    if current.is_some() {
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}
