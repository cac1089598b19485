//! primer-anki turns study material written in markdown into Anki decks (`.apkg`).
//!
//! The pipeline, one module per stage, plain data between them (docs/architecture.md):
//!
//! ```text
//! input     content dir → source files (manifest or primer layout; notebooks → markdown)
//! document  markdown → document tree (sections, blocks, inline markup, source lines)
//! extract   document tree → cards (one rule per construct)
//! render    cards → note drafts (HTML fields, media resolved, identity keys)
//! identity  note drafts → notes (GUIDs, ids, mtimes; the lock file)
//! package   notes → .apkg (SQLite schema 11 inside a zip, written atomically)
//! ```
//!
//! Leaf modules serve every stage: [`error`], [`markup`], [`key`], [`fs`]. [`build`] runs the
//! stages in order ([`export`] writes CSV or JSON instead of the package). Around the
//! pipeline: [`check`] lints content through the same stages without writing, [`preview`]
//! renders every card to a static page, and [`apkg`] reads untrusted packages for
//! `inspect`, `diff` and `build --adopt`.

#![deny(unsafe_code)]

// Leaves.
pub mod error;
pub mod fs;
pub mod key;
pub mod markup;

// The stages; in pipeline order: input, document, extract, render, identity, package.
pub mod document;
pub mod extract;
pub mod identity;
pub mod input;
pub mod package;
pub mod render;

// Reading and writing finished decks, the orchestrator, and the tools.
pub mod apkg;
pub mod build;
pub mod check;
pub mod export;
pub mod preview;

pub use error::{Error, Result, SourceLocation, Warning, WarningKind};
