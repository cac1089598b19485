//! `preview --watch` in a real browser: headless Chromium opens the served page; an edit to a
//! source is swapped into the open page without reloading it, a broken save shows its error
//! on the page, and the next good save recovers. The page's title carries its card count, and
//! Chromium's DevTools endpoint (`/json/list`) reports the title of the page it has open; a
//! script run in the page (DevTools' websocket, [`evaluate`]) tells a patched page from a
//! reloaded one.

use crate::support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{chromium, primer_anki};

/// Kills the child when the test ends, however it ends.
pub struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `preview --watch --port 0` on `content`: the running server and its address.
pub fn serve(content: &Path, out: &Path) -> (Killed, String) {
    let mut child = primer_anki()
        .args(["preview", "--watch", "--port", "0", "--content"])
        .arg(content)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start preview --watch");
    let stdout = child.stdout.take().unwrap();
    let server = Killed(child);
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let line = lines
            .next()
            .expect("preview --watch printed its address")
            .unwrap();
        if let Some(rest) = line.strip_prefix("serving ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    // Keep reading so that the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    assert!(address.starts_with("http://127.0.0.1:"), "{address}");
    (server, address)
}

/// Headless Chromium showing `url`, and the port of its DevTools endpoint.
pub fn browser(url: &str, profile: &Path) -> (Killed, u16) {
    let child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--remote-debugging-port=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let browser = Killed(child);
    let port_file = profile.join("DevToolsActivePort");
    let port = wait_for(Duration::from_secs(60), || {
        let text = std::fs::read_to_string(&port_file).ok()?;
        text.lines().next()?.trim().parse().ok()
    })
    .expect("Chromium wrote its DevTools port");
    (browser, port)
}

/// The title of the page Chromium has open (DevTools HTTP endpoint, no websocket needed).
pub fn page_title(devtools: u16) -> Option<String> {
    let body = get(&format!("127.0.0.1:{devtools}"), "/json/list")?;
    let targets: serde_json::Value = serde_json::from_str(&body).ok()?;
    targets
        .as_array()?
        .iter()
        .find(|t| t["type"] == "page")
        .and_then(|t| t["title"].as_str().map(str::to_string))
}

/// The body of `GET path` from `host` (read to its Content-Length: Chromium keeps the
/// connection open).
fn get(host: &str, path: &str) -> Option<String> {
    let stream = TcpStream::connect(host).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        &stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut reader = BufReader::new(stream);
    let mut length = None;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    String::from_utf8(body).ok()
}

/// Polls `probe` every few milliseconds until it gives a value or `limit` passes.
pub fn wait_for<T>(limit: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(value) = probe() {
            return Some(value);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

fn wait_for_title(devtools: u16, want: &str) -> Duration {
    let start = Instant::now();
    let mut last = None;
    wait_for(Duration::from_secs(30), || {
        last = page_title(devtools);
        (last.as_deref() == Some(want)).then_some(())
    })
    .unwrap_or_else(|| panic!("the page never showed {want:?}; its title is {last:?}"));
    start.elapsed()
}

/// Runs `expression` in the page Chromium has open and returns its value: DevTools' websocket
/// (`Runtime.evaluate`), with just the few parts of RFC 6455 this needs.
pub fn evaluate(devtools: u16, expression: &str) -> Option<serde_json::Value> {
    let host = format!("127.0.0.1:{devtools}");
    let targets: serde_json::Value = serde_json::from_str(&get(&host, "/json/list")?).ok()?;
    let socket = targets.as_array()?.iter().find(|t| t["type"] == "page")?["webSocketDebuggerUrl"]
        .as_str()?
        .to_string();
    let path = &socket[socket.find("/devtools/")?..];
    let stream = TcpStream::connect(&host).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        &stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .ok()?;
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).ok()?;
    if !status.contains(" 101 ") {
        return None;
    }
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        if line.trim_end().is_empty() {
            break;
        }
    }
    let call = serde_json::json!({
        "id": 1,
        "method": "Runtime.evaluate",
        "params": { "expression": expression, "returnByValue": true, "awaitPromise": true },
    })
    .to_string();
    // One text frame, masked (as a client must) with the key 0, which leaves it unchanged.
    let mut frame = vec![0x81u8];
    match call.len() {
        n if n < 126 => frame.push(0x80 | n as u8),
        n => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    frame.extend_from_slice(&[0; 4]);
    frame.extend_from_slice(call.as_bytes());
    reader.get_ref().write_all(&frame).ok()?;
    loop {
        let mut head = [0u8; 2];
        reader.read_exact(&mut head).ok()?;
        let length = match head[1] & 0x7f {
            126 => {
                let mut n = [0u8; 2];
                reader.read_exact(&mut n).ok()?;
                u16::from_be_bytes(n) as usize
            }
            127 => {
                let mut n = [0u8; 8];
                reader.read_exact(&mut n).ok()?;
                u64::from_be_bytes(n) as usize
            }
            n => n as usize,
        };
        let mut payload = vec![0; length];
        reader.read_exact(&mut payload).ok()?;
        let Ok(reply) = serde_json::from_slice::<serde_json::Value>(&payload) else {
            continue;
        };
        if reply["id"] == 1 {
            return Some(reply["result"]["result"]["value"].clone());
        }
    }
}

#[test]
fn an_edit_is_swapped_into_the_open_page_and_a_broken_save_shows_its_error_then_recovers() {
    let (_dir, content) = crate::first_hour::plain_notes();
    let work = tempfile::tempdir().unwrap();
    let (_server, address) = serve(&content, &work.path().join("preview"));
    let (_browser, devtools) = browser(&address, &work.path().join("profile"));
    wait_for_title(devtools, "20 cards in 2 decks · primer-anki preview");
    // A mark on the page that a reload would wipe, and a card scrolled to the top of the
    // window, which should stay where it is when a card above it changes.
    assert_eq!(
        evaluate(devtools, "window.pvMark = 'before the edit'"),
        Some("before the edit".into())
    );
    let anchor = evaluate(
        devtools,
        // The title is in the page's head: under load the body can still be arriving when
        // it shows, so the scroll waits for the page to have loaded.
        "new Promise(function (loaded) { \
           if (document.readyState === 'complete') { loaded(); } \
           else { window.addEventListener('load', loaded, { once: true }); } \
         }).then(function () { \
           var c = document.querySelectorAll('.pv-card')[12]; c.scrollIntoView(); \
           return new Promise(function (done) { requestAnimationFrame(function () { \
             done([c.id, Math.round(c.getBoundingClientRect().top), window.scrollY > 0]); }); }); })",
    )
    .expect("a card to scroll to");
    assert_eq!(anchor[2], true, "the page scrolled: {anchor}");

    let readme = content.join("README.md");
    let mut text = std::fs::read_to_string(&readme).unwrap();
    text.push_str("\n## Knives\n\n* **Santoku** - a short knife with a flat edge for chopping.\n");
    text = text.replace(
        "a steak lying on a hot skillet",
        "a pancake lying on a hot griddle",
    );
    std::fs::write(&readme, &text).unwrap();
    let took = wait_for_title(devtools, "21 cards in 2 decks · primer-anki preview");
    eprintln!("save -> patched page: {took:?}");
    let shown = evaluate(
        devtools,
        "[window.pvMark, window.pvPatches, document.querySelectorAll('.pv-card').length, \
          document.body.textContent.includes('Santoku'), \
          document.body.textContent.includes('a pancake lying on a hot griddle'), \
          document.body.textContent.includes('a steak lying'), \
          document.getElementById('pv-count').textContent]",
    );
    assert_eq!(
        shown,
        Some(serde_json::json!([
            "before the edit",
            1,
            21,
            true,
            true,
            false,
            "21 of 21 cards"
        ])),
        "the new card and the edited one are in the page, which was not reloaded"
    );
    let top = evaluate(
        devtools,
        &format!(
            "Math.round(document.getElementById({}).getBoundingClientRect().top)",
            anchor[0]
        ),
    );
    assert_eq!(
        top,
        Some(anchor[1].clone()),
        "the card in view did not move"
    );

    let manifest = content.join("primer-anki.toml");
    std::fs::write(&manifest, "[[deck]]\nname = \"Kitchen\nsources = [\n").unwrap();
    wait_for_title(devtools, "preview: build failed");
    let host = address.trim_start_matches("http://").trim_end_matches('/');
    let page = get(host, "/").expect("the error page");
    assert!(
        page.contains("primer-anki.toml:3: not valid TOML"),
        "the error names its line: {page}"
    );

    std::fs::remove_file(&manifest).unwrap();
    wait_for_title(devtools, "21 cards in 2 decks · primer-anki preview");
    // The page came back by a reload (the error page has no cards to patch), and the next
    // edit is swapped in again.
    evaluate(devtools, "window.pvMark = 'after the recovery'");
    text.push_str("* **Nakiri** - a thin knife with a square tip for vegetables.\n");
    std::fs::write(&readme, &text).unwrap();
    wait_for(Duration::from_secs(30), || {
        (evaluate(devtools, "document.body.textContent.includes('Nakiri')")? == true).then_some(())
    })
    .expect("the second edit shows");
    assert_eq!(
        evaluate(devtools, "[window.pvMark, window.pvPatches]"),
        Some(serde_json::json!(["after the recovery", 1]))
    );
}

#[test]
fn watch_serves_nothing_outside_its_page_directory() {
    let (_dir, content) = crate::first_hour::plain_notes();
    let work = tempfile::tempdir().unwrap();
    let (_server, address) = serve(&content, &work.path().join("preview"));
    let host = address.trim_start_matches("http://").trim_end_matches('/');
    for path in [
        "/../README.md",
        "/%2e%2e/README.md",
        "/.hidden",
        "/sub/x.svg",
    ] {
        let mut stream = TcpStream::connect(host).unwrap();
        write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        assert!(
            response.starts_with("HTTP/1.0 404") || response.starts_with("HTTP/1.1 404"),
            "{path}: {response}"
        );
    }
}
