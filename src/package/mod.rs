//! Notes → `.apkg`: the legacy package format (schema-11 `collection.anki2`, a `media` JSON map,
//! numbered media files), written reproducibly and atomically.

pub mod model;
