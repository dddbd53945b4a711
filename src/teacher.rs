//! Teachers: a trained wider MLP fitted on L only, or a synthetic teacher whose labels are corrupted by
//! a known noise model, so that its true per-point accuracy (the oracle alpha) is known.

use ndarray::{Array2, ArrayView2};

use crate::config::{NoiseModel, TeacherConfig, TeacherKind};
use crate::data::augment::Shifter;
use crate::data::{ImageShape, Split, Standardizer};
use crate::losses::cross_entropy_label;
use crate::model::{train_step, Mlp, Optimizer, OptimizerKind};
use crate::rng::{Rng, Stream};

/// What a teacher is fitted on: the network's inputs, and for image augmentation the raw pixels
/// and the scaling that turns them into inputs.
#[derive(Clone, Copy)]
pub struct TeacherInputs<'a> {
    /// Scaled features, one row per dataset row.
    pub x: ArrayView2<'a, f32>,
    /// Raw features (same rows).
    pub raw: ArrayView2<'a, f32>,
    /// The scaling from `raw` to `x`.
    pub scaler: &'a Standardizer,
    /// The pixel grid, for image data.
    pub image: Option<ImageShape>,
}

/// The teacher's view of every row of the dataset.
#[derive(Clone, Debug)]
pub struct TeacherOutput {
    /// Logits after the temperature (`softmax(logits) = probs`), one row per dataset row. For a
    /// synthetic teacher, the log of its probabilities.
    pub logits: Array2<f32>,
    /// Margin (top-1 minus top-2 probability) per row, computed from the logits in f64: f32
    /// probabilities saturate at 1 for logit gaps above about 17 and would tie confident rows.
    pub margins: Vec<f64>,
    /// Soft labels (after temperature), one row per dataset row.
    pub probs: Array2<f32>,
    /// Argmax of each row of `probs`.
    pub labels: Vec<usize>,
    /// For a synthetic teacher: the true probability that its label at each row is right.
    pub oracle_alpha: Option<Vec<f32>>,
    /// The trained teacher network (None for a synthetic teacher): VID and LELP read its hidden
    /// layer and classifier.
    pub net: Option<Mlp>,
}

/// Build the teacher for one seed. `x` is standardised, `y` the true labels (a synthetic teacher reads
/// them to corrupt them; a trained teacher sees only the rows of L).
pub fn build_teacher(
    cfg: &TeacherConfig,
    inputs: TeacherInputs,
    y: &[usize],
    classes: usize,
    split: &Split,
    temperature: f32,
    seed: u64,
) -> TeacherOutput {
    match cfg.kind {
        TeacherKind::Trained => {
            let mut training = TeacherTraining::new(cfg, inputs, classes, &split.labeled, seed);
            training.train(inputs, y, usize::MAX);
            trained_output(training.finish(), inputs.x, temperature)
        }
        TeacherKind::Synthetic => synthetic_output(cfg, inputs.x, y, classes, temperature, seed),
    }
}

/// A trained teacher's view of every row of `x`.
pub fn trained_output(net: Mlp, x: ArrayView2<f32>, temperature: f32) -> TeacherOutput {
    let mut labelling = Labelling::new(net, x.nrows(), temperature);
    labelling.advance(x, usize::MAX);
    labelling.finish()
}

/// A trained teacher's outputs on every row, computed a block of rows at a time (the blocks the
/// network's own prediction uses, so the numbers are those of one pass): on large data with a wide
/// teacher this is minutes of work a front end must be able to interrupt.
#[derive(Debug)]
pub struct Labelling {
    net: Mlp,
    logits: Array2<f32>,
    /// At temperature 1 the probabilities come from the network's own softmax.
    probs: Option<Array2<f32>>,
    temperature: f32,
    done: usize,
}

impl Labelling {
    /// Ready to label `rows` rows with `net`.
    pub fn new(net: Mlp, rows: usize, temperature: f32) -> Labelling {
        let c = net.classes();
        let probs = (temperature == 1.0).then(|| Array2::zeros((rows, c)));
        Labelling {
            net,
            logits: Array2::zeros((rows, c)),
            probs,
            temperature,
            done: 0,
        }
    }

    /// Rows labelled and to label.
    pub fn progress(&self) -> (usize, usize) {
        (self.done, self.logits.nrows())
    }

    /// Label up to `blocks` more blocks of rows of `x`; true once every row is labelled.
    pub fn advance(&mut self, x: ArrayView2<f32>, blocks: usize) -> bool {
        let (rows, c) = self.logits.dim();
        let block = self.net.capacity().max(1);
        for _ in 0..blocks {
            if self.done >= rows {
                break;
            }
            let n = block.min(rows - self.done);
            let part = x.slice(ndarray::s![self.done..self.done + n, ..]);
            let logits = self.net.predict_logits(part);
            self.logits.as_slice_mut().expect("contiguous")[self.done * c..(self.done + n) * c]
                .copy_from_slice(logits.as_slice().expect("contiguous"));
            if let Some(probs) = self.probs.as_mut() {
                let p = self.net.forward_block(part, 0, n);
                probs.as_slice_mut().expect("contiguous")[self.done * c..(self.done + n) * c]
                    .copy_from_slice(p);
            }
            self.done += n;
        }
        self.done >= rows
    }

    /// The teacher's output, once every row is labelled.
    pub fn finish(mut self) -> TeacherOutput {
        debug_assert!(
            self.done >= self.logits.nrows(),
            "label every row before finishing"
        );
        let probs = match self.probs.take() {
            Some(p) => p,
            None => probs_at_temperature(&self.logits, self.temperature),
        };
        output(
            probs,
            scaled(self.logits, self.temperature),
            None,
            Some(self.net),
        )
    }
}

/// A synthetic teacher's view of every row of `x`.
pub fn synthetic_output(
    cfg: &TeacherConfig,
    x: ArrayView2<f32>,
    y: &[usize],
    classes: usize,
    temperature: f32,
    seed: u64,
) -> TeacherOutput {
    let (p, a) = synthetic_teacher(cfg, x, y, classes, seed);
    let logits = log_probs(&p);
    let probs = if temperature == 1.0 {
        p
    } else {
        probs_at_temperature(&logits, temperature)
    };
    output(probs, scaled(logits, temperature), Some(a), None)
}

fn output(
    probs: Array2<f32>,
    logits: Array2<f32>,
    oracle_alpha: Option<Vec<f32>>,
    net: Option<Mlp>,
) -> TeacherOutput {
    let labels = probs
        .rows()
        .into_iter()
        .map(|r| crate::model::mlp::argmax(r.as_slice().expect("contiguous")))
        .collect();
    let margins = logits
        .rows()
        .into_iter()
        .map(|r| margin_from_logits(r.as_slice().expect("contiguous")))
        .collect();
    TeacherOutput {
        logits,
        margins,
        probs,
        labels,
        oracle_alpha,
        net,
    }
}

/// `log p` row by row (the logits of a synthetic teacher, up to a constant per row).
fn log_probs(p: &Array2<f32>) -> Array2<f32> {
    p.mapv(|v| libm::logf(v.max(1e-30)))
}

/// The logits divided by the temperature.
fn scaled(mut logits: Array2<f32>, tau: f32) -> Array2<f32> {
    if tau != 1.0 {
        logits.mapv_inplace(|z| z / tau);
    }
    logits
}

/// `softmax(z / tau)` row by row: the temperature acts on logits, never on clamped probabilities.
pub fn probs_at_temperature(logits: &Array2<f32>, tau: f32) -> Array2<f32> {
    let mut out = scaled(logits.clone(), tau);
    for mut row in out.rows_mut() {
        crate::model::softmax_in_place(row.as_slice_mut().expect("contiguous"));
    }
    out
}

/// Top-1 minus top-2 probability of `softmax(z)`, in f64 from the logits:
/// `(1 - exp(z2 - z1)) / sum_j exp(z_j - z1)`. Stays below 1 and strictly ordered for logit gaps
/// up to about 36, where f32 probabilities already read 1 and 0 at a gap of 17. 0 for one class.
pub fn margin_from_logits(z: &[f32]) -> f64 {
    let (mut a, mut b) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &v in z {
        let v = v as f64;
        if v > a {
            b = a;
            a = v;
        } else if v > b {
            b = v;
        }
    }
    if !b.is_finite() || !a.is_finite() {
        return 0.0;
    }
    let sum: f64 = z.iter().map(|&v| libm::exp(v as f64 - a)).sum();
    (1.0 - libm::exp(b - a)) / sum
}

/// The trained teacher's minibatch size (fewer when L is smaller).
pub const BATCH: usize = 32;

/// A trained teacher being fitted on the labeled rows (repeats allowed: a bootstrap sample) with
/// cross-entropy and Adam, a minibatch at a time, so that a front end can show progress and stop. Its
/// initial weights and batch order come from its own stream; with `shift` on image data, every visit
/// of an image shifts it at random, drawn from the augmentation stream.
#[derive(Debug)]
pub struct TeacherTraining {
    net: Mlp,
    opt: Optimizer,
    order: Vec<usize>,
    batch: usize,
    shifter: Option<Shifter>,
    rng: Rng,
    done: usize,
    epochs: usize,
    /// Position in the current epoch's batch order (0: the epoch has not started).
    cursor: usize,
}

impl TeacherTraining {
    /// The teacher of `seed`, fitted on `labeled`.
    pub fn new(
        cfg: &TeacherConfig,
        inputs: TeacherInputs,
        classes: usize,
        labeled: &[usize],
        seed: u64,
    ) -> TeacherTraining {
        TeacherTraining::with_streams(
            cfg,
            inputs,
            classes,
            labeled,
            Rng::new(seed, Stream::Teacher),
            Rng::sub(seed, Stream::Augment, 0),
        )
    }

    fn with_streams(
        cfg: &TeacherConfig,
        inputs: TeacherInputs,
        classes: usize,
        labeled: &[usize],
        mut rng: Rng,
        aug: Rng,
    ) -> TeacherTraining {
        let mut sizes = vec![inputs.x.ncols()];
        sizes.extend(&cfg.hidden);
        sizes.push(classes);
        let batch = labeled.len().clamp(1, BATCH);
        let net = Mlp::new(&sizes, batch, &mut rng);
        let opt = Optimizer::new(OptimizerKind::Adam, cfg.lr, 1e-4, &net);
        let shifter = match inputs.image {
            Some(shape) if cfg.shift > 0 => Some(Shifter::new(shape, cfg.shift, aug)),
            _ => None,
        };
        let epochs = if labeled.is_empty() { 0 } else { cfg.epochs };
        TeacherTraining {
            net,
            opt,
            order: labeled.to_vec(),
            batch,
            shifter,
            rng,
            done: 0,
            epochs,
            cursor: 0,
        }
    }

    /// Epochs done and to do.
    pub fn progress(&self) -> (usize, usize) {
        (self.done, self.epochs)
    }

    /// Minibatches in one epoch.
    pub fn batches_per_epoch(&self) -> usize {
        self.order.len().div_ceil(self.batch)
    }

    /// Train up to `batches` more minibatches (an epoch reshuffles the order as it starts); true once
    /// every epoch is done. Any split into calls gives the same network.
    pub fn train(&mut self, inputs: TeacherInputs, y: &[usize], batches: usize) -> bool {
        let TeacherTraining {
            net,
            opt,
            order,
            batch,
            shifter,
            rng,
            done,
            epochs,
            cursor,
        } = self;
        let mut left = batches;
        while *done < *epochs && left > 0 {
            if *cursor == 0 {
                rng.shuffle(order);
            }
            let end = (*cursor + *batch).min(order.len());
            let chunk = &order[*cursor..end];
            let forward = |net: &mut Mlp| match shifter.as_mut() {
                Some(s) => {
                    net.forward_filled(chunk.len(), |buf| {
                        s.fill(inputs.raw, inputs.scaler, chunk, buf)
                    });
                }
                None => {
                    net.forward_rows(inputs.x, chunk);
                }
            };
            train_step(net, opt, chunk.len(), forward, |r, f, g, scale| {
                cross_entropy_label(f, y[chunk[r]], g, scale)
            });
            left -= 1;
            *cursor = end;
            if end == order.len() {
                *cursor = 0;
                *done += 1;
            }
        }
        *done >= *epochs
    }

    /// The fitted network.
    pub fn finish(self) -> Mlp {
        self.net
    }
}

/// The trained teacher's last hidden layer (its embedding) for every row of `x`; None when the
/// teacher has no hidden layer.
pub fn embedding(net: &Mlp, x: ArrayView2<f32>) -> Option<Array2<f32>> {
    let layers = net.weights.len();
    if layers < 2 {
        return None;
    }
    let mut net = net.clone();
    let width = net.sizes[layers - 1];
    let mut out = Array2::zeros((x.nrows(), width));
    let chunk = crate::model::BLOCK;
    let mut start = 0;
    while start < x.nrows() {
        let n = chunk.min(x.nrows() - start);
        net.forward_block(x, start, n);
        out.as_slice_mut().expect("contiguous")[start * width..(start + n) * width]
            .copy_from_slice(net.hidden(layers - 1));
        start += n;
    }
    Some(out)
}

/// `members` more teachers of the same kind, for the spread of their opinions (UPS): a trained
/// teacher's siblings are fitted on bootstrap resamples of L from their own initial weights; a
/// synthetic teacher's are independent draws of the same noise model (same region, same per-row
/// accuracy), so they disagree exactly where the teacher is unreliable. Temperature as for the teacher.
#[allow(clippy::too_many_arguments)]
pub fn ensemble(
    cfg: &TeacherConfig,
    inputs: TeacherInputs,
    y: &[usize],
    classes: usize,
    split: &Split,
    temperature: f32,
    seed: u64,
    members: usize,
) -> Vec<Array2<f32>> {
    let x = inputs.x;
    let mut out = Vec::with_capacity(members);
    match cfg.kind {
        TeacherKind::Trained => {
            for m in 0..members {
                let mut rng = Rng::sub(seed, Stream::Teacher, m as u64);
                let l = &split.labeled;
                let sample: Vec<usize> = (0..l.len()).map(|_| l[rng.below(l.len())]).collect();
                let aug = Rng::sub(seed, Stream::Augment, m as u64 + 1);
                let mut training =
                    TeacherTraining::with_streams(cfg, inputs, classes, &sample, rng, aug);
                training.train(inputs, y, usize::MAX);
                let mut net = training.finish();
                out.push(if temperature == 1.0 {
                    net.predict_proba(x)
                } else {
                    probs_at_temperature(&net.predict_logits(x), temperature)
                });
            }
        }
        TeacherKind::Synthetic => {
            let mut rng = Rng::new(seed, Stream::TeacherNoise);
            let (alpha, wrong) = noise_profile(cfg, x, y, classes, &mut rng);
            for m in 0..members {
                let mut draw = Rng::sub(seed, Stream::TeacherNoise, m as u64);
                let p = synthetic_draw(cfg, &alpha, &wrong, y, classes, &mut draw);
                out.push(if temperature == 1.0 {
                    p
                } else {
                    probs_at_temperature(&log_probs(&p), temperature)
                });
            }
        }
    }
    out
}

/// Per-row standard deviation of each class probability over the ensemble members.
pub fn spread(members: &[Array2<f32>]) -> Option<Array2<f32>> {
    let first = members.first()?;
    let m = members.len() as f64;
    let mut out = Array2::zeros(first.raw_dim());
    for (idx, slot) in out.iter_mut().enumerate() {
        let values = members
            .iter()
            .map(|p| p.as_slice().expect("contiguous")[idx] as f64);
        let mean = values.clone().sum::<f64>() / m;
        let var = values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / m;
        *slot = var.sqrt() as f32;
    }
    Some(out)
}

/// Per-row probability that the synthetic teacher is right, and the wrong label it gives when not.
fn noise_profile(
    cfg: &TeacherConfig,
    x: ArrayView2<f32>,
    y: &[usize],
    classes: usize,
    rng: &mut Rng,
) -> (Vec<f32>, Vec<usize>) {
    let n = y.len();
    let pair = |c: usize| (c + 1) % classes;
    match cfg.noise {
        NoiseModel::Uniform => {
            let wrong = y
                .iter()
                .map(|&c| (c + 1 + rng.below(classes - 1)) % classes)
                .collect();
            (vec![1.0 - cfg.rate; n], wrong)
        }
        NoiseModel::ClassPair => (
            vec![1.0 - cfg.rate; n],
            y.iter().map(|&c| pair(c)).collect(),
        ),
        NoiseModel::Margin => {
            // Distance to the nearest row of another class measures closeness to the boundary; flips
            // are more likely near it, and go to that neighbouring class.
            let (dist, other) = nearest_other_class(x, y, classes, rng);
            let mut sorted = dist.clone();
            crate::order::sort_by(&mut sorted, &f32::total_cmp);
            let scale = sorted[n / 2].max(1e-6);
            let h: Vec<f32> = dist.iter().map(|d| libm::expf(-d / scale)).collect();
            let c = calibrate(&h, cfg.rate);
            let alpha = h.iter().map(|v| 1.0 - (c * v).min(0.95)).collect();
            (alpha, other)
        }
        NoiseModel::Region => {
            // A ball around a random row, holding enough rows that flipping 75% of them gives the
            // requested mean rate.
            const INSIDE: f32 = 0.75;
            let centre = x.row(rng.below(n)).to_owned();
            let d: Vec<f32> = x
                .rows()
                .into_iter()
                .map(|r| {
                    r.iter()
                        .zip(centre.iter())
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum()
                })
                .collect();
            let mut sorted = d.clone();
            crate::order::sort_by(&mut sorted, &f32::total_cmp);
            let members = ((cfg.rate / INSIDE) * n as f32).round() as usize;
            let radius = if members == 0 {
                -1.0
            } else {
                sorted[(members - 1).min(n - 1)]
            };
            let alpha = d
                .iter()
                .map(|&v| if v <= radius { 1.0 - INSIDE } else { 1.0 })
                .collect();
            (alpha, y.iter().map(|&c| pair(c)).collect())
        }
    }
}

/// The factor c with mean(min(c h, 0.95)) = rate (bisection; h in (0, 1]).
fn calibrate(h: &[f32], rate: f32) -> f32 {
    let mean = |c: f32| h.iter().map(|v| (c * v).min(0.95)).sum::<f32>() / h.len() as f32;
    let (mut lo, mut hi) = (0.0f32, 1.0f32);
    while mean(hi) < rate && hi < 1e6 {
        hi *= 2.0;
    }
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if mean(mid) < rate {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// For each row: the distance to the nearest row of another class (over a deterministic reference
/// sample of at most 2,000 rows, so large datasets stay fast), and that row's class.
fn nearest_other_class(
    x: ArrayView2<f32>,
    y: &[usize],
    classes: usize,
    rng: &mut Rng,
) -> (Vec<f32>, Vec<usize>) {
    let n = y.len();
    let mut reference = rng.permutation(n);
    reference.truncate(2000);
    reference.sort_unstable();
    let mut dist = vec![f32::INFINITY; n];
    let mut other = vec![0usize; n];
    for i in 0..n {
        let xi = x.row(i);
        for &j in &reference {
            if y[j] == y[i] {
                continue;
            }
            let d: f32 = xi
                .iter()
                .zip(x.row(j).iter())
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
            if d < dist[i] {
                dist[i] = d;
                other[i] = y[j];
            }
        }
        dist[i] = dist[i].sqrt();
        if !dist[i].is_finite() {
            dist[i] = 0.0;
            other[i] = (y[i] + 1) % classes;
        }
    }
    (dist, other)
}

/// A synthetic teacher: its top-1 label is right with the noise model's probability alpha(x); when
/// wrong, the true class is its runner-up (SLaM's noise model with k = 2). Its confidence tracks
/// alpha(x) up to `confidence_jitter`, floored so the given label stays on top.
fn synthetic_teacher(
    cfg: &TeacherConfig,
    x: ArrayView2<f32>,
    y: &[usize],
    classes: usize,
    seed: u64,
) -> (Array2<f32>, Vec<f32>) {
    let mut rng = Rng::new(seed, Stream::TeacherNoise);
    let (alpha, wrong) = noise_profile(cfg, x, y, classes, &mut rng);
    let probs = synthetic_draw(cfg, &alpha, &wrong, y, classes, &mut rng);
    (probs, alpha)
}

/// One draw of the synthetic teacher's soft labels given its per-row accuracy and wrong labels.
fn synthetic_draw(
    cfg: &TeacherConfig,
    alpha: &[f32],
    wrong: &[usize],
    y: &[usize],
    classes: usize,
    rng: &mut Rng,
) -> Array2<f32> {
    let n = y.len();
    let mut probs = Array2::zeros((n, classes));
    for i in 0..n {
        let correct = rng.uniform() < alpha[i];
        let (label, runner_up) = if correct {
            let r = if wrong[i] != y[i] {
                wrong[i]
            } else {
                (y[i] + 1) % classes
            };
            (y[i], r)
        } else {
            (wrong[i], y[i])
        };
        let conf = (alpha[i] + cfg.confidence_jitter * rng.normal()).clamp(0.52, 0.995);
        let rest = 1.0 - conf;
        let mut row = probs.row_mut(i);
        if classes == 2 {
            row[label] = conf;
            row[runner_up] = rest;
        } else {
            let spread = 0.25 * rest / (classes - 2) as f32;
            row.fill(spread);
            row[label] = conf;
            row[runner_up] = 0.75 * rest;
        }
    }
    probs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;

    const IDENTITY_2: fn() -> Standardizer = || Standardizer {
        mean: vec![0.0; 2],
        std: vec![1.0; 2],
    };

    fn plain<'a>(x: &'a Array2<f32>, scaler: &'a Standardizer) -> TeacherInputs<'a> {
        TeacherInputs {
            x: x.view(),
            raw: x.view(),
            scaler,
            image: None,
        }
    }

    fn toy(n: usize, classes: usize) -> (Array2<f32>, Vec<usize>) {
        let mut r = Rng::new(1, Stream::Data);
        let y: Vec<usize> = (0..n).map(|i| i % classes).collect();
        let x = Array2::from_shape_fn((n, 2), |(i, j)| {
            y[i] as f32 * if j == 0 { 2.0 } else { 0.0 } + r.normal()
        });
        (x, y)
    }

    fn synthetic(noise: NoiseModel, rate: f32, classes: usize) -> (TeacherOutput, Vec<usize>) {
        let (x, y) = toy(3000, classes);
        let cfg = TeacherConfig {
            kind: TeacherKind::Synthetic,
            noise,
            rate,
            ..TeacherConfig::default()
        };
        let split = Split {
            labeled: vec![0],
            validation: vec![1],
            unlabeled: (2..3000).collect(),
            test: vec![],
        };
        (
            build_teacher(&cfg, plain(&x, &IDENTITY_2()), &y, classes, &split, 1.0, 7),
            y,
        )
    }

    #[test]
    fn synthetic_error_rate_matches_the_requested_rate() {
        for noise in [
            NoiseModel::Uniform,
            NoiseModel::ClassPair,
            NoiseModel::Margin,
            NoiseModel::Region,
        ] {
            for classes in [2, 4] {
                let (t, y) = synthetic(noise, 0.25, classes);
                let err =
                    t.labels.iter().zip(&y).filter(|(a, b)| a != b).count() as f32 / y.len() as f32;
                assert!(
                    (err - 0.25).abs() < 0.03,
                    "{noise:?} C={classes}: error {err}"
                );
                // The oracle alpha is the expected correctness: its mean matches the observed accuracy.
                let a = t.oracle_alpha.as_ref().unwrap();
                let mean_alpha = a.iter().sum::<f32>() / a.len() as f32;
                assert!(
                    (mean_alpha - (1.0 - err)).abs() < 0.03,
                    "{noise:?}: {mean_alpha} vs {}",
                    1.0 - err
                );
            }
        }
    }

    #[test]
    fn wrong_labels_have_the_truth_as_runner_up() {
        let (t, y) = synthetic(NoiseModel::Uniform, 0.3, 5);
        for (i, row) in t.probs.rows().into_iter().enumerate() {
            assert!((row.sum() - 1.0).abs() < 1e-5);
            if t.labels[i] != y[i] {
                let r = row.as_slice().unwrap();
                assert_eq!(crate::estimators::k::rank_of(r, y[i]), 1, "row {i}: {r:?}");
            }
        }
    }

    #[test]
    fn margin_noise_concentrates_near_the_boundary() {
        let (x, y) = toy(2000, 2);
        let cfg = TeacherConfig {
            kind: TeacherKind::Synthetic,
            noise: NoiseModel::Margin,
            rate: 0.2,
            ..TeacherConfig::default()
        };
        let split = Split {
            labeled: vec![0],
            validation: vec![1],
            unlabeled: vec![2],
            test: vec![],
        };
        let t = build_teacher(&cfg, plain(&x, &IDENTITY_2()), &y, 2, &split, 1.0, 3);
        let a = t.oracle_alpha.unwrap();
        // Class centres are at x0 = 0 and 2: points near x0 = 1 are near the boundary.
        let (mut near, mut far) = (Vec::new(), Vec::new());
        for i in 0..2000 {
            if (x[[i, 0]] - 1.0).abs() < 0.3 {
                near.push(a[i])
            } else if (x[[i, 0]] - 1.0).abs() > 1.5 {
                far.push(a[i])
            }
        }
        let mean = |v: &Vec<f32>| v.iter().sum::<f32>() / v.len() as f32;
        assert!(
            mean(&near) + 0.15 < mean(&far),
            "near {} far {}",
            mean(&near),
            mean(&far)
        );
    }

    #[test]
    fn trained_teacher_learns_from_labeled_rows_only() {
        let (x, y) = toy(600, 3);
        let cfg = TeacherConfig {
            hidden: vec![16],
            epochs: 100,
            ..TeacherConfig::default()
        };
        let split = Split {
            labeled: (0..60).collect(),
            validation: vec![60],
            unlabeled: (61..600).collect(),
            test: vec![],
        };
        let t = build_teacher(&cfg, plain(&x, &IDENTITY_2()), &y, 3, &split, 1.0, 1);
        let acc = (61..600).filter(|&i| t.labels[i] == y[i]).count() as f32 / 539.0;
        assert!(acc > 0.7, "teacher accuracy on U {acc}");
        // Changing labels outside L does not change the teacher.
        let mut y2 = y.clone();
        for v in y2.iter_mut().skip(60) {
            *v = 0;
        }
        let t2 = build_teacher(&cfg, plain(&x, &IDENTITY_2()), &y2, 3, &split, 1.0, 1);
        assert_eq!(t.probs, t2.probs);
    }

    #[test]
    fn temperature_flattens_and_keeps_the_argmax() {
        let z = Array2::from_shape_vec((1, 3), vec![0.7f32, 0.2, 0.1])
            .unwrap()
            .mapv(|v| v.ln());
        let p = probs_at_temperature(&z, 2.0);
        assert!(p[[0, 0]] < 0.7 && p[[0, 0]] > p[[0, 1]] && p[[0, 1]] > p[[0, 2]]);
        assert!((p.sum() - 1.0).abs() < 1e-6);
    }

    /// A very confident teacher (logit gap 100) at temperature 10 is softmax of a gap of 10. Taking
    /// the log of its clamped f32 probabilities instead (log 1 = 0, log 1e-30 = -69) gave a gap of 6.9.
    #[test]
    fn temperature_divides_the_logits_not_clamped_probabilities() {
        let z = Array2::from_shape_vec((1, 2), vec![100.0f32, 0.0]).unwrap();
        let p = probs_at_temperature(&z, 10.0);
        let want = 1.0 / (1.0 + (-10.0f64).exp());
        assert!(
            (p[[0, 0]] as f64 - want).abs() < 1e-6,
            "{} vs {want}",
            p[[0, 0]]
        );
        assert!((margin_from_logits(&[10.0, 0.0]) - (2.0 * want - 1.0)).abs() < 1e-12);
    }

    /// Logit gaps of 20, 25 and 30 round to probability 1 in f32 (a margin of exactly 1 each, a
    /// three-way tie for the isotonic fit); from the logits in f64 they stay ordered.
    #[test]
    fn margins_from_logits_keep_confident_rows_apart() {
        let rows = [[20.0f32, 0.0, -1.0], [25.0, 0.0, -1.0], [30.0, 0.0, -1.0]];
        let from_probs: Vec<f32> = rows
            .iter()
            .map(|z| {
                let mut p = z.to_vec();
                crate::model::softmax_in_place(&mut p);
                crate::estimators::margin(&p)
            })
            .collect();
        assert_eq!(from_probs, vec![1.0; 3], "f32 probabilities saturate");
        let m: Vec<f64> = rows.iter().map(|z| margin_from_logits(z)).collect();
        assert!(m[0] < m[1] && m[1] < m[2] && m[2] < 1.0, "{m:?}");
        // And it is the margin of the probabilities wherever those are exact.
        let z = [1.5f32, -0.5, 0.25];
        let mut p = z.to_vec();
        crate::model::softmax_in_place(&mut p);
        assert!((margin_from_logits(&z) - crate::estimators::margin(&p) as f64).abs() < 1e-6);
    }

    /// A trained teacher's margins come from its logits: on a toy problem fitted hard enough to
    /// saturate, rows whose f32 probabilities tie at 1 still get distinct margins.
    #[test]
    fn a_trained_teachers_confident_rows_are_not_tied() {
        let (x, y) = toy(400, 2);
        let cfg = TeacherConfig {
            hidden: vec![32],
            epochs: 400,
            lr: 0.05,
            ..TeacherConfig::default()
        };
        let split = Split {
            labeled: (0..100).collect(),
            validation: vec![100],
            unlabeled: (101..400).collect(),
            test: vec![],
        };
        let t = build_teacher(&cfg, plain(&x, &IDENTITY_2()), &y, 2, &split, 1.0, 1);
        // Rows whose f32 probabilities read exactly 1 and 0, with a logit gap below 36 (beyond that
        // even f64 rounds the margin to 1, at an error rate of e^-36).
        let gap = |i: usize| (t.logits[[i, 0]] - t.logits[[i, 1]]).abs();
        let saturated: Vec<usize> = (0..400)
            .filter(|&i| {
                crate::estimators::margin(t.probs.row(i).as_slice().unwrap()) == 1.0
                    && gap(i) < 35.0
            })
            .collect();
        assert!(
            saturated.len() >= 10,
            "the toy teacher should saturate some rows, got {}",
            saturated.len()
        );
        let mut by_gap = saturated.clone();
        by_gap.sort_by(|&a, &b| gap(a).total_cmp(&gap(b)));
        for w in by_gap.windows(2) {
            if gap(w[0]) < gap(w[1]) {
                assert!(
                    t.margins[w[0]] < t.margins[w[1]],
                    "gaps {} < {} but margins {} vs {}",
                    gap(w[0]),
                    gap(w[1]),
                    t.margins[w[0]],
                    t.margins[w[1]]
                );
            }
        }
        assert!(saturated.iter().all(|&i| t.margins[i] < 1.0));
    }
}
