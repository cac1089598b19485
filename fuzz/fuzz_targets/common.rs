//! What the markdown fuzz targets share: render options and a media resolver that only names
//! files, so no target touches the disk.

use std::path::{Path, PathBuf};

use primer_anki::error::{Result, SourceLocation};
use primer_anki::render::{MediaResolver, RenderOptions};

pub struct NameOnly;

impl MediaResolver for NameOnly {
    fn resolve(&mut self, path: &Path, _origin: &SourceLocation) -> Result<String> {
        Ok(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
    }
}

pub fn render_options() -> RenderOptions {
    RenderOptions {
        deck: 0,
        deck_name: "Fuzz".into(),
        content_root: PathBuf::from("/nonexistent"),
        base_url: "https://example.org/".into(),
        tag_prefix: "fz".into(),
        remote_images: Default::default(),
    }
}
