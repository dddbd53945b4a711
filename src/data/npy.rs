//! NumPy arrays from disk, for the command line: features (`n x d`), labels (`n`, integers
//! `0..C`, negative where the class is unknown) and the teacher's probabilities or logits
//! (`n x C`), as separate `.npy` files or arrays of one `.npz` (read by the `ndarray-npy` crate).
//! Its limits are the command line's own ([`MAX_ROWS`], [`MAX_FEATURES`], [`MAX_BYTES`]), far
//! past the page's upload caps; the teacher's values are checked as a CSV teacher's are
//! ([`GivenTeacher`]), every refusal naming the file, the row (0-based, as NumPy indexes it) and
//! the column.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use ndarray::{Array, Array1, Array2, Dimension, Ix1, Ix2, OwnedRepr};
use ndarray_npy::{NpzReader, ReadNpyError, ReadNpyExt, ReadNpzError, ReadableElement};
use sha2::{Digest, Sha256};

use super::given::{Cells, GivenTeacher};
use super::Dataset;
use crate::{Error, Result};

/// Most rows read.
pub const MAX_ROWS: usize = 1_000_000;
/// Most feature columns read.
pub const MAX_FEATURES: usize = 4_096;
/// Most classes (the teacher's columns).
pub const MAX_CLASSES: usize = 1_000;
/// Largest file read, in bytes (8 GB: a million rows of 1,024 float64 features).
pub const MAX_BYTES: u64 = 8_000_000_000;

/// Where the arrays are: one `.npz`, or a `.npy` per array.
#[derive(Clone, Debug, Default)]
pub struct NpyFiles {
    /// Features (`.npy`), or every array (`.npz`).
    pub data: PathBuf,
    /// True classes (`.npy`); with a `.npz`, its array `y` or `labels`.
    pub labels: Option<PathBuf>,
    /// The teacher's probabilities (`.npy`); with a `.npz`, `teacher_probs` or `probs`.
    pub probs: Option<PathBuf>,
    /// The teacher's logits (`.npy`); with a `.npz`, `teacher_logits` or `logits`.
    pub logits: Option<PathBuf>,
}

/// Array names a `.npz` may use, in the order looked up.
const X_NAMES: &[&str] = &["x", "features", "data"];
const Y_NAMES: &[&str] = &["y", "labels"];
const PROB_NAMES: &[&str] = &["teacher_probs", "probs"];
const LOGIT_NAMES: &[&str] = &["teacher_logits", "logits"];

/// What was read: the dataset, and each file with the SHA-256 of its bytes.
pub struct Loaded {
    /// The dataset, named after the features' file.
    pub data: Dataset,
    /// `(path, sha256)` of each file read.
    pub files: Vec<(String, String)>,
}

/// Read the arrays into a dataset (classes `0..C`, C from the teacher's columns or the largest
/// label). Nothing is kept from a file that is refused.
pub fn load(files: &NpyFiles) -> Result<Loaded> {
    let path = &files.data;
    let name = path
        .file_stem()
        .map_or_else(|| "data".to_string(), |s| s.to_string_lossy().into_owned());
    let npz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npz"));
    let arrays = if npz {
        if let Some(extra) = [&files.labels, &files.probs, &files.logits]
            .iter()
            .find_map(|f| f.as_ref())
        {
            return Err(Error::Data(format!(
                "{}: a .npz holds every array; {} is not read beside it (name the arrays x, y and teacher_probs or teacher_logits)",
                path.display(),
                extra.display()
            )));
        }
        from_npz(path)?
    } else {
        from_npy(files)?
    };
    let data = dataset(&name, arrays.x, arrays.y, arrays.teacher)?;
    Ok(Loaded {
        data,
        files: arrays.files,
    })
}

struct Arrays {
    x: Named<Array2<f32>>,
    y: Option<Named<Array1<i64>>>,
    teacher: Option<(Teacher, Named<Array2<f32>>)>,
    files: Vec<(String, String)>,
}

/// An array and how messages name it (`probs.npy`, `mine.npz:teacher_probs`).
struct Named<T> {
    array: T,
    name: String,
}

#[derive(Clone, Copy)]
enum Teacher {
    Probs,
    Logits,
}

fn from_npy(files: &NpyFiles) -> Result<Arrays> {
    let mut digests = Vec::new();
    // Each file is read once: parsed, and digested as it is read.
    let mut read = |path: &Path, parse: &mut dyn FnMut(&mut NpyFile) -> Result<()>| -> Result<()> {
        let mut file = open(path)?;
        let mut hash = Hash::default();
        let mut npy = NpyFile {
            reader: BufReader::new(Hashed {
                inner: &mut file,
                hash: &mut hash,
                pos: 0,
            }),
            name: display(path),
        };
        parse(&mut npy)?;
        drop(npy);
        digests.push((path.display().to_string(), hash.finish(&mut file, path)?));
        Ok(())
    };
    let mut x = None;
    read(&files.data, &mut |f| {
        x = Some(numbers::<Ix2>(f)?);
        Ok(())
    })?;
    let mut y = None;
    if let Some(p) = &files.labels {
        read(p, &mut |f| {
            y = Some(classes(f)?);
            Ok(())
        })?;
    }
    let kind = match (&files.probs, &files.logits) {
        (Some(_), Some(_)) => {
            return Err(Error::Data(
                "give the teacher's probabilities or its logits, not both".into(),
            ))
        }
        (Some(p), None) => Some((Teacher::Probs, p)),
        (None, Some(p)) => Some((Teacher::Logits, p)),
        (None, None) => None,
    };
    let mut teacher = None;
    if let Some((kind, p)) = kind {
        read(p, &mut |f| {
            teacher = Some((kind, numbers::<Ix2>(f)?));
            Ok(())
        })?;
    }
    Ok(Arrays {
        x: x.expect("read set the features or returned its error"),
        y,
        teacher,
        files: digests,
    })
}

fn from_npz(path: &Path) -> Result<Arrays> {
    let mut file = open(path)?;
    let mut hash = Hash::default();
    let (x, y, teacher) = npz_arrays(
        path,
        BufReader::new(Hashed {
            inner: &mut file,
            hash: &mut hash,
            pos: 0,
        }),
    )?;
    let digest = hash.finish(&mut file, path)?;
    Ok(Arrays {
        x,
        y,
        teacher,
        files: vec![(path.display().to_string(), digest)],
    })
}

type Parsed = (
    Named<Array2<f32>>,
    Option<Named<Array1<i64>>>,
    Option<(Teacher, Named<Array2<f32>>)>,
);

/// The arrays of a `.npz` read through `reader`.
fn npz_arrays<R: Read + Seek>(path: &Path, reader: R) -> Result<Parsed> {
    let shown = display(path);
    let zip_error = |e: ReadNpzError| Error::Data(format!("{shown}: {e}"));
    let mut zip = NpzReader::new(reader).map_err(zip_error)?;
    let names = zip.names().map_err(zip_error)?;
    let find = |wanted: &[&'static str]| {
        wanted
            .iter()
            .find(|w| names.iter().any(|n| n == *w))
            .copied()
    };
    let Some(x_name) = find(X_NAMES) else {
        return Err(Error::Data(format!(
            "{shown}: no array of features (named x, features or data; it has {})",
            names.join(", ")
        )));
    };
    let (y_name, probs, logits) = (find(Y_NAMES), find(PROB_NAMES), find(LOGIT_NAMES));
    fn entry<'a, R: Read + Seek>(
        zip: &'a mut NpzReader<R>,
        shown: &str,
        array: &'a str,
    ) -> NpzEntry<'a, R> {
        NpzEntry {
            name: format!("{shown}:{array}"),
            zip,
            array,
        }
    }
    let x = numbers::<Ix2>(&mut entry(&mut zip, &shown, x_name))?;
    let y = match y_name {
        Some(n) => Some(classes(&mut entry(&mut zip, &shown, n))?),
        None => None,
    };
    let teacher = match (probs, logits) {
        (Some(_), Some(_)) => {
            return Err(Error::Data(format!(
                "{shown}: it holds the teacher's probabilities and its logits; keep one"
            )))
        }
        (Some(n), None) => Some((
            Teacher::Probs,
            numbers::<Ix2>(&mut entry(&mut zip, &shown, n))?,
        )),
        (None, Some(n)) => Some((
            Teacher::Logits,
            numbers::<Ix2>(&mut entry(&mut zip, &shown, n))?,
        )),
        (None, None) => None,
    };
    Ok((x, y, teacher))
}

/// The dataset of the arrays, every shape and value checked.
fn dataset(
    name: &str,
    x: Named<Array2<f32>>,
    y: Option<Named<Array1<i64>>>,
    teacher: Option<(Teacher, Named<Array2<f32>>)>,
) -> Result<Dataset> {
    let (n, d) = x.array.dim();
    if n == 0 || d == 0 {
        return Err(Error::Data(format!(
            "{}: no rows or no columns ({n} x {d})",
            x.name
        )));
    }
    if n > MAX_ROWS || d > MAX_FEATURES {
        return Err(Error::Data(format!(
            "{}: {n} rows x {d} features; the command line reads at most {MAX_ROWS} rows and {MAX_FEATURES} features",
            x.name
        )));
    }
    if let Some((i, j)) = x
        .array
        .indexed_iter()
        .find(|(_, v)| !v.is_finite())
        .map(|(at, _)| at)
    {
        return Err(Error::Data(format!(
            "{} row {i}, column {j}: {} is not a finite number (or overflows 32-bit floats)",
            x.name,
            x.array[[i, j]]
        )));
    }
    let Some(y) = y else {
        return Err(Error::Data(format!(
            "{}: the true classes are missing (--labels, or an array y in the .npz)",
            x.name
        )));
    };
    if y.array.len() != n {
        return Err(Error::Data(format!(
            "{} has {} labels and {} has {n} rows",
            y.name,
            y.array.len(),
            x.name
        )));
    }
    let largest = y.array.iter().copied().max().unwrap_or(-1);
    let unknown = y.array.iter().filter(|&&v| v < 0).count();
    if largest < 0 {
        return Err(Error::Data(format!(
            "{}: no row has a known class (unknown is a negative label); L, V and T need some",
            y.name
        )));
    }
    if unknown > 0 && teacher.is_none() {
        let i = y.array.iter().position(|&v| v < 0).unwrap_or(0);
        return Err(Error::Data(format!(
            "{} row {i}: the class is unknown ({}) and there is no teacher to label the row; give --teacher-probs or --teacher-logits",
            y.name, y.array[i]
        )));
    }
    let named = largest as usize + 1;
    let classes = match &teacher {
        Some((_, t)) => t.array.ncols(),
        None => named,
    };
    if !(2..=MAX_CLASSES).contains(&classes) {
        return Err(Error::Data(format!(
            "{}: {classes} classes; need 2 to {MAX_CLASSES}",
            teacher.as_ref().map_or(&y.name, |(_, t)| &t.name)
        )));
    }
    if let Some((_, t)) = &teacher {
        if t.array.nrows() != n {
            return Err(Error::Data(format!(
                "{} has {} rows and {} has {n}",
                t.name,
                t.array.nrows(),
                x.name
            )));
        }
        if named > classes {
            let i = y.array.iter().position(|&v| v == largest).unwrap_or(0);
            return Err(Error::Data(format!(
                "{} row {i}: class {largest} has no column in {} ({classes} columns)",
                y.name, t.name
            )));
        }
    }
    let mut seen = vec![false; classes];
    y.array
        .iter()
        .filter(|&&v| v >= 0)
        .for_each(|&v| seen[v as usize] = true);
    if let Some(c) = seen.iter().position(|s| !s) {
        let t = teacher.as_ref().map_or(&y.name, |(_, t)| &t.name);
        return Err(Error::Data(format!(
            "{t}, column {c}: the labels in {} never name class {c}",
            y.name
        )));
    }
    let given = match teacher {
        None => None,
        Some((kind, t)) => {
            let cells = ArrayCells { name: &t.name };
            Some(match kind {
                Teacher::Probs => GivenTeacher::from_probs(t.array, &cells)?,
                Teacher::Logits => GivenTeacher::from_logits(t.array, &cells)?,
            })
        }
    };
    let known: Vec<bool> = y.array.iter().map(|&v| v >= 0).collect();
    Ok(Dataset {
        name: name.to_string(),
        x: x.array,
        y: y.array.iter().map(|&v| v.max(0) as usize).collect(),
        n_classes: classes,
        class_names: (0..classes).map(|c| c.to_string()).collect(),
        feature_names: (0..d).map(|j| format!("x{j}")).collect(),
        image: None,
        warnings: Vec::new(),
        known: (unknown > 0).then_some(known),
        teacher: given,
    })
}

/// An array's cells as [`GivenTeacher`]'s checks name them.
struct ArrayCells<'a> {
    name: &'a str,
}

impl Cells for ArrayCells<'_> {
    fn row(&self, i: usize) -> String {
        format!("{} row {i}", self.name)
    }
    fn column(&self, c: usize) -> String {
        c.to_string()
    }
}

fn display(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn open(path: &Path) -> Result<File> {
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let file = File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_BYTES {
        return Err(Error::Data(format!(
            "{}: {:.1} GB; the command line reads files of at most {} GB",
            path.display(),
            size as f64 / 1e9,
            MAX_BYTES / 1_000_000_000
        )));
    }
    Ok(file)
}

/// The SHA-256 of a file as a reader goes through it: only bytes that continue what is hashed so
/// far are hashed, so a reader that rewinds (to try another element type) or jumps (a zip's
/// directory at the end) neither hashes a byte twice nor skips one; [`Hash::finish`] reads what the
/// reader never needed.
#[derive(Default)]
struct Hash {
    sha: Sha256,
    hashed_to: u64,
}

impl Hash {
    /// The digest of the whole file, reading the bytes past what was hashed.
    fn finish(mut self, file: &mut File, path: &Path) -> Result<String> {
        let io = |e: std::io::Error| Error::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        file.seek(std::io::SeekFrom::Start(self.hashed_to))
            .map_err(io)?;
        std::io::copy(file, &mut self.sha).map_err(io)?;
        Ok(super::hex(&self.sha.finalize()))
    }
}

/// A file whose bytes are hashed as they are read.
struct Hashed<'a> {
    inner: &'a mut File,
    hash: &'a mut Hash,
    /// Where the next read starts.
    pos: u64,
}

impl Read for Hashed<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let start = self.pos;
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        let end = start + n as u64;
        let h = &mut *self.hash;
        if start <= h.hashed_to && end > h.hashed_to {
            h.sha.update(&buf[(h.hashed_to - start) as usize..n]);
            h.hashed_to = end;
        }
        Ok(n)
    }
}

impl Seek for Hashed<'_> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.pos = self.inner.seek(to)?;
        Ok(self.pos)
    }
}

/// Where one array is read from: a `.npy` file, or an entry of a `.npz`. Each read decodes the
/// array as one element type; a wrong type is `Ok(None)`, so the next one can be tried.
trait Source {
    fn get<T: ReadableElement, D: Dimension>(&mut self) -> Result<Option<Array<T, D>>>;
    fn name(&self) -> &str;
}

struct NpyFile<'a> {
    reader: BufReader<Hashed<'a>>,
    name: String,
}

impl Source for NpyFile<'_> {
    fn get<T: ReadableElement, D: Dimension>(&mut self) -> Result<Option<Array<T, D>>> {
        self.reader
            .rewind()
            .map_err(|e| Error::Data(format!("{}: {e}", self.name)))?;
        match Array::<T, D>::read_npy(&mut self.reader) {
            Ok(a) => Ok(Some(a)),
            Err(ReadNpyError::WrongDescriptor(_)) => Ok(None),
            Err(e) => Err(Error::Data(format!("{}: {e}", self.name))),
        }
    }
    fn name(&self) -> &str {
        &self.name
    }
}

struct NpzEntry<'a, R: Read + Seek> {
    zip: &'a mut NpzReader<R>,
    array: &'a str,
    name: String,
}

impl<R: Read + Seek> Source for NpzEntry<'_, R> {
    fn get<T: ReadableElement, D: Dimension>(&mut self) -> Result<Option<Array<T, D>>> {
        match self.zip.by_name::<OwnedRepr<T>, D>(self.array) {
            Ok(a) => Ok(Some(a)),
            Err(ReadNpzError::Npy(ReadNpyError::WrongDescriptor(_))) => Ok(None),
            Err(e) => Err(Error::Data(format!("{}: {e}", self.name))),
        }
    }
    fn name(&self) -> &str {
        &self.name
    }
}

/// An array of numbers as f32, whatever its float or integer type (float64 past f32's range
/// becomes infinite, which the checks refuse as an overflow).
fn numbers<D: Dimension>(src: &mut impl Source) -> Result<Named<Array<f32, D>>> {
    macro_rules! attempt {
        ($($t:ty),*) => {$(
            if let Some(a) = src.get::<$t, D>()? {
                return Ok(Named { array: a.mapv(|v| v as f32), name: src.name().to_string() });
            }
        )*};
    }
    attempt!(f32, f64, i64, i32, i16, i8, u8, u16, u32, u64);
    Err(Error::Data(format!(
        "{}: expected a {}-D array of numbers (float32, float64 or integers)",
        src.name(),
        D::NDIM.unwrap_or(0)
    )))
}

/// Classes: integers of any width, or floats that are whole numbers; negative where unknown.
fn classes(src: &mut impl Source) -> Result<Named<Array1<i64>>> {
    let name = src.name().to_string();
    macro_rules! attempt {
        ($($t:ty),*) => {$(
            if let Some(a) = src.get::<$t, Ix1>()? {
                return Ok(Named { array: a.mapv(|v| v as i64), name });
            }
        )*};
    }
    attempt!(i64, i32, i16, i8, u8, u16, u32);
    let floats: Option<Array1<f64>> = match src.get::<f64, Ix1>()? {
        Some(a) => Some(a),
        None => src.get::<f32, Ix1>()?.map(|a| a.mapv(f64::from)),
    };
    let Some(floats) = floats else {
        return Err(Error::Data(format!(
            "{name}: expected a 1-D array of integer classes (negative: unknown)"
        )));
    };
    if let Some(i) = floats
        .iter()
        .position(|v| v.fract() != 0.0 || !v.is_finite())
    {
        return Err(Error::Data(format!(
            "{name} row {i}: {} is not a class number (integers 0, 1, ...; negative: unknown)",
            floats[i]
        )));
    }
    Ok(Named {
        array: floats.mapv(|v| v as i64),
        name,
    })
}

/// Write a dataset as one `.npz` of the arrays [`load`] reads: `x` (float32), `y` (int64, -1
/// where the class is unknown) and the teacher's `teacher_probs` or `teacher_logits` (float32).
pub fn write_npz(ds: &Dataset, path: &Path) -> Result<()> {
    let io = |e: String| Error::Io {
        path: path.display().to_string(),
        reason: e,
    };
    let file = File::create(path).map_err(|e| io(e.to_string()))?;
    let mut npz = ndarray_npy::NpzWriter::new(std::io::BufWriter::new(file));
    let y: Array1<i64> = (0..ds.len())
        .map(|i| if ds.is_known(i) { ds.y[i] as i64 } else { -1 })
        .collect();
    npz.add_array("x", &ds.x).map_err(|e| io(e.to_string()))?;
    npz.add_array("y", &y).map_err(|e| io(e.to_string()))?;
    if let Some(t) = &ds.teacher {
        let name = match t.form {
            super::given::GivenForm::Probs => "teacher_probs",
            super::given::GivenForm::Logits => "teacher_logits",
        };
        npz.add_array(name, &t.values)
            .map_err(|e| io(e.to_string()))?;
    }
    npz.finish().map_err(|e| io(e.to_string()))?;
    Ok(())
}
