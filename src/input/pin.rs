//! The manifest that pins what was found: `primer-anki init` writes it so that a folder read by
//! convention (or a primer checkout) keeps its deck names, ids and sources when its headings or
//! files change. Built from a loaded [`Content`], so the manifest builds exactly the same decks
//! (same names, hence the same note GUIDs) as the convention did.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{Content, DeckSpec, Profile, collect_sources, file_stem_for};

/// The text of a commented `primer-anki.toml` declaring `content`'s decks.
pub fn manifest_text(content: &Content) -> String {
    let mut out = String::from(
        "# The decks built from this folder, written by `primer-anki init`.\n\
         # Deck names and ids become part of every learner's collection: once the decks are\n\
         # published, keep them (a renamed deck is a new deck in Anki). Every key is described\n\
         # in primer-anki's README, section \"The content manifest\".\n\n",
    );
    if content.base_url.is_empty() {
        out.push_str(
            "# No git remote was found, so cards have no Source link. Set the folder's address\n\
             # online to add one:\n# base_url = \"https://github.com/OWNER/REPO/blob/main/\"\n",
        );
    } else {
        out.push_str("# Links and each card's Source field are made absolute with this.\n");
        out.push_str(&format!("base_url = {}\n", quoted(&content.base_url)));
    }
    if let Some(css) = &content.stylesheet {
        out.push_str("# Extra CSS added to the note types' stylesheet.\n");
        out.push_str(&format!("stylesheet = {}\n", quoted(css)));
    }
    for deck in &content.decks {
        out.push('\n');
        out.push_str(&deck_text(deck, &content.root));
    }
    out
}

fn deck_text(deck: &DeckSpec, root: &Path) -> String {
    let mut out = String::from("[[deck]]\n");
    out.push_str(&format!("name = {}\n", quoted(&deck.name)));
    let derived = deck.id == crate::key::deck_id(&deck.name);
    out.push_str(&format!(
        "id = {}{}\n",
        deck.id,
        if derived {
            "  # derived from the name, pinned here"
        } else {
            ""
        }
    ));
    if !deck.description.is_empty() {
        out.push_str(&format!("description = {}\n", quoted(&deck.description)));
    }
    let profile = match deck.profile {
        Profile::Topics => "topics",
        Profile::Exercise => "exercise",
        Profile::ObjectDesign => "object-design",
    };
    out.push_str(&format!(
        "profile = \"{profile}\"  # topics | exercise | object-design\n"
    ));
    out.push_str(&format!("tag_prefix = {}\n", quoted(&deck.tag_prefix)));
    if deck.lang != super::Lang::En {
        out.push_str(&format!(
            "lang = \"{}\"  # the language its questions are worded in\n",
            deck.lang.code()
        ));
    }
    if deck.file_stem != file_stem_for(&deck.name) {
        out.push_str(&format!("file = {}\n", quoted(&deck.file_stem)));
    }
    out.push_str("sources = [\n");
    for source in compact_sources(deck, root) {
        out.push_str(&format!("  {},\n", quoted(&source)));
    }
    out.push_str("]\n");
    out
}

/// The deck's files as few entries as list them exactly: a folder when everything under it
/// belongs to the deck, else the file. Files under one folder are neighbours in path order, so
/// the manifest's sources read back in the same order.
fn compact_sources(deck: &DeckSpec, root: &Path) -> Vec<String> {
    let files: HashSet<&Path> = deck.sources.iter().map(|s| s.display.as_path()).collect();
    let mut entries: Vec<PathBuf> = Vec::new();
    for source in &deck.sources {
        if entries
            .last()
            .is_some_and(|e| source.display.starts_with(e))
        {
            continue;
        }
        let ancestors: Vec<&Path> = source
            .display
            .ancestors()
            .skip(1)
            .filter(|a| !a.as_os_str().is_empty())
            .collect();
        let widest = ancestors.into_iter().rev().find(|dir| {
            // A folder that cannot be listed safely is never an entry.
            collect_sources(root, dir)
                .is_ok_and(|found| found.iter().all(|s| files.contains(s.display.as_path())))
        });
        entries.push(widest.unwrap_or(&source.display).to_path_buf());
    }
    entries
        .iter()
        .map(|e| e.to_string_lossy().replace('\\', "/"))
        .collect()
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_manifest_reads_back_as_the_same_decks() {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in [
            ("README.md", "# Tea \"Notes\"\n"),
            ("b.md", "## B\n"),
            ("sub/x.md", "# X\n"),
            ("sub/deep/y.md", "# Y\n"),
        ] {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let by_convention = super::super::load(dir.path()).unwrap();
        let text = manifest_text(&by_convention);
        assert!(
            text.contains("sources = [\n  \"README.md\",\n  \"b.md\",\n]"),
            "{text}"
        );
        assert!(text.contains("sources = [\n  \"sub\",\n]"), "{text}");
        assert!(text.contains("# base_url"), "{text}");
        std::fs::write(dir.path().join(super::super::manifest::FILE_NAME), &text).unwrap();
        let pinned = super::super::load(dir.path()).unwrap();
        let shape = |c: &Content| {
            c.decks
                .iter()
                .map(|d| {
                    let files: Vec<_> = d.sources.iter().map(|s| s.display.clone()).collect();
                    (
                        d.name.clone(),
                        d.id,
                        d.tag_prefix.clone(),
                        d.file_stem.clone(),
                        files,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(shape(&pinned), shape(&by_convention));
        assert_eq!(
            pinned.decks[0].name,
            super::super::convention::deck_title(dir.path(), Path::new("")).unwrap()
        );
    }

    #[test]
    fn a_rewritten_manifest_keeps_its_stylesheet_and_languages() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "# A\n").unwrap();
        std::fs::write(dir.path().join("extra.css"), ".card { color: red }\n").unwrap();
        std::fs::write(
            dir.path().join(super::super::manifest::FILE_NAME),
            "stylesheet = \"extra.css\"\n[[deck]]\nname = \"A\"\nlang = \"ja\"\nsources = [\"a.md\"]\n",
        )
        .unwrap();
        let first = super::super::load(dir.path()).unwrap();
        let text = manifest_text(&first);
        assert!(text.contains("stylesheet = \"extra.css\""), "{text}");
        assert!(text.contains("lang = \"ja\""), "{text}");
        std::fs::write(dir.path().join(super::super::manifest::FILE_NAME), &text).unwrap();
        let again = super::super::load(dir.path()).unwrap();
        assert_eq!(again.extra_css, first.extra_css);
        assert_eq!(again.decks[0].lang, super::super::Lang::Ja);
    }
}
