//! A seed's data with its teacher's predictions, as a file would carry them: what
//! `slam-lab teacher` writes, and what reads back as the very same teacher.

use super::PreparedSeed;
use crate::config::{Checked, TeacherKind};
use crate::data::given::{GivenForm, GivenTeacher};
use crate::data::Dataset;
use crate::{Error, Result};

impl PreparedSeed {
    /// The rows of the data (raw features, true classes) with the teacher's predictions at
    /// temperature 1: a trained teacher's logits, any other teacher's probabilities. Read back as a
    /// given teacher with the same split and seed, it is this teacher to the last bit.
    pub fn teacher_data(&self, cfg: &Checked) -> Result<Dataset> {
        if cfg.temperature != 1.0 {
            return Err(Error::config(
                "temperature",
                "the teacher is written at temperature 1 (a run applies its own): set it to 1",
            ));
        }
        let n = self.base_rows();
        let rows = ndarray::s![..n, ..];
        let (form, values) = match (cfg.teacher.kind, &self.data.teacher) {
            (TeacherKind::Given, Some(t)) => (t.form, t.values.clone()),
            (TeacherKind::Trained, _) => (
                GivenForm::Logits,
                self.teacher.logits.slice(rows).to_owned(),
            ),
            _ => (GivenForm::Probs, self.teacher.probs.slice(rows).to_owned()),
        };
        let mut data = self.data.clone();
        data.x = self.raw_x.slice(rows).to_owned();
        data.y.truncate(n);
        if let Some(k) = data.known.as_mut() {
            k.truncate(n);
        }
        data.image = None;
        data.teacher = Some(GivenTeacher { form, values });
        Ok(data)
    }
}
