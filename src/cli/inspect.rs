//! `primer-anki inspect FILE.apkg`: what a package holds.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The package to read (any legacy .apkg: ours, Anki's, genanki's). Only read, never changed.
    pub file: PathBuf,
    /// Print JSON instead of a readable report.
    #[arg(long)]
    pub json: bool,
    /// How many sample cards to show.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub samples: usize,
}

pub const EXAMPLES: &str = "Examples:
  primer-anki inspect decks/system-design-topics.apkg
  primer-anki inspect 'System Design.apkg' --samples 10
  primer-anki inspect deck.apkg --json | jq '.decks'";

pub fn run(args: InspectArgs) -> ExitCode {
    match primer_anki::apkg::inspect::inspect(&args.file, args.samples) {
        Ok(inspection) => {
            if args.json {
                match serde_json::to_string_pretty(&inspection) {
                    Ok(json) => println!("{json}"),
                    Err(e) => {
                        eprintln!("error: cannot write JSON: {e}");
                        return ExitCode::from(1);
                    }
                }
            } else {
                print!("{}", inspection.to_text());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}
