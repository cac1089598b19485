//! One module per subcommand: each holds its clap arguments and a `run` that prints the report
//! and returns the exit code. `terminal` is the spinner and verbosity they share.

pub mod build;
pub mod check;
pub mod diff;
pub mod generate;
pub mod init;
pub mod inspect;
pub mod preview;
pub mod terminal;
