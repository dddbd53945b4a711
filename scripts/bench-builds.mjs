#!/usr/bin/env node
// Two builds of the .wasm side by side in headless Chromium: the benchmark workloads' epochs and one
// seed of every method, alternating builds, medians, and whether both give the same numbers.
//
//   node scripts/bench-builds.mjs BEFORE_PKG_DIR AFTER_PKG_DIR [--reps N] [--methods a,b] [--json]
//
// Each directory holds a wasm-pack output (slam_lab.js, slam_lab_bg.wasm), e.g. a copy of www/pkg
// from another commit. Needs www/data (scripts/build.sh).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const reps = Number(flag('--reps', 5));
const methods = flag('--methods', null)?.split(',').filter(Boolean) ?? null;
const json = args.includes('--json');
const [before, after] = args.filter((a) => !a.startsWith('--'));
if (!before || !after) throw new Error('usage: node scripts/bench-builds.mjs BEFORE_PKG_DIR AFTER_PKG_DIR [--reps N] [--json]');

const dest = path.join(ROOT, 'www', 'bench', 'builds');
for (const [name, dir] of [['before', before], ['after', after]]) {
  fs.rmSync(path.join(dest, name), { recursive: true, force: true });
  fs.mkdirSync(path.join(dest, name), { recursive: true });
  for (const f of ['slam_lab.js', 'slam_lab_bg.wasm']) fs.copyFileSync(path.join(dir, f), path.join(dest, name, f));
}
const size = (dir) => {
  const b = fs.readFileSync(path.join(dir, 'slam_lab_bg.wasm'));
  return { raw: b.length, gzip9: zlib.gzipSync(b, { level: 9 }).length };
};

const server = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('[bench-builds] page error:', e.message));
  await page.goto(server.url + 'bench/builds.html');
  await page.waitForFunction(() => globalThis.compare);
  const rows = await page.evaluate((o) => globalThis.compare.run(o), { reps, methods });
  const out = { reps, before: { dir: before, ...size(before) }, after: { dir: after, ...size(after) }, rows };
  if (json) console.log(JSON.stringify(out, null, 1));
  else {
    console.log(`size: before ${out.before.gzip9} B gzip -9 (${out.before.raw} raw), after ${out.after.gzip9} B (${out.after.raw} raw)`);
    console.log(['what', 'before ms', 'after ms', 'after / before', 'same numbers'].join('\t'));
    for (const r of rows) console.log([r.what, r.before_ms.toFixed(2), r.after_ms.toFixed(2), (r.after_ms / r.before_ms).toFixed(3), r.same].join('\t'));
  }
} finally {
  await browser.close();
  server.close?.();
  fs.rmSync(dest, { recursive: true, force: true });
}
