//! SLaM Lab's hot numeric code, in a crate of its own so that the `.wasm` can build it for speed
//! (`opt-level = 3`) and the rest of the engine for size (the `wasm-release` profile in the
//! workspace's Cargo.toml). The engine re-exports every module under its old path
//! (`slam_lab::linalg`, `slam_lab::model`, ...).

pub mod beat;
pub mod expf;
pub mod linalg;
pub mod lookahead;
pub mod losses;
pub mod model;
pub mod order;
pub mod rng;
pub mod step;
pub mod vid;
pub mod weights;
