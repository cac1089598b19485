//! `primer-anki preview`: write the static review page.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use primer_anki::preview::serve::{self, Rebuilt};
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
    /// Serve the page on 127.0.0.1 and rebuild it whenever a source, image or the manifest
    /// changes; the open page swaps in the changed cards. A broken save shows its error on
    /// the page.
    #[arg(long)]
    pub watch: bool,
    /// The port --watch serves on (0: any free port).
    #[arg(long, default_value_t = 4000, requires = "watch")]
    pub port: u16,
}

pub const EXAMPLES: &str = "Examples:
  primer-anki preview                       # writes preview/index.html
  primer-anki preview --content ../system-design-primer --out /tmp/primer-preview
  xdg-open preview/index.html               # search box at the top; ?theme=dark starts dark
  primer-anki preview --content ~/notes --watch   # http://127.0.0.1:4000/, updates on save";

pub fn run(args: PreviewArgs, verbosity: Verbosity) -> ExitCode {
    let quiet = verbosity == Verbosity::Quiet;
    let options = PreviewOptions {
        content: args.content,
        out: args.out,
    };
    if args.watch {
        return watch(&options, args.port, verbosity);
    }
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

/// `--watch`: serve and rebuild until interrupted; one line per rebuild.
fn watch(options: &PreviewOptions, port: u16, verbosity: Verbosity) -> ExitCode {
    let quiet = verbosity == Verbosity::Quiet;
    let mut first = true;
    let result = serve::watch(
        options,
        port,
        &mut |address| {
            println!(
                "serving {address} (watching {}; Ctrl-C stops)",
                options.content.display()
            );
        },
        &mut |rebuilt| match rebuilt {
            Rebuilt::Page(report, took) => {
                if first {
                    super::terminal::print_notices(&report.notices, verbosity);
                }
                first = false;
                if !quiet {
                    println!(
                        "built in {} ms: {} cards ({} notes) in {} decks",
                        took.as_millis(),
                        report.cards,
                        report.notes,
                        report.decks
                    );
                }
            }
            Rebuilt::Failed(error, took) => {
                eprintln!(
                    "error ({} ms; shown on the page until the next good save): {error}",
                    took.as_millis()
                );
            }
        },
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}
