//! primer-anki turns study material written in markdown into Anki decks (`.apkg`).
//!
//! The pipeline, one module per stage, plain data between them:
//!
//! ```text
//! input     content dir → source files (manifest or primer layout; notebooks → markdown)
//! document  markdown → document tree (sections, blocks, inline markup, source lines)
//! extract   document tree → cards (one rule per construct)
//! render    cards → note drafts (HTML fields, media resolved)
//! identity  note drafts → notes (GUIDs, ids, mtimes; the lock file)
//! package   notes → .apkg (SQLite schema 11 inside a zip, written atomically)
//! ```
//!
//! [`build`] runs the stages in order ([`export`] writes CSV or JSON instead of the package).
//! Around the pipeline: [`check`] lints content through the same stages without writing,
//! [`preview`] renders every card to a static page, and [`apkg_reader`] reads untrusted
//! packages for [`inspect`], [`diff`] and `build --adopt`.

#![deny(unsafe_code)]

pub mod apkg;
pub mod build;
pub mod check;
pub mod document;
pub mod error;
pub mod export;
pub mod extract;
pub mod fs;
pub mod identity;
pub mod input;
pub mod key;
pub mod markup;
pub mod package;
pub mod preview;
pub mod render;

pub use error::{Error, Result, SourceLocation, Warning, WarningKind};
