//! `primer-anki preview` rendered by a real browser: headless Chromium loads the page, runs its
//! script, dumps the DOM and takes screenshots in light and dark mode. Chromium must be
//! installed (Debian's `chromium` package; `.ci/run` installs it): without it the test fails.

use crate::support;

use std::path::Path;

use insta_cmd::assert_cmd_snapshot;
use support::{headless, primer_anki, repo};

fn page_url(out: &Path, query: &str) -> String {
    format!("file://{}{query}", out.join("index.html").display())
}

fn dom(out: &Path, query: &str) -> String {
    let output = headless(&page_url(out, query), &["--dump-dom".into()]);
    String::from_utf8(output.stdout).unwrap()
}

/// Distinct colours, mean luminance (0–255) and size of a PNG screenshot.
fn screenshot(out: &Path, query: &str, name: &str) -> (usize, f64, u64) {
    let file = out.join(name);
    headless(
        &page_url(out, query),
        &[format!("--screenshot={}", file.display())],
    );
    let size = std::fs::metadata(&file)
        .unwrap_or_else(|e| panic!("no screenshot {name}: {e}"))
        .len();
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&file).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let mut colours = std::collections::HashSet::new();
    let mut luminance = 0.0;
    let mut count = 0.0;
    for px in pixels.chunks(channels) {
        let (r, g, b) = if channels >= 3 {
            (px[0], px[1], px[2])
        } else {
            (px[0], px[0], px[0])
        };
        colours.insert((r, g, b));
        luminance += 0.2126 * r as f64 + 0.7152 * g as f64 + 0.0722 * b as f64;
        count += 1.0;
    }
    assert_eq!((info.width, info.height), (1200, 900), "{name}");
    (colours.len(), luminance / count, size)
}

fn make_preview(content: &str) -> (tempfile::TempDir, usize) {
    let out = tempfile::tempdir().unwrap();
    let output = primer_anki()
        .current_dir(repo())
        .args(["preview", "--content", content, "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    crate::support::assert_success(&output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let cards: usize = regex::Regex::new(r"preview: (\d+) cards")
        .unwrap()
        .captures(&stdout)
        .unwrap_or_else(|| panic!("no summary line in {stdout}"))[1]
        .parse()
        .unwrap();
    (out, cards)
}

#[test]
fn preview_renders_every_card_in_headless_chromium_light_and_dark() {
    let (out, cards) = make_preview("tests/fixtures/content-small");
    assert!(cards >= 10);
    // Media beside the page, under the names the fields use.
    let html = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    let media: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    assert_eq!(media.len(), 1, "{media:?}");
    assert!(html.contains(&format!("src=\"{}\"", media[0])));

    // The browser's DOM, after the script ran: every card, front and back.
    let light = dom(out.path(), "");
    assert_eq!(
        light.matches("class=\"pv-card\"").count(),
        cards,
        "cards in the DOM"
    );
    assert_eq!(light.matches("class=\"pv-side pv-front\"").count(), cards);
    assert_eq!(light.matches("class=\"pv-side pv-back\"").count(), cards);
    assert!(
        light.contains(&format!("{cards} of {cards} cards")),
        "the script ran"
    );
    assert!(light.contains("Why add jitter to exponential backoff?"));
    assert!(light.contains("pa-question"), "our template's markup");
    assert!(!light.contains("{{"), "no template tag left unrendered");
    let dark = dom(out.path(), "?theme=dark");
    assert!(
        regex::Regex::new(r#"<body class="[^"]*nightMode[^"]*night_mode"#)
            .unwrap()
            .is_match(&dark),
        "dark mode adds Anki's classes"
    );
    // The search box filters.
    let searched = dom(out.path(), "?q=jitter");
    assert!(searched.contains(&format!("1 of {cards} cards")), "search");

    let (light_colours, light_lum, light_size) = screenshot(out.path(), "", "light.png");
    let (dark_colours, dark_lum, dark_size) = screenshot(out.path(), "?theme=dark", "dark.png");
    for (name, colours, size) in [
        ("light", light_colours, light_size),
        ("dark", dark_colours, dark_size),
    ] {
        assert!(size > 10_000, "{name} screenshot is only {size} bytes");
        assert!(
            colours > 50,
            "{name} screenshot has {colours} colours: blank?"
        );
    }
    assert!(
        light_lum > 170.0,
        "light page is light: mean luminance {light_lum:.0}"
    );
    assert!(
        dark_lum < 80.0,
        "dark page is dark: mean luminance {dark_lum:.0}"
    );
}

#[test]
fn preview_cloze_cards_show_one_deletion_each() {
    let (out, _) = make_preview("content");
    let html = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(
        html.contains("primer-anki Cloze"),
        "content has cloze notes"
    );
    assert!(
        html.contains("<span class=\"cloze\">[...]</span>"),
        "hidden deletion on the front"
    );
    assert!(!html.contains("{{c1::"), "no raw cloze markup");
}

#[test]
fn preview_snapshot() {
    let out = tempfile::tempdir().unwrap();
    let mut cmd = primer_anki();
    cmd.current_dir(repo())
        .args([
            "preview",
            "--content",
            "tests/fixtures/content-small",
            "--out",
        ])
        .arg(out.path());
    let filter = regex::escape(&out.path().display().to_string());
    insta::with_settings!({filters => vec![(filter.as_str(), "[OUT]")]}, {
        assert_cmd_snapshot!(cmd);
    });
}

#[test]
fn preview_header_fits_a_phone_screen() {
    let (out, _) = make_preview("tests/fixtures/content-small");
    // The page measures itself at a phone's 390 px (headless Chromium's window is at least
    // 500 px wide, so the page is narrowed instead): every control of the header inside it.
    let page = out.path().join("index.html");
    let html = std::fs::read_to_string(&page).unwrap().replace(
        "</body>",
        "<style>body { width: 390px; }</style><script>var w = 390, ok = true;\
         document.querySelectorAll('.pv-bar > *').forEach(function (e) {\
         var r = e.getBoundingClientRect(); if (r.right > w || r.left < 0) ok = false; });\
         document.title = ok ? 'fits' : 'overflows';</script></body>",
    );
    std::fs::write(out.path().join("measure.html"), html).unwrap();
    let url = format!("file://{}", out.path().join("measure.html").display());
    let output = support::headless_sized(&url, &["--dump-dom".into()], (390, 844));
    let dom = String::from_utf8(output.stdout).unwrap();
    assert!(
        dom.contains("<title>fits</title>"),
        "{}",
        &dom[..dom.len().min(400)]
    );
}
