//! Runs the pipeline for a content directory: input → document → extract → render → identity
//! → package, one `.apkg` per deck, then updates the lock file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result, SourceLocation, Warning};
use crate::identity::lock::{Lock, LockedNotetype};
use crate::identity::{self, DeckDrafts, IdentityReport};
use crate::input::{self, Content, DeckSpec};
use crate::package::model::{Deck, MediaFile, MediaSource, Notetype, Package};
use crate::package::{self, ArchiveOptions, media, notetypes};
use crate::render::{self, MediaResolver, NoteDraft, RenderOptions};
use crate::{document, extract};

pub mod stamp;

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
    /// An existing deck whose notes give their GUIDs to the cards of the same heading.
    pub adopt: Option<PathBuf>,
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
}

/// Everything one deck produced before identities are assigned.
pub struct RenderedDeck {
    pub spec: DeckSpec,
    pub drafts: Vec<NoteDraft>,
    pub media: Vec<MediaFile>,
}

/// What one source file yields.
type FileOutput = (Vec<NoteDraft>, Vec<Warning>, Vec<MediaFile>);

/// Read, parse, extract and render every deck of `content`. Files are independent, so they
/// are processed on all cores; results are put back in source order, so the output does not
/// depend on scheduling.
pub fn render_content(
    content: &Content,
    base_url: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<RenderedDeck>> {
    let jobs: Vec<(usize, &input::SourceFile)> = content
        .decks
        .iter()
        .enumerate()
        .flat_map(|(index, spec)| spec.sources.iter().map(move |source| (index, source)))
        .collect();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len())
        .max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<FileOutput>>>> =
        jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let job = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&(deck, source)) = jobs.get(job) else {
                        break;
                    };
                    let output = render_file(content, &content.decks[deck], deck, source, base_url);
                    if let Ok(mut slot) = results[job].lock() {
                        *slot = Some(output);
                    }
                }
            });
        }
    });
    let mut decks: Vec<(Vec<NoteDraft>, BTreeMap<String, MediaFile>)> = content
        .decks
        .iter()
        .map(|_| (Vec::new(), BTreeMap::new()))
        .collect();
    for ((deck, _), slot) in jobs.iter().zip(results) {
        let output = slot
            .into_inner()
            .ok()
            .flatten()
            .ok_or_else(|| Error::new("a worker thread stopped before finishing its file"))?;
        let (mut drafts, mut found, media) = output?;
        warnings.append(&mut found);
        decks[*deck].0.append(&mut drafts);
        for file in media {
            decks[*deck].1.insert(file.name.clone(), file);
        }
    }
    Ok(content
        .decks
        .iter()
        .zip(decks)
        .map(|(spec, (drafts, media))| RenderedDeck {
            spec: spec.clone(),
            drafts,
            media: media.into_values().collect(),
        })
        .collect())
}

/// One source file through read → parse → extract → render.
fn render_file(
    content: &Content,
    spec: &DeckSpec,
    deck: usize,
    source: &input::SourceFile,
    base_url: &str,
) -> Result<FileOutput> {
    let mut warnings = Vec::new();
    let mut resolver = MediaPacker::new(&content.root);
    let text = input::read_source(source, &mut warnings)?;
    let doc = document::parse(&text, &source.display)?;
    let (cards, mut found) = extract::extract(
        &doc,
        &extract::ExtractOptions {
            profile: spec.profile,
        },
    );
    warnings.append(&mut found);
    let options = RenderOptions {
        deck,
        deck_name: spec.name.clone(),
        content_root: content.root.clone(),
        base_url: base_url.to_string(),
        tag_prefix: spec.tag_prefix.clone(),
    };
    let (drafts, mut found) = render::render(&doc, &cards, &options, &mut resolver)?;
    warnings.append(&mut found);
    Ok((drafts, warnings, resolver.into_media()))
}

/// Build every deck of `options.content` into `options.out`.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let content = input::load(&options.content)?;
    let lock_path = options
        .lock
        .clone()
        .unwrap_or_else(|| options.out.join(LOCK_FILE_NAME));
    // A rebuild with nothing changed (same inputs, options, lock and program, outputs still
    // in place) writes nothing: the stamp from the last build says so.
    let fingerprint = stamp::fingerprint(options, &content, &lock_path);
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
    let rendered = render_content(&content, &base_url, &mut report.warnings)?;

    std::fs::create_dir_all(&options.out)
        .map_err(|e| Error::io("create the output directory", &options.out, e))?;
    // Two builds into one directory take turns: each reads the lock file and writes the decks
    // and the lock as one step. The lock is on the directory itself, so no file is left behind.
    let out_dir = std::fs::File::open(&options.out)
        .map_err(|e| Error::io("open the output directory", &options.out, e))?;
    out_dir
        .lock()
        .map_err(|e| Error::io("lock the output directory", &options.out, e))?;

    let old_lock = Lock::read(&lock_path)?;
    let mut lock = old_lock.clone();
    let notetypes = assign_notetypes(&content.extra_css, &mut lock, options.now);
    let deck_drafts: Vec<DeckDrafts<'_>> = rendered
        .iter()
        .map(|d| DeckDrafts {
            name: &d.spec.name,
            id: d.spec.id,
            drafts: &d.drafts,
        })
        .collect();
    let adoptions = match &options.adopt {
        Some(path) => {
            identity::adopt::plan(&deck_drafts, &crate::apkg_reader::read_apkg(path)?, &lock)
        }
        None => identity::adopt::Plan::default(),
    };
    let (ids_per_deck, identity_report) =
        identity::assign_identities(&deck_drafts, &mut lock, options.now, &adoptions)?;
    drop(deck_drafts);
    report.identity = identity_report;
    report.lock_changed = lock != old_lock;
    report.lock_path = lock_path.clone();
    if options.locked && report.lock_changed {
        return Err(Error::new(format!(
            "the lock file would change:\n{}",
            identity::describe_lock_changes(&report.identity, &old_lock, &lock)
        ))
        .in_file(&lock_path)
        .help(
            "run `primer-anki build` without --locked and commit the updated lock file and decks",
        ));
    }

    for (mut deck, ids) in rendered.into_iter().zip(ids_per_deck) {
        // The drafts' fields move into the notes: one copy of the text, not two.
        let notes: Vec<_> = std::mem::take(&mut deck.drafts)
            .into_iter()
            .zip(ids)
            .map(|(draft, id)| identity::into_note(draft, id, deck.spec.id))
            .collect();
        // The package's own timestamps come from its content, not the clock, so an unchanged
        // deck rebuilds byte for byte.
        let build_time = notes
            .iter()
            .map(|n| n.mtime)
            .chain(notetypes.iter().map(|nt| nt.mtime))
            .max()
            .unwrap_or(options.now);
        let package = Package {
            decks: vec![Deck {
                id: deck.spec.id,
                name: deck.spec.name.clone(),
                description: deck.spec.description.clone(),
            }],
            notetypes: notetypes.clone(),
            notes,
            media: deck.media,
            build_time,
        };
        let path = crate::export::write(
            &package,
            &options.out,
            &deck.spec.file_stem,
            options.format,
            options.archive,
        )?;
        report.decks.push(DeckReport {
            name: deck.spec.name,
            notes: package.notes.len(),
            cards: package.notes.iter().map(|n| n.cards.len()).sum(),
            media: package.media.len(),
            path,
        });
    }
    if report.lock_changed {
        write_atomically(&lock_path, lock.render().as_bytes())?;
    }
    // Fingerprint again: the lock may have just changed, and the stamp must describe the
    // state after this build.
    let fingerprint = stamp::fingerprint(options, &content, &lock_path);
    stamp::write(&options.out, &fingerprint, &report.decks)?;
    Ok(report)
}

/// Our note types with mtimes from the lock: a note type keeps its mtime until its content
/// (templates, fields, stylesheet) changes, so Anki updates it exactly then.
fn assign_notetypes(extra_css: &str, lock: &mut Lock, now: i64) -> Vec<Notetype> {
    let mut out = notetypes::all(0, extra_css);
    for nt in &mut out {
        let hash = notetype_hash(nt);
        let mtime = match lock.notetypes.get(&nt.id) {
            Some(old) if old.hash == hash => old.mtime,
            Some(old) => now.max(old.mtime + 1),
            None => now,
        };
        nt.mtime = mtime;
        lock.notetypes.insert(nt.id, LockedNotetype { mtime, hash });
    }
    out
}

fn notetype_hash(nt: &Notetype) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!("{nt:?}").as_bytes());
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Write a small file atomically: a temporary beside it, then a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create the directory", dir, e))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".primer-anki.")
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a temporary file", dir, e))?;
    temp.write_all(bytes)
        .map_err(|e| Error::io("write", path, e))?;
    temp.as_file()
        .sync_all()
        .map_err(|e| Error::io("write", path, e))?;
    package::archive::make_world_readable(temp.as_file())
        .map_err(|e| Error::io("write", path, e))?;
    temp.persist(path)
        .map_err(|e| Error::io("move into place", path, e.error))?;
    Ok(())
}

/// Packs local media for one deck: reads each file once, checks it is the image its name
/// says, and names it by content.
pub struct MediaPacker {
    root: PathBuf,
    by_path: BTreeMap<PathBuf, String>,
    media: BTreeMap<String, MediaFile>,
}

impl MediaPacker {
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            by_path: BTreeMap::new(),
            media: BTreeMap::new(),
        }
    }

    /// The packed files, sorted by name so the package does not depend on reference order.
    pub fn into_media(self) -> Vec<MediaFile> {
        self.media.into_values().collect()
    }
}

impl MediaResolver for MediaPacker {
    fn resolve(&mut self, path: &Path, origin: &SourceLocation) -> Result<String> {
        if let Some(name) = self.by_path.get(path) {
            return Ok(name.clone());
        }
        let shown = path.strip_prefix(&self.root).unwrap_or(path);
        let bytes = std::fs::read(path).map_err(|e| {
            let what = if e.kind() == std::io::ErrorKind::NotFound {
                format!("image not found: {}", shown.display())
            } else {
                format!("cannot read image {}: {e}", shown.display())
            };
            Error::new(what)
                .at(origin.clone())
                .help("fix the image path, or add the file")
        })?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let sniffed = media::sniff_image(&bytes);
        let claims_image = matches!(
            ext.as_str(),
            "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg"
        );
        if claims_image && sniffed.is_none() {
            return Err(Error::new(format!(
                "{} is named like an image but its content is not one",
                shown.display()
            ))
            .at(origin.clone())
            .help("replace the file with a real PNG, JPEG, GIF, WebP or SVG image"));
        }
        let name = media::packed_name(&shown.to_string_lossy(), &bytes);
        self.by_path.insert(path.to_path_buf(), name.clone());
        self.media.insert(
            name.clone(),
            MediaFile {
                name: name.clone(),
                source: MediaSource::File(path.to_path_buf()),
            },
        );
        Ok(name)
    }
}
