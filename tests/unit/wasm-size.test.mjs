// The page's engine stays small enough for a classroom network: www/pkg/slam_lab_bg.wasm (built by
// scripts/build.sh, which npm test runs before these unit tests) within a budget, gzipped at level 9 by
// zlib (about 1 % larger than `gzip -9`).
// docs/performance.md says where the bytes go and how to measure them (twiggy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const WASM = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'www', 'pkg', 'slam_lab_bg.wasm');
// Issue 19 asked for 250 KB gzipped and got 248.9 KB by zlib here. Issue 20's teacher read from an
// uploaded file (its CSV columns, rows of unknown class, the checks that name each bad cell) costs
// 7.4 KB of it: 256.9 KB (docs/performance.md says where the bytes go). The budget sits just above,
// so that no change grows it unnoticed.
const BUDGET = 257.5 * 1000;

test('the .wasm stays within its gzipped budget', () => {
  assert.ok(fs.existsSync(WASM), `${WASM} is missing: run scripts/build.sh`);
  const raw = fs.readFileSync(WASM);
  const gz = zlib.gzipSync(raw, { level: 9 }).length;
  console.log(`[wasm-size] ${path.relative(process.cwd(), WASM)}: ${gz} bytes gzipped (level 9), ${raw.length} raw; budget ${BUDGET}`);
  assert.ok(gz <= BUDGET, `the .wasm is ${gz} bytes gzipped, over the budget of ${BUDGET}: see docs/performance.md`);
});
