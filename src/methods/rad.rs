//! RAD: robust active distillation (Baykal et al., ICLR 2023, arXiv 2210.01213), beside random and
//! uncertainty-only selection at the same budget.
//!
//! The teacher may label only `query_budget * |U|` points, queried in `query_rounds` rounds during
//! the first half of training; the student trains on L plus the queried points (soft cross-entropy),
//! filtering the shared batch order. Which points to query:
//!
//! - `rad_random`: uniformly at random;
//! - `rad_uncertainty`: the smallest student margins (classic uncertainty sampling);
//! - `rad`: the paper's max-min game. Each candidate has a gain `g_i = u_i * alpha_i`, its
//!   informativeness (student uncertainty `u_i = 1 - margin`) times the estimated chance the
//!   teacher labels it right (alpha from V, before the clamp). The learner picks inclusion
//!   probabilities `p` (`sum p = b`, `p_i <= 1`); an adversary then spoils the `k` queried points
//!   worth the most to it, `k` = the expected number of teacher mistakes among the `b` points the
//!   learner would query without an adversary (the `b` highest gains), `sum (1 - alpha_i)` over them. The learner's worst-case value `sum p_i g_i - top_k(p_i g_i)` is maximised
//!   by equalising `p_i g_i` over the `m` highest gains, `p_i = b / (g_i sum_{top m} 1/g)`, with `m`
//!   maximising `(m - k) / sum_{top m} 1/g`: the learner hedges instead of betting the whole budget
//!   on the most informative points, where the teacher is most often wrong. Points are then drawn
//!   with exactly these inclusion probabilities (systematic sampling).
//!
//! Departures, our reading of the paper: the correctness estimate enters through the gain (the
//! paper's gains are informativeness only and its adversary is the only robustness), `k` comes from
//! the calibrated alpha rather than from the teacher's accuracy on V, and the student is a tiny MLP
//! retrained continuously rather than from scratch after each round.

use std::any::Any;

use crate::config::keys::{above, int, setting};
use crate::config::{Checked, MethodSettings};
use crate::methods::distill_row;
use crate::model::mlp::argmax;
use crate::model::{Mlp, Optimizer};
use crate::rng::Rng;
use crate::seed::{Inputs, PreparedSeed};
use ndarray::ArrayView2;

/// Its settings, shared by the three query rules: the budget and its schedule.
pub const SETTINGS: MethodSettings = MethodSettings {
    shared: &[],
    own: &[
        setting(
            "query_budget",
            "RAD: share of U the teacher may label",
            "",
            above(0.0, 1.0),
            0.1,
        ),
        setting(
            "query_rounds",
            "RAD: query rounds (in the first half of training)",
            "",
            int(1, 100),
            5.0,
        ),
    ],
    rules: &[],
};

/// What RAD and its baselines hold per row: whether each row trains, the candidates, their gains
/// and query probabilities, the queried rows; and the student's probabilities on U (read at each
/// round, then for the report).
pub const FOOTPRINT: super::MethodMemory = super::MethodMemory {
    per_row: 56,
    per_row_class: 2,
    ..super::MethodMemory::PLAIN
};

/// How the queried points are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// The max-min game between gain and teacher mistakes.
    Robust,
    /// Uniformly at random.
    Random,
    /// Smallest student margin first.
    Uncertainty,
}

/// Inclusion probabilities solving the learner's side of the game for `gains` (non-negative),
/// `budget` points and an adversary who spoils `k` of them. Writes `out[i]` (sums to `budget`,
/// each in [0, 1]). `order` is scratch.
///
/// The adversary's best reply removes the `k` largest values `v_i = p_i g_i`, and
/// `sum v - top_k(v) = max_t [sum_i min(v_i, t) - k t]`. For a fixed level `t` the best `p` fills
/// the highest gains first, each up to `min(1, t / g_i)` (value `min(g_i, t)` per point), until the
/// budget is spent; the resulting value is concave in `t`, so a golden-section search finds the
/// level. Points above the level get `p_i = t / g_i` (equal values: hedging), points below it `1`.
pub fn robust_probabilities(
    gains: &[f32],
    k: f32,
    budget: usize,
    order: &mut Vec<usize>,
    out: &mut [f32],
) {
    let n = gains.len();
    out[..n].fill(0.0);
    let budget = budget.min(n);
    if budget == 0 {
        return;
    }
    order.clear();
    order.extend(0..n);
    // Highest gain first; ties by index so the result is deterministic.
    crate::order::sort_by(order, &|&a, &b| {
        gains[b].total_cmp(&gains[a]).then(a.cmp(&b))
    });
    const FLOOR: f64 = 1e-9;
    let g = |i: usize| (gains[order[i]] as f64).max(FLOOR);
    let b = budget as f64;
    // Value of the best fill at level t.
    let value = |t: f64| -> f64 {
        let (mut left, mut v) = (b, 0.0);
        for i in 0..n {
            if left <= 1e-9 {
                break;
            }
            let gi = g(i);
            let p = (t / gi).min(1.0).min(left);
            v += (p * gi).min(t);
            left -= p;
        }
        v - k as f64 * t
    };
    let mut t = golden_max(&value, 0.0, g(0));
    // The value is flat beyond the highest gain (no adversary): prefer the end of the range then.
    if value(g(0)) >= value(t) - 1e-12 {
        t = g(0);
    }
    let mut left = b;
    for i in 0..n {
        if left <= 1e-9 {
            break;
        }
        let mut p = (t / g(i)).min(1.0).min(left);
        if p > 1.0 - 1e-9 {
            p = 1.0;
        }
        out[order[i]] = p as f32;
        left -= p;
    }
    // A level so low that even every point at t / g_i leaves budget over: raise the highest gains.
    for i in 0..n {
        if left <= 1e-9 {
            break;
        }
        let slot = &mut out[order[i]];
        let add = (1.0 - *slot as f64).min(left);
        *slot = (*slot as f64 + add) as f32;
        left -= add;
    }
}

/// The midpoint of the bracket that 200 golden-section steps leave around the maximum of the concave
/// `value` on `[lo, hi]`.
fn golden_max(value: &dyn Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> f64 {
    let phi = 0.5 * (5.0f64.sqrt() - 1.0);
    let (mut x1, mut x2) = (hi - phi * (hi - lo), lo + phi * (hi - lo));
    let (mut f1, mut f2) = (value(x1), value(x2));
    for _ in 0..200 {
        if f1 < f2 {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + phi * (hi - lo);
            f2 = value(x2);
        } else {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - phi * (hi - lo);
            f1 = value(x1);
        }
    }
    0.5 * (lo + hi)
}

/// Draw exactly `round(sum p)` indices with inclusion probabilities `p` by systematic sampling
/// from one uniform offset.
pub fn systematic_sample(p: &[f32], rng: &mut Rng, out: &mut Vec<usize>) {
    out.clear();
    let target = p.iter().map(|&v| v as f64).sum::<f64>().round() as usize;
    let offset = rng.uniform_f64();
    let mut cum = 0.0f64;
    let mut next = offset;
    for (i, &pi) in p.iter().enumerate() {
        cum += pi as f64;
        if cum > next && out.len() < target {
            out.push(i);
            next += 1.0;
        }
    }
    // Rounding can leave the last draw just short: take the likeliest point not yet drawn.
    while out.len() < target {
        let best = (0..p.len())
            .filter(|i| !out.contains(i))
            .max_by(|&a, &b| p[a].total_cmp(&p[b]).then(b.cmp(&a)));
        match best {
            Some(i) => out.push(i),
            None => break,
        }
    }
}

/// One student's query budget, schedule and queried points.
#[derive(Clone, Debug)]
pub struct Rad {
    rule: Rule,
    rng: Rng,
    /// (epoch, points) of each round.
    schedule: Vec<(usize, usize)>,
    /// Dataset rows queried so far, in query order.
    pub queried: Vec<usize>,
    include: Vec<bool>,
    candidates: Vec<usize>,
    gains: Vec<f32>,
    probs: Vec<f32>,
    scratch: Vec<usize>,
    picks: Vec<usize>,
}

impl Rad {
    /// Budget and schedule from the config; the method's randomness comes from `rng`.
    pub fn new(prep: &PreparedSeed, cfg: &Checked, rule: Rule, rng: Rng) -> Rad {
        let u = prep.split.unlabeled.len();
        let budget = ((cfg.settings.f32("query_budget") as f64 * u as f64).round() as usize)
            .clamp(1, u.max(1))
            .min(u);
        let rounds = cfg.settings.usize("query_rounds").max(1);
        let epochs = cfg.student.epochs.max(1);
        let schedule = (0..rounds)
            .map(|r| {
                let epoch = ((r + 1) * epochs) / (2 * rounds);
                let points = budget * (r + 1) / rounds - budget * r / rounds;
                (epoch, points)
            })
            .collect();
        Rad {
            rule,
            rng,
            schedule,
            queried: Vec::with_capacity(budget),
            include: prep.is_labeled.clone(),
            candidates: Vec::with_capacity(u),
            gains: Vec::with_capacity(u),
            probs: vec![0.0; u],
            scratch: Vec::with_capacity(u),
            picks: Vec::with_capacity(budget),
        }
    }

    /// Queries due at the start of `epoch`.
    fn due(&self, epoch: usize) -> usize {
        self.schedule
            .iter()
            .filter(|(e, _)| *e == epoch)
            .map(|(_, p)| p)
            .sum()
    }

    /// U's rows not queried yet.
    fn candidates<'a>(&'a self, prep: &'a PreparedSeed) -> impl Iterator<Item = usize> + 'a {
        prep.split
            .unlabeled
            .iter()
            .copied()
            .filter(|&r| !self.include[r])
    }

    /// The rows whose student probabilities the rule reads at the start of `epoch`: the candidates,
    /// in a round of the uncertainty-based rules.
    pub fn rows_to_predict(&self, prep: &PreparedSeed, epoch: usize) -> Vec<usize> {
        if self.rule == Rule::Random || self.due(epoch) == 0 {
            return Vec::new();
        }
        self.candidates(prep).collect()
    }

    /// Each candidate's gain: the student's uncertainty (one minus its top-two margin), times the
    /// estimated chance the teacher is right for the robust rule.
    fn fill_gains(&mut self, prep: &PreparedSeed, predicted: ArrayView2<f32>) {
        debug_assert_eq!(predicted.nrows(), self.candidates.len());
        self.gains.clear();
        for (idx, p) in predicted.rows().into_iter().enumerate() {
            let p = p.as_slice().expect("contiguous");
            let top = argmax(p);
            let second = p
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != top)
                .map(|(_, &v)| v)
                .fold(0.0f32, f32::max);
            let uncertainty = 1.0 - (p[top] - second);
            let row = self.candidates[idx];
            self.gains.push(match self.rule {
                Rule::Robust => uncertainty * prep.alpha_raw[row].clamp(0.0, 1.0),
                _ => uncertainty,
            });
        }
    }

    /// `due` picks by the robust rule: inclusion probabilities of the max-min game, sampled
    /// systematically.
    fn pick_robust(&mut self, prep: &PreparedSeed, due: usize) {
        // The adversary spoils as many points as the teacher is expected to get wrong
        // among what the learner queries: the expected mistakes on the `due` highest
        // gains. Counted over every candidate instead (about 126 on the defaults against
        // 25 queries a round), it was so strong that the best reply was to spread the
        // queries almost uniformly, and rad behaved like rad_random.
        self.scratch.clear();
        self.scratch.extend(0..self.candidates.len());
        let g = &self.gains;
        crate::order::sort_by(&mut self.scratch, &|&a, &b| {
            g[b].total_cmp(&g[a]).then(a.cmp(&b))
        });
        let k: f32 = self.scratch[..due]
            .iter()
            .map(|&i| 1.0 - prep.alpha_raw[self.candidates[i]].clamp(0.0, 1.0))
            .sum();
        let m = self.candidates.len();
        robust_probabilities(&self.gains, k, due, &mut self.scratch, &mut self.probs[..m]);
        systematic_sample(&self.probs[..m], &mut self.rng, &mut self.picks);
    }

    /// Spend the rounds due at the start of `epoch`, with the student's probabilities `predicted` on
    /// [`Rad::rows_to_predict`]; true if any point was queried.
    pub fn start_epoch(
        &mut self,
        prep: &PreparedSeed,
        epoch: usize,
        predicted: ArrayView2<f32>,
    ) -> bool {
        let due = self.due(epoch);
        if due == 0 {
            return false;
        }
        let mut candidates = std::mem::take(&mut self.candidates);
        candidates.clear();
        candidates.extend(self.candidates(prep));
        self.candidates = candidates;
        let due = due.min(self.candidates.len());
        if due == 0 {
            return false;
        }
        self.picks.clear();
        match self.rule {
            Rule::Random => {
                // Partial Fisher-Yates: the first `due` entries become a uniform sample.
                for i in 0..due {
                    let j = i + self.rng.below(self.candidates.len() - i);
                    self.candidates.swap(i, j);
                }
                self.picks.extend(0..due);
            }
            Rule::Uncertainty | Rule::Robust => {
                self.fill_gains(prep, predicted);
                if self.rule == Rule::Uncertainty {
                    self.scratch.clear();
                    self.scratch.extend(0..self.candidates.len());
                    let g = &self.gains;
                    let c = &self.candidates;
                    crate::order::sort_by(&mut self.scratch, &|&a, &b| {
                        g[b].total_cmp(&g[a]).then(c[a].cmp(&c[b]))
                    });
                    self.picks.extend_from_slice(&self.scratch[..due]);
                } else {
                    self.pick_robust(prep, due);
                }
            }
        }
        for &i in &self.picks {
            let row = self.candidates[i];
            self.include[row] = true;
            self.queried.push(row);
        }
        !self.picks.is_empty()
    }

    /// One minibatch of soft cross-entropy on L and the queried points.
    pub fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        prep: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        crate::model::train_step(
            net,
            optimizer,
            rows.len(),
            |net| {
                inputs.forward(net, prep, rows);
            },
            |r, f, g, scale| distill_row(prep, rows[r], f, g, scale),
        )
    }

    /// Queries spent and the share of queried points the teacher labels correctly.
    pub fn stats(&self, prep: &PreparedSeed) -> Vec<(&'static str, f64)> {
        // Over the queried rows whose true class is known.
        let known = self.queried.iter().filter(|&&r| prep.data.is_known(r));
        let (right, count) = known.fold((0usize, 0usize), |(right, n), &r| {
            (
                right + (prep.teacher.labels[r] == prep.data.y[r]) as usize,
                n + 1,
            )
        });
        let acc = if count == 0 {
            0.0
        } else {
            right as f64 / count as f64
        };
        vec![
            ("queried", self.queried.len() as f64),
            ("queried_teacher_accuracy", acc),
        ]
    }
}

impl super::Distiller for Rad {
    fn rows_to_predict(&self, seed: &PreparedSeed, epoch: usize) -> Vec<usize> {
        Rad::rows_to_predict(self, seed, epoch)
    }

    fn start_epoch(
        &mut self,
        _net: &mut Mlp,
        seed: &PreparedSeed,
        epoch: usize,
        predicted: ArrayView2<f32>,
    ) {
        Rad::start_epoch(self, seed, epoch, predicted);
    }

    fn select(&mut self, order: &[usize], active: &mut Vec<usize>) {
        active.extend(order.iter().copied().filter(|&r| self.include[r]));
    }

    fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        seed: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        Rad::train_batch(self, net, optimizer, inputs, seed, rows)
    }

    fn stats(&self, seed: &PreparedSeed, _net: &mut Mlp) -> Vec<(&'static str, f64)> {
        Rad::stats(self, seed)
    }

    fn queried(&self) -> &[usize] {
        &self.queried
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;

    /// The learner's worst-case value of inclusion probabilities p against k spoiled points.
    fn worst_case(p: &[f32], g: &[f32], k: usize) -> f64 {
        let mut v: Vec<f64> = p
            .iter()
            .zip(g)
            .map(|(a, b)| (*a as f64) * (*b as f64))
            .collect();
        crate::order::sort_by(&mut v, &|a, b| b.total_cmp(a));
        v.iter().skip(k).sum()
    }

    #[test]
    fn robust_probabilities_are_feasible_and_beat_other_choices() {
        let mut r = Rng::new(5, Stream::Method);
        for case in 0..30 {
            let n = 5 + r.below(40);
            let gains: Vec<f32> = (0..n).map(|_| r.range(0.01, 1.0)).collect();
            let budget = 1 + r.below(n / 2);
            let k = r.below(n / 2);
            let (mut order, mut p) = (Vec::new(), vec![0.0; n]);
            robust_probabilities(&gains, k as f32, budget, &mut order, &mut p);
            let total: f32 = p.iter().sum();
            assert!(
                (total - budget as f32).abs() < 1e-3,
                "case {case}: sum {total} vs {budget}"
            );
            assert!(p.iter().all(|&v| (0.0..=1.0 + 1e-6).contains(&v)));
            // The support is the top gains.
            let min_in = gains
                .iter()
                .zip(&p)
                .filter(|(_, &q)| q > 0.0)
                .map(|(g, _)| *g)
                .fold(f32::MAX, f32::min);
            let max_out = gains
                .iter()
                .zip(&p)
                .filter(|(_, &q)| q == 0.0)
                .map(|(g, _)| *g)
                .fold(f32::MIN, f32::max);
            assert!(
                min_in >= max_out,
                "case {case}: support is not the top gains"
            );
            // Worst case at least that of greedy top-b, uniform, and random feasible choices.
            let ours = worst_case(&p, &gains, k);
            let mut idx: Vec<usize> = (0..n).collect();
            crate::order::sort_by(&mut idx, &|&a, &b| gains[b].total_cmp(&gains[a]));
            let mut greedy = vec![0.0f32; n];
            idx[..budget].iter().for_each(|&i| greedy[i] = 1.0);
            let uniform = vec![budget as f32 / n as f32; n];
            assert!(
                ours + 1e-4 >= worst_case(&greedy, &gains, k),
                "case {case}: greedy wins"
            );
            assert!(
                ours + 1e-4 >= worst_case(&uniform, &gains, k),
                "case {case}: uniform wins"
            );
            for _ in 0..50 {
                let raw: Vec<f32> = (0..n).map(|_| r.uniform()).collect();
                let s: f32 = raw.iter().sum();
                let q: Vec<f32> = raw.iter().map(|v| v * budget as f32 / s).collect();
                if q.iter().all(|&v| v <= 1.0) {
                    assert!(
                        ours + 1e-4 >= worst_case(&q, &gains, k),
                        "case {case}: a random choice wins"
                    );
                }
            }
        }
    }

    #[test]
    fn without_an_adversary_the_top_gains_are_taken() {
        let gains = [0.3f32, 0.9, 0.1, 0.8, 0.5];
        let (mut order, mut p) = (Vec::new(), vec![0.0; 5]);
        robust_probabilities(&gains, 0.0, 2, &mut order, &mut p);
        assert_eq!(p, vec![0.0, 1.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn hedging_spreads_the_budget_when_the_teacher_errs_often() {
        // Ten equal top gains and many small ones: with no adversary, equalising over the top is
        // enough; with many expected mistakes the learner must spread wider.
        let mut gains = vec![1.0f32; 10];
        gains.extend(vec![0.5f32; 90]);
        let (mut order, mut p) = (Vec::new(), vec![0.0; 100]);
        robust_probabilities(&gains, 0.0, 5, &mut order, &mut p);
        let support0 = p.iter().filter(|&&v| v > 0.0).count();
        robust_probabilities(&gains, 30.0, 5, &mut order, &mut p);
        let support30 = p.iter().filter(|&&v| v > 0.0).count();
        assert!(support30 > support0, "support {support0} -> {support30}");
    }

    #[test]
    fn systematic_sampling_draws_the_budget_with_the_right_frequencies() {
        let p = [0.9f32, 0.5, 0.5, 0.1, 0.0, 1.0];
        let mut rng = Rng::new(1, Stream::Method);
        let mut counts = [0usize; 6];
        let mut out = Vec::new();
        for _ in 0..4000 {
            systematic_sample(&p, &mut rng, &mut out);
            assert_eq!(out.len(), 3);
            for &i in &out {
                counts[i] += 1;
            }
        }
        for (c, &pi) in counts.iter().zip(&p) {
            assert!((*c as f32 / 4000.0 - pi).abs() < 0.03, "{counts:?}");
        }
    }
}
