//! The `primer-anki` command line: parses arguments, runs a subcommand, prints its report, and
//! decides the exit code (0 success, 1 a build or content error, 2 usage errors from clap).

#![deny(unsafe_code)]

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

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
        after_help = "Examples:\n  primer-anki build --content ~/notes --out ~/decks                     # any folder of markdown, no manifest needed\n  primer-anki build --content ../system-design-primer --out /tmp/decks   # the primer's three decks\n  primer-anki build                                                     # content/ with its primer-anki.toml\n  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) primer-anki build --locked"
    )]
    Build(cli::build::BuildArgs),
    /// List what changed between two decks: notes added, changed, renamed or moved, removed.
    #[command(
        after_help = "Examples:\n  primer-anki diff old/system-design.apkg decks/system-design.apkg > RELEASE-NOTES.md\n  primer-anki diff old.apkg new.apkg --json"
    )]
    Diff(cli::diff::DiffArgs),
    /// Lint the content without writing anything: broken links and anchors, missing images,
    /// empty or overlong answers, duplicate questions, identity collisions, broken notebooks.
    #[command(after_help = cli::check::EXAMPLES)]
    Check(cli::check::CheckArgs),
    /// Write a static HTML page showing every card, front and back, as Anki renders it, with a
    /// search box and a light/dark toggle.
    #[command(after_help = cli::preview::EXAMPLES)]
    Preview(cli::preview::PreviewArgs),
    /// Write a commented primer-anki.toml pinning the decks a folder builds by convention:
    /// names, ids, sources and base URL. Never replaces a manifest without --force.
    #[command(after_help = cli::init::EXAMPLES)]
    Init(cli::init::InitArgs),
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

/// Rust ignores SIGPIPE, so printing into a closed pipe (`primer-anki inspect x | head`) makes
/// `println!` panic. Restore the default so the process ends quietly, like other Unix tools.
#[allow(unsafe_code)] // libc::signal; see the SAFETY comment
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
        Command::Build(args) => cli::build::run(args, verbosity),
        Command::Diff(args) => cli::diff::run(args),
        Command::Check(args) => cli::check::run(args, verbosity),
        Command::Preview(args) => cli::preview::run(args, verbosity),
        Command::Init(args) => cli::init::run(args, verbosity),
        Command::Inspect(args) => cli::inspect::run(args),
        Command::Completions(args) => cli::generate::completions(args, Cli::command()),
        Command::Man(args) => cli::generate::man(args, Cli::command()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}

// mimalloc instead of glibc's malloc: a build allocates and frees millions of small strings
// (fields, keys, HTML fragments), and glibc's malloc/free showed up as ~15% of the profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
