//! `preview --watch`: the author's loop, as `mdbook serve` has it. The page is served on
//! 127.0.0.1 only; every change under the content directory (a source, an image, the manifest)
//! rebuilds it, and the open page reloads itself (it long-polls `/__reload`). A build that
//! fails (a broken save) shows its error on the page instead; the next good save recovers.
//!
//! `notify` watches the files (inotify on Linux, no polling); `tiny_http` serves, one thread
//! per request, so that waiting pollers do not hold up the page or its media.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::markup::escape as html_escape;

use super::{PAGE, PreviewOptions, PreviewReport, preview};

/// What the server shows: the build's number (the page reloads when it changes) and the
/// error of the last build, if it failed.
#[derive(Debug, Default)]
struct Shown {
    version: u64,
    error: Option<String>,
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
    rebuild(options, &state, rebuilt);
    let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| {
        Error::new(format!("cannot serve on 127.0.0.1:{port}: {e}")).help("pick another --port")
    })?;
    let address = format!("http://{}/", server.server_addr());
    let (sender, changes) = std::sync::mpsc::channel();
    let (out, root) = (absolute(&options.out), absolute(&options.content));
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && is_change(&event.kind)
            && event.paths.iter().any(|p| is_content(p, &root, &out))
        {
            let _ = sender.send(());
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
    while changes.recv().is_ok() {
        // Let the rest of the save arrive, then build once for all of it.
        while changes.recv_timeout(SETTLE).is_ok() {}
        rebuild(options, &state, rebuilt);
    }
    Ok(())
}

fn rebuild(options: &PreviewOptions, state: &State, rebuilt: &mut dyn FnMut(Rebuilt)) {
    let started = Instant::now();
    let result = preview(options);
    let (lock, changed) = &**state;
    let mut shown = lock.lock().unwrap_or_else(|e| e.into_inner());
    shown.version += 1;
    match result {
        Ok(report) => {
            shown.error = None;
            drop(shown);
            changed.notify_all();
            rebuilt(Rebuilt::Page(report, started.elapsed()));
        }
        Err(error) => {
            shown.error = Some(error.to_string());
            drop(shown);
            changed.notify_all();
            rebuilt(Rebuilt::Failed(error, started.elapsed()));
        }
    }
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
        "/" | "/index.html" => page(state, dir),
        "/__reload" => {
            let seen: u64 = query
                .strip_prefix("v=")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            text(wait_for_change(state, seen).to_string(), "text/plain")
        }
        _ => media(dir, path.trim_start_matches('/')),
    };
    let _ = request.respond(response);
}

/// The build number once it differs from `seen`, or after [`POLL`].
fn wait_for_change(state: &State, seen: u64) -> u64 {
    let (lock, changed) = &**state;
    let shown = lock.lock().unwrap_or_else(|e| e.into_inner());
    let (shown, _) = changed
        .wait_timeout_while(shown, POLL, |s| s.version == seen)
        .unwrap_or_else(|e| e.into_inner());
    shown.version
}

fn page(state: &State, dir: &Path) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let (version, error) = {
        let shown = state.0.lock().unwrap_or_else(|e| e.into_inner());
        (shown.version, shown.error.clone())
    };
    let script = RELOAD.replace("VERSION", &version.to_string());
    let html = match error {
        Some(error) => format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>preview: build failed</title></head>\n<body><h1 id=\"pv-error\">The build failed</h1>\n<pre>{}</pre>\n<p>Fix the file and save: this page reloads by itself.</p>\n<script>{script}</script></body></html>\n",
            html_escape(&error)
        ),
        None => match std::fs::read_to_string(dir.join(PAGE)) {
            Ok(page) => page.replacen("</body>", &format!("<script>{script}</script></body>"), 1),
            Err(e) => format!(
                "<pre>cannot read the page: {}</pre>",
                html_escape(&e.to_string())
            ),
        },
    };
    text(html, "text/html; charset=utf-8")
}

/// Polls for a new build, keeps the scroll position across the reload.
const RELOAD: &str = "(function () {
  var version = VERSION;
  var y = sessionStorage.getItem('pv-scroll');
  if (y !== null) { window.scrollTo(0, +y); sessionStorage.removeItem('pv-scroll'); }
  function poll() {
    fetch('/__reload?v=' + version, { cache: 'no-store' })
      .then(function (r) { return r.text(); })
      .then(function (t) {
        if (t !== String(version)) {
          sessionStorage.setItem('pv-scroll', String(window.scrollY));
          location.reload();
        } else { poll(); }
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
