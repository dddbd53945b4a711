//! Reading a config from JSON by hand (see [`crate::decode`]: serde's messages and key paths, without
//! serde's generated code in the .wasm); `tests.rs` holds it against serde's derived decoder.

use serde_json::Value;

use super::{
    AlphaEstimator, AlphaFloor, Config, NoiseModel, Standardize, StudentConfig, TeacherConfig,
    TeacherKind, UpsConfig, OPTIMIZERS,
};
use crate::decode::{self, Decoded, Shape};
use crate::model::OptimizerKind;

impl TeacherConfig {
    pub(super) fn decode(v: &Value, path: &str) -> Decoded<TeacherConfig> {
        const SHAPE: Shape = Shape {
            expected: "struct TeacherConfig",
            names: &[
                "kind",
                "hidden",
                "epochs",
                "lr",
                "noise",
                "rate",
                "confidence_jitter",
                "shift",
            ],
            deny_unknown: true,
            defaults: true,
            optional: &[],
        };
        let mut t = TeacherConfig::default();
        decode::fields(v, path, &SHAPE, &mut |i, v, p| {
            match i {
                0 => t.kind = TeacherKind::decode(v, p)?,
                1 => t.hidden = decode::vec(v, p, decode::usize_)?,
                2 => t.epochs = decode::usize_(v, p)?,
                3 => t.lr = decode::f32_(v, p)?,
                4 => t.noise = NoiseModel::decode(v, p)?,
                5 => t.rate = decode::f32_(v, p)?,
                6 => t.confidence_jitter = decode::f32_(v, p)?,
                _ => t.shift = decode::usize_(v, p)?,
            }
            Ok(())
        })?;
        Ok(t)
    }
}

impl StudentConfig {
    pub(super) fn decode(v: &Value, path: &str) -> Decoded<StudentConfig> {
        const SHAPE: Shape = Shape {
            expected: "struct StudentConfig",
            names: &[
                "hidden",
                "epochs",
                "lr",
                "batch_size",
                "optimizer",
                "weight_decay",
                "shift",
            ],
            deny_unknown: true,
            defaults: true,
            optional: &[],
        };
        let mut t = StudentConfig::default();
        decode::fields(v, path, &SHAPE, &mut |i, v, p| {
            match i {
                0 => t.hidden = decode::vec(v, p, decode::usize_)?,
                1 => t.epochs = decode::usize_(v, p)?,
                2 => t.lr = decode::f32_(v, p)?,
                3 => t.batch_size = decode::usize_(v, p)?,
                4 => {
                    t.optimizer = match decode::variant(v, p, OPTIMIZERS)? {
                        0 => OptimizerKind::Adam,
                        _ => OptimizerKind::Sgd,
                    }
                }
                5 => t.weight_decay = decode::f32_(v, p)?,
                _ => t.shift = decode::usize_(v, p)?,
            }
            Ok(())
        })?;
        Ok(t)
    }
}

impl UpsConfig {
    pub(super) fn decode(v: &Value, path: &str) -> Decoded<UpsConfig> {
        const SHAPE: Shape = Shape {
            expected: "struct UpsConfig",
            names: &[
                "threshold_positive",
                "threshold_negative",
                "max_spread",
                "ensemble",
            ],
            deny_unknown: true,
            defaults: true,
            optional: &[],
        };
        let mut t = UpsConfig::default();
        decode::fields(v, path, &SHAPE, &mut |i, v, p| {
            match i {
                0 => t.threshold_positive = decode::f32_(v, p)?,
                1 => t.threshold_negative = decode::f32_(v, p)?,
                2 => t.max_spread = decode::f32_(v, p)?,
                _ => t.ensemble = decode::usize_(v, p)?,
            }
            Ok(())
        })?;
        Ok(t)
    }
}

impl Config {
    /// The config in `v` over the defaults (see [`crate::decode`]: serde's messages and paths).
    pub(super) fn decode(v: &Value, path: &str) -> Decoded<Config> {
        const SHAPE: Shape = Shape {
            expected: "struct Config",
            names: &[
                "dataset",
                "samples",
                "data_noise",
                "classes",
                "labeled",
                "validation",
                "test_fraction",
                "standardize",
                "teacher",
                "student",
                "alpha_estimator",
                "alpha_min",
                "k_coverage",
                "normalize_k",
                "temperature",
                "taylor_order",
                "ups",
                "vid_weight",
                "query_budget",
                "query_rounds",
                "lelp_subclasses",
                "meta_lr",
                "l2t_lr",
                "seed",
                "methods",
            ],
            deny_unknown: true,
            defaults: true,
            optional: &[],
        };
        let mut c = Config::default();
        decode::fields(v, path, &SHAPE, &mut |i, v, p| {
            match i {
                0 => c.dataset = decode::string(v, p)?,
                1 => c.samples = decode::usize_(v, p)?,
                2 => c.data_noise = decode::f32_(v, p)?,
                3 => c.classes = decode::usize_(v, p)?,
                4 => c.labeled = decode::usize_(v, p)?,
                5 => c.validation = decode::usize_(v, p)?,
                6 => c.test_fraction = decode::f32_(v, p)?,
                7 => c.standardize = Standardize::decode(v, p)?,
                8 => c.teacher = TeacherConfig::decode(v, p)?,
                9 => c.student = StudentConfig::decode(v, p)?,
                10 => c.alpha_estimator = AlphaEstimator::decode(v, p)?,
                11 => c.alpha_min = AlphaFloor::decode(v, p)?,
                12 => c.k_coverage = decode::f32_(v, p)?,
                13 => c.normalize_k = decode::bool_(v, p)?,
                14 => c.temperature = decode::f32_(v, p)?,
                15 => c.taylor_order = decode::usize_(v, p)?,
                16 => c.ups = UpsConfig::decode(v, p)?,
                17 => c.vid_weight = decode::f32_(v, p)?,
                18 => c.query_budget = decode::f32_(v, p)?,
                19 => c.query_rounds = decode::usize_(v, p)?,
                20 => c.lelp_subclasses = decode::usize_(v, p)?,
                21 => c.meta_lr = decode::f32_(v, p)?,
                22 => c.l2t_lr = decode::f32_(v, p)?,
                23 => c.seed = decode::u64_(v, p)?,
                _ => c.methods = decode::option(v, p, |v, p| decode::vec(v, p, decode::string))?,
            }
            Ok(())
        })?;
        Ok(c)
    }
}
