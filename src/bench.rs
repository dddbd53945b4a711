//! The standard performance workloads, shared by the native benchmarks (`benches/epoch.rs`, the
//! `slam-bench` binary) and the browser benchmark page (`www/bench/`, through [`web::BenchTrainer`]).
//!
//! Each workload is a fixed dataset with a synthetic teacher (soft labels, per-row alpha, top-k mask)
//! and a student MLP trained with the engine's own pieces (the [`Mlp`], the [`Optimizer`] and the
//! losses of [`crate::losses`]), exactly as `experiment::StudentRun` trains a core method, minus the
//! per-epoch evaluation. One epoch visits every row once, in order, in minibatches of [`BATCH`], with
//! Adam (lr 0.01, no weight decay, so TensorFlow.js's plain Adam does the same arithmetic).
//!
//! | name | data | rows per epoch | student |
//! | --- | --- | --- | --- |
//! | `W1` | 2-D spirals, 3 classes (seeded generator) | 5,000 | 2-32-32-3 |
//! | `W2` | scikit-learn digits 8x8 (built in) | 1,797 | 64-64-10 |
//! | `W3` | MNIST subset (`www/data/mnist.bin`): its first 3,000 digits, the size the page's MNIST preset draws | 3,000 | 784-128-10 |
//!
//! Features are standardised over all rows. The same code builds the same bits natively and in wasm.

use ndarray::Array2;

use crate::data::{self, Dataset, GeneratorParams, Standardizer};
use crate::losses;
use crate::model::{Mlp, Optimizer, OptimizerKind};
use crate::rng::{Rng, Stream};
use crate::{Error, Result};

/// Minibatch size of every workload.
pub const BATCH: usize = 64;
/// Adam learning rate of every workload.
pub const LR: f32 = 0.01;
/// Top-k classes SLaM mixes over.
pub const TOP_K: usize = 2;
/// Seed of the data, the teacher and the student's initial weights.
pub const SEED: u64 = 7;
/// Names of the standard workloads, in order.
pub const WORKLOADS: [&str; 3] = ["W1", "W2", "W3"];
/// Rows of the MNIST pool W3 trains on.
pub const W3_ROWS: usize = 3_000;

/// Which loss an epoch trains with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// Cross-entropy on the teacher's soft labels.
    Vanilla,
    /// Student-Label Mixing on the teacher's soft labels.
    Slam,
}

impl Loss {
    /// Both losses, in report order.
    pub const ALL: [Loss; 2] = [Loss::Vanilla, Loss::Slam];

    /// `vanilla` or `slam`.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Vanilla => "vanilla",
            Loss::Slam => "slam",
        }
    }

    /// Parse `vanilla` or `slam`.
    pub fn parse(s: &str) -> Result<Loss> {
        match s {
            "vanilla" => Ok(Loss::Vanilla),
            "slam" => Ok(Loss::Slam),
            _ => Err(Error::Unknown {
                kind: "loss",
                name: s.to_string(),
                known: "vanilla, slam".into(),
            }),
        }
    }
}

/// A workload's data and teacher, and the student's layer sizes.
#[derive(Clone, Debug)]
pub struct Workload {
    /// `W1`, `W2` or `W3`.
    pub name: String,
    /// Standardised features, `rows x dim`.
    pub x: Array2<f32>,
    /// True class per row.
    pub y: Vec<usize>,
    /// The teacher's soft labels, `rows x classes`.
    pub soft: Array2<f32>,
    /// 0/1 mask of the teacher's top-k classes, `rows x classes`.
    pub top: Array2<f32>,
    /// alpha per row (chance the teacher's top label is right), in [0.3, 1].
    pub alpha: Vec<f32>,
    /// Layer widths of the student: input, hidden..., classes.
    pub sizes: Vec<usize>,
}

impl Workload {
    /// Build workload `name` (`W1`, `W2`, `W3`); W3 needs the MNIST pool bytes (`www/data/mnist.bin`).
    pub fn new(name: &str, mnist: Option<&[u8]>) -> Result<Workload> {
        let (ds, hidden): (Dataset, Vec<usize>) = match name {
            "W1" => {
                let params = GeneratorParams {
                    samples: 5_000,
                    noise: 0.05,
                    classes: 3,
                };
                (
                    data::load_builtin("spirals", &params, &mut Rng::new(SEED, Stream::Data))?,
                    vec![32, 32],
                )
            }
            "W2" => (
                data::load_builtin(
                    "digits",
                    &GeneratorParams {
                        samples: 0,
                        noise: 0.0,
                        classes: 0,
                    },
                    &mut Rng::new(SEED, Stream::Data),
                )?,
                vec![64],
            ),
            "W3" => {
                let bytes = mnist.ok_or_else(|| {
                    Error::Data(
                        "W3 needs the MNIST subset (www/data/mnist.bin, built by scripts/build.sh)"
                            .into(),
                    )
                })?;
                let mut ds = data::mnist::parse(bytes)?;
                let rows: Vec<usize> = (0..W3_ROWS.min(ds.len())).collect();
                ds.x = data::split::select_rows(&ds.x, &rows);
                ds.y.truncate(rows.len());
                (ds, vec![128])
            }
            _ => {
                return Err(Error::Unknown {
                    kind: "workload",
                    name: name.to_string(),
                    known: WORKLOADS.join(", "),
                })
            }
        };
        Ok(Workload::from_dataset(name, ds, &hidden))
    }

    /// A workload on any dataset: standardise it, draw a teacher, size the student.
    pub fn from_dataset(name: &str, mut ds: Dataset, hidden: &[usize]) -> Workload {
        let all: Vec<usize> = (0..ds.len()).collect();
        Standardizer::fit(ds.x.view(), &all).apply(&mut ds.x);
        let classes = ds.n_classes;
        let n = ds.len();
        let mut rng = Rng::new(SEED, Stream::Teacher);
        let mut soft = Array2::zeros((n, classes));
        let mut top = Array2::zeros((n, classes));
        let mut alpha = Vec::with_capacity(n);
        let mut logits = vec![0.0f32; classes];
        for i in 0..n {
            // A teacher that is right 80% of the time, with confidence loosely tracking correctness.
            let right = rng.uniform() < 0.8;
            let label = if right || classes < 2 {
                ds.y[i]
            } else {
                (ds.y[i] + 1 + rng.below(classes - 1)) % classes
            };
            for (c, l) in logits.iter_mut().enumerate() {
                *l = rng.normal() * 0.5
                    + if c == label {
                        2.0 + rng.uniform() * 2.0
                    } else {
                        0.0
                    };
            }
            crate::model::softmax_in_place(&mut logits);
            let row = soft.row_mut(i).into_slice().expect("contiguous");
            row.copy_from_slice(&logits);
            losses::top_k_mask(
                row,
                TOP_K.min(classes),
                top.row_mut(i).into_slice().expect("contiguous"),
            );
            alpha.push(if right {
                0.7 + 0.3 * rng.uniform()
            } else {
                0.3 + 0.4 * rng.uniform()
            });
        }
        let mut sizes = vec![ds.dim()];
        sizes.extend_from_slice(hidden);
        sizes.push(classes);
        Workload {
            name: name.to_string(),
            x: ds.x,
            y: ds.y,
            soft,
            top,
            alpha,
            sizes,
        }
    }

    /// Rows per epoch.
    pub fn rows(&self) -> usize {
        self.x.nrows()
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        *self.sizes.last().expect("sizes")
    }

    /// Floating-point operations of the matrix products in one epoch (2 per multiply-add): the
    /// forward pass, the weight gradients, and the deltas of every layer but the first.
    pub fn flops_per_epoch(&self) -> f64 {
        let mut per_row = 0.0;
        for l in 0..self.sizes.len() - 1 {
            let macs = (self.sizes[l] * self.sizes[l + 1]) as f64;
            per_row += if l == 0 { 2.0 * macs } else { 3.0 * macs };
        }
        2.0 * per_row * self.rows() as f64
    }
}

/// A student training on a workload with the engine's MLP, Adam and losses.
#[derive(Clone, Debug)]
pub struct Trainer {
    /// The data and teacher.
    pub workload: Workload,
    /// The loss.
    pub loss: Loss,
    /// The student.
    pub net: Mlp,
    opt: Optimizer,
    order: Vec<usize>,
    scratch: Vec<f32>,
}

impl Trainer {
    /// A fresh student (He-normal weights from [`SEED`]) for `workload` and `loss`.
    pub fn new(workload: Workload, loss: Loss) -> Trainer {
        let net = Mlp::new(
            &workload.sizes,
            BATCH,
            &mut Rng::new(SEED, Stream::StudentInit),
        );
        let opt = Optimizer::new(OptimizerKind::Adam, LR, 0.0, &net);
        let order = (0..workload.rows()).collect();
        let scratch = vec![0.0; workload.classes()];
        Trainer {
            workload,
            loss,
            net,
            opt,
            order,
            scratch,
        }
    }

    /// One epoch: every row once, in order, minibatches of [`BATCH`]. Returns the mean loss.
    pub fn epoch(&mut self) -> f32 {
        let n = self.workload.rows();
        let mut total = 0.0f64;
        let mut start = 0;
        while start < n {
            let end = (start + BATCH).min(n);
            total += self.batch(start, end) as f64;
            start = end;
        }
        (total / n.max(1) as f64) as f32
    }

    /// Train on rows `start..end`; returns the summed loss (the kernels crate's minibatch, built
    /// for speed like the kernels it times).
    pub fn batch(&mut self, start: usize, end: usize) -> f32 {
        let w = &self.workload;
        let slam = slam_kernels::step::SlamTargets {
            top: w.top.view(),
            alpha: &w.alpha,
            k: TOP_K,
        };
        slam_kernels::step::soft_label_batch(
            &mut self.net,
            &mut self.opt,
            w.x.view(),
            &self.order[start..end],
            w.soft.view(),
            match self.loss {
                Loss::Vanilla => None,
                Loss::Slam => Some(&slam),
            },
            &mut self.scratch,
        )
    }

    /// Every parameter of the student, layer by layer (weights then biases), for bit comparisons.
    pub fn parameters(&self) -> Vec<f32> {
        let mut out = Vec::with_capacity(self.net.parameter_count());
        for (w, b) in self.net.weights.iter().zip(&self.net.biases) {
            out.extend(w.iter());
            out.extend(b.iter());
        }
        out
    }
}

/// One matrix product at a fixed shape on fixed random data, for kernel benchmarks.
#[derive(Clone, Debug)]
pub struct KernelCase {
    /// `matmul` (forward), `at_b` (weight gradients) or `a_bt` (deltas).
    pub op: String,
    /// The product's shape as the layer sees it: batch rows, fan-in, fan-out.
    pub m: usize,
    /// Fan-in.
    pub k: usize,
    /// Fan-out.
    pub n: usize,
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
}

impl KernelCase {
    /// The product a layer of `k -> n` runs on a batch of `m` rows: `matmul` (a: m x k, b: k x n),
    /// `at_b` (a: m x k, b: m x n, c: k x n) or `a_bt` (a: m x n, b: k x n, c: m x k).
    pub fn new(op: &str, m: usize, k: usize, n: usize) -> Result<KernelCase> {
        let mut r = Rng::new(SEED, Stream::Data);
        let mut draw = |len: usize| -> Vec<f32> { (0..len).map(|_| r.range(-1.0, 1.0)).collect() };
        let (a, b, c) = match op {
            "matmul" => (draw(m * k), draw(k * n), vec![0.0; m * n]),
            "at_b" => (draw(m * k), draw(m * n), vec![0.0; k * n]),
            "a_bt" => (draw(m * n), draw(k * n), vec![0.0; m * k]),
            _ => {
                return Err(Error::Unknown {
                    kind: "kernel",
                    name: op.to_string(),
                    known: "matmul, at_b, a_bt".into(),
                })
            }
        };
        Ok(KernelCase {
            op: op.to_string(),
            m,
            k,
            n,
            a,
            b,
            c,
        })
    }

    /// Run the product `reps` times; returns one output value (so the work cannot be skipped).
    pub fn run(&mut self, reps: usize) -> f32 {
        let (m, k, n) = (self.m, self.k, self.n);
        for _ in 0..reps {
            match self.op.as_str() {
                "matmul" => crate::linalg::matmul(&self.a, &self.b, &mut self.c, m, k, n),
                "at_b" => crate::linalg::matmul_at_b(&self.a, &self.b, &mut self.c, m, k, n),
                _ => crate::linalg::matmul_a_bt(&self.a, &self.b, &mut self.c, m, n, k),
            }
        }
        self.c[self.c.len() / 2]
    }

    /// Floating-point operations of one product.
    pub fn flops(&self) -> f64 {
        2.0 * (self.m * self.k * self.n) as f64
    }
}

/// The products of the standard workloads' layers at batch [`BATCH`]: `(op, m, k, n)`.
pub fn kernel_shapes() -> Vec<(&'static str, usize, usize, usize)> {
    let mut v = Vec::new();
    for &(k, n, first) in &[
        (784, 128, true),
        (128, 10, false),
        (64, 64, true),
        (64, 10, false),
        (32, 32, false),
        (2, 32, true),
    ] {
        v.push(("matmul", BATCH, k, n));
        v.push(("at_b", BATCH, k, n));
        if !first {
            v.push(("a_bt", BATCH, k, n));
        }
    }
    v
}

/// A 64-bit FNV-1a hash of the bits of `values`: a short fingerprint for bit-identity checks.
pub fn fingerprint(values: &[f32]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for v in values {
        for byte in v.to_bits().to_le_bytes() {
            h ^= byte as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The browser side of the benchmark page (`www/bench/`).
#[cfg(target_arch = "wasm32")]
pub mod web {
    use wasm_bindgen::prelude::*;

    use super::{KernelCase, Loss, Trainer, Workload};
    use crate::linalg::{self, Kernels};

    /// Select the matrix kernels (`reference` or `simd128`); returns the name of those in use.
    #[wasm_bindgen(js_name = setKernels)]
    pub fn set_kernels(name: &str) -> Result<String, JsError> {
        let k = match name {
            "reference" => Kernels::Reference,
            "simd128" | "best" => linalg::best_kernels(),
            _ => {
                return Err(JsError::new(&format!(
                    "unknown kernels `{name}` (reference, simd128)"
                )))
            }
        };
        linalg::set_kernels(k);
        Ok(linalg::kernel_name().to_string())
    }

    /// The throughput probe (see `linalg::throughput_probe`): returns the floating-point operations
    /// it ran; the caller times it.
    #[wasm_bindgen(js_name = throughputProbe)]
    pub fn throughput_probe(iters: u32) -> f64 {
        let kind = linalg::best_kernels();
        std::hint::black_box(linalg::throughput_probe(kind, iters as usize));
        2.0 * 12.0 * linalg::lanes(kind) as f64 * iters as f64
    }

    /// One matrix product at a fixed shape, for kernel benchmarks (see [`KernelCase`]).
    #[wasm_bindgen]
    pub struct BenchKernel {
        inner: KernelCase,
    }

    #[wasm_bindgen]
    impl BenchKernel {
        /// `op` is `matmul`, `at_b` or `a_bt`; the shape is the layer's (batch, fan-in, fan-out).
        #[wasm_bindgen(constructor)]
        pub fn new(op: &str, m: u32, k: u32, n: u32) -> Result<BenchKernel, JsError> {
            let inner = KernelCase::new(op, m as usize, k as usize, n as usize)
                .map_err(|e| JsError::new(&e.to_string()))?;
            Ok(BenchKernel { inner })
        }

        /// Run the product `reps` times.
        pub fn run(&mut self, reps: u32) -> f32 {
            self.inner.run(reps as usize)
        }

        /// Floating-point operations of one product.
        pub fn flops(&self) -> f64 {
            self.inner.flops()
        }
    }

    /// A workload and a student, driven epoch by epoch from JavaScript.
    #[wasm_bindgen]
    pub struct BenchTrainer {
        inner: Trainer,
    }

    #[wasm_bindgen]
    impl BenchTrainer {
        /// `workload` is `W1`, `W2` or `W3` (then `mnist` holds `data/mnist.bin`); `loss` is
        /// `vanilla` or `slam`.
        #[wasm_bindgen(constructor)]
        pub fn new(
            workload: &str,
            loss: &str,
            mnist: Option<Vec<u8>>,
        ) -> Result<BenchTrainer, JsError> {
            let w = Workload::new(workload, mnist.as_deref())
                .map_err(|e| JsError::new(&e.to_string()))?;
            let loss = Loss::parse(loss).map_err(|e| JsError::new(&e.to_string()))?;
            Ok(BenchTrainer {
                inner: Trainer::new(w, loss),
            })
        }

        /// Train `n` epochs; returns the last epoch's mean loss.
        pub fn epochs(&mut self, n: u32) -> f32 {
            let mut loss = f32::NAN;
            for _ in 0..n {
                loss = self.inner.epoch();
            }
            loss
        }

        /// Rows per epoch.
        pub fn rows(&self) -> u32 {
            self.inner.workload.rows() as u32
        }

        /// Layer widths: input, hidden..., classes.
        pub fn sizes(&self) -> js_sys::Uint32Array {
            let s: Vec<u32> = self
                .inner
                .workload
                .sizes
                .iter()
                .map(|&v| v as u32)
                .collect();
            js_sys::Uint32Array::from(s.as_slice())
        }

        /// Standardised features, row-major.
        pub fn x(&self) -> js_sys::Float32Array {
            js_sys::Float32Array::from(self.inner.workload.x.as_slice().unwrap_or(&[]))
        }

        /// Teacher soft labels, row-major.
        pub fn soft(&self) -> js_sys::Float32Array {
            js_sys::Float32Array::from(self.inner.workload.soft.as_slice().unwrap_or(&[]))
        }

        /// Top-k masks, row-major.
        pub fn top(&self) -> js_sys::Float32Array {
            js_sys::Float32Array::from(self.inner.workload.top.as_slice().unwrap_or(&[]))
        }

        /// alpha per row.
        pub fn alpha(&self) -> js_sys::Float32Array {
            js_sys::Float32Array::from(self.inner.workload.alpha.as_slice())
        }

        /// Floating-point operations of the matrix products in one epoch.
        #[wasm_bindgen(js_name = flopsPerEpoch)]
        pub fn flops_per_epoch(&self) -> f64 {
            self.inner.workload.flops_per_epoch()
        }

        /// Hex fingerprint of the student's parameters (bit-identity with the native build).
        pub fn fingerprint(&self) -> String {
            format!("{:016x}", super::fingerprint(&self.inner.parameters()))
        }
    }
}
