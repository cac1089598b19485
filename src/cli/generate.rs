//! `primer-anki completions SHELL` and `primer-anki man`: generated from the clap definition,
//! so they always match the real options.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Command};
use clap_complete::Shell;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write completions for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub const COMPLETIONS_EXAMPLES: &str = "Examples:
  primer-anki completions bash > ~/.local/share/bash-completion/completions/primer-anki
  primer-anki completions zsh > ~/.zfunc/_primer-anki
  primer-anki completions fish > ~/.config/fish/completions/primer-anki.fish";

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per subcommand (primer-anki.1, primer-anki-build.1, …) into this
    /// directory instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub const MAN_EXAMPLES: &str = "Examples:
  primer-anki man | man -l -
  primer-anki man --out /usr/local/share/man/man1";

pub fn completions(args: CompletionsArgs, mut command: Command) -> ExitCode {
    let name = command.get_name().to_string();
    clap_complete::generate(args.shell, &mut command, name, &mut std::io::stdout());
    ExitCode::SUCCESS
}

pub fn man(args: ManArgs, command: Command) -> ExitCode {
    let result = match &args.out {
        Some(dir) => std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(command, dir))
            .map(|()| println!("man pages written to {}", dir.display())),
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut out)
                .and_then(|()| std::io::stdout().write_all(&out))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the man page: {e}");
            ExitCode::from(1)
        }
    }
}
