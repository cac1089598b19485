//! Differential: a topics file rendered section by section (the path big files take) gives
//! exactly the drafts and warnings of the whole-tree path, whatever the markdown.
#![no_main]

mod common;

use std::path::Path;

use common::{NameOnly, render_options};
use libfuzzer_sys::fuzz_target;
use primer_anki::build::render_text;
use primer_anki::extract::{ExtractOptions, Profile};
use primer_anki::render::NoteDraft;

fn render(text: &str, by_section: bool) -> std::result::Result<(Vec<NoteDraft>, Vec<String>), String> {
    let options = render_options();
    let mut drafts = Vec::new();
    render_text(
        text.to_string(),
        Path::new("fuzz.md"),
        &ExtractOptions::new(Profile::Topics),
        (&options, &mut NameOnly),
        by_section,
        &mut |draft| {
            drafts.push(draft);
            Ok(())
        },
    )
    .map(|warnings| (drafts, warnings.iter().map(|w| w.to_string()).collect()))
    .map_err(|e| e.to_string())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    assert_eq!(render(text, false), render(text, true));
});
