//! `primer-anki diff OLD.apkg NEW.apkg`: release notes of what changed between two decks.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The deck learners have now.
    old: PathBuf,
    /// The deck they will import.
    new: PathBuf,
    /// Print JSON instead of markdown release notes.
    #[arg(long)]
    json: bool,
}

pub fn run(args: DiffArgs) -> ExitCode {
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
