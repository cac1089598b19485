//! Errors and warnings a user sees: each names the file (and line where one applies), says what
//! went wrong, and what to do about it. Library code returns these; only `main` picks exit codes.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in the content something comes from. Lines and columns are 1-based; 0 means unknown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SourceLocation {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl SourceLocation {
    pub fn new(file: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        Self {
            file: file.into(),
            line,
            column,
        }
    }

    pub fn file(file: impl Into<PathBuf>) -> Self {
        Self::new(file, 0, 0)
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

/// A failure that stops the build.
#[derive(Debug)]
pub struct Error {
    pub location: Option<SourceLocation>,
    pub message: String,
    /// What the user can do about it.
    pub help: Option<String>,
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            location: None,
            message: message.into(),
            help: None,
            source: None,
        }
    }

    pub fn at(mut self, location: SourceLocation) -> Self {
        self.location = Some(location);
        self
    }

    pub fn in_file(self, path: &Path) -> Self {
        self.at(SourceLocation::file(path))
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn caused_by(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// An I/O failure on `path`, with the OS reason and a hint that fits the error kind.
    pub fn io(action: &str, path: &Path, err: std::io::Error) -> Self {
        let help = match err.kind() {
            std::io::ErrorKind::NotFound => "check that the path exists",
            std::io::ErrorKind::PermissionDenied => "check the file permissions",
            std::io::ErrorKind::StorageFull => "free some disk space and build again",
            std::io::ErrorKind::ReadOnlyFilesystem => {
                "the file system is read-only: write somewhere else (e.g. `--out`) or remount it"
            }
            _ => "check the path and try again",
        };
        Error::new(format!("cannot {action}: {err}"))
            .in_file(path)
            .help(help)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Something worth telling the author that does not stop the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub location: SourceLocation,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: warning: {}", self.location, self.message)
    }
}
