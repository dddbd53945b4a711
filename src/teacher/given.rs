//! A teacher given by the data file: its predictions as read, brought to the run's temperature the
//! way the lab's own teachers are, so that a file holding the lab's teacher at temperature 1 gives
//! back that teacher to the last bit.

use super::{log_probs, output, probs_at_temperature, scaled, TeacherOutput};
use crate::data::given::{GivenForm, GivenTeacher};

/// The output of a teacher given by the data, at `temperature`: probabilities as a synthetic
/// teacher's (`log p` its logits, `p` itself at temperature 1), logits as a trained teacher's.
pub fn given_output(given: &GivenTeacher, temperature: f32) -> TeacherOutput {
    match given.form {
        GivenForm::Probs => {
            let logits = log_probs(&given.values);
            let probs = if temperature == 1.0 {
                given.values.clone()
            } else {
                probs_at_temperature(&logits, temperature)
            };
            output(probs, scaled(logits, temperature), None, None)
        }
        GivenForm::Logits => output(
            probs_at_temperature(&given.values, temperature),
            scaled(given.values.clone(), temperature),
            None,
            None,
        ),
    }
}
