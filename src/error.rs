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

impl std::error::Error for Error {
    /// The wrapped cause (an I/O, JSON or SQLite error), also printed by `Display`.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Something worth telling the author that does not stop the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// What the warning is about, for code that acts on some warnings and not others; the
    /// message is for people and may change.
    pub kind: WarningKind,
    pub location: SourceLocation,
    pub message: String,
}

impl Warning {
    pub fn new(kind: WarningKind, location: SourceLocation, message: impl Into<String>) -> Self {
        Self {
            kind,
            location,
            message: message.into(),
        }
    }
}

/// The kinds of [`Warning`]. New kinds may be added as new warnings are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// A source file with nothing but whitespace: it yields no cards.
    EmptyFile,
    /// Markup nested deeper than the parser keeps: it is flattened.
    DeepNesting,
    /// An image whose URL scheme a card cannot show: it is left out.
    ImageScheme,
    /// An image whose path leaves the content directory: it is left out.
    ImageOutsideContent,
    /// A remote image with no local copy: it shows nothing offline.
    RemoteImage,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: warning: {}", self.location, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_is_the_wrapped_cause() {
        use std::error::Error as _;
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let error = Error::new("cannot read").caused_by(io);
        assert_eq!(error.source().unwrap().to_string(), "gone");
        assert!(Error::new("plain").source().is_none());
        assert_eq!(error.to_string(), "cannot read: gone");
    }
}
