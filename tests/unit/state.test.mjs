// Property tests of the page's URL-state decoder (www/state.js), the JS counterpart of the Rust fuzz
// targets: any query string decodes without throwing into a state whose every value is legal, and a
// valid state survives the trip through its own link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as state from '../../www/state.js';
import { fuzzRuns } from '../fuzz-runs.mjs';

const { readUrl, toQuery, parseValue, formatValue, defaultState, resolvedConfig, getPath, sameValue } = state;
// The page's URL table is the engine's schema (slam-lab schema) plus the page's own keys.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.SLAM_LAB_BIN || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'release', 'slam-lab');
const SCHEMA = JSON.parse(execFileSync(BIN, ['schema'], { encoding: 'utf8' }));
state.installSchema(SCHEMA);
const { PARAMS, PARAM, CONFIG_PARAMS } = state;

const catalogue = {
  scenarios: ['flagship', 'digits', 'uniform-noise'].map((name) => ({ name })),
  datasets: ['moons', 'circles', 'digits', 'mnist'].map((name) => ({ name })),
  methods: ['vanilla', 'vanilla_hard', 'slam', 'slam_hard', 'weighted', 'taylor_ce'].map((name) => ({ name })),
};
const scenarioConfigs = {
  flagship: { seed: 0, dataset: 'moons', student: { epochs: 30, hidden: [16] }, teacher: { rate: 0.2 } },
  digits: { seed: 0, dataset: 'digits', student: { epochs: 20, hidden: [32] } },
  'uniform-noise': { seed: 0, dataset: 'circles' },
};
const RUNS = fuzzRuns('STATE_FUZZ_RUNS', 2000, 200);

// Text that looks like values of every kind, plus hostile and malformed strings.
const valueText = fc.oneof(
  fc.string(),
  fc.integer({ min: -1e9, max: 1e9 }).map(String),
  fc.double({ noNaN: false }).map(String),
  fc.constantFrom('NaN', 'Infinity', '-0', '1e999', '', '-', '<img src=x onerror=alert(1)>', '%', '0,0,0;1,1,1', '32,16', 'true', 'auto', 'teacher.rate', '[64,64],[16]'),
  fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 12 }).map((a) => a.join(',')),
  fc.array(fc.integer({ min: -5, max: 2000 }), { maxLength: 12 }).map((a) => a.join(',')),
  fc.array(fc.tuple(fc.double(), fc.double(), fc.integer({ min: -2, max: 60 })), { maxLength: 5 })
    .map((pts) => pts.map((p) => p.join(',')).join(';')),
);
const keyText = fc.oneof(fc.constantFrom(...PARAMS.map((p) => p.key)), fc.string({ maxLength: 12 }));

const inRange = (p, v) => (p.minExclusive ? v > p.min : v >= p.min) && (p.maxExclusive ? v < p.max : v <= p.max);

/** The table's limits, checked independently of the decoder's own parser. */
function withinLimits(p, v) {
  const opts = typeof p.options === 'function' ? p.options(catalogue) : p.options;
  switch (p.kind) {
    case 'int':
      return Number.isInteger(v) && v >= p.min && v <= p.max && (!p.options || p.options.includes(v));
    case 'float':
      return Number.isFinite(v) && inRange(p, v);
    case 'floatOrAuto':
      return v === 'auto' || (Number.isFinite(v) && inRange(p, v));
    case 'text':
      return typeof v === 'string' && v.length <= p.maxLen && p.pattern.test(v);
    case 'enum':
      return opts.includes(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'intList':
      return Array.isArray(v) && v.length <= p.maxLen && v.every((w) => Number.isInteger(w) && w >= p.min && w <= p.max);
    case 'enumList':
      return Array.isArray(v) && v.length > 0 && v.every((w) => opts.includes(w)) && new Set(v).size === v.length;
    case 'points':
      return Array.isArray(v) && v.length <= 200 && v.every((q) => q.x.every(Number.isFinite) && Number.isInteger(q.label) && q.label >= 0);
    default:
      return false;
  }
}

/** Every value in a decoded state must be within the table's limits and parse back from its own
 * formatting: i.e. it is legal. */
function assertLegal(state) {
  assert.ok(catalogue.scenarios.some((s) => s.name === state.scenario), `scenario ${state.scenario}`);
  for (const [key, value] of Object.entries(state.over)) {
    const p = PARAM[key];
    assert.ok(p && p.config, `unknown config key ${key}`);
    assert.ok(withinLimits(p, value), `${key}=${JSON.stringify(value)} outside the table's limits`);
    assert.doesNotThrow(() => parseValue(p, formatValue(p, value), catalogue), `${key}=${JSON.stringify(value)}`);
  }
  for (const key of ['speed', 'seeds', 'lesson', 'points', 'sweep', 'sweep_values']) {
    assert.ok(withinLimits(PARAM[key], state[key]), `${key}=${JSON.stringify(state[key])} outside the table's limits`);
    assert.doesNotThrow(() => parseValue(PARAM[key], formatValue(PARAM[key], state[key]), catalogue), key);
  }
}

test('any query string decodes without throwing into a legal state', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(keyText, valueText), { maxLength: 12 }), (pairs) => {
      const search = new URLSearchParams(pairs).toString();
      const { state, notices } = readUrl(search, catalogue, scenarioConfigs);
      assert.ok(Array.isArray(notices) && notices.every((n) => typeof n === 'string'));
      assertLegal(state);
    }),
    { numRuns: RUNS },
  );
});

test('raw, undecoded junk in the query decodes without throwing', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (search) => {
      const { state } = readUrl(search, catalogue, scenarioConfigs);
      assertLegal(state);
    }),
    { numRuns: RUNS },
  );
});

/** Floats inside `p`'s limits that stay inside after rounding to 6 significant digits. */
const validFloat = (p) =>
  fc.double({ min: p.min, max: Math.min(p.max, 1e30), minExcluded: p.minExclusive, maxExcluded: p.maxExclusive, noNaN: true })
    .map((v) => Number(v.toPrecision(6)))
    .filter((v) => inRange(p, v));

// Valid values per parameter kind, drawn inside the table's own limits.
function validValue(p) {
  const opts = typeof p.options === 'function' ? p.options(catalogue) : p.options;
  switch (p.kind) {
    case 'int':
      return p.options ? fc.constantFrom(...p.options) : fc.integer({ min: p.min, max: Math.min(p.max, 1e9) });
    case 'float':
      return validFloat(p);
    case 'floatOrAuto':
      return fc.oneof(fc.constant('auto'), validFloat(p));
    case 'enum':
      return fc.constantFrom(...opts);
    case 'bool':
      return fc.boolean();
    case 'intList':
      return fc.array(fc.integer({ min: p.min, max: p.max }), { maxLength: p.maxLen });
    case 'enumList':
      return fc.uniqueArray(fc.constantFrom(...opts), { minLength: 1 });
    default:
      return null;
  }
}

test('a valid state survives the trip through its link', () => {
  // Every part of the state is drawn: the scenario, any config keys, the seed, added points, and the
  // page's own keys (speed, seeds, lesson step, selected point, sweep setting and values). After the
  // trip, every config key resolves to the same value (a key left out of the link must be one equal
  // to the scenario's own value), and every page key is back as it was.
  const configParams = PARAMS.filter((p) => p.config && p.key !== 'seed' && validValue(p));
  const pageText = (p) => fc.stringMatching(p.pattern).map((t) => t.trim()).filter((t) => t.length <= p.maxLen && p.pattern.test(t));
  const arbState = fc.record({
    scenario: fc.constantFrom(...Object.keys(scenarioConfigs)),
    over: fc.dictionary(fc.constantFrom(...configParams.map((p) => p.key)), fc.constant(null), { maxKeys: 6 }),
    points: fc.array(
      fc.record({ x: fc.tuple(fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -5000, max: 5000 })).map(([a, b]) => [a / 1000, b / 1000]), label: fc.integer({ min: 0, max: 3 }) }),
      { maxLength: 6 },
    ),
    seed: fc.integer({ min: 0, max: 1e6 }),
    speed: fc.integer({ min: PARAM.speed.min, max: PARAM.speed.max }),
    seeds: fc.integer({ min: PARAM.seeds.min, max: Math.min(PARAM.seeds.max, 1e6) }),
    lesson: fc.integer({ min: PARAM.lesson.min, max: PARAM.lesson.max }),
    sel: fc.integer({ min: PARAM.sel.min, max: PARAM.sel.max }),
    sweep: fc.oneof(fc.constantFrom('labeled', 'teacher.rate', 'student.epochs'), pageText(PARAM.sweep)),
    sweep_values: fc.oneof(fc.constantFrom('', '25,50,100', '[32],[64]'), pageText(PARAM.sweep_values)),
  }).chain((s) =>
    fc.record(Object.fromEntries(Object.keys(s.over).map((k) => [k, validValue(PARAM[k])]))).map((over) => ({ ...s, over })),
  )
    // `given` (the teacher an uploaded file carries) is the one value a link leaves out: a link never
    // carries the file. Its own test is below.
    .filter((s) => s.over['teacher.kind'] !== 'given');
  const pageKeys = ['speed', 'seeds', 'lesson', 'sel', 'sweep', 'sweep_values'];
  let drawnAway = 0;
  fc.assert(
    fc.property(arbState, (s) => {
      // fast-check builds null-prototype objects; the page works with plain ones.
      const plain = JSON.parse(JSON.stringify(s));
      const state = { ...defaultState(plain.scenario), points: plain.points, over: { ...plain.over, seed: plain.seed } };
      for (const key of pageKeys) state[key] = plain[key];
      const { state: back, notices } = readUrl(toQuery(state, scenarioConfigs).slice(1), catalogue, scenarioConfigs);
      assert.deepEqual(notices, []);
      assert.equal(back.scenario, state.scenario);
      assert.deepEqual(back.points, state.points);
      for (const key of pageKeys) {
        assert.deepEqual(back[key], state[key], key);
        if (state[key] !== PARAM[key].default) drawnAway += 1;
      }
      // Config keys: the resolved configs agree on every key, whether or not the link wrote it.
      const want = resolvedConfig(state, scenarioConfigs);
      const got = resolvedConfig(back, scenarioConfigs);
      for (const p of CONFIG_PARAMS) {
        const a = getPath(want, p.key);
        const b = getPath(got, p.key);
        if (a === undefined) assert.equal(b, undefined, `${p.key} appeared from nowhere`);
        else assert.ok(b !== undefined && sameValue(p, a, b), `${p.key}: ${JSON.stringify(a)} went in, ${JSON.stringify(b)} came back`);
      }
      // Nothing comes back as an override that the state did not have.
      for (const key of Object.keys(back.over)) assert.ok(key in state.over, `override ${key} appeared from nowhere`);
    }),
    { numRuns: Math.min(RUNS, 1000) },
  );
  // The draws did move the page's own keys off their defaults (else the loop above checked nothing).
  assert.ok(drawnAway > Math.min(RUNS, 1000), `page keys off their defaults ${drawnAway} times`);
});

test('a link never carries the teacher an uploaded file gave: it opens the scenario\'s', () => {
  for (const scenario of Object.keys(scenarioConfigs)) {
    const state = { ...defaultState(scenario), over: { 'teacher.kind': 'given', labeled: 40 } };
    const query = toQuery(state, scenarioConfigs);
    assert.doesNotMatch(query, /teacher\.kind/);
    assert.match(query, /labeled=40/);
    const { state: back, notices } = readUrl(query.slice(1), catalogue, scenarioConfigs);
    assert.deepEqual(notices, []);
    assert.equal(getPath(resolvedConfig(back, scenarioConfigs), 'teacher.kind'), getPath(scenarioConfigs[scenario], 'teacher.kind'));
  }
});
