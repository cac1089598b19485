//! Content directory → the decks to build and their source files.
//!
//! A directory with a `primer-anki.toml` manifest is read as the manifest says. A checkout of
//! the System Design Primer (no manifest, a `README.md` and `solutions/`) is read by convention
//! as the three decks the primer ships, plus one deck per translation (`README-<lang>.md`).
//! Any other folder is read by convention as one deck of all its markdown (see
//! [`convention`]). The content directory is only ever read.

pub mod convention;
pub mod git;
pub mod lang;
pub mod manifest;
pub mod notebook;
pub mod pin;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result, SourceLocation, Warning, WarningKind};
use crate::fs::read;
pub use lang::Lang;

/// Which rule set applies to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Topic articles like the primer's README: summaries, definitions, lists, tables, code tables.
    Topics,
    /// A system design exercise (`solutions/system_design/*/README.md`).
    Exercise,
    /// An object-oriented design notebook (converted to markdown first).
    ObjectDesign,
}

/// The primer online; the default base for links when building a primer checkout.
pub const PRIMER_BASE_URL: &str =
    "https://github.com/donnemartin/system-design-primer/blob/master/";

/// What to build from a content directory.
#[derive(Debug, Clone)]
pub struct Content {
    pub root: PathBuf,
    pub base_url: String,
    pub extra_css: String,
    /// The manifest's `stylesheet` entry that `extra_css` was read from (`init` keeps it).
    pub stylesheet: Option<String>,
    pub decks: Vec<DeckSpec>,
    /// What the author should hear once per run (the CLI prints them): a build by convention,
    /// derived ids to pin, a missing base URL.
    pub notices: Vec<String>,
    /// What becomes of a remote image with no local copy (`build --remote-images`).
    pub remote_images: RemoteImages,
}

/// What becomes of a remote image that no local file stands for: a link to it takes its place
/// (the default: nothing is broken offline, the image is a click away online), it stays an
/// image of the remote URL (shows nothing offline), it is left out of the card, or the build
/// fails. Each is reported as a `RemoteImage` warning (error.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RemoteImages {
    #[default]
    Link,
    Keep,
    Drop,
    Error,
}

#[derive(Debug, Clone)]
pub struct DeckSpec {
    pub name: String,
    pub id: i64,
    pub description: String,
    pub profile: Profile,
    /// The language its sources are written in: questions are worded in it.
    pub lang: Lang,
    pub tag_prefix: String,
    /// Output file name without extension.
    pub file_stem: String,
    pub sources: Vec<SourceFile>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where to read it.
    pub path: PathBuf,
    /// Relative to the content root, `/`-separated: used in messages, links and keys.
    pub display: PathBuf,
    pub format: SourceFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Markdown,
    Notebook,
}

/// Find the decks and sources of the content directory `root`.
pub fn load(root: &Path) -> Result<Content> {
    let meta =
        std::fs::metadata(root).map_err(|e| Error::io("read the content directory", root, e))?;
    if !meta.is_dir() {
        return Err(Error::new("the content path is not a directory")
            .in_file(root)
            .help(
                "pass --content with a directory holding primer-anki.toml or a primer checkout",
            ));
    }
    let manifest_path = root.join(manifest::FILE_NAME);
    if manifest_path.exists() {
        return load_manifest(root, &manifest_path);
    }
    if is_primer_checkout(root) {
        return primer_convention(root);
    }
    folder_convention(root)
}

/// A checkout of the System Design Primer: read as the three decks it ships.
pub fn is_primer_checkout(root: &Path) -> bool {
    root.join("README.md").is_file() && root.join("solutions").is_dir()
}

/// A plain folder with neither manifest nor primer layout: its decks by [`convention`].
fn folder_convention(root: &Path) -> Result<Content> {
    let decks = convention::folder_decks(root)?;
    if decks.iter().all(|d| d.sources.is_empty()) {
        return Err(Error::new(format!(
            "no markdown (.md) or notebook (.ipynb) files and no {} in the content directory",
            manifest::FILE_NAME
        ))
        .in_file(root)
        .help("point --content at a folder of markdown notes, a primer checkout, or a folder with a manifest"));
    }
    let named: Vec<String> = decks
        .iter()
        .map(|d| format!("\"{}\" (id {})", d.name, d.id))
        .collect();
    let mut notices = vec![format!(
        "no {}: read {} by convention as {} {}; `primer-anki init {}` pins the names and ids in a manifest",
        manifest::FILE_NAME,
        root.display(),
        if decks.len() == 1 { "deck" } else { "decks" },
        named.join(", "),
        root.display()
    )];
    let base_url = base_url_from_git(root, &mut notices);
    Ok(Content {
        root: root.to_path_buf(),
        base_url,
        extra_css: String::new(),
        stylesheet: None,
        decks,
        notices,
        remote_images: RemoteImages::default(),
    })
}

/// The git remote's blob URL for `root`, or an empty base URL and a notice that cards get no
/// Source link.
pub fn base_url_from_git(root: &Path, notices: &mut Vec<String>) -> String {
    git::blob_base_url(root).unwrap_or_else(|| {
        notices.push(format!(
            "{} has no git remote on GitHub, GitLab or Codeberg: cards get no Source link (set base_url in {} to add one)",
            root.display(),
            manifest::FILE_NAME
        ));
        String::new()
    })
}

fn load_manifest(root: &Path, path: &Path) -> Result<Content> {
    let text = read::read_text_inside(root, path, read::MAX_TEXT_BYTES)?;
    let display = Path::new(manifest::FILE_NAME);
    // Every mistake at once: those of the TOML, then sources that match no file.
    let (manifest, mut mistakes) = manifest::read(&text);
    let mut notices = Vec::new();
    let mut decks = Vec::new();
    for (index, deck) in manifest.decks.into_iter().enumerate() {
        let mut sources = Vec::new();
        if let Some(file) = &deck.file
            && let Err(message) = plain_file_name(file)
        {
            mistakes.push(manifest::Mistake {
                line: deck.line,
                deck: deck.label(index),
                key: "file".into(),
                message,
            });
        }
        for (source, line) in &deck.sources {
            let found = match collect_sources(root, Path::new(source)) {
                Ok(found) => found,
                Err(e) => {
                    // The entry leads out of the content directory (or cannot be listed): the
                    // manifest line is what to fix.
                    mistakes.push(manifest::Mistake {
                        line: *line,
                        deck: deck.label(index),
                        key: "sources".into(),
                        message: format!("\"{source}\": {}", e.message),
                    });
                    continue;
                }
            };
            if found.is_empty() {
                mistakes.push(manifest::Mistake {
                    line: *line,
                    deck: deck.label(index),
                    key: "sources".into(),
                    message: format!(
                        "\"{source}\" matches no .md or .ipynb file (sources are files or folders relative to the content directory)"
                    ),
                });
            }
            sources.extend(found);
        }
        sources.dedup();
        decks.push(deck_of_manifest(deck, sources, &mut notices));
    }
    if !mistakes.is_empty() {
        return Err(manifest::into_error(mistakes, display));
    }
    let extra_css = match &manifest.stylesheet {
        Some(css) => {
            let css_path = root.join(css);
            read::read_text_inside(root, &css_path, read::MAX_TEXT_BYTES)?
        }
        None => String::new(),
    };
    let base_url = match manifest.base_url {
        Some(url) => url,
        None => base_url_from_git(root, &mut notices),
    };
    Ok(Content {
        root: root.to_path_buf(),
        base_url,
        extra_css,
        stylesheet: manifest.stylesheet.clone(),
        decks,
        remote_images: RemoteImages::default(),
        notices,
    })
}

/// A manifest's deck with its defaults filled in: an id derived from the name (said once, so
/// it can be pinned), the tag prefix from the name, the file from the name.
fn deck_of_manifest(
    deck: manifest::ManifestDeck,
    sources: Vec<SourceFile>,
    notices: &mut Vec<String>,
) -> DeckSpec {
    let profile = match deck.profile.as_str() {
        "exercise" => Profile::Exercise,
        "object-design" => Profile::ObjectDesign,
        _ => Profile::Topics,
    };
    let id = deck.id.unwrap_or_else(|| {
        let id = crate::key::deck_id(&deck.name);
        notices.push(format!(
            "deck \"{}\" has no id in {}: using {id}, derived from its name; pin it with `id = {id}` (renaming a deck without a pinned id moves learners' cards to a new deck)",
            deck.name,
            manifest::FILE_NAME
        ));
        id
    });
    DeckSpec {
        // Checked by the manifest reader: an unknown code is one of its mistakes.
        lang: deck
            .lang
            .as_deref()
            .and_then(Lang::from_code)
            .unwrap_or_default(),
        file_stem: deck.file.unwrap_or_else(|| file_stem_for(&deck.name)),
        tag_prefix: deck
            .tag_prefix
            .unwrap_or_else(|| convention::tag_prefix_for(&deck.name)),
        name: deck.name,
        id,
        description: deck.description,
        profile,
        sources,
    }
}

/// The three decks the primer ships, found by the primer's own layout.
fn primer_convention(root: &Path) -> Result<Content> {
    let deck = |name: &str, profile, tag: &str, sources: Vec<SourceFile>| DeckSpec {
        name: name.into(),
        id: crate::key::deck_id(name),
        description: String::new(),
        profile,
        lang: Lang::En,
        tag_prefix: tag.into(),
        file_stem: file_stem_for(name),
        sources,
    };
    let readme = collect_sources(root, Path::new("README.md"))?;
    let exercises: Vec<SourceFile> = collect_sources(root, Path::new("solutions/system_design"))?
        .into_iter()
        .filter(|s| {
            s.format == SourceFormat::Markdown
                && s.display.file_name().is_some_and(|n| n == "README.md")
                && s.display.components().count() == 4
        })
        .collect();
    let object_design: Vec<SourceFile> =
        collect_sources(root, Path::new("solutions/object_oriented_design"))?
            .into_iter()
            .filter(|s| s.format == SourceFormat::Notebook)
            .collect();
    let mut decks = vec![
        deck("System Design", Profile::Topics, "primer", readme),
        deck(
            "System Design Exercises",
            Profile::Exercise,
            "primer::exercises",
            exercises,
        ),
        deck(
            "OO Design",
            Profile::ObjectDesign,
            "primer::oo",
            object_design,
        ),
    ];
    // After the three English decks, so that their places (and all they number) stay put.
    decks.extend(translations(root)?);
    Ok(Content {
        root: root.to_path_buf(),
        base_url: PRIMER_BASE_URL.into(),
        extra_css: String::new(),
        stylesheet: None,
        remote_images: RemoteImages::default(),
        notices: Vec::new(),
        decks,
    })
}

/// One topics deck per `README-<lang>.md` beside `README.md`, in file name order: "System
/// Design (日本語)", its id from that name, tags under `primer-<lang>`. A language no table
/// covers keeps its code in the name and is worded with the English table.
fn translations(root: &Path) -> Result<Vec<DeckSpec>> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Ok(Vec::new());
    };
    let mut codes: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let code = name.strip_prefix("README-")?.strip_suffix(".md")?;
            let valid = !code.is_empty()
                && code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            (valid && e.path().is_file()).then(|| code.to_string())
        })
        .collect();
    codes.sort();
    codes
        .into_iter()
        .map(|code| {
            let lang = Lang::from_code(&code);
            let name = match lang {
                Some(lang) => format!("System Design ({})", lang.native_name()),
                None => format!("System Design ({code})"),
            };
            let tag_code = code.to_ascii_lowercase().replace('_', "-");
            Ok(DeckSpec {
                id: crate::key::deck_id(&name),
                name,
                description: String::new(),
                profile: Profile::Topics,
                lang: lang.unwrap_or_default(),
                tag_prefix: format!("primer-{tag_code}"),
                file_stem: format!("system-design-{tag_code}"),
                sources: collect_sources(root, Path::new(&format!("README-{code}.md")))?,
            })
        })
        .collect()
}

/// `relative` (a file or a directory, searched recursively) → its `.md` and `.ipynb` files in
/// sorted order, so builds do not depend on directory listing order. Every path, symlinks
/// resolved, must lie inside `root`; a directory reached twice (a symlink loop) is entered once.
fn collect_sources(root: &Path, relative: &Path) -> Result<Vec<SourceFile>> {
    let mut found = Vec::new();
    let mut visited = read::Visited::default();
    let mut stack = vec![relative.to_path_buf()];
    while let Some(rel) = stack.pop() {
        let abs = root.join(&rel);
        // A dangling link is kept as a source: reading it says what is wrong.
        let meta = std::fs::metadata(&abs).ok();
        if meta.is_none() && std::fs::symlink_metadata(&abs).is_err() {
            continue;
        }
        // Only what we would read: an image is checked where a card refers to it.
        if meta
            .as_ref()
            .is_some_and(|m| m.is_dir() || format_of(&rel).is_some())
        {
            read::resolve_inside(root, &abs)?;
        }
        if let Some(meta) = meta.filter(|m| m.is_dir()) {
            if !visited.first_visit(&meta) {
                continue;
            }
            if let Ok(entries) = std::fs::read_dir(&abs) {
                for entry in entries.flatten() {
                    let name = entry.file_name();
                    // Hidden folders hold notebook checkpoints and editor state, not content.
                    if name.to_string_lossy().starts_with('.') {
                        continue;
                    }
                    stack.push(rel.join(name));
                }
            }
        } else if let Some(format) = format_of(&rel) {
            found.push(SourceFile {
                path: abs,
                display: rel,
                format,
            });
        }
    }
    found.sort_by(|a, b| a.display.cmp(&b.display));
    Ok(found)
}

fn format_of(path: &Path) -> Option<SourceFormat> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "md" | "markdown" => Some(SourceFormat::Markdown),
        "ipynb" => Some(SourceFormat::Notebook),
        _ => None,
    }
}

/// A manifest's `file` names a file in `--out`: no directory part, no `..`, no hidden name,
/// so a manifest cannot make the build write anywhere else. `Err`: what to tell the author.
fn plain_file_name(file: &str) -> std::result::Result<(), String> {
    let plain = !file.is_empty()
        && !file.starts_with('.')
        && !file.contains(['/', '\\', '\0'])
        && !file.chars().any(char::is_control);
    if plain {
        return Ok(());
    }
    Err(format!(
        "\"{}\" is not a plain file name; the deck is written into --out only (give a name without `/`, `\\` or a leading dot, e.g. \"system-design\")",
        file.escape_debug()
    ))
}

/// "System Design Exercises" → "system-design-exercises".
pub fn file_stem_for(deck_name: &str) -> String {
    let mut out = String::new();
    for c in deck_name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "deck".into() } else { out }
}

/// Read a source file as markdown text: checks that it is text, converts notebooks, and warns
/// about empty files.
pub fn read_source(source: &SourceFile, warnings: &mut Vec<Warning>) -> Result<String> {
    let bytes = read::read_regular(&source.path, &source.display, read::MAX_TEXT_BYTES)?;
    if let Some(offset) = bytes.iter().take(8192).position(|b| *b == 0) {
        return Err(Error::new(format!(
            "this looks like a binary file (NUL byte at offset {offset})"
        ))
        .in_file(&source.display)
        .help("remove it from the content directory or from the deck's sources"));
    }
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Error::new(format!(
            "the file is not valid UTF-8 (invalid byte at offset {offset})"
        ))
        .at(SourceLocation::new(&source.display, line, 0))
        .help("save the file as UTF-8")
    })?;
    if text.starts_with('\u{feff}') {
        // In place: a copy would double the memory a big file takes.
        text.drain(..'\u{feff}'.len_utf8());
    }
    if text.trim().is_empty() {
        warnings.push(Warning::new(
            WarningKind::EmptyFile,
            SourceLocation::file(&source.display),
            "the file is empty; it yields no cards",
        ));
    }
    match source.format {
        SourceFormat::Markdown => Ok(text),
        SourceFormat::Notebook => notebook::notebook_to_markdown(&text, &source.display),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_file_safe() {
        assert_eq!(
            file_stem_for("System Design Exercises"),
            "system-design-exercises"
        );
        assert_eq!(
            file_stem_for("OO Design::Parking lot"),
            "oo-design-parking-lot"
        );
        assert_eq!(file_stem_for("!!"), "deck");
    }

    #[test]
    fn a_primer_checkout_gets_one_deck_per_translation() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("solutions")).unwrap();
        for name in [
            "README.md",
            "README-ja.md",
            "README-zh-TW.md",
            "README-ko.md",
            "notes.md",
        ] {
            std::fs::write(dir.path().join(name), "# T\n").unwrap();
        }
        let content = load(dir.path()).unwrap();
        let decks: Vec<(&str, Lang, &str, &str)> = content
            .decks
            .iter()
            .skip(3)
            .map(|d| {
                let file = d.sources[0].display.to_str().unwrap();
                (d.name.as_str(), d.lang, d.tag_prefix.as_str(), file)
            })
            .collect();
        assert_eq!(
            decks,
            [
                (
                    "System Design (日本語)",
                    Lang::Ja,
                    "primer-ja",
                    "README-ja.md"
                ),
                ("System Design (ko)", Lang::En, "primer-ko", "README-ko.md"),
                (
                    "System Design (繁體中文)",
                    Lang::ZhHant,
                    "primer-zh-tw",
                    "README-zh-TW.md"
                ),
            ]
        );
        assert_eq!(content.decks[0].name, "System Design");
        assert_eq!(
            content.decks[3].id,
            crate::key::deck_id("System Design (日本語)")
        );
        assert_eq!(content.decks[3].file_stem, "system-design-ja");
    }

    #[test]
    fn a_manifest_deck_names_its_language() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "# T\n").unwrap();
        let manifest = |lang: &str| {
            format!(
                "base_url='u'\n[[deck]]\nname='A'\nid=5\nsources=['a.md']\ntag_prefix='a'\n{lang}"
            )
        };
        std::fs::write(dir.path().join(manifest::FILE_NAME), manifest("lang='ja'")).unwrap();
        assert_eq!(load(dir.path()).unwrap().decks[0].lang, Lang::Ja);
        std::fs::write(dir.path().join(manifest::FILE_NAME), manifest("")).unwrap();
        assert_eq!(load(dir.path()).unwrap().decks[0].lang, Lang::En);
        std::fs::write(dir.path().join(manifest::FILE_NAME), manifest("lang='xx'")).unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(
            err.message.contains("unknown language \"xx\""),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_byte_order_mark_is_dropped_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let read = |bytes: &[u8]| {
            let path = dir.path().join("a.md");
            std::fs::write(&path, bytes).unwrap();
            let source = SourceFile {
                path,
                display: PathBuf::from("a.md"),
                format: SourceFormat::Markdown,
            };
            read_source(&source, &mut Vec::new()).unwrap()
        };
        assert_eq!(read("\u{feff}# Title\n".as_bytes()), "# Title\n");
        assert_eq!(read("# Title\u{feff}\n".as_bytes()), "# Title\u{feff}\n");
        assert_eq!(read(b"plain"), "plain");
    }
}
