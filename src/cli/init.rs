//! `primer-anki init [DIR]`: write a commented `primer-anki.toml` pinning the decks a folder
//! builds by convention (names, ids, sources, base URL), so that they stay when its headings
//! or files change.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use primer_anki::input::{self, manifest, pin};

use super::terminal::Verbosity;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The content directory to describe.
    #[arg(default_value = "content")]
    dir: PathBuf,
    /// Where to write the manifest [default: DIR/primer-anki.toml]. Sources in it are relative
    /// to DIR, so a manifest written elsewhere builds only once placed in DIR.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace an existing manifest.
    #[arg(long)]
    force: bool,
}

pub const EXAMPLES: &str = "Examples:
  primer-anki init ~/notes                  # writes ~/notes/primer-anki.toml
  primer-anki init ../system-design-primer --output /tmp/primer-anki.toml
  primer-anki init ~/notes --force          # rewrite it from what the folder holds now";

pub fn run(args: InitArgs, verbosity: Verbosity) -> ExitCode {
    let target = args
        .output
        .clone()
        .unwrap_or_else(|| args.dir.join(manifest::FILE_NAME));
    if target.exists() && !args.force {
        eprintln!(
            "error: {}: a manifest is already there\n  help: edit it, or pass --force to replace it with one written from what {} holds",
            target.display(),
            args.dir.display()
        );
        return ExitCode::from(1);
    }
    // With --force over an existing manifest, that manifest is read: its names and ids stay.
    let content = match input::load(&args.dir) {
        Ok(content) => content,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(1);
        }
    };
    let text = pin::manifest_text(&content);
    if let Err(error) = primer_anki::fs::write_atomically(&target, text.as_bytes()) {
        eprintln!("error: {error}");
        return ExitCode::from(1);
    }
    if verbosity != Verbosity::Quiet {
        for deck in &content.decks {
            println!(
                "{} (id {}): {} files",
                deck.name,
                deck.id,
                deck.sources.len()
            );
        }
        println!("wrote {}", target.display());
    }
    ExitCode::SUCCESS
}
