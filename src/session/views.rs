//! What the panels draw of a session that does not train it: the overview, the rows' sets and plane
//! coordinates, the decision maps and every row's predicted class.

use ndarray::{Array2, ArrayView2};
use serde::Serialize;

use super::Session;
use crate::data::pca::pca_2d;
use crate::estimators::AlphaModel;
use crate::model::mlp::argmax;
use crate::seed::PreparedSeed;

/// Everything the panels show that does not change during training.
#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    /// Dataset name.
    pub dataset: String,
    /// Class names.
    pub class_names: Vec<String>,
    /// Feature count.
    pub dim: usize,
    /// Whether the scatter shows the raw features (2-D data) or a PCA projection.
    pub projected: bool,
    /// Sizes of L, V, U, T.
    pub sizes: [usize; 4],
    /// Teacher accuracy on T and on U.
    pub teacher_test_accuracy: f32,
    /// Teacher accuracy on U.
    pub teacher_unlabeled_accuracy: f32,
    /// Teacher confusion matrix on U: `confusion[true][teacher]`.
    pub confusion: Vec<Vec<u32>>,
    /// k chosen on V.
    pub k: usize,
    /// The lower clamp on alpha in use (`alpha_min`, or its `auto` value: 1/2, or 1/k normalised).
    pub alpha_floor: f32,
    /// alpha(margin) sampled at 101 margins in [0, 1] (before the clamp); empty for the oracle.
    pub alpha_curve: Vec<[f32; 2]>,
    /// Validation rug: (margin, teacher correct) per V point.
    pub rug: Vec<(f32, bool)>,
    /// Reliability diagram of the teacher on V: (mean confidence, accuracy, count) per bin of 10.
    pub reliability: Vec<(f32, f32, u32)>,
    /// Mean |estimated - true alpha| on U, for a synthetic teacher.
    pub alpha_oracle_error: Option<f32>,
    /// Methods, in order.
    pub methods: Vec<&'static str>,
    /// The configured epoch count.
    pub epochs: usize,
    /// Whether a synthetic teacher's true alpha exists.
    pub has_oracle: bool,
    /// What about the data keeps any method from learning (see [`PreparedSeed::data_warnings`]).
    pub data_warnings: Vec<String>,
    /// Identifies the rows (features and true classes, in order): a front end keeps what a learner
    /// attached to a row (the point followed) only across sessions with the same `data_id`.
    pub data_id: String,
    /// Identifies the rows, their split and the teacher's labels: what a learner marked as the
    /// teacher's mistakes holds only across sessions with the same `labels_id`.
    pub labels_id: String,
    /// What the data's own teacher gives (`probabilities`, `logits`) when the data carries one.
    pub data_teacher: Option<&'static str>,
    /// Whether this run's teacher is the data's own (`teacher.kind = given`: "your teacher").
    pub teacher_given: bool,
    /// Rows of U whose true class the data does not give (every accuracy counts only the others).
    pub unknown_rows: usize,
    /// The teacher's accuracy on V, and its mean confidence in its own label there (calibration:
    /// the gap between the two).
    pub teacher_validation_accuracy: f32,
    /// See `teacher_validation_accuracy`.
    pub teacher_validation_confidence: f32,
}

impl Session {
    /// 2-D coordinates of every row: the raw features for 2-D data, else a PCA projection.
    pub fn points(&self) -> ArrayView2<'_, f32> {
        self.points.view()
    }

    /// Student `method_index`'s predicted class for every row.
    pub fn predictions(&mut self, method_index: usize) -> Vec<u32> {
        self.predictions_of(method_index, 0, self.prep.data.len())
    }

    /// Student `method_index`'s predicted class for rows `first..first + rows` (a front end asks a
    /// large network a block at a time).
    pub fn predictions_of(&mut self, method_index: usize, first: usize, rows: usize) -> Vec<u32> {
        let Some(run) = self.runs.get_mut(method_index) else {
            return Vec::new();
        };
        let n = self.prep.data.len();
        let rows: Vec<usize> = (first.min(n)..first.saturating_add(rows).min(n)).collect();
        let p = run.predict_rows(self.prep.data.x.view(), &rows);
        p.rows()
            .into_iter()
            .map(|r| argmax(r.as_slice().expect("contiguous")) as u32)
            .collect()
    }

    /// Bounds of the 2-D plot: (xmin, xmax, ymin, ymax) of the data itself with a 5% margin. Points
    /// added by hand lie inside them (clicked there), and leaving them out keeps any click on the
    /// plot within what [`crate::seed::points`] accepts.
    pub fn bounds(&self) -> [f32; 4] {
        let p = self.points.slice(ndarray::s![..self.prep.base_rows(), ..]);
        let (mut b, mut first) = ([0.0f32; 4], true);
        for r in p.rows() {
            if first {
                b = [r[0], r[0], r[1], r[1]];
                first = false;
            }
            b = [
                b[0].min(r[0]),
                b[1].max(r[0]),
                b[2].min(r[1]),
                b[3].max(r[1]),
            ];
        }
        let (dx, dy) = (
            (b[1] - b[0]).max(1e-3) * 0.05,
            (b[3] - b[2]).max(1e-3) * 0.05,
        );
        [b[0] - dx, b[1] + dx, b[2] - dy, b[3] + dy]
    }

    /// Class probabilities of student `method_index` on a `res x res` grid over [`bounds`], row-major
    /// from the top-left (y decreasing), `res * res * classes` values. None for data that is not 2-D.
    pub fn grid(&mut self, method_index: usize, res: usize) -> Option<Vec<f32>> {
        let res = res.clamp(2, 256);
        self.grid_rows(method_index, res, 0, res)
    }

    /// Rows `first..first + rows` of [`Session::grid`] (a front end draws a large network's grid a
    /// few rows at a time); the rows put together are the whole grid.
    pub fn grid_rows(
        &mut self,
        method_index: usize,
        res: usize,
        first: usize,
        rows: usize,
    ) -> Option<Vec<f32>> {
        if self.prep.data.dim() != 2 || method_index >= self.runs.len() {
            return None;
        }
        let res = res.clamp(2, 256);
        let end = (first + rows).min(res);
        let first = first.min(end);
        let [x0, x1, y0, y1] = self.bounds();
        let mut cells = Array2::zeros(((end - first) * res, 2));
        for gy in first..end {
            for gx in 0..res {
                let i = (gy - first) * res + gx;
                cells[[i, 0]] = x0 + (x1 - x0) * (gx as f32 + 0.5) / res as f32;
                cells[[i, 1]] = y1 - (y1 - y0) * (gy as f32 + 0.5) / res as f32;
            }
        }
        self.prep.standardizer.apply(&mut cells);
        Some(
            self.runs[method_index]
                .predict_proba(cells.view())
                .into_raw_vec_and_offset()
                .0,
        )
    }

    /// What the panels show that does not change while training.
    pub fn overview(&self) -> Overview {
        let p = &self.prep;
        let c = p.data.n_classes;
        let mut confusion = vec![vec![0u32; c]; c];
        for &i in p.split.unlabeled.iter().filter(|&&i| p.data.is_known(i)) {
            confusion[p.data.y[i]][p.teacher.labels[i]] += 1;
        }
        let alpha_curve = match &p.alpha_model {
            AlphaModel::Oracle => Vec::new(),
            model => (0..=100)
                .map(|i| {
                    let m = i as f32 / 100.0;
                    [m, model.at_margin(m as f64).unwrap_or(1.0) as f32]
                })
                .collect(),
        };
        let rug = p
            .split
            .validation
            .iter()
            .map(|&i| {
                (
                    p.teacher.margins[i] as f32,
                    p.teacher.labels[i] == p.data.y[i],
                )
            })
            .collect();
        let mut bins = vec![(0.0f32, 0u32, 0u32); 10];
        for &i in &p.split.validation {
            let conf = p.teacher.probs[[i, p.teacher.labels[i]]];
            let b = ((conf * 10.0) as usize).min(9);
            bins[b].0 += conf;
            bins[b].1 += (p.teacher.labels[i] == p.data.y[i]) as u32;
            bins[b].2 += 1;
        }
        let reliability = bins
            .into_iter()
            .map(|(s, right, n)| {
                if n == 0 {
                    (0.0, 0.0, 0)
                } else {
                    (s / n as f32, right as f32 / n as f32, n)
                }
            })
            .collect();
        Overview {
            dataset: p.data.name.clone(),
            class_names: p.data.class_names.clone(),
            dim: p.data.dim(),
            projected: p.data.dim() != 2,
            sizes: [
                p.split.labeled.len(),
                p.split.validation.len(),
                p.split.unlabeled.len(),
                p.split.test.len(),
            ],
            teacher_test_accuracy: p.teacher_test_accuracy,
            teacher_unlabeled_accuracy: p.teacher_unlabeled_accuracy,
            confusion,
            k: p.k,
            alpha_floor: p.alpha_floor,
            alpha_curve,
            rug,
            reliability,
            alpha_oracle_error: p.alpha_oracle_error(),
            methods: self.methods.iter().map(|m| m.name()).collect(),
            epochs: self.cfg.student.epochs,
            has_oracle: p.teacher.oracle_alpha.is_some(),
            data_warnings: p.data_warnings(),
            data_id: hex(data_hash(p)),
            labels_id: hex(labels_hash(p)),
            data_teacher: p.data.teacher.as_ref().map(|t| t.form.name()),
            teacher_given: self.cfg.teacher.kind == crate::config::TeacherKind::Given,
            unknown_rows: p.data.unknown_rows(),
            teacher_validation_accuracy: p.teacher_validation_accuracy,
            teacher_validation_confidence: {
                let v = &p.split.validation;
                v.iter()
                    .map(|&i| p.teacher.probs[[i, p.teacher.labels[i]]] as f64)
                    .sum::<f64>() as f32
                    / v.len().max(1) as f32
            },
        }
    }

    /// Which set each row is in: 0 = L, 1 = V, 2 = U, 3 = T.
    pub fn roles(&self) -> Vec<u8> {
        let s = &self.prep.split;
        let mut r = vec![0u8; self.prep.data.len()];
        for (role, rows) in [
            (0u8, &s.labeled),
            (1, &s.validation),
            (2, &s.unlabeled),
            (3, &s.test),
        ] {
            for &i in rows {
                r[i] = role;
            }
        }
        r
    }

    /// The teacher's confidence (top-1 probability) per row.
    pub fn teacher_confidence(&self) -> Vec<f32> {
        let t = &self.prep.teacher;
        (0..self.prep.data.len())
            .map(|i| t.probs[[i, t.labels[i]]])
            .collect()
    }
}

/// PCA of the rows standardised over all rows (not L only: a pixel that is constant on a small L would
/// otherwise get huge standardised values elsewhere and one outlier would fill the plot).
fn projection(raw: &Array2<f32>) -> Array2<f32> {
    let all: Vec<usize> = (0..raw.nrows()).collect();
    let scaled = crate::data::Standardizer::fit(raw.view(), &all).transform(raw.view());
    pca_2d(scaled.view())
}

/// Where each row is drawn: the raw features for 2-D data, else a PCA projection.
pub(super) fn plane_points(prep: &PreparedSeed) -> Array2<f32> {
    if prep.data.dim() == 2 {
        prep.raw_x.clone()
    } else {
        projection(&prep.raw_x)
    }
}

/// FNV-1a, 64 bits: a stable fingerprint (the same in wasm and natively), not a secret.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn word(&mut self, w: u32) {
        for byte in w.to_le_bytes() {
            self.0 = (self.0 ^ byte as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The rows: raw features (as bits) and true classes, in order.
fn data_hash(p: &PreparedSeed) -> u64 {
    let mut h = Fnv::new();
    h.word(p.raw_x.ncols() as u32);
    for v in p.raw_x.iter() {
        h.word(v.to_bits());
    }
    for &y in &p.data.y {
        h.word(y as u32);
    }
    h.0
}

/// The rows, their split and the teacher's labels.
fn labels_hash(p: &PreparedSeed) -> u64 {
    let mut h = Fnv(data_hash(p));
    for (set, rows) in [
        &p.split.labeled,
        &p.split.validation,
        &p.split.unlabeled,
        &p.split.test,
    ]
    .into_iter()
    .enumerate()
    {
        h.word(set as u32);
        for &i in rows {
            h.word(i as u32);
        }
    }
    for &c in &p.teacher.labels {
        h.word(c as u32);
    }
    h.0
}

fn hex(v: u64) -> String {
    format!("{v:016x}")
}
