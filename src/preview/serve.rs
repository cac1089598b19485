//! `preview --watch`: the author's loop, as `mdbook serve` has it. The page is served on
//! 127.0.0.1 only; every change under the content directory (a source, an image, the manifest)
//! rebuilds it, re-rendering only the source files that changed. The open page long-polls
//! `/__reload`, which answers with a patch: the cards that changed, were added or went, and
//! the new order; the page swaps just those into place, so a save shows in a fraction of the
//! time a reload of the whole page takes. It reloads instead when the patch would be large,
//! when it missed a build, or when a build failed (a broken save shows its error on the page;
//! the next good save recovers).
//!
//! `notify` watches the files (inotify on Linux, no polling); `tiny_http` serves, one thread
//! per request, so that waiting pollers do not hold up the page or its media.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::fs::write_atomically;
use crate::markup::escape as html_escape;

use super::{Page, PreviewOptions, PreviewReport, Previewer};

/// What the server shows: the build's number, the page of the last build (served from memory,
/// with the reload script in it) or the error of the last build if it failed, and what the
/// `/__reload` poll answers a page one build behind (a patch, or "reload").
#[derive(Debug, Default)]
struct Shown {
    version: u64,
    error: Option<String>,
    html: Arc<String>,
    answer: Arc<String>,
}

type State = Arc<(Mutex<Shown>, Condvar)>;

/// What a rebuild gave, for the command line to print.
pub enum Rebuilt {
    Page(PreviewReport, Duration),
    Failed(Error, Duration),
}

/// Changes that arrive within this long of each other are one rebuild (an editor's save is
/// often a write, a rename and a chmod).
const SETTLE: Duration = Duration::from_millis(15);

/// How long a reload poll waits for a change before answering "no change".
const POLL: Duration = Duration::from_secs(20);

/// Build the page, serve it on `127.0.0.1:port` (0: any free port) and rebuild on every change
/// until the process ends. `listening` gets the address once serving; `rebuilt` each build.
pub fn watch(
    options: &PreviewOptions,
    port: u16,
    listening: &mut dyn FnMut(&str),
    rebuilt: &mut dyn FnMut(Rebuilt),
) -> Result<()> {
    let state: State = Arc::default();
    let mut builder = Builder::default();
    builder.rebuild(options, None, &state, rebuilt);
    let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| {
        Error::new(format!("cannot serve on 127.0.0.1:{port}: {e}")).help("pick another --port")
    })?;
    let address = format!("http://{}/", server.server_addr());
    let (sender, changes) = std::sync::mpsc::channel::<Vec<PathBuf>>();
    let (out, root) = (absolute(&options.out), absolute(&options.content));
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && is_change(&event.kind)
        {
            let paths: Vec<PathBuf> = event
                .paths
                .iter()
                .filter(|p| is_content(p, &root, &out))
                .map(|p| absolute(p))
                .collect();
            if !paths.is_empty() {
                let _ = sender.send(paths);
            }
        }
    })
    .map_err(|e| Error::new(format!("cannot watch the content directory: {e}")))?;
    use notify::Watcher as _;
    watcher
        .watch(&options.content, notify::RecursiveMode::Recursive)
        .map_err(|e| Error::new(format!("cannot watch {}: {e}", options.content.display())))?;
    let serving = state.clone();
    let page_dir = options.out.clone();
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let (state, dir) = (serving.clone(), page_dir.clone());
            std::thread::spawn(move || respond(request, &state, &dir));
        }
    });
    listening(&address);
    while let Ok(mut paths) = changes.recv() {
        // Let the rest of the save arrive, then build once for all of it.
        while let Ok(more) = changes.recv_timeout(SETTLE) {
            paths.extend(more);
        }
        paths.sort();
        paths.dedup();
        builder.rebuild(options, Some(&paths), &state, rebuilt);
    }
    Ok(())
}

/// A patch with more changed cards than this is not worth it: a reload is as quick.
const PATCH_CARDS: usize = 200;

/// The builds of one `--watch`, and the page of the last good one (what the next patch is
/// made against).
#[derive(Default)]
struct Builder {
    previewer: Previewer,
    last: Option<Page>,
}

impl Builder {
    fn rebuild(
        &mut self,
        options: &PreviewOptions,
        changed: Option<&[PathBuf]>,
        state: &State,
        rebuilt: &mut dyn FnMut(Rebuilt),
    ) {
        let started = Instant::now();
        let result = self.previewer.build(options, changed);
        let (lock, notify) = &**state;
        let mut shown = lock.lock().unwrap_or_else(|e| e.into_inner());
        // A patch applies only to the page of the build just before this one.
        let previous_ok = shown.error.is_none() && shown.version > 0;
        shown.version += 1;
        let version = shown.version;
        match result {
            Ok((report, page)) => {
                let patch = match (&self.last, previous_ok) {
                    (Some(last), true) => patch(last, &page),
                    _ => None,
                };
                shown.answer = Arc::new(match patch {
                    Some(patch) => serde_json::json!({
                        "version": version, "from": version - 1, "patch": patch
                    })
                    .to_string(),
                    None => serde_json::json!({"version": version, "reload": true}).to_string(),
                });
                shown.error = None;
                drop(shown);
                // The open page first, the whole page (served and on disk) after: the patch
                // does not need it. Until it is in place a reload gets the previous page, with
                // the previous build's number in it, and so the patch to this one.
                notify.notify_all();
                let html = page.html();
                let script = RELOAD.replace("VERSION", &version.to_string());
                let served =
                    html.replacen("</body>", &format!("<script>{script}</script></body>"), 1);
                lock.lock().unwrap_or_else(|e| e.into_inner()).html = Arc::new(served);
                self.last = Some(page);
                let written = write_atomically(&report.page, html.as_bytes());
                match written {
                    Ok(()) => rebuilt(Rebuilt::Page(report, started.elapsed())),
                    Err(error) => rebuilt(Rebuilt::Failed(error, started.elapsed())),
                }
            }
            Err(error) => {
                shown.error = Some(error.to_string());
                shown.answer =
                    Arc::new(serde_json::json!({"version": version, "reload": true}).to_string());
                drop(shown);
                notify.notify_all();
                rebuilt(Rebuilt::Failed(error, started.elapsed()));
            }
        }
    }
}

/// What turns the page of `old` into that of `new` in the browser: every deck in order with
/// its card ids, the whole element of each card new or changed, and the meta line of each
/// card whose source line alone moved (the page renumbers the cards itself). `None` when more than [`PATCH_CARDS`]
/// changed.
fn patch(old: &Page, new: &Page) -> Option<serde_json::Value> {
    let before: HashMap<&str, &super::PageCard> = old
        .cards
        .iter()
        .map(|card| (card.id.as_str(), card))
        .collect();
    let mut cards = serde_json::Map::new();
    let mut meta = serde_json::Map::new();
    for (index, card) in new.cards.iter().enumerate() {
        match before.get(card.id.as_str()) {
            Some(old) if old.open == card.open && old.sides == card.sides => {
                // The page renumbers its cards itself.
                if old.meta_rest() != card.meta_rest() {
                    meta.insert(card.id.clone(), card.meta(index + 1).into());
                }
            }
            _ => {
                cards.insert(card.id.clone(), card.html(index + 1).into());
                if cards.len() > PATCH_CARDS {
                    return None;
                }
            }
        }
    }
    let decks: Vec<serde_json::Value> = new
        .deck_names()
        .into_iter()
        .map(|name| {
            let ids: Vec<&str> = new
                .cards
                .iter()
                .filter(|c| c.deck == name)
                .map(|c| c.id.as_str())
                .collect();
            serde_json::json!([name, ids])
        })
        .collect();
    Some(serde_json::json!({
        "title": new.title(),
        "heading": new.heading(),
        "decks": decks,
        "cards": cards,
        "meta": meta,
    }))
}

/// A write, creation, removal or rename; not a read (building reads every file, and a read
/// that triggered a build would never end).
fn is_change(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind, MetadataKind, ModifyKind};
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        _ => false,
    }
}

/// A path worth a rebuild: not in the page's own output directory, not in a hidden folder
/// (`.git`, editor state), not an editor's swap or backup file.
fn is_content(path: &Path, root: &Path, out: &Path) -> bool {
    let path = absolute(path);
    if path.starts_with(out) {
        return false;
    }
    // Hidden below the content directory: the directory itself may sit in a hidden folder.
    let below = path.strip_prefix(root).unwrap_or(&path);
    let hidden = below.components().any(|c| {
        let part = c.as_os_str().to_string_lossy();
        part.starts_with('.') && part != "." && part != ".."
    });
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    !(hidden || name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".swx"))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Answer one request: the page (or the error) with the reload script, a reload poll, or a
/// media file of the page's directory.
fn respond(request: tiny_http::Request, state: &State, dir: &Path) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let response = match path {
        "/" | "/index.html" => page(state),
        "/__reload" => {
            let seen: u64 = query
                .strip_prefix("v=")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            text(wait_for_change(state, seen), "application/json")
        }
        _ => media(dir, path.trim_start_matches('/')),
    };
    let _ = request.respond(response);
}

/// Once the build number differs from `seen`: the patch from `seen`, or `reload` if there is
/// none from it. After [`POLL`] without a build: `seen` again.
fn wait_for_change(state: &State, seen: u64) -> String {
    let (lock, changed) = &**state;
    let shown = lock.lock().unwrap_or_else(|e| e.into_inner());
    let (shown, _) = changed
        .wait_timeout_while(shown, POLL, |s| s.version == seen)
        .unwrap_or_else(|e| e.into_inner());
    if shown.version == seen {
        serde_json::json!({ "version": seen }).to_string()
    } else if shown.version == seen + 1 {
        shown.answer.to_string()
    } else {
        serde_json::json!({"version": shown.version, "reload": true}).to_string()
    }
}

fn page(state: &State) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let shown = state.0.lock().unwrap_or_else(|e| e.into_inner());
    let html = match &shown.error {
        Some(error) => {
            let script = RELOAD.replace("VERSION", &shown.version.to_string());
            format!(
                "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>preview: build failed</title></head>\n<body><h1 id=\"pv-error\">The build failed</h1>\n<pre>{}</pre>\n<p>Fix the file and save: this page reloads by itself.</p>\n<script>{script}</script></body></html>\n",
                html_escape(error)
            )
        }
        None => {
            let html = shown.html.clone();
            drop(shown);
            html.to_string()
        }
    };
    text(html, "text/html; charset=utf-8")
}

/// Polls for a new build and applies its patch: each changed card's element replaced, new
/// ones inserted, gone ones removed, all put in the new order, the title and count updated.
/// Anything unexpected (no patch, a card it does not have) reloads the page instead, keeping
/// the scroll position. `window.pvPatches` counts the patches applied, for tests.
const RELOAD: &str = "(function () {
  var version = VERSION;
  var y = sessionStorage.getItem('pv-scroll');
  if (y !== null) { window.scrollTo(0, +y); sessionStorage.removeItem('pv-scroll'); }
  function reload() {
    sessionStorage.setItem('pv-scroll', String(window.scrollY));
    location.reload();
  }
  function apply(p) {
    var main = document.querySelector('main');
    if (!main || !window.pvCardsChanged) { return false; }
    var byId = {}, sections = {}, keep = {}, keepDeck = {};
    main.querySelectorAll('.pv-card').forEach(function (c) { byId[c.id] = c; });
    main.querySelectorAll('.pv-deck').forEach(function (s) { sections[s.getAttribute('data-deck')] = s; });
    var tpl = document.createElement('template');
    var after = null;
    for (var d = 0; d < p.decks.length; d++) {
      var name = p.decks[d][0], ids = p.decks[d][1];
      var section = sections[name];
      if (!section) {
        section = document.createElement('section');
        section.className = 'pv-deck';
        section.setAttribute('data-deck', name);
        var h = document.createElement('h2');
        h.textContent = name;
        section.appendChild(h);
      }
      var slot = after ? after.nextElementSibling : main.firstElementChild;
      if (slot !== section) { main.insertBefore(section, slot); }
      keepDeck[name] = true;
      after = section;
      var prev = section.firstElementChild;
      for (var i = 0; i < ids.length; i++) {
        var id = ids[i], node = byId[id], html = p.cards[id];
        if (html !== undefined) {
          tpl.innerHTML = html;
          var fresh = tpl.content.firstElementChild;
          if (node) { node.replaceWith(fresh); }
          node = fresh;
        } else if (!node) {
          return false;
        } else if (p.meta[id] !== undefined) {
          node.querySelector('.pv-meta').innerHTML = p.meta[id];
        }
        keep[id] = true;
        if (prev.nextElementSibling !== node) { section.insertBefore(node, prev.nextElementSibling); }
        prev = node;
      }
    }
    Object.keys(byId).forEach(function (id) { if (!keep[id]) { byId[id].remove(); } });
    Object.keys(sections).forEach(function (n) { if (!keepDeck[n]) { sections[n].remove(); } });
    document.title = p.title;
    var h1 = document.querySelector('.pv-bar h1');
    if (h1) { h1.textContent = p.heading; }
    // Renumber: only the numbers that moved are written.
    main.querySelectorAll('.pv-n').forEach(function (n, i) {
      var want = '#' + (i + 1);
      if (n.textContent !== want) { n.textContent = want; }
    });
    window.pvCardsChanged();
    window.pvPatches = (window.pvPatches || 0) + 1;
    return true;
  }
  function poll() {
    fetch('/__reload?v=' + version, { cache: 'no-store' })
      .then(function (r) { return r.json(); })
      .then(function (a) {
        if (a.version === version) { poll(); return; }
        var done = false;
        if (a.patch && a.from === version) {
          try { done = apply(a.patch); } catch (e) { done = false; }
        }
        if (!done) { reload(); return; }
        version = a.version;
        poll();
      })
      .catch(function () { setTimeout(poll, 500); });
  }
  poll();
})();";

fn media(dir: &Path, name: &str) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    // Media sit flat beside the page under their packed names: nothing else is served.
    let flat = !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.');
    let bytes = if flat {
        std::fs::read(dir.join(name)).ok()
    } else {
        None
    };
    let Some(bytes) = bytes else {
        return text("not found".into(), "text/plain").with_status_code(404);
    };
    let kind = match name
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
        .as_str()
    {
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        _ => "application/octet-stream",
    };
    with_type(tiny_http::Response::from_data(bytes), kind)
}

fn text(body: String, kind: &str) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    with_type(tiny_http::Response::from_string(body), kind)
}

fn with_type(
    response: tiny_http::Response<std::io::Cursor<Vec<u8>>>,
    kind: &str,
) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let headers = [("Content-Type", kind), ("Cache-Control", "no-store")];
    headers.into_iter().fold(
        response,
        |r, (name, value)| match tiny_http::Header::from_bytes(name, value) {
            Ok(header) => r.with_header(header),
            Err(()) => r,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(id: &str, deck: &str, body: &str, origin: &str) -> super::super::PageCard {
        super::super::PageCard {
            id: id.into(),
            deck: deck.into(),
            open: format!("<article id=\"{id}\">"),
            meta: origin.into(),
            sides: format!("{body}</article>"),
        }
    }

    fn page(cards: Vec<super::super::PageCard>) -> Page {
        Page {
            cards,
            css: String::new(),
        }
    }

    #[test]
    fn a_patch_carries_changed_and_new_cards_moved_lines_and_the_order() {
        let old = page(vec![
            card("a", "One", "A", "a.md:1"),
            card("b", "One", "B", "a.md:2"),
            card("c", "Two", "C", "b.md:1"),
        ]);
        let new = page(vec![
            card("n", "One", "N", "a.md:1"),
            card("a", "One", "A!", "a.md:2"),
            card("b", "One", "B", "a.md:3"),
        ]);
        let patch = patch(&old, &new).expect("a small patch");
        let keys = |field: &str| -> Vec<String> {
            let mut keys: Vec<String> = patch[field].as_object().unwrap().keys().cloned().collect();
            keys.sort();
            keys
        };
        assert_eq!(keys("cards"), ["a", "n"], "new and changed cards, whole");
        assert_eq!(keys("meta"), ["b"], "an unchanged card whose line moved");
        assert_eq!(
            patch["decks"],
            serde_json::json!([["One", ["n", "a", "b"]]])
        );
        assert_eq!(patch["heading"], "3 cards in 1 deck");
        // The number is not a change: the page renumbers itself.
        assert!(patch["meta"]["b"].as_str().unwrap().contains("#3"));
    }

    #[test]
    fn a_large_change_is_a_reload() {
        let cards = |body: &str| {
            (0..=PATCH_CARDS)
                .map(|n| card(&format!("c{n}"), "One", body, "a.md:1"))
                .collect()
        };
        assert!(patch(&page(cards("old")), &page(cards("new"))).is_none());
        assert!(patch(&page(cards("old")), &page(cards("old"))).is_some());
    }

    #[test]
    fn only_content_changes_rebuild() {
        let (root, out) = (Path::new("/.tmp/notes"), Path::new("/.tmp/notes/preview"));
        let yes = |p: &str| is_content(Path::new(p), root, out);
        assert!(yes("/.tmp/notes/a.md"));
        assert!(yes("/.tmp/notes/images/x.png"));
        assert!(!yes("/.tmp/notes/preview/index.html"));
        assert!(!yes("/.tmp/notes/.git/index"));
        assert!(!yes("/.tmp/notes/.a.md.swp"));
        assert!(!yes("/.tmp/notes/a.md~"));
    }
}
