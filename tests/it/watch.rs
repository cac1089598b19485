//! `preview --watch` in a real browser: headless Chromium opens the served page; an edit to a
//! source appears without a reload by the test, a broken save shows its error on the page,
//! and the next good save recovers. The page's title carries its card count, and Chromium's
//! DevTools endpoint (`/json/list`) reports the title of the page it has open.

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

#[test]
fn an_edit_reloads_the_page_and_a_broken_save_shows_its_error_then_recovers() {
    let (_dir, content) = crate::first_hour::plain_notes();
    let work = tempfile::tempdir().unwrap();
    let (_server, address) = serve(&content, &work.path().join("preview"));
    let (_browser, devtools) = browser(&address, &work.path().join("profile"));
    wait_for_title(devtools, "20 cards in 2 decks · primer-anki preview");

    let readme = content.join("README.md");
    let mut text = std::fs::read_to_string(&readme).unwrap();
    text.push_str("\n## Knives\n\n* **Santoku** - a short knife with a flat edge for chopping.\n");
    std::fs::write(&readme, &text).unwrap();
    let took = wait_for_title(devtools, "21 cards in 2 decks · primer-anki preview");
    eprintln!("save -> reloaded page: {took:?}");

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
