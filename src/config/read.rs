//! Reading a config from JSON by hand (see [`crate::decode`]: serde's messages and key paths, without
//! serde's generated code in the .wasm); `tests.rs` holds it against serde's derived decoder.

use serde_json::Value;

use super::{
    AlphaEstimator, AlphaFloor, Config, NoiseModel, Standardize, StudentConfig, TeacherConfig,
    TeacherKind, OPTIMIZERS,
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

/// The config's own fields, in order (every other key is a method's setting).
pub(super) const NAMES: &[&str] = &[
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
    "seed",
    "methods",
];

impl Config {
    /// The config in `v` over the defaults (see [`crate::decode`]: serde's messages and paths).
    /// A key the config's own fields do not name is kept as a method setting, read by the check.
    pub(super) fn decode(v: &Value, path: &str) -> Decoded<Config> {
        const SHAPE: Shape = Shape {
            expected: "struct Config",
            names: NAMES,
            deny_unknown: false,
            defaults: true,
            optional: &[],
        };
        let mut c = Config::default();
        if let Value::Object(map) = v {
            for (k, x) in map.iter().filter(|(k, _)| !NAMES.contains(&k.as_str())) {
                c.settings.keep(decode::key_path(path, k), x);
            }
        }
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
                15 => c.seed = decode::u64_(v, p)?,
                _ => c.methods = decode::option(v, p, |v, p| decode::vec(v, p, decode::string))?,
            }
            Ok(())
        })?;
        Ok(c)
    }
}
