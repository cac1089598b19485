//! `primer-anki build`: its arguments, the run that prints one line per deck and the identity
//! report, and the allocator setting for large content.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use primer_anki::build::{self, BuildOptions, BuildReport};
use primer_anki::package::ArchiveOptions;

use super::terminal;

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Content directory: holds primer-anki.toml, is a System Design Primer checkout, or is any
    /// folder of markdown (one deck by convention, see README "A plain folder").
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// Output directory for the decks.
    #[arg(long, default_value = "decks")]
    out: PathBuf,
    /// Lock file recording note identities [default: <out>/primer-anki.lock].
    #[arg(long)]
    lock: Option<PathBuf>,
    /// Fail if the lock file would change (for CI).
    #[arg(long)]
    locked: bool,
    /// Give the notes of existing decks (e.g. the 2017 primer decks) to the new cards of the
    /// same heading, so their learners keep their reviews; a deck built by primer-anki also
    /// gives back every identity of the lock it carries. Takes several decks, or repeat it.
    /// See README "Adopting the 2017 decks".
    #[arg(long, value_name = "OLD.apkg", num_args = 1..)]
    adopt: Vec<PathBuf>,
    /// Base URL that links and source fields are made absolute with.
    #[arg(long)]
    base_url: Option<String>,
    /// Deflate level, 0 (store) to 9. The default, 1, packs about twice as fast as 6 for
    /// files about 20% larger; use 6 or 9 for the smallest download.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(0..=9))]
    compression: u8,
    /// What to write per deck: apkg, or CSV / JSON with the media in <deck>.media/.
    #[arg(long, value_enum, default_value_t = primer_anki::export::Format::Apkg)]
    format: primer_anki::export::Format,
    /// A remote image with no local copy (README "Images"): a link to it in its place, kept as
    /// a remote image (shows nothing offline), dropped from the card, or the build fails. Each
    /// is reported as a warning.
    #[arg(long, value_enum, default_value_t = primer_anki::input::RemoteImages::Link)]
    remote_images: primer_anki::input::RemoteImages,
}

/// The build time: `SOURCE_DATE_EPOCH` when set (reproducible builds), else the clock.
fn build_time() -> Result<i64, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => value.trim().parse::<i64>().map_err(|_| {
            format!("SOURCE_DATE_EPOCH must be a whole number of seconds, got {value:?}")
        }),
        Err(_) => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)),
    }
}

pub fn run(args: BuildArgs, verbosity: terminal::Verbosity) -> ExitCode {
    let remote_images = args.remote_images;
    let options = match options_from(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(1);
        }
    };
    let started = std::time::Instant::now();
    if verbosity == terminal::Verbosity::Verbose {
        eprintln!(
            "building {} into {} (format {:?}, build time {})",
            options.content.display(),
            options.out.display(),
            options.format,
            options.now
        );
    }
    let spinner = terminal::spinner(
        &format!("building decks from {}", options.content.display()),
        verbosity,
    );
    // The content is loaded once, here: its size decides the allocator setting.
    let result = primer_anki::input::load(&options.content).and_then(|mut content| {
        content.remote_images = remote_images;
        spinner.suspend(|| terminal::print_notices(&content.notices, verbosity));
        prefer_memory_for_large_content(&content);
        build::build_content(&options, &content)
    });
    spinner.finish_and_clear();
    if verbosity == terminal::Verbosity::Verbose {
        eprintln!("built in {:.2?}", started.elapsed());
        // What share of each topics file reached a card (`check --coverage` lists the rest).
        if result.is_ok()
            && let Ok(files) = primer_anki::check::coverage::measure(&options.content)
        {
            for file in &files {
                eprintln!(
                    "  {}: {:.1}% of the text reaches a card",
                    file.file.display(),
                    file.percent()
                );
            }
        }
    }
    match result {
        Ok(report) => {
            print_report(&report, verbosity);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}

/// The build's options from the command line, or why there are none.
fn options_from(args: BuildArgs) -> Result<BuildOptions, String> {
    Ok(BuildOptions {
        content: args.content,
        out: args.out,
        lock: args.lock,
        base_url: args.base_url,
        now: build_time()?,
        archive: ArchiveOptions {
            compression_level: args.compression,
        },
        locked: args.locked,
        adopt: args.adopt,
        format: args.format,
    })
}

/// Warnings and timings on stderr; one line per deck, then the identity report, on stdout.
fn print_report(report: &BuildReport, verbosity: terminal::Verbosity) {
    if verbosity != terminal::Verbosity::Quiet {
        for warning in &report.warnings {
            eprintln!("{warning}");
        }
    }
    if verbosity == terminal::Verbosity::Verbose {
        for (stage, time) in &report.timings {
            eprintln!("  {stage}: {time:.2?}");
        }
    }
    if verbosity == terminal::Verbosity::Quiet {
        return;
    }
    for deck in &report.decks {
        println!(
            "{}: {} notes, {} cards, {} media files -> {}",
            deck.name,
            deck.notes,
            deck.cards,
            deck.media,
            deck.path.display()
        );
    }
    if report.up_to_date {
        println!("up to date: nothing changed since the last build, no files written");
    } else {
        print_identities(report);
    }
}

/// How many notes kept, changed and lost their identity, and each rename, removal and
/// adoption.
fn print_identities(report: &BuildReport) {
    let id = &report.identity;
    println!(
        "identities: {} new, {} changed, {} unchanged, {} removed{}{}",
        id.added,
        id.changed,
        id.unchanged,
        id.removed.len(),
        if id.restored.is_empty() {
            String::new()
        } else {
            format!(", {} restored", id.restored.len())
        },
        if report.lock_changed {
            format!(" (lock updated: {})", report.lock_path.display())
        } else {
            String::new()
        }
    );
    for (path, count) in &report.restored {
        println!(
            "restored: {count} identities from the lock {} carries",
            path.display()
        );
    }
    if report.no_lock {
        println!("note: {}", build::NO_LOCK);
    }
    for rename in &id.deck_renames {
        println!("{}", rename.describe());
    }
    for lost in &report.lost_decks {
        eprintln!("{}", lost.describe());
    }
    for r in &id.renamed {
        println!(
            "renamed: {}: {} -> {} (guid {}, similarity {:.2}{})",
            r.deck,
            r.from,
            r.to,
            r.guid,
            r.similarity,
            if r.same_item { ", same item" } else { "" }
        );
    }
    for r in &id.removed {
        println!("removed: {}", r.describe());
    }
    for (deck, key, guid) in &id.restored {
        println!(
            "restored: {deck}: {key} (guid {guid}): removed by an earlier build, back with its GUID, so learners who kept it get it updated"
        );
    }
    for e in &id.emptied {
        println!("emptied: {}", e.describe());
    }
    // Titles and GUIDs come from the adopted package: printable and short.
    let p = primer_anki::markup::printable;
    for a in &id.adopted {
        println!(
            "adopted: {}: \"{}\" (guid {}) -> {}",
            p(&a.deck, 120),
            p(&a.title, 80),
            p(&a.guid, 40),
            p(&a.key, 120)
        );
    }
    if !id.adopted.is_empty() {
        println!("note: {}", primer_anki::identity::adopt::LEGACY_IMPORTER);
        println!(
            "note: {}",
            primer_anki::identity::adopt::MERGE_EMPTIES_FIELDS
        );
    }
    for n in &id.not_adopted {
        println!(
            "not adopted: {}: \"{}\" (guid {}): {}",
            p(&n.deck, 120),
            p(&n.title, 80),
            p(&n.guid, 40),
            p(&n.reason, 200)
        );
    }
}

/// Sources above this many bytes in all make a build prefer memory to speed: as much as one
/// file that is parsed section by section (`BY_SECTION_BYTES`), which can hold 100k notes.
const LARGE_CONTENT: u64 = primer_anki::build::BY_SECTION_BYTES as u64;

/// mimalloc keeps freed pages for a second before returning them to the OS, which makes the
/// allocation-heavy rendering faster but keeps memory resident. For large content (sources
/// over [`LARGE_CONTENT`]), memory matters more: freed pages go back at once. Measured on the
/// bench corpus of 100k sections: peak RSS about a third lower, the build about 15% slower.
/// At 32 MB, the threshold it had, a 4 MB table of 100k rows kept what the first pass freed
/// while the second pass ran: its peak RSS went anywhere from 120 to 170 MB between runs;
/// with the pages returned at once, 85 MB every time, in the same time within noise.
///
/// Large content also goes without transparent huge pages (Linux): mimalloc asks for them, and
/// each then makes a touched 2 MB region resident whole, however little of it is in use, and
/// zeroes it at once. Measured at 100k sections: peak RSS 155 -> 132 MB with nine notes a
/// section (4% faster), 133 -> 119 MB for one file, 95 -> 87 MB for 1,000 files (about 1%
/// slower). Small builds keep them: there they save page faults and memory is no concern.
#[allow(unsafe_code)] // mimalloc's C option API; see the SAFETY comment
fn prefer_memory_for_large_content(content: &primer_anki::input::Content) {
    let bytes: u64 = content
        .decks
        .iter()
        .flat_map(|d| &d.sources)
        .filter_map(|s| std::fs::metadata(&s.path).ok())
        .map(|m| m.len())
        .sum();
    if bytes > LARGE_CONTENT {
        // mimalloc's `mi_option_purge_delay` (v3 option enum, pinned by Cargo.lock).
        const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
        // SAFETY: setting an option is thread-safe and takes plain integers.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
        #[cfg(target_os = "linux")]
        // SAFETY: a process flag with constant arguments; an error (an old kernel) leaves
        // huge pages on, which only costs memory.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[allow(unsafe_code)] // reads a mimalloc option through its C API
    fn purge_delay_is_the_option_we_set() {
        // The option number is mimalloc's enum position: check it names the purge delay,
        // whose default in this mimalloc is 1000 ms, so an upgrade that moves it fails here.
        // SAFETY: reading an option is thread-safe and takes a plain integer.
        let value = unsafe { libmimalloc_sys::mi_option_get(15) };
        assert_eq!(value, 1000);
    }
}
