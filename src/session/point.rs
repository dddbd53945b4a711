//! The point a learner follows: the engine's facts about one row, and every student's class for it
//! at the end of every epoch, recorded as the epochs end (so the history needs no replay).

use serde::Serialize;

use super::Session;
use crate::model::mlp::argmax;

/// One dataset row as [`Session::point`] describes it.
#[derive(Clone, Debug, Serialize)]
pub struct PointFacts {
    pub row: usize,
    pub true_class: usize,
    pub teacher_class: usize,
    pub teacher_confidence: f32,
    /// The teacher's margin (top logit minus the next, computed in f64): the alpha curve's x.
    pub teacher_margin: f64,
    /// SLaM's alpha there, as clamped and as fitted, and the truth for a synthetic teacher.
    pub alpha: f32,
    pub alpha_raw: f32,
    pub alpha_true: Option<f32>,
    pub k: usize,
    /// Per method (in order): the student's probabilities now and its predicted class.
    pub probs: Vec<Vec<f32>>,
    pub predicted: Vec<usize>,
}

/// The followed row and, per method, its predicted class after each epoch (index 0: before
/// training); None for an epoch not recorded (the point was chosen later).
#[derive(Clone, Debug)]
pub(super) struct Followed {
    pub(super) row: usize,
    classes: Vec<Vec<Option<u32>>>,
}

/// A followed point as a front end shows it: the facts now and every student's class per epoch,
/// up to the clock.
#[derive(Clone, Debug, Serialize)]
pub struct FollowedPoint {
    pub row: usize,
    pub facts: PointFacts,
    /// `history[m][e]`: method m's class after epoch e (null where not recorded).
    pub history: Vec<Vec<Option<u32>>>,
}

impl Session {
    /// What the page shows about one dataset row (its set is in [`Session::roles`]): its true class, the teacher's label,
    /// confidence and margin, SLaM's alpha there (and the truth for a synthetic teacher), and every
    /// student's probabilities for it now. None past the rows.
    pub fn point(&mut self, row: usize) -> Option<PointFacts> {
        if row >= self.prep.data.len() {
            return None;
        }
        let probs: Vec<Vec<f32>> = (0..self.runs.len())
            .map(|m| self.probs_at(m, row))
            .collect();
        let p = &self.prep;
        let t = &p.teacher;
        Some(PointFacts {
            row,
            true_class: p.data.shown_class(row),
            teacher_class: t.labels[row],
            teacher_confidence: t.probs[[row, t.labels[row]]],
            teacher_margin: t.margins[row],
            alpha: p.alpha[row],
            alpha_raw: p.alpha_raw[row],
            alpha_true: t.oracle_alpha.as_ref().map(|o| o[row]),
            k: p.k,
            predicted: probs.iter().map(|q| argmax(q)).collect(),
            probs,
        })
    }

    /// Student `method_index`'s predicted class for `row` now (what a front end records at each of
    /// its epochs for the point it follows). None past the methods or the rows.
    pub fn point_class(&mut self, method_index: usize, row: usize) -> Option<u32> {
        if method_index >= self.runs.len() || row >= self.prep.data.len() {
            return None;
        }
        Some(argmax(&self.probs_at(method_index, row)) as u32)
    }

    /// Student `m`'s class probabilities for dataset row `row` (both in range).
    fn probs_at(&mut self, m: usize, row: usize) -> Vec<f32> {
        let x = self.prep.data.x.view();
        self.runs[m].predict_rows(x, &[row]).row(0).to_vec()
    }

    /// Follow dataset row `row` (None, or a row past the data: follow none); its history starts
    /// with every student's class now.
    pub fn follow(&mut self, row: Option<usize>) {
        self.followed = row
            .filter(|&r| r < self.prep.data.len())
            .map(|row| Followed {
                row,
                classes: vec![Vec::new(); self.runs.len()],
            });
        for m in 0..self.runs.len() {
            self.record_followed(m);
        }
    }

    /// Records method `m`'s class for the followed point at its current epoch.
    pub(super) fn record_followed(&mut self, m: usize) {
        let Some(row) = self.followed.as_ref().map(|f| f.row) else {
            return;
        };
        let epoch = self.runs[m].epoch();
        let class = argmax(&self.probs_at(m, row)) as u32;
        let Some(f) = self.followed.as_mut() else {
            return;
        };
        let h = &mut f.classes[m];
        if h.len() <= epoch {
            h.resize(epoch + 1, None);
        }
        h[epoch] = Some(class);
    }

    /// The followed point with its history up to the clock; None when no point is followed.
    pub fn followed(&mut self) -> Option<FollowedPoint> {
        let f = self.followed.clone()?;
        let clock = self.epoch();
        let facts = self.point(f.row)?;
        let history = f
            .classes
            .into_iter()
            .map(|mut h| {
                h.truncate(clock + 1);
                h
            })
            .collect();
        Some(FollowedPoint {
            row: f.row,
            facts,
            history,
        })
    }
}
