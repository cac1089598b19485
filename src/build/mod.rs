//! Runs the pipeline for a content directory: input → document → extract → render → identity
//! → package, one `.apkg` per deck, then updates the lock file.
//!
//! In two passes, so that memory does not grow with the text of the notes: the first renders
//! every file on all cores and keeps a digest per note (the text goes to a spill file, see
//! [`spill`]); identities are then decided at once; the second streams the notes from the
//! spill into each package and the lock. [`render_content`] is the in-memory variant, and
//! [`render_files`] the same for chosen files (`preview --watch` renders only those a save
//! touched). Within a file, a big topics file goes through parse, extract and render section by
//! section ([`render_text`]), so that no file is held as one tree either; that path, and any
//! file of a corpus with fewer files than cores, renders on a second thread ([`Flow`]).
//!
//! One file per step: `first_pass` renders and digests the files (on the cores `pool` shares
//! them out to), `identities` decides between the passes, `second_pass` writes the decks and
//! the lock; `carried` restores identities from the lock an `--adopt`ed deck of ours carries;
//! [`stamp`] skips a build with nothing to do.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::error::{Error, Result, Warning, WarningKind};
use crate::fs::read;
use crate::identity::IdentityReport;
use crate::identity::lock::{DeckRename, Lock};
use crate::input::{self, Content};
use crate::package::ArchiveOptions;
use crate::render::NotetypeKind;

mod carried;
mod first_pass;
mod identities;
mod pool;
mod second_pass;
pub mod spill;
pub mod stamp;

pub use first_pass::{
    BY_SECTION_BYTES, Flow, RenderedDeck, RenderedFile, render_content, render_files, render_text,
};

/// The lock file's name when it sits beside the decks.
pub const LOCK_FILE_NAME: &str = "primer-anki.lock";

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub content: PathBuf,
    pub out: PathBuf,
    /// Where the lock file lives; `None` means `<out>/primer-anki.lock`.
    pub lock: Option<PathBuf>,
    /// Overrides the content's base URL for links.
    pub base_url: Option<String>,
    /// Build time in seconds: `SOURCE_DATE_EPOCH`, or the clock.
    pub now: i64,
    pub archive: ArchiveOptions,
    /// Fail instead of changing the lock file (for CI).
    pub locked: bool,
    /// Existing decks whose notes give their GUIDs to the cards of the same heading; a deck
    /// of ours also gives back the identities its carried lock records.
    pub adopt: Vec<PathBuf>,
    /// What to write per deck: `.apkg` (the default), Anki's CSV, or JSON.
    pub format: crate::export::Format,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeckReport {
    pub name: String,
    pub notes: usize,
    pub cards: usize,
    pub media: usize,
    pub path: PathBuf,
}

#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    pub decks: Vec<DeckReport>,
    pub warnings: Vec<Warning>,
    pub identity: IdentityReport,
    pub lock_path: PathBuf,
    pub lock_changed: bool,
    /// Nothing changed since the last build into this directory: nothing was written.
    pub up_to_date: bool,
    /// Per `--adopt`ed deck of ours, how many identities its carried lock restored.
    pub restored: Vec<(PathBuf, usize)>,
    /// There was no lock file while decks of an earlier build lie in the output directory, and
    /// no adopted deck carried a lock: every note took the GUID its deck and key derive (see
    /// [`NO_LOCK`]).
    pub no_lock: bool,
    /// Decks this build makes anew while decks of the last build, with notes, are gone: a
    /// rename that changed the deck's id (a derived id, not pinned) and so every identity.
    pub lost_decks: Vec<LostDeck>,
    /// Wall time of each stage (`--verbose` prints them).
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// Build every deck of `options.content` into `options.out`.
///
/// Two passes keep memory bounded: the first renders everything but keeps only a digest per
/// note (the text goes to a temporary spill file); identities are then decided for all notes
/// at once; the second pass streams the notes from the spill into each package and the lock.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    build_content(options, &input::load(&options.content)?)
}

/// [`build`] for content the caller has already loaded from `options.content`.
pub fn build_content(options: &BuildOptions, content: &Content) -> Result<BuildReport> {
    let lock_path = options
        .lock
        .clone()
        .unwrap_or_else(|| options.out.join(LOCK_FILE_NAME));
    refuse_lock_on_own_files(&lock_path, options, content)?;
    // Held until the build returns; an earlier build's temporaries are ours to clear then.
    let _out_dir = take_turn(&options.out)?;
    remove_leftovers(&options.out);
    // A rebuild with nothing changed (same inputs, options, lock and program, outputs still
    // in place) writes nothing: the stamp from the last build says so.
    let fingerprint = stamp::fingerprint(options, content, &lock_path);
    if let Some(decks) = stamp::unchanged(&options.out, &fingerprint) {
        return Ok(BuildReport {
            decks,
            lock_path,
            up_to_date: true,
            ..BuildReport::default()
        });
    }
    let base_url = options
        .base_url
        .clone()
        .unwrap_or_else(|| content.base_url.clone());
    let mut report = BuildReport::default();
    let (old_lock_text, mut old_lock) = read_lock(&lock_path)?;
    report.restored = carried::restore(&mut old_lock, &options.adopt)?;
    // Decks of an earlier build beside a missing lock: they were built with a lock that is
    // lost, and may have been published.
    report.no_lock = old_lock_text.is_none()
        && report.restored.is_empty()
        && content
            .decks
            .iter()
            .any(|d| options.out.join(format!("{}.apkg", d.file_stem)).is_file());
    let deck_renames = follow_deck_renames(&mut old_lock, &options.out, content);
    report.lost_decks = lost_decks(&old_lock, content);
    types_from_previous_decks(&mut old_lock, &options.out, content);

    let mut stopwatch = Stopwatch::start();
    let mut pass = first_pass::first_pass(
        content,
        &base_url,
        (&old_lock, options.now, !options.adopt.is_empty()),
        &options.out,
        &mut report.warnings,
    )?;
    stopwatch.lap(&mut report, "read, parse, extract, render");
    refuse_remote_images(content, &report.warnings)?;

    let identities = identities::decide(
        options,
        content,
        (&old_lock, old_lock_text.as_deref()),
        deck_renames,
        &mut pass,
    )?;
    report.lock_changed = identities.lock_changed;
    report.lock_path = lock_path.clone();
    stopwatch.lap(&mut report, "identities");
    if options.locked && report.lock_changed {
        return Err(identities.lock_would_change(&old_lock, &lock_path));
    }

    // Second pass: the notes from the spill into each deck's package, and into the new lock.
    report.decks = second_pass::write_decks(options, content, &mut pass, &identities, &lock_path)?;
    stopwatch.lap(&mut report, "packages and lock");
    report.identity = identities.resolution.report;
    // Fingerprint again: the lock may have just changed, and the stamp must describe the
    // state after this build.
    let fingerprint = stamp::fingerprint(options, content, &lock_path);
    stamp::write(&options.out, &fingerprint, &report.decks)?;
    Ok(report)
}

/// `--lock` may not name a source or an output of this build: the build would overwrite a
/// source with the lock, or a deck with the lock (or the lock with a deck).
fn refuse_lock_on_own_files(
    lock_path: &Path,
    options: &BuildOptions,
    content: &Content,
) -> Result<()> {
    let Some(lock) = resolved(lock_path) else {
        return Ok(());
    };
    let refuse = |what: String| {
        Err(Error::new(format!("--lock names {what}"))
            .in_file(lock_path)
            .help("put the lock file elsewhere, e.g. beside the decks as primer-anki.lock"))
    };
    for source in content.decks.iter().flat_map(|d| &d.sources) {
        if resolved(&source.path).as_deref() == Some(lock.as_path()) {
            return refuse(format!("the source {}", source.display.display()));
        }
    }
    let Some(out) = resolved(&options.out) else {
        return Ok(());
    };
    if lock.parent() != Some(out.as_path()) {
        return Ok(());
    }
    let name = lock.file_name().unwrap_or_default().to_string_lossy();
    let ext = options.format.extension();
    for spec in &content.decks {
        let outputs = [
            format!("{}.{ext}", spec.file_stem),
            format!("{}.media", spec.file_stem),
        ];
        if outputs.iter().any(|o| *o == name) {
            return refuse(format!("the output {name} of deck \"{}\"", spec.name));
        }
    }
    if name == stamp::FILE_NAME || name.starts_with(".primer-anki.") {
        return refuse(format!("{name}, a file the build writes"));
    }
    Ok(())
}

/// `path` with symlinks resolved; for a file not yet written, its directory resolved.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(path.file_name()?))
}

/// Removes the temporary files a killed build left in `out` (a deck's `.NAME.apkg.*.tmp`
/// pieces, `.primer-anki.*` lock and stamp temporaries). Called while holding the directory
/// lock, so no running build owns them; only regular files with our names are touched.
fn remove_leftovers(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name.starts_with(".primer-anki.")
            || (name.starts_with('.') && name.contains(".apkg.") && name.contains(".tmp"));
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// `--remote-images error`: a remote image with no local copy stops the build, naming each.
fn refuse_remote_images(content: &Content, warnings: &[Warning]) -> Result<()> {
    if content.remote_images != input::RemoteImages::Error {
        return Ok(());
    }
    let remote: Vec<String> = warnings
        .iter()
        .filter(|w| w.kind == WarningKind::RemoteImage)
        .map(|w| w.to_string())
        .collect();
    if remote.is_empty() {
        return Ok(());
    }
    Err(Error::new(format!(
        "{} remote image(s) with no local copy:\n{}",
        remote.len(),
        remote.join("\n")
    ))
    .help("bundle each (put the file in images/ under the URL's file name), or build with --remote-images keep or drop"))
}
/// A deck of the last build that this build does not make, beside decks it makes anew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostDeck {
    pub name: String,
    pub id: i64,
    /// The decks new in this build, by name and id.
    pub new_decks: Vec<(String, i64)>,
}

impl LostDeck {
    /// The warning the build prints: what a learner loses, and the one-line fix.
    pub fn describe(&self) -> String {
        let new: Vec<String> = self
            .new_decks
            .iter()
            .map(|(name, id)| format!("\"{name}\" (id {id})"))
            .collect();
        format!(
            "warning: deck \"{}\" (id {}) of the last build is gone and {} is new: if it was renamed, its id changed with its name (the id was derived, not pinned), so every note gets a new identity and learners' cards stay behind in the old deck; to keep them, pin `id = {}` on the renamed deck in {} and build again",
            self.name,
            self.id,
            new.join(", "),
            self.id,
            input::manifest::FILE_NAME
        )
    }
}

/// The decks of the lock (with notes) that `content` no longer makes, when it makes decks the
/// lock does not know: renames that deck-rename following could not see (the id changed too).
fn lost_decks(lock: &Lock, content: &Content) -> Vec<LostDeck> {
    let new_decks: Vec<(String, i64)> = content
        .decks
        .iter()
        .filter(|d| lock.decks.get(&d.name).is_none_or(|n| n.is_empty()))
        .map(|d| (d.name.clone(), d.id))
        .collect();
    if new_decks.is_empty() {
        return Vec::new();
    }
    lock.decks
        .iter()
        .filter(|(name, notes)| {
            !notes.is_empty() && !content.decks.iter().any(|d| &d.name == *name)
        })
        .filter_map(|(name, _)| {
            let id = lock.deck_info.get(name)?.id;
            // A deck whose id is still built was followed as a rename, not lost.
            (!content.decks.iter().any(|d| d.id == id)).then(|| LostDeck {
                name: name.clone(),
                id,
                new_decks: new_decks.clone(),
            })
        })
        .collect()
}

/// What a build without a lock file (and without an adopted deck of ours that carries one)
/// means for learners of decks built before, for the build report.
pub const NO_LOCK: &str = "no lock file, but decks of an earlier build are in the output directory: every note took the GUID its deck and key derive. If decks built by primer-anki were published before, a learner importing these gets every note renamed, moved or adopted since it was first built as a new note (the old one stays, with its reviews), and a note whose type changed since (a list that crossed 3↔4 items) as a conflicting one (left stale; with \"Merge note types\" on, Anki refuses the whole import); every other note is updated in place. To keep every identity, rebuild with --adopt of the last published decks (such as the ones this build just replaced, from git): each carries its lock.";

/// Creates and locks the output directory. Two builds into one directory take turns: each
/// reads the lock file and writes the decks and the lock as one step, for as long as it holds
/// the returned handle. The lock is on the directory itself, so no file is left behind.
fn take_turn(out: &Path) -> Result<std::fs::File> {
    std::fs::create_dir_all(out).map_err(|e| Error::io("create the output directory", out, e))?;
    let out_dir =
        std::fs::File::open(out).map_err(|e| Error::io("open the output directory", out, e))?;
    out_dir
        .lock()
        .map_err(|e| Error::io("lock the output directory", out, e))?;
    Ok(out_dir)
}

/// The lock file's bytes, if there is one, and the lock they hold (empty when there is none).
fn read_lock(lock_path: &Path) -> Result<(Option<Vec<u8>>, Lock)> {
    // The lock may come with a stranger's checkout: a FIFO or a device there must not hang us.
    let old_lock_text = match std::fs::metadata(lock_path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        _ => Some(read::read_regular(
            lock_path,
            lock_path,
            read::MAX_TEXT_BYTES,
        )?),
    };
    let old_lock = match &old_lock_text {
        Some(bytes) => Lock::parse(&String::from_utf8_lossy(bytes), lock_path)?,
        None => Lock::default(),
    };
    Ok((old_lock_text, old_lock))
}

/// Moves the lock's notes of every deck the manifest renamed (same fixed id) to its new name,
/// so they keep their GUIDs (see `Lock::follow_deck_renames`). A lock from before deck lines
/// (v1 to v3) learns the ids from the decks the last build wrote beside it, and only when a
/// deck of the manifest is missing from the lock while the lock has a deck the manifest lacks.
fn follow_deck_renames(lock: &mut Lock, out: &Path, content: &Content) -> Vec<DeckRename> {
    let decks: Vec<(&str, i64)> = content
        .decks
        .iter()
        .map(|d| (d.name.as_str(), d.id))
        .collect();
    let unknown_deck = || {
        lock.deck_info.is_empty()
            && decks.iter().any(|d| !lock.decks.contains_key(d.0))
            && lock.decks.keys().any(|n| !decks.iter().any(|d| d.0 == n))
    };
    let mut known_ids = std::collections::BTreeMap::new();
    if unknown_deck() {
        let apkgs = std::fs::read_dir(out).into_iter().flatten().flatten();
        for entry in apkgs.filter(|e| e.path().extension().is_some_and(|x| x == "apkg")) {
            // Our own earlier output; one that cannot be read tells nothing.
            if let Ok(old) = crate::apkg::read_apkg(&entry.path()) {
                known_ids.extend(old.decks);
            }
        }
    }
    lock.follow_deck_renames(&decks, &known_ids)
}

/// A v1 or v2 lock does not record note types, and a note whose type changed must not keep
/// its GUID (Anki aborts an import that would merge a cloze and a basic note). The decks the
/// last build wrote beside the lock know each note's type: they fill the lock's gaps. Without
/// them, a note is taken to keep its type (README, "How identities work").
fn types_from_previous_decks(lock: &mut Lock, out: &Path, content: &Content) {
    for spec in &content.decks {
        let Some(notes) = lock.decks.get_mut(&spec.name) else {
            continue;
        };
        if notes.values().all(|n| n.kind.is_some()) {
            continue;
        }
        let previous = out.join(format!("{}.apkg", spec.file_stem));
        // Our own earlier output; if it cannot be read, the gaps stay (as with no deck).
        let Ok(old) = crate::apkg::read_apkg(&previous) else {
            continue;
        };
        let kinds: HashMap<&str, NotetypeKind> = old
            .notes
            .iter()
            .filter_map(|n| {
                let kind = old.notetypes.get(&n.notetype_id)?.kind;
                let kind = if kind == 1 {
                    NotetypeKind::Cloze
                } else {
                    NotetypeKind::Standard
                };
                Some((n.guid.as_str(), kind))
            })
            .collect();
        for note in notes.values_mut().filter(|n| n.kind.is_none()) {
            note.kind = kinds.get(note.guid.as_str()).copied();
        }
    }
}

/// The wall time of each stage, into [`BuildReport::timings`].
struct Stopwatch(Instant);

impl Stopwatch {
    fn start() -> Stopwatch {
        Stopwatch(Instant::now())
    }

    /// Records the time since the last lap as `stage`'s.
    fn lap(&mut self, report: &mut BuildReport, stage: &'static str) {
        report.timings.push((stage, self.0.elapsed()));
        self.0 = Instant::now();
    }
}
