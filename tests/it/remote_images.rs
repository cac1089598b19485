//! Every image a card shows is in the package, or the build says so: remote images whose file
//! the content has are bundled (by name, or as the one file left in the document's folder),
//! and the rest follow `--remote-images link|keep|drop|error`. On the five primer decks, by
//! default: no image that needs the network (each remote one a link in its place), and the
//! exercises' diagrams bundled.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::{build, primer_anki, primer_dir};

/// Every `<img src>` of every field of the JSON decks in `dir`, with whether the deck's media
/// folder has the file.
fn image_srcs(dir: &Path) -> Vec<(String, bool)> {
    let src = regex::Regex::new(r#"<img src="([^"]*)""#).unwrap();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let media = path.with_extension("media");
        let deck: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for note in deck["notes"].as_array().unwrap() {
            for value in note["fields"].as_object().unwrap().values() {
                for c in src.captures_iter(value.as_str().unwrap_or("")) {
                    out.push((c[1].to_string(), media.join(&c[1]).is_file()));
                }
            }
        }
    }
    out
}

fn remote(src: &str) -> bool {
    src.starts_with("http://") || src.starts_with("https://") || src.starts_with("//")
}

/// Every `href` of a link standing for a remote image, in the JSON decks in `dir`.
fn remote_image_links(dir: &Path) -> BTreeSet<String> {
    let link = regex::Regex::new(r#"<a class="remote-image" href="([^"]*)""#).unwrap();
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            // The JSON escapes the quotes of the HTML it holds.
            let text = text.replace("\\\"", "\"");
            out.extend(link.captures_iter(&text).map(|c| c[1].to_string()));
        }
    }
    out
}

#[test]
fn primer_decks_show_no_broken_image_offline() {
    let default = tempfile::tempdir().unwrap();
    let output = build(&primer_dir(), default.path(), &["--format", "json"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let shown = image_srcs(default.path());
    let broken: Vec<&(String, bool)> = shown.iter().filter(|(_, local)| !local).collect();
    assert!(
        broken.is_empty(),
        "images a card cannot show offline: {broken:?}"
    );
    // The scaling exercise's step pictures have no copy: a link stands for each, with a
    // warning.
    let links = remote_image_links(default.path());
    assert!(
        (1..=5).contains(&links.len()),
        "remote images linked: {links:?}"
    );
    for href in &links {
        assert!(remote(href), "{href}");
        assert!(
            stderr.contains(&format!("image `{href}` is remote")),
            "{href} is linked without a warning:\n{stderr}"
        );
    }
    // The exercises link their diagrams remotely; the primer keeps a copy of each design in
    // the exercise's folder. All but the step-by-step pictures of one exercise are bundled.
    let bundled_exercise_images = shown
        .iter()
        .filter(|(s, local)| !remote(s) && *local && s.contains("_basic."))
        .count();
    assert!(
        bundled_exercise_images >= 7,
        "the exercises' basic designs are bundled from their folders ({bundled_exercise_images})"
    );

    // `keep`: the same images stay remote images; `drop`: neither image nor link.
    let keep = tempfile::tempdir().unwrap();
    build(
        &primer_dir(),
        keep.path(),
        &["--format", "json", "--remote-images", "keep"],
    );
    let kept = image_srcs(keep.path());
    let still_remote: BTreeSet<String> = kept
        .iter()
        .filter(|(s, _)| remote(s))
        .map(|(s, _)| s.clone())
        .collect();
    assert_eq!(still_remote, links, "keep keeps the linked images remote");
    assert_eq!(kept.len(), shown.len() + links.len());
    let drop = tempfile::tempdir().unwrap();
    build(
        &primer_dir(),
        drop.path(),
        &["--format", "json", "--remote-images", "drop"],
    );
    assert!(remote_image_links(drop.path()).is_empty());
    assert_eq!(
        image_srcs(drop.path()),
        shown,
        "drop leaves out exactly the remote images"
    );
}

#[test]
fn remote_images_error_stops_the_build_naming_each() {
    let content = tempfile::tempdir().unwrap();
    std::fs::write(
        content.path().join("primer-anki.toml"),
        "base_url = \"https://example.org/notes/\"\n[[deck]]\nname = \"Remote\"\nid = 1732999000001\ntag_prefix = \"remote\"\nsources = [\"notes.md\"]\n",
    )
    .unwrap();
    std::fs::write(
        content.path().join("notes.md"),
        "# Caches\n\n## Write-through\n\nThe writer updates the cache and the store together.\n\n\
         ![A picture kept elsewhere](https://img.example.org/nowhere123.png)\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = primer_anki()
        .args(["build", "--remote-images", "error", "--content"])
        .arg(content.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the build should fail: {stderr}");
    assert!(
        stderr.contains("notes.md") && stderr.contains("nowhere123.png"),
        "the error names the file and the image: {stderr}"
    );
    let kept = primer_anki()
        .args(["build", "--content"])
        .arg(content.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&kept.stderr);
    assert!(kept.status.success(), "keep is the default: {stderr}");
    assert!(
        stderr.contains("nowhere123.png` is remote"),
        "and it warns: {stderr}"
    );
}
