// The page's start-up path: index.html starts the engine worker from boot.js and preloads every module
// main.js imports, directly or not, so they are fetched in parallel. This checks the preload list is
// exactly that graph (a module added without its preload would bring the slow waterfall back; a stale
// preload would fetch a file for nothing or 404).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WWW = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'www');

/**
 * Imports of `rel` and everything they import, as paths relative to www/: static ones, and dynamic
 * `import('./x.js')` ones (uPlot is imported when the first chart draws; preloading still fetches it
 * early, it only runs later).
 */
function moduleGraph(rel, seen = new Set()) {
  if (seen.has(rel)) return seen;
  seen.add(rel);
  const src = fs.readFileSync(path.join(WWW, rel), 'utf8');
  const specifiers = [
    ...[...src.matchAll(/^\s*import\s+(?:[^'"]*?from\s+)?['"](\.[^'"]+)['"]/gm)].map((m) => m[1]),
    ...[...src.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1]),
  ];
  for (const spec of specifiers) moduleGraph(path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec)), seen);
  return seen;
}

const html = fs.readFileSync(path.join(WWW, 'index.html'), 'utf8');
const attr = (tag, name) => tag.match(new RegExp(`${name}="([^"]*)"`))?.[1];
const tags = (re) => [...html.matchAll(re)].map((m) => m[0]);

test('index.html preloads exactly the modules main.js imports', () => {
  const graph = moduleGraph('main.js');
  assert.ok(graph.size > 10, `found ${graph.size} modules: the import scan works`);
  const scripts = tags(/<script\b[^>]*>/g).map((t) => attr(t, 'src').replace(/^\.\//, ''));
  const preloads = tags(/<link\b[^>]*rel="modulepreload"[^>]*>/g).map((t) => attr(t, 'href').replace(/^\.\//, ''));
  assert.equal(new Set(preloads).size, preloads.length, 'no module preloaded twice');
  const expected = [...graph].filter((m) => !scripts.includes(m)).sort();
  assert.deepEqual([...preloads].sort(), expected);
  for (const m of preloads) assert.ok(fs.existsSync(path.join(WWW, m)), `${m} exists`);
});

test('boot.js comes first, runs as soon as it arrives, and imports nothing', () => {
  const scripts = tags(/<script\b[^>]*>/g);
  assert.equal(attr(scripts[0], 'src'), './boot.js');
  assert.match(scripts[0], /\basync\b/);
  assert.match(scripts[0], /type="module"/);
  assert.equal(moduleGraph('boot.js').size, 1, 'boot.js has no imports (nothing to wait for)');
  assert.ok(moduleGraph('main.js').has('boot.js'), 'main.js takes the worker boot.js started');
});
