//! The content manifest, `primer-anki.toml` at the top of a content directory: which decks to
//! build, their fixed ids, their sources and options.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result, SourceLocation};

pub const FILE_NAME: &str = "primer-anki.toml";

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// URL of the content directory online; links and "source" fields are made absolute with it.
    pub base_url: String,
    /// Extra CSS appended to the note types' stylesheet (a path relative to the manifest).
    #[serde(default)]
    pub stylesheet: Option<String>,
    #[serde(rename = "deck", default)]
    pub decks: Vec<ManifestDeck>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ManifestDeck {
    /// Stable deck name; Anki matches decks by name, so renaming creates a new deck.
    pub name: String,
    /// Fixed deck id, never 1.
    pub id: i64,
    #[serde(default)]
    pub description: String,
    /// Which extraction rules apply: `topics`, `exercise` or `object-design`.
    #[serde(default = "default_profile")]
    pub profile: String,
    /// Files or directories (searched recursively for `.md` and `.ipynb`), relative to the
    /// content directory.
    pub sources: Vec<String>,
    /// First component of every tag, e.g. `sd` gives `sd::database::sharding`.
    pub tag_prefix: String,
    /// The language the sources are written in (`en`, `ja`, `zh-Hans`, `zh-Hant`): questions
    /// and cue words follow it. Defaults to English.
    #[serde(default)]
    pub lang: Option<String>,
    /// Output file name without `.apkg`; defaults to the deck name made file-safe.
    #[serde(default)]
    pub file: Option<String>,
}

fn default_profile() -> String {
    "topics".into()
}

pub fn parse(text: &str, path: &Path) -> Result<Manifest> {
    let manifest: Manifest = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map_or(0, |span| text[..span.start].matches('\n').count() + 1);
        Error::new(format!("invalid manifest: {}", e.message()))
            .at(SourceLocation::new(path, line, 0))
            .help("see README.md, section \"The content manifest\", for the keys a manifest takes")
    })?;
    if manifest.decks.is_empty() {
        return Err(Error::new("the manifest declares no decks")
            .in_file(path)
            .help("add a [[deck]] table with name, id, sources and tag_prefix"));
    }
    let mut seen_ids = std::collections::HashSet::new();
    let mut seen_names = std::collections::HashSet::new();
    for deck in &manifest.decks {
        let problem = if deck.id <= 1 {
            Some(format!(
                "deck \"{}\" has id {}; ids must be greater than 1",
                deck.name, deck.id
            ))
        } else if deck.name.trim().is_empty() {
            Some("a deck has an empty name".to_string())
        } else if !seen_ids.insert(deck.id) {
            Some(format!("deck id {} is used twice", deck.id))
        } else if !seen_names.insert(deck.name.to_lowercase()) {
            Some(format!(
                "deck name \"{}\" is used twice (Anki compares names ignoring case)",
                deck.name
            ))
        } else if deck.sources.is_empty() {
            Some(format!("deck \"{}\" has no sources", deck.name))
        } else {
            None
        };
        if let Some(message) = problem {
            return Err(Error::new(message)
                .in_file(path)
                .help("every deck needs a unique name, a unique fixed id > 1, and sources"));
        }
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unknown_keys_with_a_line() {
        let err = parse("base_url = \"x\"\nfoo = 1\n", Path::new("m.toml")).unwrap_err();
        assert_eq!(err.location.unwrap().line, 2);
    }

    #[test]
    fn rejects_deck_id_one() {
        let text = "base_url='u'\n[[deck]]\nname='A'\nid=1\nsources=['a']\ntag_prefix='a'\n";
        assert!(
            parse(text, Path::new("m.toml"))
                .unwrap_err()
                .message
                .contains("id 1")
        );
    }
}
