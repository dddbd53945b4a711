//! Faithfulness to the setting and to the paper: what the scaling is fitted on, SLaM's alpha floor,
//! the baselines that show what V's labels and L alone buy, and the marks on methods that train on V.

use serde_json::json;
use slam_lab::config::{switch_point, Checked, Config};
use slam_lab::experiment::{prepare, run_seed};
use slam_lab::methods::Method;
use slam_lab::run::StudentRun;
use slam_lab::scenarios::resolve;
use slam_lab::seed::{DataSource, PreparedSeed};

fn digits(extra: serde_json::Value) -> Checked {
    let mut o = json!({"labeled": 30, "validation": 100, "teacher": {"epochs": 40}, "student": {"epochs": 3}});
    slam_lab::config::merge(&mut o, extra);
    resolve(Some("digits"), o).unwrap()
}

fn src(cfg: &Checked) -> DataSource {
    DataSource::Builtin(cfg.dataset.clone())
}

/// The scaling sees the features of L, V and U and nothing of T: changing a T row's features
/// leaves every other row's inputs as they were; changing a U row's features moves them.
#[test]
fn scaling_is_fitted_on_l_v_and_u_never_on_t() {
    let cfg = resolve(None, json!({"dataset": "iris", "labeled": 15, "validation": 30, "methods": ["vanilla"], "student": {"epochs": 1}})).unwrap();
    let table = slam_lab::data::load_builtin(
        "iris",
        &slam_lab::data::GeneratorParams {
            samples: 0,
            noise: 0.0,
            classes: 3,
        },
        &mut slam_lab::rng::Rng::new(0, slam_lab::rng::Stream::Data),
    )
    .unwrap();
    let base = prepare(&cfg, &DataSource::Table(table.clone()), 5).unwrap();
    let inputs_of = |t: &slam_lab::data::Dataset, row: usize| {
        let p = prepare(&cfg, &DataSource::Table(t.clone()), 5).unwrap();
        (p.standardizer.clone(), p.data.x.row(row).to_vec())
    };
    let keep = base.split.labeled[0];
    let mut moved_t = table.clone();
    moved_t
        .x
        .row_mut(base.split.test[0])
        .mapv_inplace(|v| v * 50.0 + 9.0);
    let (scaler_t, row_t) = inputs_of(&moved_t, keep);
    assert_eq!(
        scaler_t, base.standardizer,
        "a test row's features changed the scaling"
    );
    assert_eq!(row_t, base.data.x.row(keep).to_vec());
    let mut moved_u = table.clone();
    moved_u
        .x
        .row_mut(base.split.unlabeled[0])
        .mapv_inplace(|v| v * 50.0 + 9.0);
    let (scaler_u, _) = inputs_of(&moved_u, keep);
    assert_ne!(
        scaler_u, base.standardizer,
        "an unlabeled row's features must count"
    );
    // On the fitted rows the scaled features have mean 0 and sd 1.
    let rows: Vec<usize> = base
        .split
        .labeled
        .iter()
        .chain(&base.split.validation)
        .chain(&base.split.unlabeled)
        .copied()
        .collect();
    for j in 0..4 {
        let col: Vec<f64> = rows.iter().map(|&i| base.data.x[[i, j]] as f64).collect();
        let (m, s) = slam_lab::report::mean_std(&col);
        let pop = s * (((col.len() - 1) as f64) / col.len() as f64).sqrt();
        assert!(
            m.abs() < 1e-5 && (pop - 1.0).abs() < 1e-4,
            "column {j}: mean {m} sd {pop}"
        );
    }
}

/// With 30 labels, digit pixels that are almost always 0 in L are blown up on U when the scaling is
/// fitted on L alone (a column's mean square on U far above 1); fitted on L, V and U every column
/// has a mean square near 1 on U, and `auto` leaves images in [0, 1].
#[test]
fn scaling_on_l_alone_blows_up_pixels_that_are_near_constant_in_l() {
    let worst_mean_square = |standardize: &str| {
        let cfg = digits(json!({"standardize": standardize}));
        let p = prepare(&cfg, &src(&cfg), 1).unwrap();
        let u = &p.split.unlabeled;
        (0..p.data.dim())
            .map(|j| {
                u.iter()
                    .map(|&i| (p.data.x[[i, j]] as f64).powi(2))
                    .sum::<f64>()
                    / u.len() as f64
            })
            .fold(0.0f64, f64::max)
    };
    let (on_l, on_lvu) = (worst_mean_square("labeled"), worst_mean_square("always"));
    assert!(
        on_lvu < 1.5,
        "fitted on L+V+U, the worst column's mean square on U is {on_lvu}"
    );
    assert!(
        on_l > 10.0 * on_lvu,
        "fitted on L: {on_l}, on L+V+U: {on_lvu}"
    );
    let cfg = digits(json!({"standardize": "auto"}));
    let p = prepare(&cfg, &src(&cfg), 1).unwrap();
    let auto = p.data.x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(
        auto <= 1.0,
        "auto divides digits' pixels (0-16) by 16: {auto}"
    );
    let cfg = digits(json!({"standardize": "auto"}));
    let p = prepare(&cfg, &src(&cfg), 1).unwrap();
    assert_eq!(p.data.x[[3, 20]], p.raw_x[[3, 20]] / 16.0);
}

/// The default floor is where SLaM's pull on the teacher's top-1 label changes sign: 1/2 in the
/// unnormalised form, 1/k in the normalised one. At that alpha the mixed top-1 probability does not
/// depend on the student's top-1 probability (the coefficient alpha - c is zero).
#[test]
fn the_alpha_floor_follows_the_form() {
    let plain = digits(json!({"methods": ["slam"]}));
    let p = prepare(&plain, &src(&plain), 2).unwrap();
    assert_eq!(p.alpha_floor, 0.5);
    let norm = digits(json!({"methods": ["slam"], "normalize_k": true, "k_coverage": 0.97}));
    let q = prepare(&norm, &src(&norm), 2).unwrap();
    assert!(q.k >= 3, "k = {}", q.k);
    assert_eq!(q.alpha_floor, 1.0 / q.k as f32);
    assert!(q.alpha.iter().all(|&a| a >= q.alpha_floor));
    assert!(
        q.alpha.iter().any(|&a| a < 0.5),
        "with 1/k < 1/2 some alpha may sit below 1/2"
    );
    let fixed = digits(json!({"methods": ["slam"], "normalize_k": true, "alpha_min": 0.7}));
    assert_eq!(prepare(&fixed, &src(&fixed), 2).unwrap().alpha_floor, 0.7);
    // The switch point, by finite differences of mix_1 in f_1 through the loss itself.
    for (normalize, k) in [(false, 2usize), (false, 4), (true, 3), (true, 5)] {
        let alpha = switch_point(normalize, k);
        let c = 5;
        let mut top = vec![0.0; c];
        top[..k].iter_mut().for_each(|t| *t = 1.0);
        let y = [1.0, 0.0, 0.0, 0.0, 0.0];
        let loss = |a: f32, f1: f32| {
            let rest = (1.0 - f1) / 4.0;
            let f = [f1, rest, rest, rest, rest];
            let (mut s, mut g) = (vec![0.0; c], vec![0.0; c]);
            slam_lab::losses::slam(&f, &y, a, &top, k, normalize, &mut s, &mut g, 1.0)
        };
        assert!(
            (loss(alpha, 0.2) - loss(alpha, 0.8)).abs() < 1e-5,
            "normalize {normalize} k {k}: the loss still depends on f_1 at alpha {alpha}"
        );
        // Above the switch the loss falls as f_1 grows (pulls towards the label), below it rises.
        assert!(loss(alpha + 0.1, 0.8) < loss(alpha + 0.1, 0.2));
        assert!(loss(alpha - 0.1, 0.8) > loss(alpha - 0.1, 0.2));
    }
}

/// `vanilla_lv` trains on V's true labels: give V labels the teacher never says and it learns them;
/// vanilla, which only distils, does not.
#[test]
fn vanilla_lv_learns_vs_labels_and_vanilla_does_not() {
    let cfg = resolve(Some("flagship"), json!({"samples": 1200, "validation": 300, "student": {"epochs": 10}, "methods": ["vanilla", "vanilla_lv"]})).unwrap();
    let mut prep = prepare(&cfg, &src(&cfg), 3).unwrap();
    // Every V point now claims class 0.
    for &i in &prep.split.validation.clone() {
        prep.data.y[i] = 0;
    }
    let init = prep.initial_student(&cfg);
    let says_zero = |m: Method| {
        let mut run = StudentRun::new(&prep, &cfg, m, &init);
        for _ in 0..cfg.student.epochs {
            run.train_epoch(&prep, &cfg);
        }
        let p = run.predict_rows(prep.data.x.view(), &prep.split.validation);
        p.rows().into_iter().filter(|r| r[0] > r[1]).count() as f64 / p.nrows() as f64
    };
    let (plain, with_v) = (says_zero(m("vanilla")), says_zero(m("vanilla_lv")));
    assert!(
        with_v > plain + 0.15,
        "share of V predicted as V's label: vanilla_lv {with_v:.3}, vanilla {plain:.3}"
    );
}

/// `labels_only` never reads the teacher (scrambling it changes nothing) and takes as many steps as
/// the distilled students (one epoch moves its weights as far as vanilla's step count allows).
#[test]
fn labels_only_ignores_the_teacher_and_takes_the_same_steps() {
    let cfg = resolve(
        Some("flagship"),
        json!({"samples": 800, "student": {"epochs": 2}, "methods": ["vanilla", "labels_only"]}),
    )
    .unwrap();
    let prep = prepare(&cfg, &src(&cfg), 4).unwrap();
    let mut scrambled = prep.clone();
    scrambled.teacher.probs.mapv_inplace(|v| 1.0 - v);
    scrambled
        .teacher
        .labels
        .iter_mut()
        .for_each(|l| *l = 1 - *l);
    let init = prep.initial_student(&cfg);
    let trained = |p: &PreparedSeed, m: Method| {
        let mut run = StudentRun::new(p, &cfg, m, &init);
        let mut batches = 0;
        while run.epoch() < 1 {
            run.step(p, &cfg);
            batches += 1;
        }
        (run.net.weights.clone(), batches)
    };
    let (a, steps_labels) = trained(&prep, m("labels_only"));
    let (b, _) = trained(&scrambled, m("labels_only"));
    assert_eq!(a, b, "labels_only read the teacher");
    let (_, steps_vanilla) = trained(&prep, m("vanilla"));
    assert_eq!(steps_labels, steps_vanilla);
    assert!(
        steps_labels > prep.split.labeled.len().div_ceil(cfg.student.batch_size),
        "more steps than one pass over L"
    );
}

/// Methods that take gradient steps on V's labels are marked in the report and the text table.
#[test]
fn methods_training_on_v_are_marked() {
    assert!(Method::all()
        .iter()
        .filter(|m| m.trains_on_validation_labels())
        .map(|m| m.name())
        .eq(["alm", "l2t", "vanilla_lv"]));
    let cfg = resolve(Some("flagship"), json!({"samples": 600, "student": {"epochs": 1}, "methods": ["vanilla", "slam", "vanilla_lv"]})).unwrap();
    let r = run_seed(&cfg, &src(&cfg), 0).unwrap();
    let v = slam_lab::report::to_json(
        &cfg,
        "moons",
        None,
        std::slice::from_ref(&r),
        &Default::default(),
    );
    assert_eq!(
        v["methods"]["vanilla_lv"]["trains_on_validation_labels"],
        json!(true)
    );
    assert_eq!(
        v["methods"]["slam"]["trains_on_validation_labels"],
        json!(false)
    );
    assert!(v["methods"]["vanilla"]["vs_vanilla"].is_null());
    assert_eq!(v["methods"]["slam"]["vs_vanilla"]["n"], json!(1));
    let table = slam_lab::report::to_table("moons", None, &[r], &Default::default());
    assert!(
        table.lines().any(|l| l.starts_with("vanilla_lv *")),
        "{table}"
    );
    assert!(table.contains("* trains on V's true labels"), "{table}");
}

#[test]
fn alpha_min_accepts_auto_and_numbers_and_names_itself_otherwise() {
    for (v, ok) in [
        (json!("auto"), true),
        (json!(0.3), true),
        (json!(1), true),
        (json!("high"), false),
        (json!([0.5]), false),
    ] {
        let r = Config::from_value(json!({"alpha_min": v.clone()}))
            .and_then(|c| c.check(&slam_lab::methods::catalogue()));
        assert_eq!(r.is_ok(), ok, "{v}");
        if let Err(e) = r {
            assert!(e.to_string().contains("alpha_min"), "{e}");
        }
    }
    let c = Config::from_value(json!({"alpha_min": "auto"})).unwrap();
    assert_eq!(
        serde_json::to_value(&c).unwrap()["alpha_min"],
        json!("auto")
    );
}

/// The built-in method called `name`.
fn m(name: &str) -> Method {
    Method::named(name).unwrap()
}
