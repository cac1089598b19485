//! The .apkg reader (used by inspect, diff and --adopt) reads untrusted files: any bytes must
//! give contents or a clear error, never a panic, and nothing is written outside a temp dir.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fuzz.apkg");
    std::fs::write(&path, data).expect("write input");
    let _ = primer_anki::apkg::read_apkg(&path);
});
