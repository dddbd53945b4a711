// The guided tour says only what its run shows. For every step and seeds 0-9 the step's setup is
// built by the engine (the page's own wasm build, here in Node), trained as the tour trains it, and
// the step's words rendered from the page's own facts (www/lesson-facts.js). Then, recounted here
// from the raw rows and the students' predictions with plain loops:
//   - every number in the words is one of the run's numbers (nothing written by hand);
//   - every claim is shown exactly when the recount supports it.
// The real-teacher step is about several seeds: its claims are checked against the CLI's report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import init, * as slam from '../../www/pkg/slam_lab.js';
import { STEPS } from '../../www/lesson-steps.js';
import { runFacts, seedFacts } from '../../www/lesson-facts.js';
import { labelsNotice, trainingNotice } from '../../www/notice-text.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.SLAM_LAB_BIN || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'release', 'slam-lab');
const SEEDS = Array.from({ length: 10 }, (_, i) => i);

await init({ module_or_path: fs.readFileSync(path.join(ROOT, 'www', 'pkg', 'slam_lab_bg.wasm')) });

/** The step's session for `seed`, trained to the end when the step plays; with the page's facts. */
function build(step, seed) {
  const s = new slam.Session({ scenario: step.setup.scenario, config: { ...step.setup.config, seed } });
  if (step.autoplay) while (s.advance(1_000_000, 100_000) >= 0);
  const view = {
    overview: s.overview(),
    config: s.config(),
    arrays: { labels: s.labels(), teacherLabels: s.teacherLabels(), teacherConfidence: s.teacherConfidence(), alpha: s.alpha(), roles: s.roles() },
  };
  const snap = { epoch: s.epoch(), finished: s.finished(), metrics: s.metricsFrom(0) };
  return { s, view, snap };
}

/** The run recounted from its rows and the students' predictions: plain loops, no engine summary. */
function recount({ s, view }) {
  const { labels, teacherLabels, teacherConfidence, alpha, roles } = view.arrays;
  const n = roles.length;
  const r = { sizes: [0, 0, 0, 0], wrong: 0, confRight: 0, confWrong: 0, aRight: 0, aWrong: 0, aMin: Infinity, aMax: -Infinity, atFloor: 0, methods: {} };
  for (let i = 0; i < n; i++) {
    r.sizes[roles[i]] += 1;
    if (roles[i] !== 2) continue;
    const wrong = teacherLabels[i] !== labels[i];
    r.aMin = Math.min(r.aMin, alpha[i]);
    r.aMax = Math.max(r.aMax, alpha[i]);
    if (wrong) {
      r.wrong += 1;
      r.confWrong += teacherConfidence[i];
      r.aWrong += alpha[i];
      if (alpha[i] <= view.overview.alpha_floor + 1e-6) r.atFloor += 1;
    } else {
      r.confRight += teacherConfidence[i];
      r.aRight += alpha[i];
    }
  }
  const right = r.sizes[2] - r.wrong;
  r.confRight /= right;
  r.confWrong /= r.wrong;
  r.aRight /= right;
  r.aWrong /= r.wrong;
  if (s.epoch() > 0) {
    view.overview.methods.forEach((m, k) => {
      const pred = s.predictionsOf(k, 0, n);
      let t = 0;
      let tn = 0;
      let w = 0;
      let wn = 0;
      for (let i = 0; i < n; i++) {
        if (roles[i] === 3) {
          tn += 1;
          t += pred[i] === labels[i] ? 1 : 0;
        } else if (roles[i] === 2 && teacherLabels[i] !== labels[i]) {
          wn += 1;
          w += pred[i] === labels[i] ? 1 : 0;
        }
      }
      r.methods[m] = { test: t / tn, wrong: w / wn };
    });
  }
  return r;
}

/** Every way the words may print a recounted number. */
function allowedNumbers(r, view, snap) {
  const out = new Set();
  const add = (x) => {
    if (!Number.isFinite(x)) return;
    out.add(x.toLocaleString('en'));
    out.add((x * 100).toFixed(1));
    out.add(x.toFixed(2));
    out.add(Math.abs(x * 100).toFixed(1));
  };
  for (const x of [...r.sizes, r.wrong, r.sizes[2], r.confRight, r.confWrong, r.aRight, r.aWrong, r.aMin, r.aMax, r.atFloor, 1 - (r.sizes[2] - r.wrong) / r.sizes[2]]) add(x);
  add(view.overview.k);
  add(view.overview.alpha_floor);
  add(view.overview.class_names.length);
  add(view.overview.teacher_test_accuracy);
  add(snap.epoch);
  for (const m of Object.values(r.methods)) {
    add(m.test);
    add(m.wrong);
  }
  const ms = Object.values(r.methods);
  for (const a of ms) for (const b of ms) add(a.test - b.test);
  return out;
}

const numbersIn = (text) => text.match(/\d+(?:,\d{3})*(?:\.\d+)?/g) ?? [];

/** Claims: [phrase, whether the recount supports it] per step, checked both ways. */
const CLAIMS = {
  'Where the mistakes are, is the teacher unsure?': (r) => [['The ringed dots are fainter', r.confWrong < r.confRight - 0.05]],
  'How much to trust each label: α(x)': (r) => [['SLaM trusts the wrong labels less', r.aWrong < r.aRight - 0.05]],
  'One step in slow motion': (r, view) => [['those points do not push at all', view.overview.k === view.overview.class_names.length]],
  'Watch them learn': (r) => [
    ['copies most of the teacher\'s mistakes', r.methods.vanilla_hard.wrong < 0.5],
    ['SLaM gets the most of them right', r.methods.slam.wrong > r.methods.vanilla.wrong && r.methods.slam.wrong > r.methods.vanilla_hard.wrong],
    ['SLaM ahead on this seed', r.methods.slam.test >= r.methods.vanilla.test],
  ],
  'When labels are plenty': (r) => [
    ['the soft students end up close', Math.abs(r.methods.slam.test - r.methods.vanilla.test) < 0.02],
    ['The hard-label students still trail', Math.max(r.methods.vanilla_hard.test, r.methods.taylor_ce.test) < Math.min(r.methods.vanilla.test, r.methods.slam.test) - 0.03],
  ],
  'Noise that is the same everywhere': (r) => [
    ['So α(x) is flat', r.aMax - r.aMin < 0.1],
    ['But it does not follow the mistakes', r.aMax - r.aMin >= 0.1 && Math.abs(r.aWrong - r.aRight) < 0.05],
  ],
};

for (const step of STEPS.filter((s) => !s.seeds)) {
  test(`"${step.title}": every number is the run's and every claim holds, seeds 0-9`, { timeout: 300_000 }, (t) => {
    const seen = new Map();
    for (const seed of SEEDS) {
      const built = build(step, seed);
      const r = recount(built);
      const words = step.text({ f: runFacts(built.view, built.snap), s: null, run: null }).join(' ');
      const allowed = allowedNumbers(r, built.view, built.snap);
      for (const x of numbersIn(words)) assert.ok(allowed.has(x), `seed ${seed}: "${x}" is not one of the run's numbers in: ${words}`);
      for (const [phrase, holds] of CLAIMS[step.title]?.(r, built.view) ?? []) {
        assert.equal(words.includes(phrase), holds, `seed ${seed}: "${phrase}" ${holds ? 'holds but is not said' : 'is said but the run rejects it'}: ${words}`);
        seen.set(phrase, (seen.get(phrase) ?? 0) + (holds ? 1 : 0));
      }
      built.s.free();
    }
    if (seen.size) t.diagnostic(`${step.title}: ${[...seen].map(([p, k]) => `"${p}" on ${k}/10 seeds`).join('; ')}`);
  });
}

test('the real-teacher step: its claims are those of the seeds the tour runs', { timeout: 600_000 }, () => {
  const step = STEPS.find((s) => s.seeds);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slam-lesson-'));
  const config = path.join(dir, 'config.json');
  fs.writeFileSync(config, JSON.stringify(step.setup.config ?? {}));
  let report;
  try {
    report = JSON.parse(execFileSync(BIN, ['run', '--scenario', step.setup.scenario, '--seeds', String(step.seeds), '--config', config, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(report.seeds, step.seeds);
  // The single seed's facts (seed 0) from the same report: teacher accuracy and sizes.
  const f = { sizes: { L: report.sizes.labeled, V: report.sizes.validation, U: report.sizes.unlabeled, T: report.sizes.test }, teacher: { test: report.teacher_accuracy_per_seed[0] } };
  const words = step.text({ f, s: seedFacts(report), run: null }).join(' ');
  // Recounted here: paired differences, their mean, sd and 95% t interval (Student's t, 97.5%).
  const T = { 4: 2.776, 9: 2.262 }[report.seeds - 1];
  assert.ok(T, `a t quantile for ${report.seeds} seeds`);
  const paired = (a, b) => {
    const d = a.map((x, i) => x - b[i]);
    const mean = d.reduce((s, x) => s + x, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1));
    const half = (T * sd) / Math.sqrt(d.length);
    return { mean, lo: mean - half, hi: mean + half, wins: d.filter((x) => x > 0).length };
  };
  const beat = paired(report.methods.vanilla.per_seed, report.teacher_accuracy_per_seed);
  const gain = paired(report.methods.slam.per_seed, report.methods.vanilla.per_seed);
  const fmt = (p) => `${p.mean >= 0 ? '+' : '−'}${Math.abs(p.mean * 100).toFixed(1)} points [${p.lo >= 0 ? '+' : '−'}${Math.abs(p.lo * 100).toFixed(1)}, ${p.hi >= 0 ? '+' : '−'}${Math.abs(p.hi * 100).toFixed(1)}], ${p.wins} of ${report.seeds} seeds`;
  assert.ok(words.includes(fmt(beat)), `the student against its teacher, ${fmt(beat)}, in: ${words}`);
  assert.ok(words.includes(fmt(gain)), `SLaM against vanilla, ${fmt(gain)}, in: ${words}`);
  assert.equal(words.includes('the plain (vanilla) student beats its teacher'), beat.lo > 0, words);
  assert.equal(words.includes('SLaM adds'), gain.lo > 0, words);
  assert.equal(words.includes('cannot tell them apart'), gain.lo <= 0 && gain.hi >= 0, words);
  assert.ok(words.includes(`${(report.teacher_accuracy_per_seed[0] * 100).toFixed(1)}%`));
});

test('the panels\' "What to notice" claims hold on their runs: flagship and uniform noise, seeds 0-9', { timeout: 300_000 }, () => {
  for (const scenario of ['flagship', 'uniform-noise']) {
    for (const seed of SEEDS) {
      const built = build({ setup: { scenario }, autoplay: true }, seed);
      const r = recount(built);
      const f = runFacts(built.view, built.snap);
      const labels = labelsNotice(f);
      assert.equal(labels.includes('the mistakes gather where the teacher is unsure'), r.confWrong < r.confRight - 0.05, `${scenario} seed ${seed}: ${labels}`);
      const training = trainingNotice(f);
      const allowed = allowedNumbers(r, built.view, built.snap);
      for (const x of numbersIn(`${labels} ${training}`)) assert.ok(allowed.has(x), `${scenario} seed ${seed}: "${x}" in: ${labels} ${training}`);
      const worst = Math.min(...Object.values(r.methods).map((m) => m.wrong));
      assert.equal(training.includes('copies most of the teacher\'s mistakes'), worst < 0.5, `${scenario} seed ${seed}: ${training}`);
      built.s.free();
    }
  }
});
