//! What the learner sees in Anki's own reviewer. The Chromium preview shows our template and
//! stylesheet alone; the desktop reviewer adds Anki's reviewer.css and theme variables (in night
//! mode they repaint the page). This test builds the three primer decks, runs the pinned Anki
//! desktop (`aqt`, Qt WebEngine) under Xvfb through tests/anki/reviewer_shots.py, opens the
//! reviewer on representative cards in light and night mode at desktop and phone width, keeps
//! the screenshots in target/screenshots/reviewer/, and asserts on the computed styles the page
//! reports.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{build, headless, primer_anki, primer_dir, python, repo};

/// Widths the reviewer window is photographed at: a desktop and a phone.
const WIDTHS: [u32; 2] = [1280, 420];

/// The Python that can import `aqt` (the project venv after `.ci/run`). Missing: the test fails.
fn aqt_python() -> PathBuf {
    let python = std::env::var("PRIMER_ANKI_AQT_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| python());
    let ok = Command::new(&python)
        .args(["-c", "import aqt, PyQt6.QtWebEngineWidgets"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "{} cannot import Anki's desktop (aqt with Qt WebEngine): run `bash .ci/run`, or \
         `.venv/bin/pip install -r tests/anki/requirements-aqt.txt`, or set PRIMER_ANKI_AQT_PYTHON",
        python.display()
    );
    python
}

/// An Xvfb server on a display it picks itself; stopped when dropped.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1600x1000x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start Xvfb ({e}): install it (`apt-get install xvfb`, as .ci/run does)"
                )
            });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let number = line.trim();
        assert!(!number.is_empty(), "Xvfb did not report its display");
        Xvfb {
            child,
            display: format!(":{number}"),
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Stems of the primer's PNG diagrams, split into (mostly transparent, fully opaque).
fn primer_pngs() -> (Vec<String>, Vec<String>) {
    let mut transparent = Vec::new();
    let mut opaque = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(primer_dir().join("images"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    paths.sort();
    for path in paths {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let mut decoder = png::Decoder::new(BufReader::new(std::fs::File::open(&path).unwrap()));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let channels = info.color_type.samples();
        let pixels = &buf[..info.buffer_size()];
        let clear = if channels == 4 || channels == 2 {
            pixels
                .chunks(channels)
                .filter(|px| px[channels - 1] < 128)
                .count()
        } else {
            0
        };
        if clear * 5 > pixels.len() / channels {
            transparent.push(stem);
        } else if clear == 0 {
            opaque.push(stem);
        }
    }
    (transparent, opaque)
}

/// A regex for an `<img>` whose packed media name comes from one of `stems`.
fn img_of(stems: &[String]) -> String {
    let names: Vec<String> = stems.iter().map(|s| regex::escape(s)).collect();
    format!(r#"<img src="(?:{})\.[0-9a-f]+\.png""#, names.join("|"))
}

/// The cards the issue names: each kind of thing a card can show.
fn cases() -> Value {
    let (transparent, opaque) = primer_pngs();
    assert!(
        !transparent.is_empty() && !opaque.is_empty(),
        "the primer has transparent and opaque PNG diagrams"
    );
    json!([
        {"name": "transparent-diagram", "notetype": "Basic", "html": [img_of(&transparent)]},
        {"name": "attributed-diagram", "notetype": "Basic",
         "html": [img_of(&opaque), "class=\"attribution\""]},
        {"name": "cloze", "notetype": "Cloze", "html": ["\\{\\{c1::", "<a href"]},
        {"name": "code-block", "html": ["<pre"]},
        // A row of a one-value-column table asks "Subject: Row (column)?".
        {"name": "table-row", "notetype": "Basic",
         "html": ["</span>: [^<—()]+ \\([^<()]+\\)\\?\\s*\\n", "^(?![\\s\\S]*<pre)"]},
        {"name": "exercise-diagram", "html": ["solutions/system_design/", "<img src=\"[^h\"]"]},
    ])
}

/// `rgb(r, g, b)` or `rgba(r, g, b, a)` as channels; transparent reads as None.
fn rgb(css: &str) -> Option<[f64; 3]> {
    let inner = css.split_once('(')?.1.trim_end_matches(')');
    let parts: Vec<f64> = inner
        .split(',')
        .map(|p| p.trim().parse().unwrap())
        .collect();
    if parts.len() == 4 && parts[3] == 0.0 {
        return None;
    }
    Some([parts[0], parts[1], parts[2]])
}

/// WCAG relative luminance.
fn luminance([r, g, b]: [f64; 3]) -> f64 {
    let lin = |c: f64| {
        let c = c / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

fn px(css: &Value) -> f64 {
    css.as_str()
        .unwrap_or("0px")
        .trim_end_matches("px")
        .parse()
        .unwrap()
}

/// Every problem one screenshot's measures show.
fn problems(shot: &Value) -> Vec<String> {
    let m = &shot["measure"];
    let mut out = Vec::new();
    if m.is_null() || !m["error"].is_null() {
        return vec![format!("the page could not be measured: {}", m["error"])];
    }
    let dark = shot["theme"] == "dark";
    if m["scroll_width"].as_f64() > m["inner_width"].as_f64().map(|w| w + 1.0) {
        out.push(format!(
            "horizontal overflow: {} px of content in a {} px window",
            m["scroll_width"], m["inner_width"]
        ));
    }
    for img in m["images"].as_array().unwrap() {
        if img["natural_width"].as_u64() == Some(0) {
            out.push(format!("broken image {}", img["src"]));
        }
        let backdrop = rgb(img["backdrop"].as_str().unwrap()).unwrap_or([0.0; 3]);
        if dark && luminance(backdrop) < 0.8 {
            out.push(format!(
                "image {} sits on {} in night mode, not a light backdrop",
                img["src"], img["backdrop"]
            ));
        }
    }
    if let Some(pre) = m["pre"].as_object() {
        let page = rgb(pre["backdrop"].as_str().unwrap()).unwrap();
        let bg = rgb(pre["background-color"].as_str().unwrap()).unwrap_or(page);
        let border = rgb(pre["border-top-color"].as_str().unwrap()).unwrap_or(page);
        let bordered = px(&pre["border-top-width"]) >= 1.0
            && pre["border-top-style"] != "none"
            && contrast(border, page) >= 1.3;
        if contrast(bg, page) < 1.3 && !bordered {
            out.push(format!(
                "code block is no box: background {:.2}:1 against the page, no visible border",
                contrast(bg, page)
            ));
        }
    }
    if let Some(attribution) = m["attribution"].as_object()
        && px(&attribution["font_size"]) >= px(&m["body_font_size"])
    {
        out.push("the attribution is not smaller than the text".to_string());
    }
    if let (Some(cloze), Some(link)) = (m["cloze"].as_object(), m["link"].as_object()) {
        let differs = |key: &str| cloze[key] != link[key];
        if !(differs("background-color")
            || differs("font-weight")
            || differs("border-bottom-style")
            || differs("text-decoration-line"))
        {
            out.push("the cloze differs from a link by colour alone".to_string());
        }
    }
    out
}

/// What each case must show for its checks to mean something.
fn shows_what_it_stands_for(shot: &Value) -> Option<String> {
    let m = &shot["measure"];
    let has = |key: &str| !m[key].is_null();
    let images = m["images"].as_array().map_or(0, Vec::len);
    let ok = match shot["case"].as_str().unwrap() {
        "cloze" => has("cloze") && has("link"),
        "code-block" => has("pre"),
        "attributed-diagram" => has("attribution") && images > 0,
        "transparent-diagram" | "exercise-diagram" => images > 0,
        _ => true,
    };
    (!ok).then(|| format!("{} shows nothing of what it stands for", shot["case"]))
}

fn run_reviewer(decks: &[PathBuf], out: &Path) -> Value {
    let python = aqt_python();
    let xvfb = Xvfb::start();
    let plan = tempfile::NamedTempFile::new().unwrap();
    let plan_json = json!({"themes": ["light", "dark"], "widths": WIDTHS, "cases": cases()});
    std::fs::write(plan.path(), plan_json.to_string()).unwrap();
    let mut command = Command::new(python);
    command
        .arg(repo().join("tests/anki/reviewer_shots.py"))
        .arg("--out")
        .arg(out)
        .arg("--plan")
        .arg(plan.path())
        .args(decks)
        .env("DISPLAY", &xvfb.display)
        .env("PA_REVIEWER_TIMEOUT_MS", "280000");
    let output = command.output().unwrap();
    drop(xvfb);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "reviewer_shots.py failed ({}): {stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {stdout}"))
}

#[test]
fn cards_read_well_in_ankis_own_reviewer_light_and_dark() {
    let decks_dir = tempfile::tempdir().unwrap();
    build(&primer_dir(), decks_dir.path(), &[]);
    let mut decks: Vec<PathBuf> = std::fs::read_dir(decks_dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "apkg"))
        .collect();
    decks.sort();
    assert_eq!(
        decks.len(),
        5,
        "the three primer decks and two translations"
    );
    let out = repo().join("target/screenshots/reviewer");
    std::fs::remove_dir_all(&out).ok();
    let started = Instant::now();
    let result = run_reviewer(&decks, &out);
    let in_anki = started.elapsed();
    assert_eq!(result["errors"], json!([]), "the run reported errors");
    let shots = result["shots"].as_array().unwrap();
    let expected = 2 * WIDTHS.len() * cases().as_array().unwrap().len();
    assert_eq!(
        shots.len(),
        expected,
        "one screenshot per theme, width and case"
    );
    let mut failures = Vec::new();
    for shot in shots {
        let at = format!("{} {} {}px", shot["case"], shot["theme"], shot["width"]);
        assert!(
            Path::new(shot["screenshot"].as_str().unwrap()).is_file(),
            "no screenshot for {at}"
        );
        let inner = shot["measure"]["inner_width"].as_u64().unwrap_or(0);
        let width = shot["width"].as_u64().unwrap();
        assert!(
            inner.abs_diff(width) <= 40,
            "{at}: the page is {inner} px wide"
        );
        failures.extend(shows_what_it_stands_for(shot).map(|p| format!("{at}: {p}")));
        failures.extend(problems(shot).into_iter().map(|p| format!("{at}: {p}")));
    }
    assert!(
        failures.is_empty(),
        "in Anki's reviewer:\n{}",
        failures.join("\n")
    );
    let disagreements = preview_agrees_with_reviewer(shots);
    assert!(
        disagreements.is_empty(),
        "the preview and Anki's reviewer disagree:\n{}",
        disagreements.join("\n")
    );
    eprintln!(
        "reviewer: {} screenshots in {in_anki:.0?} -> {}",
        shots.len(),
        out.display()
    );
    // Alone it takes about a minute; the rest of the suite runs beside it on two cores, so
    // the bound here catches a run that has gone wrong, not a slow machine.
    assert!(
        in_anki < Duration::from_secs(300),
        "Anki's reviewer took {in_anki:.0?} for the screenshots; keep it well under 5 minutes"
    );
}

/// Computed backgrounds of the first `.card`, `pre` and `img` of the preview page in
/// `page_dir`, in `theme`, read by headless Chromium.
fn preview_backgrounds(page_dir: &Path, theme: &str) -> Value {
    let page = std::fs::read_to_string(page_dir.join("index.html")).unwrap();
    let probe = "<script>(function () {\
        function bg(sel) { var e = document.querySelector('.pv-side > .card' + sel);\
          return e ? getComputedStyle(e).backgroundColor : null; }\
        var measure = JSON.stringify({card: bg(''), pre: bg(' pre'), img: bg(' img')});\
        document.body.innerHTML = '';\
        document.body.setAttribute('data-measure', measure);\
        })();</script></body>";
    // The page empties itself once measured: a dump of the whole page would fill the pipe
    // that `headless` reads only after Chromium exits.
    let measured = page_dir.join("measure.html");
    std::fs::write(&measured, page.replace("</body>", probe)).unwrap();
    let url = format!("file://{}?theme={theme}", measured.display());
    let dom = String::from_utf8(headless(&url, &["--dump-dom".into()]).stdout).unwrap();
    let found = regex::Regex::new(r#"data-measure="([^"]*)""#)
        .unwrap()
        .captures(&dom)
        .unwrap_or_else(|| panic!("the preview page was not measured: {dom:.400}"))[1]
        .replace("&quot;", "\"");
    serde_json::from_str(&found).unwrap()
}

/// The preview shows what the reviewer shows: the same computed background for the card, a
/// code block and an image, in both themes.
fn preview_agrees_with_reviewer(shots: &[Value]) -> Vec<String> {
    let page_dir = tempfile::tempdir().unwrap();
    // Our own content: it has code blocks and diagrams, and no remote image for Chromium to
    // wait on (the colours do not depend on the text).
    let output = primer_anki()
        .args(["preview", "--quiet", "--content"])
        .arg(repo().join("content"))
        .arg("--out")
        .arg(page_dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "preview failed: {output:?}");
    let mut out = Vec::new();
    for theme in ["light", "dark"] {
        let preview = preview_backgrounds(page_dir.path(), theme);
        let shot = |case: &str| {
            shots
                .iter()
                .find(|s| s["case"] == case && s["theme"] == theme)
                .map(|s| s["measure"].clone())
                .unwrap_or_default()
        };
        let reviewer = json!({
            "card": shot("code-block")["card_bg"],
            "pre": shot("code-block")["pre"]["background-color"],
            "img": shot("transparent-diagram")["images"][0]["background"],
        });
        for key in ["card", "pre", "img"] {
            if preview[key] != reviewer[key] {
                out.push(format!(
                    "{theme} {key}: the preview paints {}, the reviewer {}",
                    preview[key], reviewer[key]
                ));
            }
        }
    }
    out
}

#[test]
fn colours_parse_and_contrast_as_wcag_says() {
    assert_eq!(rgb("rgba(0, 0, 0, 0)"), None);
    let white = rgb("rgb(255, 255, 255)").unwrap();
    let black = rgb("rgba(0, 0, 0, 1)").unwrap();
    assert!((contrast(white, black) - 21.0).abs() < 0.01);
    // Anki's night canvas against the code box colour we had: nearly invisible.
    let canvas = rgb("rgb(44, 44, 44)").unwrap();
    assert!(contrast(canvas, rgb("rgb(42, 45, 49)").unwrap()) < 1.1);
}
