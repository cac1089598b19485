//! `primer-anki preview`: write the static review page.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use primer_anki::preview::{self, PreviewOptions};

use super::terminal::{Verbosity, spinner};

#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// Content directory: holds primer-anki.toml, is a System Design Primer checkout, or is any
    /// folder of markdown (read by convention).
    #[arg(long, default_value = "content")]
    pub content: PathBuf,
    /// Where the page (index.html) and its media go.
    #[arg(long, default_value = "preview")]
    pub out: PathBuf,
}

pub const EXAMPLES: &str = "Examples:
  primer-anki preview                       # writes preview/index.html
  primer-anki preview --content ../system-design-primer --out /tmp/primer-preview
  xdg-open preview/index.html               # search box at the top; ?theme=dark starts dark";

pub fn run(args: PreviewArgs, verbosity: Verbosity) -> ExitCode {
    let quiet = verbosity == Verbosity::Quiet;
    let options = PreviewOptions {
        content: args.content,
        out: args.out,
    };
    let spinner = spinner(
        &format!("rendering {}", options.content.display()),
        verbosity,
    );
    let result = preview::preview(&options);
    spinner.finish_and_clear();
    match result {
        Ok(report) => {
            super::terminal::print_notices(&report.notices, verbosity);
            for warning in &report.warnings {
                if !quiet {
                    eprintln!("{warning}");
                }
            }
            if !quiet {
                println!(
                    "preview: {} cards ({} notes) in {} decks, {} media files -> {}",
                    report.cards,
                    report.notes,
                    report.decks,
                    report.media,
                    report.page.display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}
