//! Differential: a topics file rendered section by section (the path big files take) gives
//! exactly the drafts and warnings of the whole-tree path, whatever the markdown.
#![no_main]

use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use primer_anki::build::render_text;
use primer_anki::error::{Result, SourceLocation};
use primer_anki::extract::Profile;
use primer_anki::render::{MediaResolver, NoteDraft, RenderOptions};

struct NameOnly;

impl MediaResolver for NameOnly {
    fn resolve(&mut self, path: &Path, _origin: &SourceLocation) -> Result<String> {
        Ok(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
    }
}

fn render(text: &str, by_section: bool) -> std::result::Result<(Vec<NoteDraft>, Vec<String>), String> {
    let options = RenderOptions {
        deck: 0,
        deck_name: "Fuzz".into(),
        content_root: PathBuf::from("/nonexistent"),
        base_url: "https://example.org/".into(),
        tag_prefix: "fz".into(),
    };
    let mut drafts = Vec::new();
    render_text(
        text.to_string(),
        Path::new("fuzz.md"),
        Profile::Topics,
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
