//! The integration tests of primer-anki, built as one test binary (`cargo test --test it`).
//!
//! One module per area; `support` holds the helpers they share (running the binary, asking the
//! real Anki for its verdict). tests/README.md says how the tests are organised, how to add a
//! fixture and what they need to run.

mod architecture;
mod bad_input;
mod build_anki;
mod by_section;
mod card_quality;
mod card_quality_exercises;
mod cli;
mod export;
mod extract;
mod first_hour;
mod glob_snapshots;
mod html_safety;
mod identity;
mod identity_decks;
mod identity_lists;
mod identity_sim;
mod interrupted;
mod languages;
mod linear;
mod package_dump;
mod preview;
mod primer_extract;
mod properties;
mod quality;
mod release_install;
mod remote_images;
mod reviewer;
mod style;
mod support;
mod untrusted_apkg;
mod untrusted_outputs;
mod untrusted_paths;
mod watch;
