//! What the command line's setup flags give: the config overrides, the data a file or the MNIST
//! subset holds, and what a report says of them (the provenance, the data's own teacher).

use std::path::Path;

use serde_json::{json, Value};
use slam_lab::config::Checked;
use slam_lab::methods::Method;
use slam_lab::seed::DataSource;
use slam_lab::{data, sweep, Error};

use super::{request, Setup};

/// What a command's flags give: the config overrides of `--config`, `--dataset`, `--methods`,
/// `--set` and `--seed` (in that order), the data source when `--dataset` names a file or the MNIST
/// subset, and that file's digest.
pub(super) struct Given {
    pub(super) overrides: Value,
    pub(super) source: Option<DataSource>,
    /// The file `--dataset` read and the SHA-256 of its bytes.
    /// (More than one for NumPy arrays in separate files.)
    file: Vec<(String, String)>,
}

impl Given {
    pub(super) fn read(setup: &Setup, methods: Option<&str>) -> slam_lab::Result<Given> {
        let mut overrides = match &setup.config {
            Some(path) => read_config(path)?,
            None => Value::Object(Default::default()),
        };
        let mut source = None;
        let mut file = Vec::new();
        if let Some(d) = setup.dataset.as_deref() {
            if d == "mnist" || d.to_ascii_lowercase().ends_with(".bin") {
                let path = if d == "mnist" {
                    mnist_path()
                } else {
                    d.to_string()
                };
                let (table, sha) = load_mnist(&path)?;
                file = vec![(path, sha)];
                overrides["dataset"] = Value::String(table.name.clone());
                source = Some(DataSource::Pool(table));
            } else if d.to_ascii_lowercase().ends_with(".csv") || Path::new(d).is_file() {
                let bytes = data::csv::read_file(Path::new(d))?;
                let sha = sha256(&bytes);
                let table = data::csv::from_file_bytes(Path::new(d), bytes)?;
                // Said as soon as the file is read, on stderr so that JSON on stdout stays one
                // object (which carries them too, under `warnings`).
                for w in &table.warnings {
                    eprintln!("warning: {w}");
                }
                file = vec![(d.to_string(), sha)];
                overrides["dataset"] = Value::String(table.name.clone());
                source = Some(DataSource::Table(table));
            } else {
                overrides["dataset"] = Value::String(d.to_string());
            }
        }
        if let Some(path) = setup.data.as_deref() {
            let files = data::npy::NpyFiles {
                data: path.into(),
                labels: setup.labels.as_deref().map(Into::into),
                probs: setup.teacher_probs.as_deref().map(Into::into),
                logits: setup.teacher_logits.as_deref().map(Into::into),
            };
            let loaded = data::npy::load(&files)?;
            overrides["dataset"] = Value::String(loaded.data.name.clone());
            file = loaded.files;
            source = Some(DataSource::Table(loaded.data));
        }
        if let Some(list) = methods {
            overrides["methods"] = Method::parse_list(list)?; // "all" expands once the teacher is known
        }
        for arg in &setup.set {
            let (key, value) = parse_set(arg)?;
            sweep::set_key(&mut overrides, &key, value).map_err(|_| {
                Error::config(
                    "--set",
                    format!("`{key}` is not a config key (e.g. labeled, teacher.rate)"),
                )
            })?;
        }
        if let Some(seed) = setup.seed {
            overrides["seed"] = json!(seed);
        }
        Ok(Given {
            overrides,
            source,
            file,
        })
    }

    /// The checked config and data of these flags over `scenario` (the MNIST subset read through
    /// `mnist` when the config names it).
    pub(super) fn resolve(
        &self,
        scenario: Option<&str>,
        mnist: &MnistFile,
    ) -> slam_lab::Result<(Checked, DataSource)> {
        request(scenario, self.overrides.clone(), self.source.clone()).resolve(&|| mnist.read())
    }

    /// The data a run read, for its provenance: a file by its SHA-256; a built-in real dataset by
    /// its file's; a generator by name (its points are drawn from the config and the seed).
    pub(super) fn data_digest(&self, source: &DataSource, mnist: &MnistFile) -> Value {
        let name = source.name();
        if let ([], DataSource::Pool(_), Some((_, sha))) =
            (self.file.as_slice(), source, mnist.0.get())
        {
            // The MNIST subset a scenario names, as the run read it.
            return json!({"name": name, "file": mnist_path(), "sha256": sha});
        }
        match (self.file.as_slice(), data::builtin::text(name)) {
            ([(path, sha)], _) => json!({"name": name, "file": path, "sha256": sha}),
            ([_, _, ..], _) => json!({
                "name": name,
                "files": self.file.iter().map(|(p, h)| json!({"file": p, "sha256": h})).collect::<Vec<_>>(),
            }),
            ([], Some(text)) => {
                json!({"name": name, "builtin": true, "sha256": sha256(text.as_bytes())})
            }
            ([], None) => json!({"name": name, "generated": true}),
        }
    }
}

/// What a file's own teacher and its rows of unknown class change in how a report reads: one
/// sentence, and the same facts for JSON. None for data without either.
pub(super) fn given_data(cfg: &Checked, source: &DataSource) -> Option<(String, Value)> {
    let DataSource::Table(t) = source else {
        return None;
    };
    let unknown = t.unknown_rows();
    let teacher = t.teacher.as_ref().map(|g| g.form.name());
    let yours = cfg.teacher.kind == slam_lab::config::TeacherKind::Given;
    if unknown == 0 && !yours {
        return None;
    }
    let mut note = String::new();
    if let (true, Some(form)) = (yours, teacher) {
        note.push_str(&format!(
            "the teacher is yours: the {form} {} gives",
            t.name
        ));
    }
    if unknown > 0 {
        if !note.is_empty() {
            note.push_str("; ");
        }
        note.push_str(&format!(
            "{unknown} of {} rows have no known class: they join U only; the teacher's accuracy on U counts U's rows whose class is known, and L, V and T hold only such rows",
            t.len()
        ));
    }
    let facts = json!({
        "rows": t.len(),
        "unknown_class_rows": unknown,
        "teacher": if yours { teacher } else { None },
    });
    Some((note, facts))
}

/// `KEY=VALUE` of `--set`: VALUE as JSON when it reads as JSON, else as text.
fn parse_set(arg: &str) -> slam_lab::Result<(String, Value)> {
    match arg.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            let value = value.trim();
            let v =
                serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_string()));
            Ok((key.trim().to_string(), v))
        }
        _ => Err(Error::config(
            "--set",
            format!("expected KEY=VALUE (e.g. teacher.rate=0.3), got `{arg}`"),
        )),
    }
}

/// What a JSON report was made by and from: the engine's version and commit, the SHA-256 of the
/// resolved config as the report writes it (`config`), the seeds, and the data.
pub(super) fn provenance(cfg: &Checked, data: &Value, seeds: &[u64]) -> Value {
    let commit = env!("SLAM_LAB_COMMIT");
    // As the report echoes it: through a JSON value, whose numbers are f64s.
    let config = serde_json::to_value(cfg)
        .and_then(|v| serde_json::to_string(&v))
        .expect("a config serialises");
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "commit": if commit.is_empty() { Value::Null } else { json!(commit) },
        "config_sha256": sha256(config.as_bytes()),
        "seeds": seeds,
        "data": data,
    })
}

/// SHA-256 as 64 hex digits.
fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    data::hex(&sha2::Sha256::digest(bytes))
}

/// The MNIST subset a config names (`$SLAM_LAB_MNIST` or the page's copy), read once however many
/// requests resolve, with the SHA-256 of its bytes for the provenance.
#[derive(Default)]
pub(super) struct MnistFile(std::cell::OnceCell<(data::Dataset, String)>);

impl MnistFile {
    pub(super) fn read(&self) -> slam_lab::Result<data::Dataset> {
        if let Some((d, _)) = self.0.get() {
            return Ok(d.clone());
        }
        let read = load_mnist(&mnist_path())?;
        Ok(self.0.get_or_init(|| read).0.clone())
    }
}

/// The MNIST subset in the file at `path`, and the SHA-256 of its bytes.
fn load_mnist(path: &str) -> slam_lab::Result<(data::Dataset, String)> {
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: path.to_string(),
        reason: format!(
            "{e} (the MNIST subset is built by `npm run build`, or set SLAM_LAB_MNIST)"
        ),
    })?;
    Ok((data::mnist::parse(&bytes)?, sha256(&bytes)))
}

/// Where the MNIST subset lives: `$SLAM_LAB_MNIST`, else the page's copy under `www/data/`.
fn mnist_path() -> String {
    std::env::var("SLAM_LAB_MNIST").unwrap_or_else(|_| "www/data/mnist.bin".to_string())
}

/// Read a JSON config file; errors name the file and the position.
fn read_config(path: &str) -> slam_lab::Result<Value> {
    let meta = std::fs::metadata(path).map_err(|e| Error::Io {
        path: path.into(),
        reason: e.to_string(),
    })?;
    if meta.len() > 1 << 20 {
        return Err(Error::Io {
            path: path.into(),
            reason: "config file larger than 1 MiB".into(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.into(),
        reason: e.to_string(),
    })?;
    let value: Value = serde_json::from_str(&text).map_err(|e| Error::Io {
        path: path.into(),
        reason: format!("invalid JSON: {e}"),
    })?;
    if !value.is_object() {
        return Err(Error::config(
            "config",
            format!("{path} must hold a JSON object"),
        ));
    }
    Ok(value)
}
