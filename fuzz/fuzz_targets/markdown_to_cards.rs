//! Markdown → document → cards → note drafts must never panic, whatever the bytes.
#![no_main]

mod common;

use std::path::Path;

use common::{NameOnly, render_options};
use libfuzzer_sys::fuzz_target;
use primer_anki::extract::{ExtractOptions, Profile};
use primer_anki::{document, extract, render};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(doc) = document::parse(text, Path::new("fuzz.md")) else { return };
    for profile in [Profile::Topics, Profile::Exercise, Profile::ObjectDesign] {
        let (cards, _) = extract::extract(&doc, &ExtractOptions::new(profile));
        let _ = render::render(&doc, &cards, &render_options(), &mut NameOnly);
    }
});
