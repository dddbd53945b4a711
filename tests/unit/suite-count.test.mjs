// The suite cannot shrink unseen: scripts/test-count.sh, which closes `npm test` with its "total:"
// line, fails on a count below tests/floor.json and on a test skipped without a reason. Checked here
// on made-up logs of each runner (cargo, wasm-bindgen-test, node --test's TAP on any line of Node).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'suite-count-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function count(log, floor) {
  fs.writeFileSync(path.join(dir, 'log'), log);
  fs.writeFileSync(path.join(dir, 'floor.json'), JSON.stringify({ tests: floor }));
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'test-count.sh'), path.join(dir, 'log'), path.join(dir, 'floor.json')], { encoding: 'utf8' });
  return { code: r.status, total: r.stdout.split('\n').find((l) => l.startsWith('total:')), err: r.stderr };
}

const CARGO = 'running 3 tests\ntest a ... ok\ntest result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.1s\n';
const NODE = 'TAP version 13\nok 1 - x\n1..5\n# tests 5\n# suites 0\n# pass 5\n# fail 0\n# cancelled 0\n# skipped 0\n# todo 0\n';

test('counts every runner once, repeats on other lines of Node not again', () => {
  const r = count(`${CARGO}${NODE}[node 22] # pass 41\n[node 24] # pass 41\n`, 17);
  assert.equal(r.total, 'total: 17 passed, 0 failed, 0 skipped');
  assert.equal(r.code, 0, r.err);
});

test('fewer tests than the floor fail the run', () => {
  const r = count(`${CARGO}${NODE}`, 18);
  assert.equal(r.code, 1);
  assert.match(r.err, /17 tests passed, fewer than the floor of 18/);
  // A test file no longer found: its runner's lines are simply missing.
  assert.equal(count(CARGO, 17).code, 1);
});

test('a skip needs a reason: node\'s # SKIP, # TODO and cargo\'s ignored', () => {
  const skipped = (line, summary) => `${CARGO}TAP version 13\n${line}\n# pass 5\n# fail 0\n${summary}\n`;
  let r = count(skipped('ok 6 - needs a GPU # SKIP no GPU on this machine', '# skipped 1'), 17);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.total, 'total: 17 passed, 0 failed, 1 skipped');
  r = count(skipped('    ok 6 - nested # SKIP', '# skipped 1'), 17);
  assert.equal(r.code, 1);
  assert.match(r.err, /skipped without a reason/);
  r = count(skipped('ok 6 - later # TODO', '# todo 1'), 17);
  assert.equal(r.code, 1);
  r = count(`test slow ... ignored, takes an hour\ntest result: ok. 17 passed; 0 failed; 1 ignored; 0 measured\n`, 17);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.total, 'total: 17 passed, 0 failed, 1 skipped');
  r = count(`test slow ... ignored\ntest result: ok. 17 passed; 0 failed; 1 ignored; 0 measured\n`, 17);
  assert.equal(r.code, 1);
  assert.match(r.err, /ignored without a reason/);
});

test('cancelled tests count as failed', () => {
  const r = count(`${CARGO}TAP version 13\n# pass 5\n# fail 1\n# cancelled 2\n`, 17);
  assert.equal(r.total, 'total: 17 passed, 3 failed, 0 skipped');
});
