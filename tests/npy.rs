//! NumPy data for the command line (`--data`, `--labels`, `--teacher-probs`, `--teacher-logits`,
//! or one `.npz`): random valid arrays load as written, each kind of bad array or cell is refused
//! naming its file, row and column, and a `.npz` of the lab's own teacher reads back as that
//! teacher bit for bit.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use ndarray_npy::write_npy;
use proptest::prelude::*;
use slam_lab::data::given::GivenForm;
use slam_lab::data::npy::{load, write_npz, NpyFiles};

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("slam-npy-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Features, labels (-1: unknown) and probabilities for `n` rows of `c` classes.
fn arrays(n: usize, d: usize, c: usize, seed: u64) -> (Array2<f64>, Array1<i64>, Array2<f32>) {
    let mut rng = slam_lab::rng::Rng::new(seed, slam_lab::rng::Stream::Data);
    let x = Array2::from_shape_fn((n, d), |_| rng.normal() as f64 * 3.0);
    let y = Array1::from_shape_fn(n, |i| {
        if i < c {
            i as i64
        } else if rng.below(4) == 0 {
            -1
        } else {
            rng.below(c) as i64
        }
    });
    let mut p = Array2::from_shape_fn((n, c), |_| rng.range(0.0, 1.0) + 0.01);
    for mut row in p.rows_mut() {
        let s: f32 = row.sum();
        row.mapv_inplace(|v| v / s);
    }
    (x, y, p)
}

fn files(d: &Path, probs: bool) -> NpyFiles {
    NpyFiles {
        data: d.join("x.npy"),
        labels: Some(d.join("y.npy")),
        probs: probs.then(|| d.join("p.npy")),
        logits: (!probs).then(|| d.join("p.npy")),
    }
}

fn err(files: &NpyFiles) -> String {
    match load(files) {
        Ok(_) => panic!("expected a refusal"),
        Err(e) => e.to_string(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn valid_arrays_load_as_written(n in 6usize..60, d in 1usize..5, c in 2usize..6, seed in any::<u64>(), probs in any::<bool>()) {
        let dir = dir(&format!("ok{seed}"));
        let (x, y, p) = arrays(n, d, c, seed);
        write_npy(dir.join("x.npy"), &x).unwrap();
        write_npy(dir.join("y.npy"), &y).unwrap();
        write_npy(dir.join("p.npy"), &p).unwrap();
        let loaded = load(&files(&dir, probs)).unwrap();
        let ds = loaded.data;
        prop_assert_eq!(&ds.x, &x.mapv(|v| v as f32));
        prop_assert_eq!(ds.n_classes, c);
        for i in 0..n {
            prop_assert_eq!(ds.is_known(i), y[i] >= 0);
            if y[i] >= 0 {
                prop_assert_eq!(ds.y[i] as i64, y[i]);
            }
        }
        let t = ds.teacher.as_ref().unwrap();
        prop_assert_eq!(t.form, if probs { GivenForm::Probs } else { GivenForm::Logits });
        if !probs {
            prop_assert_eq!(&t.values, &p);
        }
        prop_assert_eq!(loaded.files.len(), 3);
        // Written as one .npz (what `slam-lab teacher --out FILE.npz` writes), it loads the same.
        write_npz(&ds, &dir.join("all.npz")).unwrap();
        let back = load(&NpyFiles { data: dir.join("all.npz"), ..NpyFiles::default() }).unwrap().data;
        prop_assert_eq!(&back.x, &ds.x);
        prop_assert_eq!(&back.y, &ds.y);
        prop_assert_eq!(&back.known, &ds.known);
        prop_assert_eq!(&back.teacher, &ds.teacher);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn each_kind_of_bad_array_is_refused_naming_file_row_and_column() {
    let d = dir("bad");
    let (x, y, p) = arrays(20, 3, 3, 5);
    let write = |x: &Array2<f64>, y: &Array1<i64>, p: &Array2<f32>| {
        write_npy(d.join("x.npy"), x).unwrap();
        write_npy(d.join("y.npy"), y).unwrap();
        write_npy(d.join("p.npy"), p).unwrap();
    };
    let check = |probs: bool, wanted: &[&str]| {
        let m = err(&files(&d, probs));
        assert!(
            wanted.iter().all(|w| m.contains(w)),
            "{m} (wanted {wanted:?})"
        );
    };
    write(&x, &y, &p);
    assert!(load(&files(&d, true)).is_ok());

    let mut bad = p.clone();
    bad[[7, 1]] *= 0.5;
    write(&x, &y, &bad);
    check(true, &["p.npy row 7", "column 0 to 2", "sum to"]);
    bad[[7, 1]] = -0.2;
    write(&x, &y, &bad);
    check(true, &["p.npy row 7", "column 1", "not a probability"]);
    bad[[7, 1]] = f32::NAN;
    write(&x, &y, &bad);
    check(false, &["p.npy row 7", "column 1", "not a finite number"]);

    // A float64 logit past f32's range overflows.
    write(&x, &y, &p);
    let mut big = p.mapv(f64::from);
    big[[4, 2]] = 1e300;
    write_npy(d.join("p.npy"), &big).unwrap();
    check(false, &["p.npy row 4", "column 2", "overflows"]);

    let mut nan_x = x.clone();
    nan_x[[9, 2]] = f64::NAN;
    write(&nan_x, &y, &p);
    check(true, &["x.npy row 9, column 2", "not a finite number"]);

    // A label naming a class the teacher has no column for; a teacher column no label names.
    let mut y3 = y.clone();
    y3[11] = 3;
    write(&x, &y3, &p);
    check(true, &["y.npy row 11", "class 3 has no column in p.npy"]);
    let y2 = y.mapv(|v| v.min(1));
    write(&x, &y2, &p);
    check(true, &["p.npy, column 2", "never name class 2"]);

    // Shapes, and unknown classes without a teacher.
    write(&x, &y.slice(ndarray::s![..19]).to_owned(), &p);
    check(true, &["y.npy has 19 labels", "x.npy has 20 rows"]);
    write(&x, &y, &p);
    let mut unknown = y.mapv(|v| v.max(0));
    unknown[6] = -1;
    write_npy(d.join("y.npy"), &unknown).unwrap();
    let no_teacher = NpyFiles {
        probs: None,
        logits: None,
        ..files(&d, true)
    };
    let m = err(&no_teacher);
    assert!(m.contains("y.npy row 6") && m.contains("no teacher"), "{m}");
    write_npy(d.join("y.npy"), &Array1::from_vec(vec![0.5f64; 20])).unwrap();
    check(true, &["y.npy row 0", "0.5 is not a class number"]);
    std::fs::remove_dir_all(&d).unwrap();
}

/// `np.savez_compressed` writes every array as a deflated zip entry: such a file reads as the
/// plain one does.
#[test]
fn a_compressed_npz_reads_as_a_plain_one() {
    use ndarray_npy::WriteNpyExt;
    use std::io::Write;
    let d = dir("compressed");
    let (x, y, p) = arrays(30, 2, 3, 9);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(d.join("c.npz")).unwrap());
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut entry = |name: &str, bytes: Vec<u8>| {
        zip.start_file(name, deflated).unwrap();
        zip.write_all(&bytes).unwrap();
    };
    let npy = |write: &dyn Fn(&mut Vec<u8>)| {
        let mut v = Vec::new();
        write(&mut v);
        v
    };
    entry("x.npy", npy(&|v| x.write_npy(v).unwrap()));
    entry("y.npy", npy(&|v| y.write_npy(v).unwrap()));
    entry("teacher_probs.npy", npy(&|v| p.write_npy(v).unwrap()));
    zip.finish().unwrap();
    let compressed = load(&NpyFiles {
        data: d.join("c.npz"),
        ..NpyFiles::default()
    })
    .unwrap()
    .data;
    write_npy(d.join("x.npy"), &x).unwrap();
    write_npy(d.join("y.npy"), &y).unwrap();
    write_npy(d.join("p.npy"), &p).unwrap();
    let plain = load(&files(&d, true)).unwrap().data;
    assert_eq!(compressed.x, plain.x);
    assert_eq!(compressed.y, plain.y);
    assert_eq!(compressed.known, plain.known);
    assert_eq!(compressed.teacher, plain.teacher);
    std::fs::remove_dir_all(&d).unwrap();
}
