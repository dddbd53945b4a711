//! Estimates of how reliable the teacher is, fitted on the validation set V: the mixing weight
//! alpha(x), the candidate-set size k, and weighted distillation's importance weights.

pub mod alpha;
pub mod k;
// The k-nearest-neighbour weights run over every row against every validation point: kernels crate.
pub use slam_kernels::weights;

pub use alpha::{margin, AlphaModel, IsotonicFit};
pub use k::estimate_k;
pub use weights::knn_correct_weights;
