//! One module per subcommand added after `build` and `diff`: each holds its clap arguments and
//! a `run` that prints the report and returns the exit code.

pub mod check;
pub mod generate;
pub mod inspect;
pub mod preview;
pub mod terminal;
