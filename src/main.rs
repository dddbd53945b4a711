//! `slam-lab`: run the distillation comparison from the command line.
//!
//! Bad input exits with code 2 and one line on stderr naming the problem; never a panic trace.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::{json, Value};
use slam_lab::experiment::run_seeds;
use slam_lab::methods::Method;
use slam_lab::report::Reference;
use slam_lab::request::Request;
use slam_lab::seed::DataSource;
use slam_lab::{data, report, scenarios, sweep, Error};

#[path = "cli/given.rs"]
mod given;
use given::{given_data, provenance, Given, MnistFile};

/// The crate's version and the commit it was built from (`build.rs`).
const VERSION: &str = match env!("SLAM_LAB_COMMIT").len() {
    0 => env!("CARGO_PKG_VERSION"),
    _ => concat!(
        env!("CARGO_PKG_VERSION"),
        " (commit ",
        env!("SLAM_LAB_COMMIT"),
        ")"
    ),
};

#[derive(Parser)]
#[command(
    name = "slam-lab",
    version = VERSION,
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
        #[command(flatten)]
        setup: Setup,
    },
    /// Write the data of the base seed with its teacher's predictions (temperature 1) to a CSV or
    /// .npz file: read back as "your teacher" (`--dataset FILE.csv`, `--data FILE.npz`) with the
    /// same seed and split, it gives the built-in run's numbers bit for bit.
    Teacher {
        /// The file to write: `.csv` (features, label, teacher:<class> or logit:<class>) or `.npz`
        /// (x, y, teacher_probs or teacher_logits).
        #[arg(long)]
        out: String,
        #[command(flatten)]
        setup: Setup,
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

/// Where a run starts, as `run`, `sweep` and `explain` take it: a scenario, a config file, the data,
/// then single keys and the seed, each applied over the ones before.
#[derive(clap::Args)]
struct Setup {
    /// Built-in dataset name, or a path to a CSV file (which may carry a teacher's columns).
    #[arg(long, conflicts_with = "data")]
    dataset: Option<String>,
    /// NumPy features: a `.npy` (n x d), or a `.npz` holding x, y and teacher_probs or
    /// teacher_logits. Up to 1,000,000 rows and 4,096 features.
    #[arg(long)]
    data: Option<String>,
    /// NumPy true classes for --data FILE.npy: integers 0, 1, ...; negative where unknown.
    #[arg(long, requires = "data")]
    labels: Option<String>,
    /// NumPy teacher probabilities (n x classes) for --data FILE.npy.
    #[arg(long, requires = "data", conflicts_with = "teacher_logits")]
    teacher_probs: Option<String>,
    /// NumPy teacher logits (n x classes) for --data FILE.npy.
    #[arg(long, requires = "data")]
    teacher_logits: Option<String>,
    /// Start from a named scenario (see `slam-lab scenarios`).
    #[arg(long)]
    scenario: Option<String>,
    /// JSON file of config keys, applied over the scenario.
    #[arg(long)]
    config: Option<String>,
    /// One config key, as KEY=VALUE with the config's dotted keys (teacher.rate=0.3,
    /// student.hidden=[32,16]); VALUE is read as JSON, else as text. Repeatable; applied after
    /// --config, --dataset and --methods.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// The base seed (the config's `seed`): seed i of a run is this + i. Applied last.
    #[arg(long)]
    seed: Option<u64>,
}

/// What `run` and `sweep` share.
#[derive(clap::Args)]
struct Common {
    #[command(flatten)]
    setup: Setup,
    /// Number of seeds (the base seed, then + 1, ...); for a sweep, per value.
    #[arg(long, default_value_t = 5)]
    seeds: usize,
    /// Comma-separated methods, e.g. vanilla,slam, or `all` (a sweep always adds vanilla).
    #[arg(long)]
    methods: Option<String>,
    /// What every method is compared with, seed by seed (paired mean difference, 95% interval,
    /// wins): a method that runs, or `teacher`.
    #[arg(long, default_value = "vanilla")]
    reference: String,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    // The command line's data can be far larger than a page's: its own memory budget per seed.
    slam_lab::memory::set_budget(slam_lab::memory::NATIVE_BUDGET);
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
            // clap's first paragraph, on one line (a list of missing flags follows a colon).
            let first: Vec<&str> = msg
                .lines()
                .take_while(|l| !l.trim().is_empty() && !l.starts_with("Usage"))
                .map(|l| l.trim().trim_start_matches("error: "))
                .collect();
            let first = match first.join(" ") {
                s if s.is_empty() => "invalid arguments".to_string(),
                s => s,
            };
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
            setup,
        } => explain(&mut out, &method, skip, res, setup)?,
        Command::Sweep { vary, common } => run_sweep(&mut out, &vary, common)?,
        Command::Teacher { out: path, setup } => write_teacher(&path, setup)?,
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

/// The request of a command's flags: its scenario, the overrides of `--config`, `--dataset`,
/// `--methods`, `--set` and `--seed`, and the data `--dataset` names when it is a file or the MNIST
/// subset.
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
    let reference = Reference::parse(&c.reference);
    let given = Given::read(&c.setup, c.methods.as_deref())?;
    let mnist = MnistFile::default();
    let (cfg, source) = given.resolve(c.setup.scenario.as_deref(), &mnist)?;
    reference.check(cfg.method_names())?;
    let quiet = quiet(c.json);
    let results = run_seeds(&cfg, &source, c.seeds, &mut |done, total| {
        if !quiet {
            eprint!("\rseed {done}/{total}");
            if done == total {
                eprintln!();
            }
        }
    })?;
    let scenario = c.setup.scenario.as_deref();
    if c.json {
        let mut v = report::to_json(&cfg, source.name(), scenario, &results, &reference);
        let seeds: Vec<u64> = results.iter().map(|r| r.seed).collect();
        v["provenance"] = provenance(&cfg, &given.data_digest(&source, &mnist), &seeds);
        if let Some((note, facts)) = given_data(&cfg, &source) {
            v["given_data"] = facts;
            v["given_data"]["note"] = json!(note);
        }
        print_json(out, &v);
    } else {
        let _ = write!(
            out,
            "{}",
            report::to_table(source.name(), scenario, &results, &reference)
        );
        if let Some((note, _)) = given_data(&cfg, &source) {
            let _ = writeln!(out, "{note}");
        }
    }
    Ok(())
}

/// `slam-lab explain`: one method's minibatch step taken apart, as JSON.
fn explain(
    out: &mut impl Write,
    method: &str,
    skip: usize,
    res: usize,
    setup: Setup,
) -> slam_lab::Result<()> {
    let method = Method::named(method)?;
    let mut given = Given::read(&setup, None)?;
    // The scenario's methods, with this one added when it is not among them.
    let listed = scenarios::resolve(setup.scenario.as_deref(), given.overrides.clone())?;
    let mut names: Vec<String> = Method::list(&listed)
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    if !names.iter().any(|m| m == method.name()) {
        names.push(method.name().to_string());
    }
    given.overrides["methods"] = serde_json::json!(names);
    let mnist = MnistFile::default();
    let (cfg, source) = given.resolve(setup.scenario.as_deref(), &mnist)?;
    let mut session = slam_lab::session::Session::new(cfg.clone(), &source, &[])?;
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
    let mut v = serde_json::to_value(&step).expect("a step serialises");
    // The config the step ran with, as a run's report gives it, and what made it.
    v["config"] = serde_json::to_value(&cfg).expect("a config serialises");
    v["provenance"] = provenance(&cfg, &given.data_digest(&source, &mnist), &[cfg.seed]);
    print_json(out, &v);
    Ok(())
}

/// `slam-lab sweep`: the comparison at each value of one key, as a table or one JSON object.
fn run_sweep(out: &mut impl Write, vary: &str, c: Common) -> slam_lab::Result<()> {
    let (key, values) = sweep::parse_vary(vary)?;
    let reference = Reference::parse(&c.reference);
    let given = Given::read(&c.setup, c.methods.as_deref())?;
    let scenario = c.setup.scenario.as_deref();
    let base = scenarios::resolve(scenario, given.overrides.clone())?;
    // Every value resolved, and its settings checked to fit in memory, before the first one trains
    // (the MNIST subset read once for all).
    let mnist = MnistFile::default();
    let mut resolved = Vec::with_capacity(values.len());
    for value in &values {
        let mut r = request(scenario, given.overrides.clone(), given.source.clone());
        r.vary = Some((key.clone(), value.clone()));
        let (cfg, source) = r.resolve(&|| mnist.read())?;
        reference.check(cfg.method_names())?;
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
        .source
        .as_ref()
        .map_or(base.dataset.as_str(), |s| s.name())
        .to_string();
    if c.json {
        let mut v = sweep::to_json(&base, &name, scenario, &key, &points, &reference);
        let seeds: Vec<u64> = points
            .first()
            .map(|(_, r)| r.iter().map(|s| s.seed).collect())
            .unwrap_or_default();
        let data = match resolved.first() {
            Some((_, source)) => given.data_digest(source, &mnist),
            None => json!(null),
        };
        v["provenance"] = provenance(&base, &data, &seeds);
        print_json(out, &v);
    } else {
        let _ = write!(
            out,
            "{}",
            sweep::to_table(&name, scenario, &key, &points, &reference)
        );
    }
    Ok(())
}

/// `slam-lab teacher`: the base seed's data and teacher, at temperature 1, to a CSV or .npz file.
fn write_teacher(path: &str, setup: Setup) -> slam_lab::Result<()> {
    let mut given = Given::read(&setup, None)?;
    given.overrides["temperature"] = json!(1.0);
    let mnist = MnistFile::default();
    let (cfg, source) = given.resolve(setup.scenario.as_deref(), &mnist)?;
    let prep = slam_lab::seed::PreparedSeed::new(
        &cfg,
        &source,
        cfg.seed,
        slam_lab::seed::Needs::default(),
    )?;
    let table = prep.teacher_data(&cfg)?;
    let target = Path::new(path);
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".npz") {
        data::npy::write_npz(&table, target)?;
    } else if lower.ends_with(".csv") {
        std::fs::write(target, data::csv::write_csv(&table)).map_err(|e| Error::Io {
            path: path.to_string(),
            reason: e.to_string(),
        })?;
    } else {
        return Err(Error::config("--out", "write a .csv or a .npz file"));
    }
    let form = table.teacher.as_ref().map_or("", |t| t.form.name());
    eprintln!(
        "wrote {path}: {} rows, {} classes, the {} teacher's {form} for seed {} (temperature 1)",
        table.len(),
        table.n_classes,
        cfg.teacher.kind.name(),
        cfg.seed
    );
    Ok(())
}
