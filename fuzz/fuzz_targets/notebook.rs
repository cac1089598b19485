//! The notebook reader must return a notebook's markdown or an error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = primer_anki::input::notebook::notebook_to_markdown(text, std::path::Path::new("fuzz.ipynb"));
    }
});
