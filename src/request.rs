//! One resolver for what a front end asks for: a scenario, config keys over it, the data when it is
//! not the built-in set the config names, and one value of a sweep. Data that carries its own
//! teacher's predictions makes `teacher.kind` `given` unless the keys name a kind. The CLI's flags and files and the
//! page's requests become a [`Request`] and resolve here alike, into a checked config and its data.
//! The datasets' registry is [`builtin_source`]: generators and built-in tables by name, the MNIST
//! subset from bytes the front end hands over (the CLI reads a file, the page fetches it).

use serde_json::Value;

use crate::config::Checked;
use crate::data::{self, Dataset};
use crate::seed::DataSource;
use crate::{scenarios, sweep, Error, Result};

/// What a front end asks for.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The scenario whose settings the overrides go over (none: the defaults).
    pub scenario: Option<String>,
    /// Config keys over the scenario: a JSON object (`Null`: none).
    pub overrides: Value,
    /// The data, when it is not the built-in set the config names (a CSV table, the MNIST pool).
    pub data: Option<DataSource>,
    /// One value of a sweep: this key set to this value over the overrides (with vanilla added, as
    /// [`sweep::configs`] does).
    pub vary: Option<(String, Value)>,
}

/// How a front end reads the MNIST subset when a config names it.
pub type Mnist<'a> = &'a dyn Fn() -> Result<Dataset>;

impl Request {
    /// The checked config and its data. Given data names the config's `dataset`.
    pub fn resolve(&self, mnist: Mnist) -> Result<(Checked, DataSource)> {
        let mut overrides = match &self.overrides {
            Value::Null => Value::Object(Default::default()),
            v if v.is_object() => v.clone(),
            _ => return Err(Error::config("config", "must be an object")),
        };
        if let Some(d) = &self.data {
            overrides["dataset"] = Value::String(d.name().to_string());
            // Data that carries a teacher is distilled from it unless the request names another.
            let carries =
                matches!(d, DataSource::Table(t) | DataSource::Pool(t) if t.teacher.is_some());
            let named = overrides.get("teacher").and_then(|t| t.get("kind")).is_some();
            if carries && !named {
                if !overrides["teacher"].is_object() {
                    overrides["teacher"] = Value::Object(Default::default());
                }
                overrides["teacher"]["kind"] = Value::String("given".into());
            }
        }
        let cfg = match &self.vary {
            Some((key, value)) => sweep::configs(
                self.scenario.as_deref(),
                &overrides,
                key,
                std::slice::from_ref(value),
            )?
            .remove(0),
            None => scenarios::resolve(self.scenario.as_deref(), overrides)?,
        };
        let source = match &self.data {
            Some(d) => d.clone(),
            None => builtin_source(&cfg.dataset, mnist)?,
        };
        Ok((cfg, source))
    }
}

/// The registry of data by name: `mnist` is the pool `mnist` reads; every other name is a generator
/// or a built-in table, loaded per seed.
pub fn builtin_source(name: &str, mnist: Mnist) -> Result<DataSource> {
    if name == data::mnist::NAME {
        return Ok(DataSource::Pool(mnist()?));
    }
    Ok(DataSource::Builtin(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn no_mnist() -> Result<Dataset> {
        Err(Error::Data("no MNIST here".into()))
    }

    #[test]
    fn a_request_resolves_as_the_scenario_with_its_overrides() {
        let r = Request {
            scenario: Some("flagship".into()),
            overrides: json!({"student": {"epochs": 3}}),
            ..Request::default()
        };
        let (cfg, source) = r.resolve(&no_mnist).unwrap();
        let direct =
            scenarios::resolve(Some("flagship"), json!({"student": {"epochs": 3}})).unwrap();
        assert_eq!(cfg, direct);
        assert!(matches!(source, DataSource::Builtin(ref n) if *n == direct.dataset));
    }

    #[test]
    fn given_data_names_the_dataset_and_mnist_comes_from_the_front_end() {
        let text: String = std::iter::once("x,y,label\n".to_string())
            .chain((0..80).map(|i| {
                format!(
                    "{},{},{}\n",
                    i % 7,
                    i % 5,
                    if i % 2 == 0 { "a" } else { "b" }
                )
            }))
            .collect();
        let table = data::csv::parse_csv(&text, "mine.csv").unwrap();
        let r = Request {
            overrides: json!({"labeled": 6, "validation": 10}),
            data: Some(DataSource::Table(table)),
            ..Request::default()
        };
        let (cfg, source) = r.resolve(&no_mnist).unwrap();
        assert_eq!(cfg.dataset, source.name());
        assert!(matches!(source, DataSource::Table(_)));
        let mnist = Request {
            overrides: json!({"dataset": "mnist"}),
            ..Request::default()
        };
        assert!(mnist
            .resolve(&no_mnist)
            .unwrap_err()
            .to_string()
            .contains("no MNIST here"));
        let bad = Request {
            overrides: json!([1]),
            ..Request::default()
        };
        assert!(bad
            .resolve(&no_mnist)
            .unwrap_err()
            .to_string()
            .contains("config"));
    }

    #[test]
    fn a_sweep_value_resolves_as_the_sweep_does() {
        let r = Request {
            scenario: Some("flagship".into()),
            vary: Some(("labeled".into(), json!(25))),
            ..Request::default()
        };
        let (cfg, _) = r.resolve(&no_mnist).unwrap();
        let swept = sweep::configs(Some("flagship"), &json!({}), "labeled", &[json!(25)])
            .unwrap()
            .remove(0);
        assert_eq!(cfg, swept);
        assert_eq!(cfg.labeled, 25);
    }
}
