//! Notes → `.apkg`: the legacy package format (schema-11 `collection.anki2`, a `media` JSON map,
//! numbered media files), written reproducibly and atomically.
//!
//! We write the oldest format on purpose: it is the one every Anki since 2.1, AnkiDroid and
//! AnkiMobile import (anki-format.md §1.2).

pub mod archive;
pub mod collection;
pub mod deflate;
pub mod media;
pub mod model;
pub mod notetypes;

pub use archive::{
    ArchiveOptions, Counts, Unplaced, write_apkg, write_apkg_streaming, write_apkg_unplaced,
};
