//! Any folder of markdown, read by convention when it has neither a manifest nor the primer's
//! layout, so that a newcomer's notes build with no configuration.
//!
//! The rule (README, "Your own notes"):
//! - every `.md` and `.ipynb` file under the folder, recursively, in path order, is a source;
//! - the deck is named by the `title:` of the front matter of `README.md` or `index.md`, else
//!   by its first `# ` heading, else by the folder's name;
//! - when the sources sit in more than one folder, the folder's own files make the top deck and
//!   each subfolder holding sources becomes a subdeck `Deck::Sub` (named by the same rule) with
//!   everything below it; one level of subdecks, so a deep tree does not scatter into many decks;
//! - every deck uses the topics rules, its id is derived from its name (`key::deck_id`), its tag
//!   prefix is its name made tag-safe, and links point at the folder's git remote if it has one.
//!
//! `primer-anki init` writes these choices into a manifest so they can be pinned.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::fs::read;

use super::{DeckSpec, Lang, Profile, SourceFile, collect_sources, file_stem_for};

/// The decks a plain folder makes by convention (an empty list when it holds no sources).
pub fn folder_decks(root: &Path) -> Result<Vec<DeckSpec>> {
    let sources = collect_sources(root, Path::new(""))?;
    let top_name = deck_title(root, Path::new("")).unwrap_or_else(|| folder_name(root));
    let nested = sources.iter().any(|s| s.display.components().count() > 1);
    if !nested {
        return Ok(vec![deck_spec(top_name, sources)]);
    }
    let (top, below): (Vec<SourceFile>, Vec<SourceFile>) = sources
        .into_iter()
        .partition(|s| s.display.components().count() == 1);
    let mut decks = Vec::new();
    if !top.is_empty() {
        decks.push(deck_spec(top_name.clone(), top));
    }
    let mut groups: Vec<(PathBuf, Vec<SourceFile>)> = Vec::new();
    for source in below {
        let first: PathBuf = source.display.components().take(1).collect();
        match groups.last_mut() {
            Some((dir, files)) if *dir == first => files.push(source),
            _ => groups.push((first, vec![source])),
        }
    }
    for (dir, files) in groups {
        let title = deck_title(root, &dir).unwrap_or_else(|| dir.to_string_lossy().into_owned());
        let mut name = format!("{top_name}::{title}");
        // Two subfolders titled alike would share a deck name (and id): the folder name
        // tells them apart.
        if decks
            .iter()
            .any(|d: &DeckSpec| d.name.eq_ignore_ascii_case(&name))
        {
            name = format!("{top_name}::{}", deck_name_part(&dir.to_string_lossy()));
        }
        decks.push(deck_spec(name, files));
    }
    Ok(decks)
}

/// A deck of the topics profile named `name`, with the id, tag prefix and file derived from it.
pub fn deck_spec(name: String, sources: Vec<SourceFile>) -> DeckSpec {
    DeckSpec {
        lang: Lang::En,
        id: crate::key::deck_id(&name),
        tag_prefix: tag_prefix_for(&name),
        file_stem: file_stem_for(&name),
        description: String::new(),
        profile: Profile::Topics,
        name,
        sources,
    }
}

/// "My Notes::Networking" → "my_notes::networking": each deck level a tag level.
pub fn tag_prefix_for(deck_name: &str) -> String {
    deck_name
        .split("::")
        .map(|part| {
            let stem = file_stem_for(part);
            stem.replace('-', "_")
        })
        .collect::<Vec<_>>()
        .join("::")
}

/// The title of the folder `dir` (relative to `root`): its `README.md`'s or `index.md`'s
/// front-matter title, else its first level-1 heading.
pub fn deck_title(root: &Path, dir: &Path) -> Option<String> {
    for name in ["README.md", "readme.md", "index.md"] {
        // Read as any source is: inside the content directory, within the size cap.
        let path = root.join(dir).join(name);
        let Ok(text) = read::read_text_inside(root, &path, read::MAX_TEXT_BYTES) else {
            continue;
        };
        if let Some(title) = front_matter_title(&text).or_else(|| first_h1(&text)) {
            let title = deck_name_part(&title);
            if !title.is_empty() {
                return Some(title);
            }
        }
    }
    None
}

/// The name of the folder itself (of its absolute path, so `.` is named too).
fn folder_name(root: &Path) -> String {
    let absolute = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let name = absolute
        .file_name()
        .map(|n| deck_name_part(&n.to_string_lossy()))
        .unwrap_or_default();
    if name.is_empty() {
        "Notes".into()
    } else {
        name
    }
}

/// A title as one level of a deck name: `::` would open a subdeck, and markup is not a name.
fn deck_name_part(title: &str) -> String {
    let plain: String = title
        .replace("::", ":")
        .chars()
        .filter(|c| !matches!(c, '*' | '`' | '"') && !c.is_control())
        .collect();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `title:` of a YAML front matter block (`---` on the first line).
fn front_matter_title(text: &str) -> Option<String> {
    let mut lines = text.lines();
    if lines.next()?.trim_end() != "---" {
        return None;
    }
    for line in lines {
        let line = line.trim_end();
        if line == "---" || line == "..." {
            return None;
        }
        if let Some(value) = line.strip_prefix("title:") {
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
            return (!value.is_empty()).then(|| value.to_string());
        }
    }
    None
}

/// The text of the first `# ` heading outside fenced code and front matter.
fn first_h1(text: &str) -> Option<String> {
    let mut fence: Option<&str> = None;
    let mut lines = text.lines().peekable();
    if lines.peek().is_some_and(|l| l.trim_end() == "---") {
        lines.next();
        for line in lines.by_ref() {
            if matches!(line.trim_end(), "---" | "...") {
                break;
            }
        }
    }
    for line in lines {
        let trimmed = line.trim_start();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("# ") {
            let title = rest.trim().trim_end_matches('#').trim();
            if !title.is_empty() {
                return Some(title.to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn titles_come_from_front_matter_then_the_first_h1() {
        assert_eq!(
            front_matter_title("---\nlayout: x\ntitle: \"Caching\"\n---\n# Other\n").as_deref(),
            Some("Caching")
        );
        assert_eq!(
            first_h1("---\ntitle: \n---\n```\n# not this\n```\n## Two\n# Networking #\n")
                .as_deref(),
            Some("Networking")
        );
        assert_eq!(first_h1("no heading here\n"), None);
    }

    #[test]
    fn one_folder_makes_one_deck_named_by_its_readme() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "README.md", "# Study **Notes**\n\ntext\n");
        write(dir.path(), "b.md", "## B\n");
        let decks = folder_decks(dir.path()).unwrap();
        assert_eq!(decks.len(), 1);
        assert_eq!(decks[0].name, "Study Notes");
        assert_eq!(decks[0].id, crate::key::deck_id("Study Notes"));
        assert_eq!(decks[0].tag_prefix, "study_notes");
        assert_eq!(decks[0].profile, Profile::Topics);
        let files: Vec<_> = decks[0].sources.iter().map(|s| s.display.clone()).collect();
        assert_eq!(files, [PathBuf::from("README.md"), PathBuf::from("b.md")]);
    }

    #[test]
    fn subfolders_become_subdecks_holding_everything_below_them() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "README.md", "intro without a heading\n");
        write(dir.path(), "net/index.md", "---\ntitle: Networks\n---\n");
        write(dir.path(), "net/deep/tcp.md", "# TCP\n");
        write(dir.path(), "zeta/a.md", "# A\n");
        let decks = folder_decks(dir.path()).unwrap();
        let top = folder_name(dir.path());
        let names: Vec<_> = decks.iter().map(|d| d.name.clone()).collect();
        assert_eq!(
            names,
            [
                top.clone(),
                format!("{top}::Networks"),
                format!("{top}::zeta")
            ]
        );
        assert_eq!(decks[1].sources.len(), 2);
        assert!(decks[1].tag_prefix.ends_with("::networks"));
    }
}
