//! Markdown → document → cards → note drafts must never panic, whatever the bytes.
#![no_main]

use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use primer_anki::error::{Result, SourceLocation};
use primer_anki::extract::{ExtractOptions, Profile};
use primer_anki::render::{MediaResolver, RenderOptions};
use primer_anki::{document, extract, render};

struct NameOnly;

impl MediaResolver for NameOnly {
    fn resolve(&mut self, path: &Path, _origin: &SourceLocation) -> Result<String> {
        Ok(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(doc) = document::parse(text, Path::new("fuzz.md")) else { return };
    for profile in [Profile::Topics, Profile::Exercise, Profile::ObjectDesign] {
        let (cards, _) = extract::extract(&doc, &ExtractOptions { profile });
        let options = RenderOptions {
            deck: 0,
            deck_name: "Fuzz".into(),
            content_root: PathBuf::from("/nonexistent"),
            base_url: "https://example.org/".into(),
            tag_prefix: "fz".into(),
        };
        let _ = render::render(&doc, &cards, &options, &mut NameOnly);
    }
});
