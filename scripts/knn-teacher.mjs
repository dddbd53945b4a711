#!/usr/bin/env node
// An example "bring your own teacher" CSV: data/digits.csv with per-class probabilities
// (teacher:0 .. teacher:9) from a k-nearest-neighbour model fitted on only a few labels, and the
// class hidden (`?`) on a share of rows. The teacher is deliberately of a different kind than the
// lab's MLP students, so the file shows distillation from a model the lab could not have trained.
//
// Reproduce the committed data/examples/digits-knn.csv (the defaults make it):
//   node scripts/knn-teacher.mjs
// Options: --seed 7  --labels 60  --k 10  --hide 0.3  --out data/examples/digits-knn.csv
// No dependencies; the output depends only on the input file and the options.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE =
  'usage: node scripts/knn-teacher.mjs [--seed 7] [--labels 60] [--k 10] [--hide 0.3] [--out data/examples/digits-knn.csv]';
const CLASSES = 10;
const SMOOTHING = 0.05; // per class, so no class is ever given probability 0
const UNITS = 10000; // probabilities are written in steps of 1e-4

function fail(message) {
  console.error(`knn-teacher: ${message}`);
  process.exit(2);
}

// --- options ---
const opts = { seed: '7', labels: '60', k: '10', hide: '0.3', out: null };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--help' || argv[i] === '-h') {
    console.log(USAGE);
    process.exit(0);
  }
  const m = /^--(\w+)(?:=(.*))?$/.exec(argv[i]);
  if (!m || !(m[1] in opts)) fail(`unknown option ${argv[i]} (see --help)`);
  const value = m[2] ?? argv[++i];
  if (value === undefined) fail(`--${m[1]} needs a value`);
  opts[m[1]] = value;
}
const int = (name, lo, hi) => {
  const v = Number(opts[name]);
  if (!Number.isInteger(v) || v < lo || v > hi) fail(`--${name} must be an integer from ${lo} to ${hi}`);
  return v;
};
const seed = int('seed', 0, 2 ** 32 - 1);
const nLabels = int('labels', 2, Number.MAX_SAFE_INTEGER); // checked against the rows below
const k = int('k', 1, nLabels - 1); // leave-one-out leaves N-1 neighbours for a training row
const hide = Number(opts.hide);
if (!(hide >= 0 && hide < 1)) fail('--hide must be a number in [0, 1)');
// A given --out is relative to where the user runs it; the default lives in the repository.
const out = opts.out ? path.resolve(opts.out) : path.join(ROOT, 'data/examples/digits-knn.csv');

// mulberry32: tiny, and the same stream on every platform, so the file is reproducible.
let state = seed >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function shuffle(a) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

// --- data: pixel cells kept as text so they are written back exactly ---
const lines = fs.readFileSync(path.join(ROOT, 'data/digits.csv'), 'utf8').split('\n').map((l) => l.replace(/\r$/, ''));
const header = lines[0].split(',').slice(0, -1);
const cells = lines.slice(1).filter((l) => l !== '').map((l) => l.split(','));
const n = cells.length;
const y = cells.map((r) => Number(r.pop()));
const x = cells.map((r) => r.map(Number));
const dims = header.length;
if (nLabels > n) fail(`--labels must be at most ${n}`);

// --- the teacher's labels: round-robin over the classes, so each gets N/10 ---
const byClass = Array.from({ length: CLASSES }, () => []);
y.forEach((c, i) => byClass[c].push(i));
byClass.forEach(shuffle);
const train = [];
for (let round = 0; train.length < nLabels; round++) {
  for (let c = 0; c < CLASSES && train.length < nLabels; c++) {
    if (round < byClass[c].length) train.push(byClass[c][round]); // a small class runs out first
  }
}
const isTrain = new Set(train);

// --- kNN on features standardised with the training rows' own statistics (all it may see) ---
const mean = new Array(dims).fill(0);
const scale = new Array(dims).fill(0);
for (const i of train) for (let d = 0; d < dims; d++) mean[d] += x[i][d] / nLabels;
for (const i of train) for (let d = 0; d < dims; d++) scale[d] += (x[i][d] - mean[d]) ** 2 / nLabels;
for (let d = 0; d < dims; d++) scale[d] = Math.sqrt(scale[d]) || 1; // a constant column: keep scale 1
const z = x.map((row) => row.map((v, d) => (v - mean[d]) / scale[d]));

const probs = z.map((zi, i) => {
  const near = train
    .filter((t) => t !== i) // leave-one-out: a training row must not vote for itself
    .map((t) => ({ t, dist: Math.hypot(...zi.map((v, d) => v - z[t][d])) }))
    .sort((a, b) => a.dist - b.dist || a.t - b.t) // ties by row, so the result never depends on sort
    .slice(0, k);
  const score = new Array(CLASSES).fill(SMOOTHING);
  for (const { t, dist } of near) score[y[t]] += 1 / (1 + dist);
  const total = score.reduce((a, b) => a + b, 0);
  // Round to whole units of 1e-4 and give the remainder to the largest, so the row sums to exactly 1.
  const units = score.map((s) => Math.round((s / total) * UNITS));
  const top = units.indexOf(Math.max(...units));
  units[top] += UNITS - units.reduce((a, b) => a + b, 0);
  return units;
});

// --- hide the class of a share of rows; the teacher's own labels stay known (the user had them) ---
const hidden = new Set();
const known = byClass.map((rows) => rows.length);
const target = Math.round(hide * n);
for (const i of shuffle([...Array(n).keys()].filter((i) => !isTrain.has(i)))) {
  if (hidden.size === target) break;
  if (known[y[i]] === 1) continue; // never hide the last known row of a class
  hidden.add(i);
  known[y[i]]--;
}

// --- write ---
const outLines = [[...header, 'label', ...Array.from({ length: CLASSES }, (_, c) => `teacher:${c}`)].join(',')];
for (let i = 0; i < n; i++) {
  const label = hidden.has(i) ? '?' : String(y[i]);
  outLines.push([...cells[i], label, ...probs[i].map((u) => (u / UNITS).toFixed(4))].join(','));
}
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, outLines.join('\n') + '\n');

// --- summary, scored on the written (rounded) probabilities of rows the teacher never saw ---
let right = 0;
let scored = 0;
for (let i = 0; i < n; i++) {
  if (hidden.has(i) || isTrain.has(i)) continue;
  scored++;
  if (probs[i].indexOf(Math.max(...probs[i])) === y[i]) right++;
}
console.log(
  `${path.basename(out)}: ${n} rows, ${hidden.size} with the class hidden; kNN teacher (k=${k}, ${nLabels} labels) ` +
    `right on ${((100 * right) / scored).toFixed(1)}% of the ${scored} other rows with a known class`,
);
