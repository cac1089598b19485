//! What the learner sees, checked on the stylesheet the decks carry: every class a field uses
//! has a rule, and a transparent diagram stays readable in night mode on a phone (headless
//! Chromium renders a real card and the test reads its pixels and computed style).

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::{build, headless_sized, primer_dir, repo};

/// The note types' stylesheet, as packed into every deck.
fn stylesheet() -> &'static str {
    include_str!("../../src/package/assets/style.css")
}

/// Whether `css` has a rule whose selector names `.class` (not a longer class such as
/// `.class-x`).
fn styles(css: &str, class: &str) -> bool {
    let needle = format!(".{class}");
    css.match_indices(&needle).any(|(at, _)| {
        let next = css[at + needle.len()..].chars().next();
        !next.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
    })
}

/// Every class attribute value in every field of every note of the JSON decks in `dir`.
fn field_classes(dir: &Path) -> BTreeSet<String> {
    let class = regex::Regex::new(r#"class="([^"]*)""#).unwrap();
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let deck: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for note in deck["notes"].as_array().unwrap() {
            for value in note["fields"].as_object().unwrap().values() {
                for c in class.captures_iter(value.as_str().unwrap_or("")) {
                    out.extend(c[1].split_whitespace().map(str::to_string));
                }
            }
        }
    }
    out
}

/// Classes of the syntax highlighter: scopes are coloured by family (`hl-keyword`), and the
/// language marker is informational.
fn is_highlighting(class: &str) -> bool {
    class == "hl" || class.starts_with("hl-") || class.starts_with("language-")
}

#[test]
fn every_class_a_field_uses_is_styled() {
    let css = stylesheet();
    let mut unstyled = Vec::new();
    let mut seen = BTreeSet::new();
    for content in [repo().join("content"), primer_dir()] {
        let out = tempfile::tempdir().unwrap();
        build(&content, out.path(), &["--format", "json"]);
        for class in field_classes(out.path()) {
            if !is_highlighting(&class) && !styles(css, &class) {
                unstyled.push(format!("{class} (in {})", content.display()));
            }
            seen.insert(class);
        }
    }
    assert!(
        seen.contains("diagram") && seen.contains("attribution") && seen.contains("subject"),
        "the decks should use the figure and subject classes: {seen:?}"
    );
    assert!(
        unstyled.is_empty(),
        "classes no CSS rule styles: {unstyled:?}"
    );
}

#[test]
fn the_class_check_tells_a_class_from_a_longer_one() {
    assert!(styles(".diagram img { x: 1 }", "diagram"));
    assert!(!styles(".diagram-x { x: 1 }", "diagram"));
    assert!(!styles(".pa-attribution { x: 1 }", "attribution-x"));
    assert!(is_highlighting("hl-keyword") && !is_highlighting("cloze"));
}

/// A 240 × 120 PNG, transparent, with black lines: what many of the primer's diagrams are.
fn transparent_diagram(path: &Path) {
    let (w, h) = (240u32, 120u32);
    let mut rgba = vec![0u8; (w * h * 4) as usize];
    for y in 0..h {
        for x in 0..w {
            let line = y == h / 2 || x == w / 4 || x == 3 * w / 4 || (x + y) % 40 == 0;
            if line {
                let i = ((y * w + x) * 4) as usize;
                rgba[i..i + 4].copy_from_slice(&[0, 0, 0, 255]);
            }
        }
    }
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&rgba)
        .unwrap();
}

/// A card page as Anki's reviewer builds it in night mode: the deck's stylesheet, the body
/// with `card nightMode`, the back template's structure around `back`.
fn night_card_page(back: &str) -> String {
    format!(
        "<!doctype html><html><head><meta name=viewport content=\"width=device-width\">\
         <style>{}</style></head><body class=\"card nightMode\">\
         <div class=\"pa-card pa-back\"><div class=\"pa-answer\">{back}</div></div>\
         <script>\
         const img = document.querySelector('.diagram img');\
         const s = getComputedStyle(img);\
         document.body.dataset.imgBackground = s.backgroundColor;\
         document.body.dataset.pageBackground = getComputedStyle(document.body).backgroundColor;\
         const root = document.documentElement;\
         document.body.dataset.overflow = root.scrollWidth > root.clientWidth;\
         </script></body></html>",
        stylesheet()
    )
}

/// Luminance (0–255) of an RGB(A) pixel.
fn luminance(px: &[u8]) -> f64 {
    0.2126 * f64::from(px[0]) + 0.7152 * f64::from(px[1]) + 0.0722 * f64::from(px[2])
}

#[test]
fn a_transparent_diagram_is_readable_in_night_mode_at_phone_width() {
    // A deck with one transparent diagram, built by the real renderer.
    let content = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(content.path().join("notes/images")).unwrap();
    transparent_diagram(&content.path().join("notes/images/flow.png"));
    std::fs::write(
        content.path().join("primer-anki.toml"),
        "base_url = \"https://example.org/\"\n\n[[deck]]\nname = \"Style\"\nid = 1900000000077\n\
         profile = \"topics\"\nsources = [\"notes\"]\ntag_prefix = \"st\"\n",
    )
    .unwrap();
    std::fs::write(
        content.path().join("notes/flow.md"),
        "# Flow\n\nA request passes the balancer before any web server sees it.\n\n\
         <p align=\"center\">\n  <img src=\"images/flow.png\">\n  <br/>\n  \
         <i><a href=\"https://example.org/src\">Source: a talk</a></i>\n</p>\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    build(content.path(), out.path(), &["--format", "json"]);
    let deck: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("style.json")).unwrap())
            .unwrap();
    let back = deck["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["fields"]["Back"].as_str())
        .find(|b| b.contains("class=\"diagram\""))
        .expect("a card shows the diagram")
        .to_string();
    // The page, with the packed image beside it under the name the field uses.
    let page_dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(out.path().join("style.media")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), page_dir.path().join(entry.file_name())).unwrap();
    }
    let page = page_dir.path().join("card.html");
    std::fs::write(&page, night_card_page(&back)).unwrap();
    let url = format!("file://{}", page.display());

    // Computed style: the image has a white backdrop on a dark page.
    let dom = headless_sized(&url, &["--dump-dom".into()], (390, 700));
    let dom = String::from_utf8(dom.stdout).unwrap();
    assert!(
        dom.contains("data-img-background=\"rgb(255, 255, 255)\""),
        "the diagram has no white backdrop in night mode: {dom}"
    );
    assert!(
        dom.contains("data-page-background=\"rgb(30, 30, 30)\""),
        "the page is not dark: {dom}"
    );
    assert!(
        dom.contains("data-overflow=\"false\""),
        "the card scrolls sideways at 390 px: {dom}"
    );

    // Pixels: a white panel with the diagram's black lines inside it.
    let shot = repo().join("target/screenshots");
    std::fs::create_dir_all(&shot).unwrap();
    let file = shot.join("night-diagram-390.png");
    headless_sized(
        &url,
        &[format!("--screenshot={}", file.display())],
        (390, 700),
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&file).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let width = info.width as usize;
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (usize::MAX, usize::MAX, 0, 0);
    let mut white = 0;
    for (i, px) in buf[..info.buffer_size()].chunks(channels).enumerate() {
        if luminance(px) > 245.0 {
            white += 1;
            let (x, y) = (i % width, i / width);
            (min_x, min_y) = (min_x.min(x), min_y.min(y));
            (max_x, max_y) = (max_x.max(x), max_y.max(y));
        }
    }
    assert!(
        white > 10_000,
        "no light backdrop in the night-mode screenshot ({white} white pixels): {}",
        file.display()
    );
    let mut dark_inside = 0;
    for y in min_y..=max_y {
        for x in min_x..=max_x {
            let i = (y * width + x) * channels;
            if luminance(&buf[i..i + 3]) < 60.0 {
                dark_inside += 1;
            }
        }
    }
    assert!(
        dark_inside > 300,
        "the diagram's lines are not visible on its backdrop ({dark_inside} dark pixels): {}",
        file.display()
    );
}
