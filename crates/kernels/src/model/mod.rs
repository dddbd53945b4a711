//! The student (and trained teacher) network: an MLP with ReLU and softmax, its optimisers, and the
//! training step they share.

pub mod mlp;
pub mod optim;
pub mod train;

pub use mlp::{softmax_in_place, Mlp};
pub use optim::{FlatAdam, Optimizer, OptimizerKind};
pub use train::{fold, fold_subclasses, predict_rows, traced, train_step, StepTrace, BLOCK};
