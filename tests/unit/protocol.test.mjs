// The worker protocol is written down once (www/worker/protocol.js): every message type the page
// and the workers send or handle is listed there, and everything listed is sent by someone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TO_ENGINE, FROM_ENGINE, TO_POOL, FROM_POOL } from '../../www/worker/protocol.js';

const WWW = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'www');

function sources(files) {
  return files.map((f) => fs.readFileSync(path.join(WWW, f), 'utf8')).join('\n');
}

function walk(dir) {
  return fs.readdirSync(path.join(WWW, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    return e.isDirectory() ? walk(rel) : rel.endsWith('.js') ? [rel] : [];
  });
}

/** Message types in `text` that are sent: `type: 'x'` in an object literal (not a Worker's `type: 'module'`). */
const sent = (text) => new Set([...text.matchAll(/\btype: '([a-z-]+)'/g)].map((m) => m[1]).filter((t) => t !== 'module'));

const engineSide = ['worker.js', ...walk('worker').filter((f) => !f.endsWith('protocol.js'))];
const poolSide = ['seeds-worker.js', 'worker/slices.js', 'worker/load.js', 'worker/summaries.js'];
const pageSide = ['boot.js', 'engine.js', ...walk('app'), ...walk('panels')];

test('every message the engine worker sends is in FROM_ENGINE, and every listed one is sent', () => {
  const out = sent(sources(engineSide));
  // The pool's own messages come from seeds-worker.js, not from the engine worker's files.
  for (const t of out) assert.ok(t in FROM_ENGINE || t in FROM_POOL, `the engine worker sends '${t}', which protocol.js does not list`);
  for (const t of Object.keys(FROM_ENGINE)) assert.ok(out.has(t), `FROM_ENGINE lists '${t}', which the engine worker never sends`);
});

test('every message the pool worker sends is in FROM_POOL, and every listed one is sent', () => {
  const out = sent(sources(poolSide));
  for (const t of Object.keys(FROM_POOL)) assert.ok(out.has(t), `FROM_POOL lists '${t}', which the pool worker never sends`);
  const own = sent(sources(['seeds-worker.js']));
  for (const t of own) assert.ok(t in FROM_POOL || t in TO_POOL, `seeds-worker.js sends '${t}', which protocol.js does not list`);
});

/** Messages the page sends: `send({ type: 'x'`, `postMessage({ type: 'x'` or `ask({ type: 'x'`. */
const posted = (text) => new Set([...text.matchAll(/\b(?:send|postMessage|ask)\(\{\s*type: '([a-z-]+)'/g)].map((m) => m[1]));

test('every message the page sends is in TO_ENGINE or TO_POOL, and every listed one is sent', () => {
  const out = posted(sources(pageSide));
  for (const t of out) {
    assert.ok(t in TO_ENGINE || t in TO_POOL || t in FROM_ENGINE, `the page sends '${t}', which protocol.js does not list`);
  }
  for (const t of [...Object.keys(TO_ENGINE), ...Object.keys(TO_POOL)]) assert.ok(out.has(t), `protocol.js lists '${t}' to a worker, which the page never sends`);
});

test('every message the engine worker is sent is handled by it', () => {
  const text = sources(['worker.js']);
  // A `case 'x':` of the switch, or a key `x:` / `'x':` of its table of session actions.
  const handles = (t) => text.includes(`case '${t}':`) || new RegExp(`^\\s*'?${t}'?: \\(`, 'm').test(text);
  for (const t of Object.keys(TO_ENGINE)) assert.ok(handles(t), `worker.js does not handle '${t}'`);
  const pool = sources(['seeds-worker.js']);
  for (const t of Object.keys(TO_POOL)) assert.ok(pool.includes(`'${t}'`), `seeds-worker.js does not handle '${t}'`);
});
