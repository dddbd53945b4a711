//! The trained teacher: a wider MLP fitted on L with cross-entropy and Adam, a minibatch at a time,
//! then labelling every row a block at a time, so a front end can show progress and stop.

use ndarray::{Array2, ArrayView2};

use super::{output, probs_at_temperature, scaled, TeacherInputs, TeacherOutput};
use crate::config::TeacherConfig;
use crate::data::augment::Shifter;
use crate::losses::cross_entropy_label;
use crate::model::{train_step, Mlp, Optimizer, OptimizerKind};
use crate::rng::{Rng, Stream};

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

    pub(super) fn with_streams(
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
