//! Real datasets: iris, wine, breast cancer and digits (8x8), as in scikit-learn (see
//! `data/README.md` for sources and licences).
//!
//! The files are plain CSV in the upload format and go through the same parser as a user's file, so
//! the built-in sets also exercise that path. Their labels are integers in the source; the class names
//! here are the ones scikit-learn gives them.
//!
//! Natively the CSVs are compiled into the binary, so the CLI works from any directory. The
//! WebAssembly build leaves them out (they were a quarter of the gzipped `.wasm`, and most visitors
//! never open a real dataset): the page fetches `data/<name>.csv` the first time it needs one and hands
//! it over with [`provide`], which refuses any file other than the one this engine was built with
//! (checked by a hash computed at compile time), so the page and the CLI train on the same bytes.

use super::csv::parse_csv;
use super::Dataset;
use crate::{Error, Result};
use std::sync::{Arc, Mutex};

struct Entry {
    name: &'static str,
    description: &'static str,
    /// FNV-1a of the file, computed at compile time: the bytes themselves stay out of a wasm build.
    hash: u64,
    /// The file itself, natively only.
    #[cfg(not(target_arch = "wasm32"))]
    text: &'static str,
    class_names: &'static [&'static str],
}

/// 64-bit FNV-1a: a cheap, fixed fingerprint (not a security measure; the files are our own).
pub const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

macro_rules! entry {
    ($name:literal, $description:literal, $classes:expr) => {
        Entry {
            name: $name,
            description: $description,
            hash: {
                const H: u64 = fnv1a(include_bytes!(concat!("../../data/", $name, ".csv")));
                H
            },
            #[cfg(not(target_arch = "wasm32"))]
            text: include_str!(concat!("../../data/", $name, ".csv")),
            class_names: $classes,
        }
    };
}

const BUILTIN: [Entry; 4] = [
    entry!(
        "iris",
        "iris flowers: 150 x 4 measurements, 3 species",
        &["setosa", "versicolor", "virginica"]
    ),
    entry!(
        "wine",
        "wine chemistry: 178 x 13 measurements, 3 cultivars",
        &["class_0", "class_1", "class_2"]
    ),
    entry!(
        "breast_cancer",
        "breast cancer (Wisconsin diagnostic): 569 x 30 cell features, 2 classes",
        &["malignant", "benign"]
    ),
    entry!(
        "digits",
        "handwritten digits: 1797 images of 8x8 pixels (0-16), 10 classes",
        &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
    ),
];

/// Files handed over with [`provide`] (the page's way in; natively they replace nothing, being equal).
static PROVIDED: Mutex<Vec<(&'static str, Arc<str>)>> = Mutex::new(Vec::new());

fn provided(name: &str) -> Option<Arc<str>> {
    let list = PROVIDED.lock().unwrap_or_else(|e| e.into_inner());
    list.iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t.clone())
}

/// Name and one-line description of every built-in real dataset.
pub fn catalogue() -> Vec<(&'static str, &'static str)> {
    BUILTIN.iter().map(|e| (e.name, e.description)).collect()
}

/// The bytes of a built-in dataset's file (the provenance of a run names their digest); a wasm
/// build has no copy of them.
#[cfg(not(target_arch = "wasm32"))]
pub fn text(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|e| e.name == name).map(|e| e.text)
}

/// The bytes of a built-in dataset's file: none in a wasm build (the page fetches them).
#[cfg(target_arch = "wasm32")]
pub fn text(_name: &str) -> Option<&'static str> {
    None
}

/// The file a built-in dataset is read from (`data/<name>.csv`), or `None` for any other name.
pub fn file_name(name: &str) -> Option<String> {
    BUILTIN
        .iter()
        .find(|e| e.name == name)
        .map(|e| format!("{}.csv", e.name))
}

/// Whether `name` is a built-in dataset whose file this build does not hold yet (only ever true in
/// a wasm build before [`provide`]).
pub fn missing(name: &str) -> bool {
    BUILTIN.iter().any(|e| e.name == name) && text_of(name).is_none()
}

/// Hand over the text of built-in dataset `name` (its `data/<name>.csv`). Refused, naming the file,
/// when the name is not a built-in dataset or the text is not the file this engine was built with.
pub fn provide(name: &str, text: &str) -> Result<()> {
    let Some(entry) = BUILTIN.iter().find(|e| e.name == name) else {
        let known: Vec<&str> = BUILTIN.iter().map(|e| e.name).collect();
        return Err(Error::Unknown {
            kind: "built-in dataset",
            name: name.to_string(),
            known: known.join(", "),
        });
    };
    if fnv1a(text.as_bytes()) != entry.hash {
        return Err(Error::Data(format!(
            "data/{name}.csv ({} bytes) is not the file this engine was built with: rebuild the page (npm start)",
            text.len()
        )));
    }
    let mut list = PROVIDED.lock().unwrap_or_else(|e| e.into_inner());
    if !list.iter().any(|(n, _)| *n == entry.name) {
        list.push((entry.name, Arc::from(text)));
    }
    Ok(())
}

fn text_of(name: &str) -> Option<Arc<str>> {
    if let Some(t) = provided(name) {
        return Some(t);
    }
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(e) = BUILTIN.iter().find(|e| e.name == name) {
        return Some(Arc::from(e.text));
    }
    None
}

/// Load the built-in dataset called `name`; `Ok(None)` when there is none by that name.
pub fn load(name: &str) -> Result<Option<Dataset>> {
    let Some(entry) = BUILTIN.iter().find(|e| e.name == name) else {
        return Ok(None);
    };
    let Some(text) = text_of(name) else {
        return Err(Error::Data(format!(
            "the built-in dataset {name} is not loaded yet: the page fetches data/{name}.csv and passes it to provideDataset"
        )));
    };
    let mut ds = parse_csv(&text, entry.name)?;
    // Integer labels 0..C-1 parse in numeric order, so class index c is the source's class c.
    let expected: Vec<String> = (0..entry.class_names.len())
        .map(|c| c.to_string())
        .collect();
    if ds.class_names != expected {
        return Err(Error::Data(format!(
            "built-in {name}: labels {:?} do not match its {} class names",
            ds.class_names,
            entry.class_names.len()
        )));
    }
    ds.class_names = entry.class_names.iter().map(|s| s.to_string()).collect();
    if name == "digits" {
        ds.image = Some(super::ImageShape {
            height: 8,
            width: 8,
            max: 16.0,
        });
    }
    Ok(Some(ds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{load_builtin, GeneratorParams};
    use crate::rng::{Rng, Stream};

    fn class_counts(ds: &Dataset) -> Vec<usize> {
        let mut counts = vec![0; ds.n_classes];
        for &c in &ds.y {
            counts[c] += 1;
        }
        counts
    }

    #[test]
    fn sizes_and_class_counts_match_the_source() {
        let cases: [(&str, usize, usize, Vec<usize>); 4] = [
            ("iris", 150, 4, vec![50, 50, 50]),
            ("wine", 178, 13, vec![59, 71, 48]),
            ("breast_cancer", 569, 30, vec![212, 357]),
            (
                "digits",
                1797,
                64,
                vec![178, 182, 177, 183, 181, 182, 181, 179, 174, 180],
            ),
        ];
        for (name, n, d, counts) in cases {
            let ds = load(name).unwrap().unwrap();
            assert_eq!(ds.name, name);
            assert_eq!(ds.x.shape(), &[n, d], "{name}");
            assert_eq!(ds.n_classes, counts.len(), "{name}");
            assert_eq!(class_counts(&ds), counts, "{name}");
            assert_eq!(ds.feature_names.len(), d);
            assert_eq!(ds.class_names.len(), ds.n_classes);
        }
    }

    #[test]
    fn names_and_values_are_the_documented_ones() {
        let iris = load("iris").unwrap().unwrap();
        assert_eq!(iris.class_names, vec!["setosa", "versicolor", "virginica"]);
        assert_eq!(iris.feature_names[3], "petal width (cm)");
        assert_eq!(iris.x.row(0).to_vec(), vec![5.1, 3.5, 1.4, 0.2]);
        assert_eq!(iris.y[0], 0);
        assert_eq!(iris.y[149], 2);

        let wine = load("wine").unwrap().unwrap();
        assert_eq!(wine.class_names, vec!["class_0", "class_1", "class_2"]);
        assert_eq!(wine.feature_names[0], "alcohol");
        assert_eq!(wine.x[[0, 12]], 1065.0);

        let cancer = load("breast_cancer").unwrap().unwrap();
        assert_eq!(cancer.class_names, vec!["malignant", "benign"]);
        assert_eq!(cancer.feature_names[0], "mean radius");
        assert_eq!(cancer.feature_names[29], "worst fractal dimension");
        assert_eq!(cancer.x[[0, 0]], 17.99);
        assert_eq!(cancer.y[0], 0, "the first row is malignant");

        let digits = load("digits").unwrap().unwrap();
        let names: Vec<String> = (0..10).map(|c| c.to_string()).collect();
        assert_eq!(digits.class_names, names);
        assert_eq!(digits.feature_names[9], "pixel_1_1");
        assert!(digits
            .x
            .iter()
            .all(|&v| v.fract() == 0.0 && (0.0..=16.0).contains(&v)));
        assert_eq!(digits.y[..10].to_vec(), (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn unknown_names_are_none() {
        assert_eq!(load("moons"), Ok(None));
        assert_eq!(load("Iris"), Ok(None));
    }

    #[test]
    fn every_catalogue_entry_loads_through_the_module_entry_point() {
        let params = GeneratorParams {
            samples: 100,
            noise: 0.1,
            classes: 3,
        };
        for (name, _) in crate::data::catalogue() {
            if name == "mnist" {
                // Loaded from its file, not embedded: the entry point explains where it comes from.
                let err = load_builtin(name, &params, &mut Rng::new(1, Stream::Data)).unwrap_err();
                assert!(err.to_string().contains("mnist.bin"), "{err}");
                continue;
            }
            let ds = load_builtin(name, &params, &mut Rng::new(1, Stream::Data)).unwrap();
            assert_eq!(ds.name, name);
            assert!(ds.len() >= 100 && ds.n_classes >= 2);
        }
        let err = load_builtin("mnist_full", &params, &mut Rng::new(1, Stream::Data)).unwrap_err();
        assert!(matches!(err, Error::Unknown { .. }), "{err:?}");
    }

    #[test]
    fn provide_accepts_only_the_file_the_engine_was_built_with() {
        // The very file: accepted (natively it changes nothing), and loads the same as before.
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/wine.csv")).unwrap();
        assert_eq!(provide("wine", &text), Ok(()));
        assert!(!missing("wine"));
        assert_eq!(load("wine").unwrap().unwrap().x[[0, 12]], 1065.0);
        // One changed digit is refused, naming the file; so is a name that is not built in.
        let changed = text.replacen("1065", "1066", 1);
        assert_ne!(changed, text);
        let err = provide("wine", &changed).unwrap_err().to_string();
        assert!(
            err.contains("data/wine.csv") && err.contains("not the file"),
            "{err}"
        );
        let err = provide("moons", &text).unwrap_err().to_string();
        assert!(err.contains("moons") && err.contains("iris"), "{err}");
        // The hash is FNV-1a: the published test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(file_name("digits").as_deref(), Some("digits.csv"));
        assert_eq!(file_name("moons"), None);
    }
}
