#!/usr/bin/env node
// A benchmark of the command line at research scale (issue 20: "at least 100,000 rows x 1,024
// features"): writes NumPy arrays of that size to a temporary directory (features float32, classes
// int64 with -1 where unknown, the teacher's probabilities float32), then times
// `slam-lab run --data x.npy --labels y.npy --teacher-probs p.npy` and reports its wall time and peak
// memory (from /usr/bin/time). A benchmark, not a test: nothing here passes or fails on a timing.
//
//   node scripts/bench-npy.mjs [--rows 100000] [--features 1024] [--seeds 2] [--keep DIR]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.SLAM_LAB_BIN || path.join(ROOT, 'target', 'release', 'slam-lab');
const opt = { rows: 100000, features: 1024, classes: 10, seeds: 2, keep: null };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i].replace(/^--/, '');
  if (!(key in opt)) {
    console.error(`bench-npy: unknown option ${argv[i]}`);
    process.exit(2);
  }
  opt[key] = key === 'keep' ? argv[i + 1] : Number(argv[i + 1]);
}

/** A .npy file: the NumPy format 1.0 header, then the little-endian data. */
function writeNpy(file, descr, shape, data) {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + dict.length + 1;
  const header = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, pre);
  fs.writeSync(fd, Buffer.from(header, 'latin1'));
  fs.writeSync(fd, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  fs.closeSync(fd);
}

// A seeded generator, so every run benchmarks the same arrays.
let s = 0x9e3779b9;
const rand = () => {
  s = (s + 0x6d2b79f5) | 0;
  let t = Math.imul(s ^ (s >>> 15), 1 | s);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const { rows: n, features: d, classes: c } = opt;
const dir = opt.keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-npy-'));
fs.mkdirSync(dir, { recursive: true });
const t0 = Date.now();
// Classes are blobs around random centres in the first 32 columns; the rest is noise.
const centres = Array.from({ length: c }, () => Float32Array.from({ length: 32 }, () => 4 * rand() - 2));
const y = new BigInt64Array(n);
const x = new Float32Array(n * d);
const p = new Float32Array(n * c);
for (let i = 0; i < n; i++) {
  const cls = i % c;
  y[i] = i % 7 === 6 ? -1n : BigInt(cls);
  for (let j = 0; j < d; j++) x[i * d + j] = (j < 32 ? centres[cls][j] : 0) + 2 * (rand() - 0.5);
  // The teacher is right on 80 % of rows, 60 % sure; wrong rows go to the next class.
  const label = rand() < 0.8 ? cls : (cls + 1) % c;
  for (let k = 0; k < c; k++) p[i * c + k] = k === label ? 0.6 : 0.4 / (c - 1);
}
writeNpy(path.join(dir, 'x.npy'), '<f4', [n, d], x);
writeNpy(path.join(dir, 'y.npy'), '<i8', [n], y);
writeNpy(path.join(dir, 'p.npy'), '<f4', [n, c], p);
console.log(`bench-npy: wrote ${n} x ${d} features (${(x.byteLength / 1e6).toFixed(0)} MB), labels and teacher to ${dir} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const args = ['run', '--data', path.join(dir, 'x.npy'), '--labels', path.join(dir, 'y.npy'), '--teacher-probs', path.join(dir, 'p.npy'),
  '--seeds', String(opt.seeds), '--methods', 'vanilla,slam', '--set', 'labeled=1000', '--set', 'validation=2000', '--set', 'student.epochs=2', '--json'];
const timeFile = path.join(dir, 'time.txt');
const t1 = Date.now();
const out = execFileSync('/usr/bin/time', ['-v', '-o', timeFile, BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
const wall = (Date.now() - t1) / 1000;
const r = JSON.parse(out);
const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(fs.readFileSync(timeFile, 'utf8'))[1]);
const cpu = /Percent of CPU this job got: (\d+)%/.exec(fs.readFileSync(timeFile, 'utf8'))[1];
console.log(`bench-npy: slam-lab ${args.join(' ')}`);
console.log(`bench-npy: ${wall.toFixed(1)} s wall, ${cpu}% CPU, peak ${(rss / 1024).toFixed(0)} MiB resident; sizes ${JSON.stringify(r.sizes)}; teacher ${(100 * r.teacher_accuracy).toFixed(1)} %; ` +
  Object.entries(r.methods).map(([m, v]) => `${m} ${(100 * v.mean).toFixed(1)} %`).join(', '));
if (!opt.keep) fs.rmSync(dir, { recursive: true, force: true });
