//! NumPy files are the command line's: a wasm build (the page; `wasm-pack test` compiles the CLI's
//! binary too) has the same API and refuses every file.

use std::path::{Path, PathBuf};

use super::Dataset;
use crate::{Error, Result};

/// As the native `NpyFiles`.
#[derive(Clone, Debug, Default)]
pub struct NpyFiles {
    pub data: PathBuf,
    pub labels: Option<PathBuf>,
    pub probs: Option<PathBuf>,
    pub logits: Option<PathBuf>,
}

/// As the native `Loaded`.
pub struct Loaded {
    pub data: Dataset,
    pub files: Vec<(String, String)>,
}

fn refused() -> Error {
    Error::Data("NumPy files are read by the command line only".into())
}

/// Refused in a wasm build.
pub fn load(_files: &NpyFiles) -> Result<Loaded> {
    Err(refused())
}

/// Refused in a wasm build.
pub fn write_npz(_ds: &Dataset, _path: &Path) -> Result<()> {
    Err(refused())
}
