//! One training step taken apart, for the slow-motion view: the next minibatch of one method, what
//! the teacher said about each of its rows, SLaM's estimates there, what the student predicted, what
//! the loss compared with what, each row's loss and push, and the test accuracy before and after.
//! The step is the run's real next step: a run that is explained trains exactly as one that is not.

use ndarray::ArrayView2;
use serde::Serialize;

use crate::config::Checked;
use crate::model::mlp::argmax;
use crate::run::StudentRun;
use crate::seed::PreparedSeed;

/// One minibatch step of one method, row by row (`rows x classes` arrays flattened row-major).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct StepAnatomy {
    pub method: &'static str,
    /// The epoch the step belongs to (0 for the first) and the minibatch's index in it.
    pub epoch: usize,
    pub batch: usize,
    pub classes: usize,
    /// The dataset rows of the minibatch.
    pub rows: Vec<usize>,
    /// Whether each row is in L (trained on its true label).
    pub labeled: Vec<bool>,
    pub true_class: Vec<usize>,
    pub teacher_class: Vec<usize>,
    /// The teacher's probability of its own label.
    pub teacher_confidence: Vec<f32>,
    /// SLaM's estimate of the probability that the teacher is right, and the truth for a synthetic
    /// teacher.
    pub alpha: Vec<f32>,
    pub alpha_true: Option<Vec<f32>>,
    /// How many of the teacher's top classes the mixing spreads over.
    pub k: usize,
    /// The student's probabilities before the step, as the loss read them.
    pub student: Vec<f32>,
    /// What the loss compared with the target in place of the student's probabilities (SLaM's
    /// mix(f); the probabilities themselves for the rows and methods that do not mix).
    pub compared: Vec<f32>,
    /// What the method trains each row towards.
    pub target: Vec<f32>,
    /// Each row's loss and the length of its gradient with respect to the logits: how hard it
    /// pushes. None for the methods with a step of their own (ALM, L2T, VID).
    pub loss: Option<Vec<f32>>,
    pub push: Option<Vec<f32>>,
    /// Test accuracy of this student just before and just after the step.
    pub test_accuracy_before: f32,
    pub test_accuracy_after: f32,
}

/// Takes `run`'s next minibatch apart, training it; None once its epochs are done.
pub fn explain_next_step(
    run: &mut StudentRun,
    prep: &PreparedSeed,
    cfg: &Checked,
) -> Option<StepAnatomy> {
    let test = &prep.split.test;
    let truth: Vec<usize> = test.iter().map(|&i| prep.data.y[i]).collect();
    let accuracy = |run: &mut StudentRun| {
        let p = run.predict_rows(prep.data.x.view(), test);
        let predicted: Vec<usize> = p
            .rows()
            .into_iter()
            .map(|r| argmax(r.as_slice().expect("contiguous")))
            .collect();
        crate::model::mlp::accuracy(&predicted, &truth)
    };
    // Bring the run to its next minibatch first, so the accuracy before is the step's own.
    run.prepare_next_batch(prep, cfg)?;
    let before = accuracy(run);
    let record = run.explain_next_batch(prep, cfg)?;
    let after = accuracy(run);
    let c = prep.data.n_classes;
    let n = record.rows.len();
    // The probabilities the loss read (augmented inputs included); without a trace, the student's
    // on the rows as they are.
    let traced = record.trace.as_ref().filter(|t| t.classes == c);
    let student: Vec<f32> = match traced {
        Some(t) => t.probs.clone(),
        None => record.before.iter().copied().collect(),
    };
    let f = ArrayView2::from_shape((n, c), &student).expect("rows x classes");
    let mut compared = Vec::with_capacity(n * c);
    let mut target = Vec::with_capacity(n * c);
    for (r, &row) in record.rows.iter().enumerate() {
        let fr = f.row(r);
        let fr = fr.as_slice().expect("contiguous");
        compared.extend(
            run.compared_of(prep, row, fr)
                .unwrap_or_else(|| fr.to_vec()),
        );
        target.extend(run.target_of(prep, row));
    }
    let t = &prep.teacher;
    let rows = &record.rows;
    Some(StepAnatomy {
        method: run.method.name(),
        epoch: record.epoch,
        batch: record.batch,
        classes: c,
        labeled: rows.iter().map(|&i| prep.is_labeled[i]).collect(),
        true_class: rows.iter().map(|&i| prep.data.shown_class(i)).collect(),
        teacher_class: rows.iter().map(|&i| t.labels[i]).collect(),
        teacher_confidence: rows.iter().map(|&i| t.probs[[i, t.labels[i]]]).collect(),
        alpha: rows.iter().map(|&i| prep.alpha[i]).collect(),
        alpha_true: t
            .oracle_alpha
            .as_ref()
            .map(|o| rows.iter().map(|&i| o[i]).collect()),
        k: prep.k,
        student,
        compared,
        target,
        loss: traced.map(|t| t.loss.clone()),
        push: traced.map(|t| {
            t.grad
                .chunks(c)
                .map(|g| g.iter().map(|v| v * v).sum::<f32>().sqrt())
                .collect()
        }),
        test_accuracy_before: before,
        test_accuracy_after: after,
        rows: record.rows,
    })
}
