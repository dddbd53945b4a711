//! Taylor cross-entropy (Feng, Shu, Lin, Lv, Li, An, IJCAI 2020): `sum_{j=1..t} (1 - f_y)^j / j` on the
//! teacher's argmax, a noise-robust loss between MAE (t = 1) and cross-entropy (t -> infinity).

use std::any::Any;

use crate::config::keys::{int, setting};
use crate::config::MethodSettings;
use crate::losses;
use crate::model::{Mlp, Optimizer};
use crate::seed::{Inputs, PreparedSeed};

use super::{train_distilled, Distiller};

/// Its setting: the order t.
pub const SETTINGS: MethodSettings = MethodSettings {
    shared: &[],
    own: &[setting(
        "taylor_order",
        "Taylor-CE: order t",
        "",
        int(1, 20),
        2.0,
    )],
    rules: &[],
};

/// `taylor_ce` of order `order`.
#[derive(Clone, Debug)]
pub struct TaylorCe {
    /// The order t.
    pub order: usize,
    scratch: Vec<f32>,
}

impl TaylorCe {
    /// Taylor-CE of order `order` for `classes` classes.
    pub fn new(order: usize, classes: usize) -> TaylorCe {
        TaylorCe {
            order,
            scratch: vec![0.0; classes],
        }
    }
}

impl Distiller for TaylorCe {
    fn train_batch(
        &mut self,
        net: &mut Mlp,
        optimizer: &mut Optimizer,
        inputs: &mut Inputs,
        seed: &PreparedSeed,
        rows: &[usize],
    ) -> f32 {
        let (order, scratch) = (self.order, &mut self.scratch);
        train_distilled(
            net,
            optimizer,
            inputs,
            seed,
            rows,
            &seed.is_labeled,
            |row, f, g, scale| {
                losses::taylor_ce(f, seed.teacher.labels[row], order, scratch, g, scale)
            },
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
