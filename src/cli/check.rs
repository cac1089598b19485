//! `primer-anki check`: lint the content, print findings, exit 1 on errors.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use primer_anki::check::{self, CheckOptions, report};

use super::terminal::{Verbosity, spinner};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Content directory: holds primer-anki.toml, is a System Design Primer checkout, or is any
    /// folder of markdown (read by convention).
    #[arg(long, default_value = "content")]
    pub content: PathBuf,
    /// Print the findings as JSON (for machines) instead of snippets.
    #[arg(long)]
    pub json: bool,
    /// Answers with more words than this are reported as too long.
    #[arg(long, value_name = "WORDS", default_value_t = check::DEFAULT_MAX_ANSWER_WORDS)]
    pub max_answer_words: usize,
    /// Exit with 1 on warnings too, not only on errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Also print, per topics file, the share of its text that reaches a card and every
    /// block that reaches none (file:line and kind).
    #[arg(long)]
    pub coverage: bool,
}

pub const EXAMPLES: &str = "Examples:
  primer-anki check
  primer-anki check --content ../system-design-primer
  primer-anki check --json | jq '.findings[] | select(.severity == \"error\")'
  primer-anki check --deny-warnings     # CI: fail on warnings too
  primer-anki check --coverage          # what share of each file reaches a card";

pub fn run(args: CheckArgs, verbosity: Verbosity) -> ExitCode {
    let quiet = verbosity == Verbosity::Quiet;
    let options = CheckOptions {
        max_answer_words: args.max_answer_words,
    };
    let started = std::time::Instant::now();
    let spinner = spinner(&format!("checking {}", args.content.display()), verbosity);
    let report = check::check(&args.content, &options);
    spinner.finish_and_clear();
    if !args.json {
        super::terminal::print_notices(&report.notices, verbosity);
    }
    if verbosity == Verbosity::Verbose {
        eprintln!(
            "checked {} in {:.2?} (answers over {} words are long)",
            args.content.display(),
            started.elapsed(),
            options.max_answer_words
        );
    }
    if args.json {
        println!("{}", report::to_json(&report));
    } else if quiet {
        // Errors only, still with their snippets.
        let mut only_errors = report.clone();
        only_errors
            .findings
            .retain(|f| f.severity == check::Severity::Error);
        if !only_errors.findings.is_empty() {
            eprint!("{}", report::to_text(&only_errors));
        }
    } else if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
        let mut stream = StandardStream::stderr(ColorChoice::Auto);
        if report::write_color(&report, &mut stream).is_err() {
            eprint!("{}", report::to_text(&report));
        }
    } else {
        eprint!("{}", report::to_text(&report));
    }
    if args.coverage {
        match check::coverage::measure(&args.content) {
            Ok(files) => print!("{}", check::coverage::to_text(&files)),
            Err(error) => eprintln!("coverage: {error}"),
        }
    }
    let failed = report.errors() > 0 || (args.deny_warnings && report.warnings() > 0);
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
