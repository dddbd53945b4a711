//! Tests of `memory`.

use super::*;
use crate::model::Mlp;
use crate::rng::{Rng, Stream};
use proptest::prelude::*;

fn shape(rows: usize, dim: usize, classes: usize) -> Shape {
    Shape {
        rows,
        added: 0,
        dim,
        classes,
        source_bytes: 0,
        drawn_up_to: Some(usize::MAX),
    }
}

fn all_kinds() -> Needs {
    let mut n = Needs {
        embedding: true,
        ensemble: true,
        ..Needs::default()
    };
    for m in [
        MethodMemory::PLAIN,
        MethodMemory {
            per_row: 56,
            per_row_class: 2,
            ..MethodMemory::PLAIN
        },
        MethodMemory {
            lookahead: true,
            ..MethodMemory::PLAIN
        },
        MethodMemory {
            regressor: true,
            ..MethodMemory::PLAIN
        },
        MethodMemory {
            subclasses: true,
            ..MethodMemory::PLAIN
        },
    ] {
        n.add(&m);
    }
    n
}

#[test]
fn parameters_are_the_networks_own() {
    let mut rng = Rng::new(3, Stream::Method);
    for sizes in [vec![2, 3], vec![784, 64, 10], vec![5, 1, 7, 2, 9]] {
        let net = Mlp::new(&sizes, 4, &mut rng);
        assert_eq!(mlp(&sizes).0, net.parameter_count() as u64, "{sizes:?}");
    }
    // Activations of every layer and deltas of every layer but the input, per row.
    assert_eq!(mlp(&[5, 1, 7, 2, 9]).1, 24 + 19);
}

#[test]
fn sizes_read_as_over_the_budget() {
    assert_eq!(size(BUDGET), "1,024 MiB");
    assert_eq!(size(BUDGET + 1), "1,025 MiB");
    assert_eq!(size(3 << 20), "3 MiB");
    assert_eq!(size(10 << 30), "10.0 GiB");
    assert_eq!(size((33 << 30) / 2), "16.5 GiB");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The search for the largest value that fits relies on it: raising any setting never lowers
    /// the estimate.
    #[test]
    fn the_estimate_grows_with_every_setting(
        widths in prop::collection::vec(1usize..1025, 0..9),
        batch in 1usize..65537,
        rows in 10usize..200_001,
        dim in 1usize..1024,
        classes in 2usize..51,
        members in 2usize..21,
        pairs in 1usize..5,
        which in 0usize..6,
    ) {
        let mut cfg = Config::default().check(&crate::methods::catalogue()).unwrap().into_config();
        cfg.student.hidden = widths.clone();
        cfg.teacher.hidden = widths.iter().rev().copied().collect();
        cfg.student.batch_size = batch;
        cfg.settings.set_int("ups.ensemble", members as u64);
        cfg.settings.set_int("lelp_subclasses", 2 * pairs as u64);
        cfg.samples = rows;
        let needs = all_kinds();
        let s = shape(rows, dim, classes);
        let before = estimate(&cfg, &s, &needs).bytes;
        let mut more = cfg.clone();
        let mut s2 = s;
        match which {
            0 => more.student.batch_size += 1,
            1 => more.student.hidden.iter_mut().for_each(|w| *w += 1),
            2 => more.teacher.hidden.iter_mut().for_each(|w| *w += 1),
            3 => more.settings.set_int("ups.ensemble", members as u64 + 1),
            4 => more.settings.set_int("lelp_subclasses", 2 * pairs as u64 + 2),
            _ => s2.rows += 1,
        }
        prop_assert!(estimate(&more, &s2, &needs).bytes >= before);
    }
}
