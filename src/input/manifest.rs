//! The content manifest, `primer-anki.toml` at the top of a content directory: which decks to
//! build, their sources and options. Only `name` and `sources` are required per deck; the rest
//! has defaults (see [`ManifestDeck`]).
//!
//! Read by walking the spanned TOML tree rather than by serde, so that every mistake is found
//! in one run, each at its own line and key and naming its deck: an author fixes them all at
//! once instead of one per build.

use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{Error, Result, SourceLocation};

pub const FILE_NAME: &str = "primer-anki.toml";

/// The profiles a deck may name.
pub const PROFILES: [&str; 3] = ["topics", "exercise", "object-design"];

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Manifest {
    /// URL of the content directory online; links and "source" fields are made absolute with
    /// it. `None`: from the git remote, else no Source links.
    pub base_url: Option<String>,
    /// Extra CSS appended to the note types' stylesheet (a path relative to the manifest).
    pub stylesheet: Option<String>,
    pub decks: Vec<ManifestDeck>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ManifestDeck {
    /// Stable deck name; Anki matches decks by name, so renaming creates a new deck.
    pub name: String,
    /// Fixed deck id, never 1. `None`: derived from the name (`key::deck_id`).
    pub id: Option<i64>,
    pub description: String,
    /// Which extraction rules apply: `topics` (the default), `exercise` or `object-design`.
    pub profile: String,
    /// Files or directories (searched recursively for `.md` and `.ipynb`), relative to the
    /// content directory, each with its line.
    pub sources: Vec<(String, usize)>,
    /// First component of every tag, e.g. `sd` gives `sd::database::sharding`. `None`: the
    /// deck name made tag-safe.
    pub tag_prefix: Option<String>,
    /// The language the sources are written in (`en`, `ja`, `zh-Hans`, `zh-Hant`): questions
    /// and cue words follow it. `None`: English.
    pub lang: Option<String>,
    /// Output file name without `.apkg`; defaults to the deck name made file-safe.
    pub file: Option<String>,
    /// The line of the deck's `[[deck]]` table.
    pub line: usize,
}

impl ManifestDeck {
    /// How messages name the deck: by its name, else by its place.
    pub fn label(&self, index: usize) -> String {
        if self.name.is_empty() {
            format!("deck {} (line {})", index + 1, self.line)
        } else {
            format!("deck \"{}\"", self.name)
        }
    }
}

/// One mistake in the manifest: where, which key, of which deck, and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Mistake {
    pub line: usize,
    /// `deck "Name"`, or empty for a top-level key.
    pub deck: String,
    pub key: String,
    pub message: String,
}

/// Parse the manifest: all its mistakes at once, or the decks it declares.
pub fn parse(text: &str, path: &Path) -> Result<Manifest> {
    parse_all(text).map_err(|mistakes| into_error(mistakes, path))
}

/// [`parse`], with the mistakes as a list (the caller may add its own before reporting).
pub fn parse_all(text: &str) -> std::result::Result<Manifest, Vec<Mistake>> {
    match read(text) {
        (manifest, mistakes) if mistakes.is_empty() => Ok(manifest),
        (_, mistakes) => Err(mistakes),
    }
}

/// What could be read of the manifest, and its mistakes (a deck with a mistake is still
/// returned, so that its sources can be checked in the same run).
pub fn read(text: &str) -> (Manifest, Vec<Mistake>) {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(e) => {
            let mistake = Mistake {
                line: e.span().map_or(0, |s| line_of(s.start)),
                deck: String::new(),
                key: String::new(),
                message: format!("not valid TOML: {}", e.message()),
            };
            return (Manifest::default(), vec![mistake]);
        }
    };
    let mut reader = Reader {
        line_of: &line_of,
        mistakes: Vec::new(),
    };
    let mut manifest = Manifest::default();
    for (key, value) in root.get_ref() {
        let line = line_of(key.span().start);
        match key.get_ref().as_ref() {
            "base_url" => manifest.base_url = reader.string(value, "", "base_url"),
            "stylesheet" => manifest.stylesheet = reader.string(value, "", "stylesheet"),
            "deck" => match value.get_ref() {
                DeValue::Array(items) => {
                    for item in items {
                        let index = manifest.decks.len();
                        manifest.decks.push(reader.deck(item, index));
                    }
                }
                _ => reader.push(line, "", "deck", "must be [[deck]] tables".into()),
            },
            other => reader.push(
                line,
                "",
                other,
                "unknown key (a manifest takes base_url, stylesheet and [[deck]] tables)".into(),
            ),
        }
    }
    if manifest.decks.is_empty() && reader.mistakes.is_empty() {
        reader.push(
            1,
            "",
            "deck",
            "the manifest declares no decks: add a [[deck]] table with name and sources".into(),
        );
    }
    reader.across_decks(&manifest.decks);
    (manifest, reader.mistakes)
}

/// One error naming every mistake, each on its own line with file, line, deck and key.
pub fn into_error(mut mistakes: Vec<Mistake>, path: &Path) -> Error {
    mistakes.sort_by_key(|m| m.line);
    let help = "see README.md, section \"The content manifest\", for the keys a manifest takes";
    let describe = |m: &Mistake| {
        let mut out = String::new();
        if !m.deck.is_empty() {
            out.push_str(&m.deck);
            out.push_str(", ");
        }
        if !m.key.is_empty() {
            out.push_str(&format!("key `{}`: ", m.key));
        }
        out.push_str(&m.message);
        out
    };
    if let [only] = mistakes.as_slice() {
        return Error::new(describe(only))
            .at(SourceLocation::new(path, only.line, 0))
            .help(help);
    }
    let mut message = format!("{} mistakes in the manifest:", mistakes.len());
    for m in &mistakes {
        let at = SourceLocation::new(path, m.line, 0);
        message.push_str(&format!("\n  {at}: {}", describe(m)));
    }
    Error::new(message).in_file(path).help(help)
}

struct Reader<'a> {
    line_of: &'a dyn Fn(usize) -> usize,
    mistakes: Vec<Mistake>,
}

impl Reader<'_> {
    fn push(&mut self, line: usize, deck: &str, key: &str, message: String) {
        self.mistakes.push(Mistake {
            line,
            deck: deck.to_string(),
            key: key.to_string(),
            message,
        });
    }

    fn line(&self, value: &Spanned<DeValue<'_>>) -> usize {
        (self.line_of)(value.span().start)
    }

    fn string(&mut self, value: &Spanned<DeValue<'_>>, deck: &str, key: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                let line = self.line(value);
                self.push(line, deck, key, "must be a string in quotes".into());
                None
            }
        }
    }

    /// One `[[deck]]` table; its mistakes are recorded, what could be read is returned.
    fn deck(&mut self, value: &Spanned<DeValue<'_>>, index: usize) -> ManifestDeck {
        let mut deck = ManifestDeck {
            line: self.line(value),
            profile: "topics".into(),
            ..ManifestDeck::default()
        };
        let DeValue::Table(table) = value.get_ref() else {
            self.push(deck.line, "", "deck", "must be a [[deck]] table".into());
            return deck;
        };
        // The name first, so that the other keys' mistakes can name the deck.
        if let Some((_, name)) = table.iter().find(|(k, _)| k.get_ref() == "name") {
            let label = deck.label(index);
            deck.name = self.string(name, &label, "name").unwrap_or_default();
            if deck.name.trim().is_empty() {
                let line = self.line(name);
                self.push(line, &label, "name", "must not be empty".into());
            }
        }
        let label = deck.label(index);
        let mut has_sources = false;
        for (key, value) in table {
            let line = self.line(value);
            match key.get_ref().as_ref() {
                "name" => {}
                "id" => deck.id = self.id(value, &label),
                "description" => {
                    deck.description = self
                        .string(value, &label, "description")
                        .unwrap_or_default()
                }
                "profile" => {
                    if let Some(profile) = self.string(value, &label, "profile") {
                        if PROFILES.contains(&profile.as_str()) {
                            deck.profile = profile;
                        } else {
                            let message = format!(
                                "unknown profile \"{profile}\" (use one of: {})",
                                PROFILES.join(", ")
                            );
                            self.push(line, &label, "profile", message);
                        }
                    }
                }
                "sources" => {
                    has_sources = true;
                    deck.sources = self.sources(value, &label);
                }
                "tag_prefix" => deck.tag_prefix = self.string(value, &label, "tag_prefix"),
                "file" => deck.file = self.string(value, &label, "file"),
                "lang" => {
                    if let Some(code) = self.string(value, &label, "lang") {
                        if super::Lang::from_code(&code).is_some() {
                            deck.lang = Some(code);
                        } else {
                            let message = format!(
                                "unknown language \"{code}\" (use one of: en, ja, zh-Hans, zh-Hant; docs/extraction.md says how to add one)"
                            );
                            self.push(line, &label, "lang", message);
                        }
                    }
                }
                other => {
                    let line = (self.line_of)(key.span().start);
                    self.push(line, &label, other, "unknown key (a deck takes name, sources, id, description, profile, tag_prefix, lang and file)".into());
                }
            }
        }
        if deck.name.is_empty() && !table.iter().any(|(k, _)| k.get_ref() == "name") {
            self.push(
                deck.line,
                &label,
                "name",
                "missing: every deck needs a name (Anki matches decks by name)".into(),
            );
        }
        if !has_sources {
            self.push(deck.line, &label, "sources", "missing: list the files or folders the deck is built from, e.g. sources = [\"notes\"]".into());
        }
        deck
    }

    fn id(&mut self, value: &Spanned<DeValue<'_>>, label: &str) -> Option<i64> {
        let id = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
            _ => None,
        };
        match id {
            Some(id) if id > 1 => Some(id),
            _ => {
                let line = self.line(value);
                self.push(line, label, "id", "must be a whole number greater than 1 (or leave it out to derive one from the name)".into());
                None
            }
        }
    }

    fn sources(&mut self, value: &Spanned<DeValue<'_>>, label: &str) -> Vec<(String, usize)> {
        let line = self.line(value);
        let DeValue::Array(items) = value.get_ref() else {
            self.push(
                line,
                label,
                "sources",
                "must be a list of paths, e.g. [\"notes\"]".into(),
            );
            return Vec::new();
        };
        let mut sources = Vec::new();
        for item in items {
            if let Some(path) = self.string(item, label, "sources") {
                sources.push((path, self.line(item)));
            }
        }
        if items.is_empty() {
            self.push(
                line,
                label,
                "sources",
                "is empty: list at least one file or folder".into(),
            );
        }
        sources
    }

    /// Ids and names must be unique across decks (Anki compares names ignoring case).
    fn across_decks(&mut self, decks: &[ManifestDeck]) {
        for (i, deck) in decks.iter().enumerate() {
            let earlier = &decks[..i];
            if !deck.name.is_empty()
                && let Some(first) = earlier
                    .iter()
                    .find(|d| d.name.eq_ignore_ascii_case(&deck.name))
            {
                let message = format!(
                    "used twice (first at line {}; Anki compares names ignoring case)",
                    first.line
                );
                self.push(deck.line, &deck.label(i), "name", message);
            }
            if let Some(id) = deck.id
                && let Some(first) = earlier.iter().find(|d| d.id == Some(id))
            {
                let message = format!("id {id} is used twice (first at line {})", first.line);
                self.push(deck.line, &deck.label(i), "id", message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_name_and_sources_are_required() {
        let manifest = parse_all("[[deck]]\nname = \"A\"\nsources = [\"a\"]\n").unwrap();
        let deck = &manifest.decks[0];
        assert_eq!((deck.id, deck.tag_prefix.as_deref()), (None, None));
        assert_eq!(deck.profile, "topics");
        assert_eq!(deck.sources, [("a".to_string(), 3)]);
        assert_eq!(deck.line, 1);
        assert_eq!(manifest.base_url, None);
    }

    #[test]
    fn every_mistake_is_found_at_its_line_and_key() {
        let text = "base_url = 3\nfoo = 1\n[[deck]]\nname = \"A\"\nid = 1\nsources = []\n\
                    [[deck]]\nid = 7\nprofile = \"topic\"\n";
        let mistakes = parse_all(text).unwrap_err();
        let mut found: Vec<(usize, &str, &str)> = mistakes
            .iter()
            .map(|m| (m.line, m.deck.as_str(), m.key.as_str()))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                (1, "", "base_url"),
                (2, "", "foo"),
                (5, "deck \"A\"", "id"),
                (6, "deck \"A\"", "sources"),
                (7, "deck 2 (line 7)", "name"),
                (7, "deck 2 (line 7)", "sources"),
                (9, "deck 2 (line 7)", "profile"),
            ]
        );
    }

    #[test]
    fn a_syntax_error_has_its_line() {
        let err = parse("[[deck]]\nname = \"A\nsources = []\n", Path::new("m.toml")).unwrap_err();
        assert_eq!(err.location.unwrap().line, 2);
    }

    #[test]
    fn names_and_ids_are_unique() {
        let text =
            "[[deck]]\nname='A'\nid=5\nsources=['a']\n[[deck]]\nname='a'\nid=5\nsources=['b']\n";
        let mistakes = parse_all(text).unwrap_err();
        let keys: Vec<&str> = mistakes.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["name", "id"]);
        assert!(mistakes.iter().all(|m| m.line == 5));
    }
}
