//! Terminal behaviour shared by the subcommands: how much to print, and a progress spinner
//! that is drawn only on a terminal (indicatif hides it when stderr is not one).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How much the user asked to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

impl Verbosity {
    pub fn from_flags(quiet: bool, verbose: bool) -> Self {
        if quiet {
            Verbosity::Quiet
        } else if verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        }
    }
}

/// A spinner with `message` on stderr while long work runs; hidden when quiet or not on a
/// terminal. Call `finish_and_clear` before printing results.
pub fn spinner(message: &str, verbosity: Verbosity) -> ProgressBar {
    if verbosity == Verbosity::Quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message.to_string());
    if !bar.is_hidden() {
        bar.enable_steady_tick(Duration::from_millis(120));
    }
    bar
}

/// The content's notices (a build by convention, ids to pin, no base URL), once, on stderr.
pub fn print_notices(notices: &[String], verbosity: Verbosity) {
    if verbosity != Verbosity::Quiet {
        for notice in notices {
            eprintln!("note: {notice}");
        }
    }
}
