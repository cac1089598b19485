//! The `primer-anki` command line: parses arguments, runs a subcommand, prints its report, and
//! decides the exit code (0 success, 1 a build or content error, 2 usage errors from clap).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use primer_anki::build::{self, BuildOptions};
use primer_anki::package::ArchiveOptions;

mod cli;

#[derive(Debug, Parser)]
#[command(
    name = "primer-anki",
    version,
    about = "Turn markdown study material into Anki decks (.apkg)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print nothing but errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more: timings and where things are read from.
    #[arg(long, short, global = true)]
    verbose: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build one .apkg per deck from a content directory.
    #[command(
        after_help = "Examples:\n  primer-anki build\n  primer-anki build --content ../system-design-primer --out /tmp/decks\n  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) primer-anki build --locked"
    )]
    Build(BuildArgs),
    /// List what changed between two decks: notes added, changed, renamed or moved, removed.
    #[command(
        after_help = "Examples:\n  primer-anki diff old/system-design.apkg decks/system-design.apkg > RELEASE-NOTES.md\n  primer-anki diff old.apkg new.apkg --json"
    )]
    Diff(DiffArgs),
    /// Lint the content without writing anything: broken links and anchors, missing images,
    /// empty or overlong answers, duplicate questions, identity collisions, broken notebooks.
    #[command(after_help = cli::check::EXAMPLES)]
    Check(cli::check::CheckArgs),
    /// Write a static HTML page showing every card, front and back, as Anki renders it, with a
    /// search box and a light/dark toggle.
    #[command(after_help = cli::preview::EXAMPLES)]
    Preview(cli::preview::PreviewArgs),
    /// Show what an .apkg holds: decks, note types, counts, media and sample cards.
    #[command(after_help = cli::inspect::EXAMPLES)]
    Inspect(cli::inspect::InspectArgs),
    /// Print shell completions generated from the command-line definition.
    #[command(after_help = cli::generate::COMPLETIONS_EXAMPLES)]
    Completions(cli::generate::CompletionsArgs),
    /// Print the man page (roff) generated from the command-line definition.
    #[command(after_help = cli::generate::MAN_EXAMPLES)]
    Man(cli::generate::ManArgs),
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// The deck learners have now.
    old: PathBuf,
    /// The deck they will import.
    new: PathBuf,
    /// Print JSON instead of markdown release notes.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct BuildArgs {
    /// Content directory: holds primer-anki.toml, or is a System Design Primer checkout.
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
    /// Give the notes of an existing deck (e.g. the 2017 primer deck) to the new cards of the
    /// same heading, so their learners keep their reviews. See README "Adopting the 2017 decks".
    #[arg(long, value_name = "OLD.apkg")]
    adopt: Option<PathBuf>,
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
}

/// Rust ignores SIGPIPE, so printing into a closed pipe (`primer-anki inspect x | head`) makes
/// `println!` panic. Restore the default so the process ends quietly, like other Unix tools.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; setting a signal's
    // disposition to its default has no other effect on the program's state.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    restore_default_sigpipe();
    let cli = Cli::parse();
    let verbosity = cli::terminal::Verbosity::from_flags(cli.quiet, cli.verbose);
    match cli.command {
        Command::Build(args) => run_build(args, verbosity),
        Command::Diff(args) => run_diff(args),
        Command::Check(args) => cli::check::run(args, verbosity),
        Command::Preview(args) => cli::preview::run(args, verbosity),
        Command::Inspect(args) => cli::inspect::run(args),
        Command::Completions(args) => cli::generate::completions(args, Cli::command()),
        Command::Man(args) => cli::generate::man(args, Cli::command()),
    }
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

fn run_build(args: BuildArgs, verbosity: cli::terminal::Verbosity) -> ExitCode {
    let now = match build_time() {
        Ok(now) => now,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(1);
        }
    };
    let options = BuildOptions {
        content: args.content,
        out: args.out,
        lock: args.lock,
        base_url: args.base_url,
        now,
        archive: ArchiveOptions {
            compression_level: args.compression,
        },
        locked: args.locked,
        adopt: args.adopt,
        format: args.format,
    };
    let started = std::time::Instant::now();
    if verbosity == cli::terminal::Verbosity::Verbose {
        eprintln!(
            "building {} into {} (format {:?}, build time {now})",
            options.content.display(),
            options.out.display(),
            options.format
        );
    }
    let spinner = cli::terminal::spinner(
        &format!("building decks from {}", options.content.display()),
        verbosity,
    );
    // The content is loaded once, here: its size decides the allocator setting.
    let result = primer_anki::input::load(&options.content).and_then(|content| {
        prefer_memory_for_large_content(&content);
        build::build_content(&options, &content)
    });
    spinner.finish_and_clear();
    if verbosity == cli::terminal::Verbosity::Verbose {
        eprintln!("built in {:.2?}", started.elapsed());
    }
    match result {
        Ok(report) => {
            if verbosity != cli::terminal::Verbosity::Quiet {
                for warning in &report.warnings {
                    eprintln!("{warning}");
                }
            }
            if verbosity == cli::terminal::Verbosity::Verbose {
                for (stage, time) in &report.timings {
                    eprintln!("  {stage}: {time:.2?}");
                }
            }
            if verbosity != cli::terminal::Verbosity::Quiet {
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
                    return ExitCode::SUCCESS;
                }
                let id = &report.identity;
                println!(
                    "identities: {} new, {} changed, {} unchanged, {} removed{}",
                    id.added,
                    id.changed,
                    id.unchanged,
                    id.removed.len(),
                    if report.lock_changed {
                        format!(" (lock updated: {})", report.lock_path.display())
                    } else {
                        String::new()
                    }
                );
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
                for (deck, key, guid) in &id.removed {
                    println!("removed: {deck}: {key} (guid {guid})");
                }
                for a in &id.adopted {
                    println!(
                        "adopted: {}: \"{}\" (guid {}) -> {}",
                        a.deck, a.title, a.guid, a.key
                    );
                }
                for n in &id.not_adopted {
                    println!(
                        "not adopted: {}: \"{}\" (guid {}): {}",
                        n.deck, n.title, n.guid, n.reason
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}

fn run_diff(args: DiffArgs) -> ExitCode {
    match primer_anki::apkg::diff::diff_files(&args.old, &args.new) {
        Ok(report) => {
            if args.json {
                match serde_json::to_string_pretty(&report) {
                    Ok(json) => println!("{json}"),
                    Err(e) => {
                        eprintln!("error: cannot write the diff as JSON: {e}");
                        return ExitCode::from(1);
                    }
                }
            } else {
                print!("{}", report.to_text());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purge_delay_is_the_option_we_set() {
        // The option number is mimalloc's enum position: check it names the purge delay,
        // whose default in this mimalloc is 1000 ms, so an upgrade that moves it fails here.
        let value = unsafe { libmimalloc_sys::mi_option_get(15) };
        assert_eq!(value, 1000);
    }

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}

/// Sources above this many bytes in all make a build prefer memory to speed.
const LARGE_CONTENT: u64 = 32 << 20;

/// mimalloc keeps freed pages for a second before returning them to the OS, which makes the
/// allocation-heavy rendering faster but keeps memory resident. For large content (sources
/// over [`LARGE_CONTENT`]), memory matters more: freed pages go back at once. Measured on the
/// bench corpus of 100k sections: peak RSS about a third lower, the build about 15% slower.
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
    }
}

// mimalloc instead of glibc's malloc: a build allocates and frees millions of small strings
// (fields, keys, HTML fragments), and glibc's malloc/free showed up as ~15% of the profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
