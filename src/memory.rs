//! How much memory a run takes at its peak, estimated before anything large is built, and the
//! budget a run must fit: settings inside every key's limits can still multiply into more than a
//! browser tab can hold (`student.hidden = [1024, 1024, 1024, 1024]` with `student.batch_size =
//! 65536` needs about 16 GiB), and a wasm engine out of memory dies with `unreachable`. The check
//! refuses such settings up front, naming the key to change and the largest value that fits.
//!
//! The estimate is an upper bound on the bytes alive at once, from the config, the data's shape and
//! what the methods hold ([`Needs`]). It counts the largest of two moments:
//! - preparing the seed: the data and its copies, the teacher fitted with its optimiser, its
//!   embedding, UPS's ensemble;
//! - the session the page keeps: every method's student at once (network, gradients, optimiser
//!   state, activation and delta buffers for `max(batch_size, BLOCK)` rows), the shared initial
//!   student (twice, while a new one is drawn), method extras (look-ahead copies, regressors, wider
//!   outputs, per-row state), the kept teacher, decision maps.
//!
//! A batch run trains one student at a time and stays below it. Indices count 8 bytes (wasm32's are
//! 4), so the native engine and the page refuse the same settings. `tests/memory.rs` holds the
//! estimate against allocations counted while sessions run.

use crate::config::{Config, TeacherKind};
use crate::model::{OptimizerKind, BLOCK};
use crate::{Error, Result};

/// The most a run may need, in bytes: 1 GiB. A wasm32 engine addresses at most 4 GiB and browsers
/// often grant less (phones, 32-bit builds); the allocator never returns freed pages and fragments
/// them, and a growing buffer briefly holds two copies; besides its session's engine the page runs
/// one more per core for a multi-seed run. A quarter of the address space per engine leaves room
/// for all of that, and still takes the page's largest tested settings (eight layers of 1,024
/// units on 200,000 points: about 985 MiB). Natively each seed of a run takes as much, and `run`
/// trains one seed per core.
pub const BUDGET: u64 = 1 << 30;

/// The budget runs are checked against: [`BUDGET`] unless a front end sets its own (the command
/// line, whose data can be far larger than a page's, sets [`NATIVE_BUDGET`]).
static IN_FORCE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(BUDGET);

/// The command line's budget per seed: 6 GiB (it runs one seed per core; the machines it is
/// documented for have 24 GiB).
pub const NATIVE_BUDGET: u64 = 6 << 30;

/// The budget in force, in bytes.
pub fn budget() -> u64 {
    IN_FORCE.load(std::sync::atomic::Ordering::Relaxed)
}

/// Set the budget runs are checked against, for the whole process.
pub fn set_budget(bytes: u64) {
    IN_FORCE.store(bytes, std::sync::atomic::Ordering::Relaxed);
}

const F: u64 = 4; // f32
const I: u64 = 8; // an index, counted at its native size on every platform
const D: u64 = 8; // f64

/// Decision maps are at most this many cells on a side (`Session::grid`).
const GRID_RES: u64 = 256;
/// What the estimate does not itemise (names, small vectors, serialisation buffers).
const FIXED: u64 = 4 << 20;
/// Bytes per row of preparing a seed beside the features and the per-class arrays: the labels,
/// the split, the rows trained on, alpha before and after its clamp, the margins, the teacher's
/// labels and oracle alpha, and the transient lists of drawing, splitting and noise.
const PREP_PER_ROW: u64 = 128;
/// Per row and class while preparing: the teacher's logits, probabilities (and their copy at a
/// temperature), top-k and argmax masks, a synthetic teacher's draw.
const PREP_PER_ROW_CLASS: u64 = 6 * F;
/// Per row of the session beside the methods: the plot's points and the arrays the page reads.
const SESSION_PER_ROW: u64 = 64;
/// Per row of each method's run: its training rows, this epoch's rows, an evaluation's rows.
const RUN_PER_ROW: u64 = 3 * I;

/// What one method holds beside a plain student (network, optimiser state, the run's lists of rows).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MethodMemory {
    /// Bytes per data row of its own state (weights, masks, lists of rows).
    pub per_row: u64,
    /// Numbers (f32) per data row and class (UPS's negative labels, predictions it reads).
    pub per_row_class: u64,
    /// A look-ahead copy of the student with its per-batch scratch (ALM, L2T).
    pub lookahead: bool,
    /// A regressor from the student's last hidden layer to the teacher's, with Adam (VID).
    pub regressor: bool,
    /// Its own student with `lelp_subclasses` outputs per class, and subclass targets per row (LELP).
    pub subclasses: bool,
}

impl MethodMemory {
    /// A method that holds nothing beside its student.
    pub const PLAIN: MethodMemory = MethodMemory {
        per_row: 0,
        per_row_class: 0,
        lookahead: false,
        regressor: false,
        subclasses: false,
    };
}

/// What the methods of a run need of their seed: the teacher views they read, and what they hold
/// (summed over the methods), for the memory estimate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// The trained teacher's last hidden layer (VID, LELP).
    pub embedding: bool,
    /// The spread of an ensemble of teachers (UPS).
    pub ensemble: bool,
    /// Students trained, one per method.
    pub students: u64,
    /// Bytes per data row of the methods' own state.
    pub per_row: u64,
    /// Numbers per data row and class of the methods' own state.
    pub per_row_class: u64,
    /// Look-ahead copies of the student.
    pub lookaheads: u64,
    /// Regressors onto the teacher's embedding.
    pub regressors: u64,
    /// Students with subclass outputs.
    pub subclass_students: u64,
}

impl Needs {
    /// Add one method's holdings.
    pub fn add(&mut self, m: &MethodMemory) {
        self.students += 1;
        self.per_row += m.per_row;
        self.per_row_class += m.per_row_class;
        self.lookaheads += m.lookahead as u64;
        self.regressors += m.regressor as u64;
        self.subclass_students += m.subclasses as u64;
    }
}

/// The data as the estimate sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Rows, hand-added points included.
    pub rows: usize,
    /// Hand-added rows among them.
    pub added: usize,
    /// Feature columns.
    pub dim: usize,
    /// Classes.
    pub classes: usize,
    /// Bytes of the table the data source holds (an upload, the MNIST pool; 0 for generators).
    pub source_bytes: u64,
    /// When the rows follow `samples`, the most the source can give (a generator: any number, the
    /// MNIST pool: its size); None when they do not (a table, a fixed real dataset).
    pub drawn_up_to: Option<usize>,
}

/// The parts of the estimate, each driven by one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    StudentBuffers,
    StudentWeights,
    Teacher,
    Ensemble,
    Subclasses,
    Rows,
}

const PARTS: [Part; 6] = [
    Part::StudentBuffers,
    Part::StudentWeights,
    Part::Teacher,
    Part::Ensemble,
    Part::Subclasses,
    Part::Rows,
];

/// A run's peak memory, estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// Bytes at the larger of the two moments.
    pub bytes: u64,
    /// Bytes of each part at that moment, in [`PARTS`] order.
    parts: [u64; 6],
    /// Networks whose buffers and weights the student parts count.
    networks: u64,
}

impl Estimate {
    fn part(&self, p: Part) -> u64 {
        self.parts[PARTS.iter().position(|&q| q == p).expect("a part")]
    }
}

/// Parameters and activation-plus-delta width of an MLP with these layer sizes.
fn mlp(sizes: &[usize]) -> (u64, u64) {
    let params = sizes
        .windows(2)
        .map(|w| (w[0] as u64 + 1) * w[1] as u64)
        .sum();
    let width = sizes.iter().map(|&s| s as u64).sum::<u64>()
        + sizes[1..].iter().map(|&s| s as u64).sum::<u64>();
    (params, width)
}

fn sizes(input: usize, hidden: &[usize], output: usize) -> Vec<usize> {
    let mut s = vec![input];
    s.extend_from_slice(hidden);
    s.push(output);
    s
}

/// What the teacher holds: its network, its last hidden width, its embedding of every row, an
/// ensemble's labels and per-row lists, and its peak while it is fitted and labels.
struct TeacherCost {
    trained: bool,
    net: u64,
    last: u64,
    embedding: u64,
    ensemble: u64,
    ensemble_rows: u64,
    prep: u64,
}

fn teacher_cost(cfg: &Config, shape: &Shape, needs: &Needs) -> TeacherCost {
    let (n, c) = (shape.rows as u64, shape.classes as u64);
    // The teacher: a trained one with Adam while it fits, then kept for its labels (and VID, LELP).
    let trained = cfg.teacher.kind == TeacherKind::Trained;
    let (t_params, t_width) = mlp(&sizes(shape.dim, &cfg.teacher.hidden, shape.classes));
    let t_batch = crate::teacher::BATCH as u64;
    let labeled = (cfg.labeled + shape.added) as u64;
    let t_net = 2 * t_params * F + t_batch * t_width * F;
    let t_fit = t_net + 2 * t_params * F + labeled * I;
    let t_last = cfg.teacher.hidden.last().map_or(0, |&w| w as u64);
    let embedding = needs.embedding && trained && t_last > 0;
    let emb_out = if embedding { n * t_last * F } else { 0 };
    let emb_copy = if embedding {
        2 * t_params * F + (t_batch + BLOCK as u64) * t_width * F
    } else {
        0
    };
    // UPS's ensemble: each member's labels (one more while a member's logits become labels at a
    // temperature), then their spread; a trained member is fitted like the teacher.
    let members = cfg.settings.int("ups.ensemble");
    let (member, ens_out, ens_rows) = match (needs.ensemble, trained) {
        (false, _) => (0, 0, 0),
        (true, true) => (t_fit, (members + 2) * n * c * F, 0),
        (true, false) => (0, (members + 2) * n * c * F, n * (2 * F + 2 * I)),
    };
    let teacher_prep = if trained {
        t_fit.max(t_net + emb_out + emb_copy.max(member))
    } else {
        0
    };
    TeacherCost {
        trained,
        net: t_net,
        last: t_last,
        embedding: emb_out,
        ensemble: ens_out,
        ensemble_rows: ens_rows,
        prep: teacher_prep,
    }
}

/// What the students hold, all at once as the page keeps them: their weights (and optimiser state,
/// look-aheads, VID's regressors) and their working buffers; the outputs per class of the widest
/// (LELP's subclasses) and how many students have subclasses.
struct StudentCost {
    weights: u64,
    buffers: u64,
    c_out: u64,
    lelps: u64,
}

fn student_cost(cfg: &Config, shape: &Shape, needs: &Needs, t_last: u64) -> StudentCost {
    let c = shape.classes as u64;
    let b = cfg.student.batch_size.max(1) as u64;
    let rows = b.max(BLOCK as u64); // buffers grow to an evaluation block
    let grow = if b < BLOCK as u64 { b } else { 0 }; // old buffers while new ones are made
    let student = sizes(shape.dim, &cfg.student.hidden, shape.classes);
    let (s_params, s_width) = mlp(&student);
    let opt = |params: u64| match cfg.student.optimizer {
        OptimizerKind::Adam => 2 * params * F,
        OptimizerKind::Sgd => params * F,
    };
    let lelps = needs.subclass_students;
    let plain = needs.students.saturating_sub(lelps);
    // LELP's student has `lelp_subclasses` outputs per class; decision maps and a step taken apart
    // hold that many numbers per class too.
    let c_out = if lelps > 0 {
        c * cfg.settings.int("lelp_subclasses")
    } else {
        c
    };
    let lelp = sizes(shape.dim, &cfg.student.hidden, c_out as usize);
    let (l_params, l_width) = mlp(&lelp);
    let widest = student.iter().copied().max().unwrap_or(1) as u64;
    let s_last = student[student.len().saturating_sub(2).max(1)] as u64;
    let regressor = s_last * t_last.max(1) + 2 * t_last.max(1);
    let weights = 2 * (2 * s_params * F) // the initial student, and a new one while it is drawn
        + plain * (2 * s_params * F + opt(s_params))
        + lelps * (2 * l_params * F + opt(l_params))
        + needs.lookaheads * 2 * s_params * F
        + needs.regressors * 4 * regressor * F;
    let buffers = 2 * b * s_width * F
        + plain * rows * s_width * F
        + lelps * rows * l_width * F
        + grow * s_width.max(l_width) * F
        + needs.lookaheads * b * (s_width + widest + 2 * c + 8) * F
        + needs.regressors * b * s_last * F
        + 4 * b * c_out * F; // a step taken apart: probabilities, gradients, before
    StudentCost {
        weights,
        buffers,
        c_out,
        lelps,
    }
}

/// The peak memory of a run of `cfg` on data of `shape` with methods holding `needs`.
pub fn estimate(cfg: &Config, shape: &Shape, needs: &Needs) -> Estimate {
    let (n, d, c) = (shape.rows as u64, shape.dim as u64, shape.classes as u64);

    // The data: the source's table and the copy a seed takes of it, the features as the networks
    // see them and raw, one transient copy (hand-added rows, a drawn subset), per-row lists.
    let data =
        2 * shape.source_bytes + 3 * n * d * F + n * PREP_PER_ROW + n * c * PREP_PER_ROW_CLASS;

    let t = teacher_cost(cfg, shape, needs);
    let prep = [0, 0, t.prep, t.ensemble, 0, data + t.ensemble_rows];

    let StudentCost {
        weights,
        buffers,
        c_out,
        lelps,
    } = student_cost(cfg, shape, needs, t.last);
    let lelp_targets = lelps * n * c_out * F;
    let lelp_build = if lelps > 0 {
        2 * n * (t.last * D + 32)
    } else {
        0
    };
    let projection = if d > 2 { n * d * (F + D) } else { 0 };
    // On 2-D data, a decision map's cells and probabilities, and the two of a step taken apart.
    let grid = if d == 2 {
        GRID_RES * GRID_RES * (2 + c_out + 3 * c) * F
    } else {
        0
    };
    // A prediction of every row (the page colours the points by it), before and after its
    // subclasses are summed.
    let predictions = n * (c_out + c) * F;
    let session_rows = data
        + t.ensemble_rows
        + n * SESSION_PER_ROW
        + projection
        + grid
        + predictions
        + n * (needs.students * RUN_PER_ROW + needs.per_row)
        + n * c * F * needs.per_row_class;
    let spread = if needs.ensemble { n * c * F } else { 0 };
    let teacher_kept = if t.trained { t.net } else { 0 } + t.embedding + lelp_build;
    let session = [
        buffers,
        weights,
        teacher_kept,
        spread,
        lelp_targets,
        session_rows,
    ];

    let networks = 2 + needs.students + needs.lookaheads;
    let (p, s) = (prep.iter().sum::<u64>(), session.iter().sum::<u64>());
    let (bytes, parts) = if p > s { (p, prep) } else { (s, session) };
    Estimate {
        bytes: bytes + FIXED,
        parts,
        networks,
    }
}

/// A setting the check can suggest lowering: the range of its values (as one number), and how a
/// value sets it.
struct Knob {
    part: Part,
    key: &'static str,
    lowest: usize,
    current: usize,
    set: fn(&mut Config, &mut Shape, usize),
}

fn knobs(cfg: &Config, shape: &Shape, needs: &Needs) -> Vec<Knob> {
    let mut out = vec![Knob {
        part: Part::StudentBuffers,
        key: "student.batch_size",
        lowest: 1,
        current: cfg.student.batch_size,
        set: |c, _, v| c.student.batch_size = v,
    }];
    if let Some(&w) = cfg.student.hidden.iter().max() {
        out.push(Knob {
            part: Part::StudentWeights,
            key: "student.hidden",
            lowest: 1,
            current: w,
            set: |c, _, v| c.student.hidden.iter_mut().for_each(|h| *h = (*h).min(v)),
        });
    }
    if let (TeacherKind::Trained, Some(&w)) = (cfg.teacher.kind, cfg.teacher.hidden.iter().max()) {
        out.push(Knob {
            part: Part::Teacher,
            key: "teacher.hidden",
            lowest: 1,
            current: w,
            set: |c, _, v| c.teacher.hidden.iter_mut().for_each(|h| *h = (*h).min(v)),
        });
    }
    if needs.ensemble {
        out.push(Knob {
            part: Part::Ensemble,
            key: "ups.ensemble",
            lowest: 2,
            current: cfg.settings.usize("ups.ensemble"),
            set: |c, _, v| c.settings.set_int("ups.ensemble", v as u64),
        });
    }
    if needs.subclass_students > 0 {
        // Even values only: the knob counts pairs.
        out.push(Knob {
            part: Part::Subclasses,
            key: "lelp_subclasses",
            lowest: 1,
            current: cfg.settings.usize("lelp_subclasses") / 2,
            set: |c, _, v| c.settings.set_int("lelp_subclasses", 2 * v as u64),
        });
    }
    if let Some(most) = shape.drawn_up_to {
        out.push(Knob {
            part: Part::Rows,
            key: "samples",
            lowest: 10,
            current: cfg.samples.min(most),
            set: |c, s, v| {
                c.samples = v;
                s.rows = v.min(s.drawn_up_to.unwrap_or(usize::MAX)) + s.added;
            },
        });
    }
    out
}

/// The largest value of `knob` at which the run fits the budget, the other settings as they are.
fn largest_fit(knob: &Knob, cfg: &Config, shape: &Shape, needs: &Needs) -> Option<usize> {
    let fits = |v: usize| {
        let (mut c, mut s) = (cfg.clone(), *shape);
        (knob.set)(&mut c, &mut s, v);
        estimate(&c, &s, needs).bytes <= budget()
    };
    if !fits(knob.lowest) {
        return None;
    }
    let (mut lo, mut hi) = (knob.lowest, knob.current);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Some(lo)
}

/// Refuse settings whose run would need more than [`BUDGET`]: the error names the key that drives
/// the largest part of the estimate (among those that can bring it under) and its largest value
/// that fits with the other settings.
pub fn check(cfg: &Config, shape: &Shape, needs: &Needs) -> Result<()> {
    let e = estimate(cfg, shape, needs);
    let budget_bytes = budget();
    if e.bytes <= budget_bytes {
        return Ok(());
    }
    let mut knobs = knobs(cfg, shape, needs);
    crate::order::sort_by(&mut knobs, &|a, b| e.part(b.part).cmp(&e.part(a.part)));
    let total = format!("these settings need about {}", size(e.bytes));
    let budget = format!(
        "the engine's budget is {} ({} GiB)",
        size(budget_bytes),
        budget_bytes as f64 / (1u64 << 30) as f64
    );
    for k in &knobs {
        let Some(v) = largest_fit(k, cfg, shape, needs) else {
            continue;
        };
        if v >= k.current {
            continue;
        }
        let why = describe(k.part, &e, cfg, needs);
        let fix = match k.key {
            "student.hidden" | "teacher.hidden" => {
                let widths = if k.key == "student.hidden" {
                    &cfg.student.hidden
                } else {
                    &cfg.teacher.hidden
                };
                let capped: Vec<String> = widths.iter().map(|&w| w.min(v).to_string()).collect();
                format!(
                    "with the other settings as they are, layers of at most {v} units fit: [{}]",
                    capped.join(", ")
                )
            }
            "lelp_subclasses" => format!(
                "the largest value that fits with the other settings is {}",
                2 * v
            ),
            _ => format!("the largest value that fits with the other settings is {v}"),
        };
        return Err(Error::config(
            k.key,
            format!("needs too much memory: {total}, of which {why}, and {budget}; {fix}"),
        ));
    }
    // No one setting brings the run under: name the largest part's key and every other.
    let keys: Vec<String> = knobs.iter().map(|k| format!("`{}`", k.key)).collect();
    match knobs.first() {
        Some(k) => Err(Error::config(
            k.key,
            format!(
                "needs too much memory: {total}, of which {}, and {budget}; no one setting alone brings it under: lower several of {}",
                describe(k.part, &e, cfg, needs),
                keys.join(", ")
            ),
        )),
        None => Err(Error::Data(format!(
            "{total} of memory for the data itself, and {budget}; use fewer rows or columns"
        ))),
    }
}

fn describe(part: Part, e: &Estimate, cfg: &Config, needs: &Needs) -> String {
    let bytes = size(e.part(part));
    match part {
        Part::StudentBuffers => format!(
            "the per-batch buffers of {} networks take {bytes}",
            e.networks
        ),
        Part::StudentWeights => format!(
            "the weights and optimiser state of {} networks take {bytes}",
            e.networks
        ),
        Part::Teacher => {
            let read = match (needs.embedding, needs.subclass_students > 0) {
                (_, true) => ", its embedding and LELP's projections of it",
                (true, false) => " and its embedding",
                _ => "",
            };
            format!("the teacher network{read} take {bytes}")
        }
        Part::Ensemble => format!(
            "the {} ensemble teachers' labels take {bytes}",
            cfg.settings.int("ups.ensemble")
        ),
        Part::Subclasses => format!("LELP's subclass targets take {bytes}"),
        Part::Rows => format!(
            "the data and the per-row state of {} methods take {bytes}",
            needs.students
        ),
    }
}

/// Bytes for a message: whole MiB below 10 GiB (so that a little over the budget reads as over it),
/// else GiB with one decimal.
fn size(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    if bytes < 10 << 30 {
        let mib = bytes.div_ceil(MIB).to_string();
        let mut out = String::new();
        for (i, ch) in mib.chars().enumerate() {
            if i > 0 && (mib.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(ch);
        }
        format!("{out} MiB")
    } else {
        format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
    }
}

#[cfg(test)]
mod tests;
