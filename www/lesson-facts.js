// The facts a lesson step may state, read from the run on screen (or, in the tests, from the same
// engine calls in Node): nothing here is written by hand, and nothing touches the page.

import { pairedStats } from './stats.js';
import { known } from './truth.js';

/**
 * Facts of a session and its metrics at the epoch shown.
 * `view`: {overview, config, arrays: {labels, teacherLabels, teacherConfidence, alpha, roles}};
 * `snap`: {epoch, finished, metrics: {method: [EpochMetrics]}} or null before the first snapshot.
 * Accuracies are fractions; `methods[m]` is null before the first epoch.
 */
export function runFacts(view, snap) {
  const o = view.overview;
  const a = view.arrays;
  const n = a.roles.length;
  let u = 0;
  let wrong = 0;
  let confRight = 0;
  let confWrong = 0;
  let alphaRight = 0;
  let alphaWrong = 0;
  let alphaMin = Infinity;
  let alphaMax = -Infinity;
  let wrongAtFloor = 0;
  const floor = o.alpha_floor;
  for (let i = 0; i < n; i++) {
    // U's rows whose class is known: a row a file's teacher labels without a class is never counted.
    if (a.roles[i] !== 2 || !known(a.labels, i)) continue;
    u += 1;
    const isWrong = a.teacherLabels[i] !== a.labels[i];
    const al = a.alpha[i];
    alphaMin = Math.min(alphaMin, al);
    alphaMax = Math.max(alphaMax, al);
    if (isWrong) {
      wrong += 1;
      confWrong += a.teacherConfidence[i];
      alphaWrong += al;
      if (al <= floor + 1e-6) wrongAtFloor += 1;
    } else {
      confRight += a.teacherConfidence[i];
      alphaRight += al;
    }
  }
  const right = u - wrong;
  const methods = {};
  for (const m of o.methods) {
    const h = snap?.metrics?.[m] ?? [];
    const last = h[h.length - 1];
    methods[m] = last ? { epoch: last.epoch, test: last.test_accuracy, right: last.teacher_right_accuracy, wrong: last.teacher_wrong_accuracy } : null;
  }
  const [L, V, U, T] = o.sizes;
  return {
    epoch: snap?.epoch ?? 0,
    epochs: o.epochs,
    finished: Boolean(snap?.finished),
    sizes: { L, V, U, T },
    classes: o.class_names.length,
    noise: view.config?.teacher?.kind === 'synthetic' ? view.config.teacher.noise : null,
    teacher: { test: o.teacher_test_accuracy, unlabeled: o.teacher_unlabeled_accuracy, wrong, unlabeledCount: u },
    confidence: { right: right ? confRight / right : null, wrong: wrong ? confWrong / wrong : null },
    alpha: {
      floor,
      min: u ? alphaMin : null,
      max: u ? alphaMax : null,
      right: right ? alphaRight / right : null,
      wrong: wrong ? alphaWrong / wrong : null,
      wrongAtFloor,
    },
    k: o.k,
    methods,
  };
}

/**
 * Facts of a multi-seed report (`slam-lab run --json`, or the page's pool: summariseSeeds): per
 * method the mean and the paired gain over vanilla, and the students against their teacher, paired
 * seed by seed. Null when there is no report.
 */
export function seedFacts(report) {
  if (!report) return null;
  const teacher = report.teacher_accuracy_per_seed ?? [];
  const paired = (xs) => pairedStats(xs.map((x, i) => x - teacher[i]));
  const methods = {};
  for (const [m, r] of Object.entries(report.methods ?? {})) {
    methods[m] = { mean: r.mean, perSeed: r.per_seed, gain: r.vs_vanilla ?? null, overTeacher: paired(r.per_seed ?? []) };
  }
  return { seeds: report.seeds, seedList: report.seed_list, teacher: report.teacher_accuracy, methods };
}

/** Whether the teacher is clearly less sure where it is wrong (by more than 5 points on average). */
export const unsureWhereWrong = (f) => f.confidence.wrong !== null && f.confidence.right !== null && f.confidence.wrong < f.confidence.right - 0.05;

/** Whether SLaM's alpha is clearly lower where the teacher is wrong (by more than 0.05 on average). */
export const alphaFollowsMistakes = (f) => f.alpha.wrong !== null && f.alpha.right !== null && f.alpha.wrong < f.alpha.right - 0.05;
