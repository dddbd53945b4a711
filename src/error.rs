//! One error type for every way user input can be wrong; each message names the field, row or column.

use thiserror::Error;

/// Everything the engine can refuse. Messages are one line and name what to fix.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// A configuration key has a value outside what the engine accepts.
    #[error("config: `{field}` {reason}")]
    Config { field: String, reason: String },
    /// A CSV file could not be used.
    #[error("csv: {0}")]
    Csv(String),
    /// A dataset, scenario or method name is unknown.
    #[error("unknown {kind} `{name}` (known: {known})")]
    Unknown {
        kind: &'static str,
        name: String,
        known: String,
    },
    /// Reading a file failed.
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    /// The data cannot support the requested experiment (too few points for the splits, ...).
    #[error("data: {0}")]
    Data(String),
}

impl Error {
    /// Shorthand for a configuration error on `field`.
    pub fn config(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Config {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Result with the engine's error type.
pub type Result<T> = std::result::Result<T, Error>;
