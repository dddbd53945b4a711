// The page's whole state, and the one typed table of URL parameters that carries it (in the manner of
// TensorFlow Playground's state.ts). A link rebuilds the same run: scenario, every changed config key,
// the seed, hand-added points, speed, seeds for the results panel, the lesson step, the selected
// point and the sweep.
//
// The config keys, their kinds, limits, options, defaults, names and help come from the engine (its
// schema: www/pkg/schema.json at first paint, then the worker's; installSchema); this file adds only
// the page's own keys.
// Config keys use the engine's own names (nested keys with a dot: `teacher.rate`, `student.epochs`);
// only keys that differ from the scenario's value are written, plus `scenario` and `seed` always.
// Bad or unknown parameters are dropped with a notice; the page then runs on the defaults.

import { installRequirements } from './requirements.js';
import { installMethodFacts } from './palette.js';

/** Speed levels: student epochs per second (the worker paces batches to this); Infinity = as fast as it can. */
export const SPEEDS = [
  { label: 'slow motion', eps: 0.5 },
  { label: '1 epoch/s', eps: 1 },
  { label: '2 epochs/s', eps: 2 },
  { label: '5 epochs/s', eps: 5 },
  { label: '15 epochs/s', eps: 15 },
  { label: 'fastest', eps: Infinity },
];
export const DEFAULT_SPEED = 4; // 1-based index into SPEEDS: 5 epochs/s, flagship in about 6 s

/** Points a link carries at most: as many as the engine takes (its schema's limit, set by installSchema). */
let MAX_POINTS = 1000;

/** The engine's kinds, as this file names them. */
const KINDS = { int: 'int', float: 'float', float_or_auto: 'floatOrAuto', bool: 'bool', enum: 'enum', int_list: 'intList', enum_list: 'enumList' };

/** The page's own keys (not the engine's). */
const PAGE_PARAMS = [
  { key: 'scenario', kind: 'enum', options: (cat) => cat.scenarios.map((s) => s.name), default: 'flagship', label: 'scenario' },
  { key: 'points', kind: 'points', default: [], label: 'added points' },
  { key: 'speed', kind: 'int', min: 1, max: SPEEDS.length, default: DEFAULT_SPEED, label: 'speed' },
  { key: 'seeds', kind: 'int', min: 1, max: Infinity, default: 10, label: 'seeds' }, // max: the engine's
  { key: 'lesson', kind: 'int', min: 0, max: 50, default: 0, label: 'lesson step' },
  { key: 'sel', kind: 'int', min: -1, max: 10_000_000, default: -1, label: 'selected point' },
  { key: 'sweep', kind: 'text', pattern: /^[a-z_]+(\.[a-z_]+)?$/, maxLen: 40, default: 'labeled', label: 'sweep setting' },
  { key: 'sweep_values', kind: 'text', pattern: /^[\w.,\[\] -]*$/, maxLen: 200, default: '', label: 'sweep values' },
];

/**
 * Every URL parameter. kind: int | float | floatOrAuto | enum | bool | intList | enumList | points | text.
 * `config: true` marks engine config keys (key = dotted path), from the engine's schema; the rest are
 * page state. `options` may be a function of the engine's catalogue ({scenarios, datasets}).
 * Live bindings: installSchema fills them when the engine is ready.
 */
export let PARAMS = [...PAGE_PARAMS];
export let PARAM = Object.fromEntries(PARAMS.map((p) => [p.key, p]));
export let CONFIG_PARAMS = [];

/** Builds the URL table from the engine's schema ({keys: [{key, kind, min, max, min_exclusive, ...}]}). */
export function installSchema(schema) {
  const config = schema.keys.map((k) => ({
    key: k.key,
    kind: KINDS[k.kind] ?? k.kind,
    config: true,
    min: k.min ?? -Infinity,
    max: k.max ?? Infinity,
    minExclusive: Boolean(k.min_exclusive),
    maxExclusive: Boolean(k.max_exclusive),
    maxLen: k.max_len ?? undefined,
    options: k.options?.length ? k.options : undefined,
    default: k.default,
    label: k.label || k.key,
    help: k.help || undefined,
    choices: k.choices?.length ? k.choices : undefined,
    slider: k.slider ?? undefined,
    needs: k.needs ?? undefined,
  }));
  installRequirements(schema.requirements);
  installMethodFacts(schema.methods);
  const page = PAGE_PARAMS.map((p) => (p.key === 'seeds' ? { ...p, max: schema.limits?.seeds ?? p.max } : p));
  MAX_POINTS = schema.limits?.extra_points ?? MAX_POINTS;
  PARAMS = [page[0], ...config, ...page.slice(1)];
  PARAM = Object.fromEntries(PARAMS.map((p) => [p.key, p]));
  CONFIG_PARAMS = PARAMS.filter((p) => p.config);
}

/** A fresh page state for a scenario: no overrides, no points. */
export function defaultState(scenario = 'flagship') {
  return { scenario, over: {}, points: [], speed: DEFAULT_SPEED, seeds: 10, lesson: 0, sel: -1, sweep: 'labeled', sweep_values: '' };
}

// ---------------------------------------------------------------------------------------------
// Values: parse (from URL text or a form control) and format (for the URL).

function optionsOf(param, catalogue) {
  return typeof param.options === 'function' ? param.options(catalogue) : param.options;
}

/** Parses `text` as `param`'s kind; throws an Error saying what is wrong. */
export function parseValue(param, text, catalogue) {
  const t = String(text).trim();
  switch (param.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(t)) throw new Error(`expected a whole number, got "${t}"`);
      const v = Number(t);
      if (param.options && !param.options.includes(v)) throw new Error(`expected one of ${param.options.join(', ')}, got ${v}`);
      checkRange(param, v);
      return v;
    }
    case 'float': {
      const v = Number(t);
      if (t === '' || !Number.isFinite(v)) throw new Error(`expected a number, got "${t}"`);
      checkRange(param, v);
      return v;
    }
    case 'floatOrAuto': {
      if (t.toLowerCase() === 'auto') return 'auto';
      const v = Number(t);
      if (t === '' || !Number.isFinite(v)) throw new Error(`expected a number or "auto", got "${t}"`);
      checkRange(param, v, ' or "auto"');
      return v;
    }
    case 'text': {
      if (t.length > param.maxLen) throw new Error(`at most ${param.maxLen} characters`);
      if (!param.pattern.test(t)) throw new Error(`unexpected characters in "${t}"`);
      return t;
    }
    case 'enum': {
      const opts = optionsOf(param, catalogue);
      if (!opts.includes(t)) throw new Error(`expected one of ${opts.join(', ')}, got "${t}"`);
      return t;
    }
    case 'bool': {
      if (['1', 'true', 'yes', 'on'].includes(t.toLowerCase())) return true;
      if (['0', 'false', 'no', 'off'].includes(t.toLowerCase())) return false;
      throw new Error(`expected true or false, got "${t}"`);
    }
    case 'intList': {
      if (t === '' || t === '-') return [];
      const parts = t.split(/[\s,_]+/).filter(Boolean);
      if (parts.length > param.maxLen) throw new Error(`at most ${param.maxLen} layers, got ${parts.length}`);
      return parts.map((p) => {
        if (!/^\d+$/.test(p)) throw new Error(`expected widths like 32,16, got "${t}"`);
        const v = Number(p);
        if (v < param.min || v > param.max) throw new Error(`each width must be between ${param.min} and ${param.max}, got ${v}`);
        return v;
      });
    }
    case 'enumList': {
      const opts = optionsOf(param, catalogue);
      const parts = t.split(/[\s,]+/).filter(Boolean);
      if (parts.length === 0) throw new Error('needs at least one');
      for (const p of parts) if (!opts.includes(p)) throw new Error(`unknown "${p}" (known: ${opts.join(', ')})`);
      if (new Set(parts).size !== parts.length) throw new Error('lists a name twice');
      return parts;
    }
    case 'points': {
      if (t === '') return [];
      const items = t.split(';').filter(Boolean);
      if (items.length > MAX_POINTS) throw new Error(`at most ${MAX_POINTS} points`);
      return items.map((item) => {
        const [x, y, c] = item.split(',').map(Number);
        if (![x, y, c].every(Number.isFinite) || !Number.isInteger(c) || c < 0 || c > 49) {
          throw new Error(`expected x,y,class;..., got "${item}"`);
        }
        return { x: [x, y], label: c };
      });
    }
    default:
      throw new Error(`unknown kind ${param.kind}`);
  }
}

/** Throws unless `v` is inside `param`'s limits, saying them as the engine does. */
function checkRange(param, v, extra = '') {
  const lo = param.min ?? -Infinity;
  const hi = param.max ?? Infinity;
  const below = param.minExclusive ? v <= lo : v < lo;
  const above = param.maxExclusive ? v >= hi : v > hi;
  if (!below && !above) return;
  let range;
  if (!param.minExclusive && !param.maxExclusive && Number.isFinite(lo) && Number.isFinite(hi)) range = `between ${lo} and ${hi}`;
  else if (!Number.isFinite(hi)) range = param.minExclusive ? `above ${lo}` : `at least ${lo}`;
  else range = `in ${param.minExclusive ? '(' : '['}${lo}, ${hi}${param.maxExclusive ? ')' : ']'}`;
  throw new Error(`must be ${range}${extra}, got ${v}`);
}

/** Shortest text that parses back to `value` (floats keep 6 significant digits). */
export function formatValue(param, value) {
  switch (param.kind) {
    case 'float':
      return String(Number(value.toPrecision(6)));
    case 'floatOrAuto':
      return value === 'auto' ? 'auto' : String(Number(value.toPrecision(6)));
    case 'bool':
      return value ? '1' : '0';
    case 'intList':
      return value.length ? value.join(',') : '-';
    case 'enumList':
      return value.join(',');
    case 'points':
      return value.map((p) => `${round3(p.x[0])},${round3(p.x[1])},${p.label}`).join(';');
    default:
      return String(value);
  }
}

function round3(v) {
  return String(Number(v.toFixed(3)));
}

/** Whether two values of `param` are the same (floats compared at float32 precision). */
export function sameValue(param, a, b) {
  if (param.kind === 'floatOrAuto' && (a === 'auto' || b === 'auto')) return a === b;
  if (param.kind === 'float' || param.kind === 'floatOrAuto') return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
  return JSON.stringify(a) === JSON.stringify(b);
}

// ---------------------------------------------------------------------------------------------
// Config objects.

export function getPath(obj, path) {
  return path.split('.').reduce((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}

export function setPath(obj, path, value) {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k];
  }
  o[keys[keys.length - 1]] = value;
  return obj;
}

/** The nested config overrides the engine merges over the scenario. */
export function overridesObject(state) {
  const out = {};
  for (const [path, value] of Object.entries(state.over)) setPath(out, path, value);
  return out;
}

/** The scenario's full config with the overrides applied (what the form shows). */
export function resolvedConfig(state, scenarioConfigs) {
  const base = structuredClone(scenarioConfigs[state.scenario] ?? {});
  for (const [path, value] of Object.entries(state.over)) setPath(base, path, value);
  return base;
}

/**
 * Sets config key `path` to `value` in `state`, keeping the override only when it differs from the
 * scenario's own value. Returns the new state (states are treated as values).
 */
export function withConfig(state, path, value, scenarioConfigs) {
  const over = { ...state.over };
  const base = getPath(scenarioConfigs[state.scenario] ?? {}, path);
  if (base !== undefined && sameValue(PARAM[path], base, value)) delete over[path];
  else over[path] = value;
  return { ...state, over };
}

// ---------------------------------------------------------------------------------------------
// The URL.

/**
 * Reads the state from a query string. Returns {state, notices}: every parameter that is unknown or
 * has a bad value is dropped with a notice, never a blank page.
 */
export function readUrl(search, catalogue, scenarioConfigs) {
  const q = new URLSearchParams(search);
  const notices = [];
  let scenario = 'flagship';
  if (q.has('scenario')) {
    try {
      scenario = parseValue(PARAM.scenario, q.get('scenario'), catalogue);
    } catch (e) {
      notices.push(`Unknown scenario "${q.get('scenario')}" in the link: showing flagship.`);
    }
  }
  const state = defaultState(scenario);
  const unknown = [];
  for (const [key, text] of q) {
    if (key === 'scenario') continue;
    const param = PARAM[key];
    if (!param) {
      unknown.push(key);
      continue;
    }
    let value;
    try {
      value = parseValue(param, text, catalogue);
    } catch (e) {
      notices.push(param.config
        ? `Ignored the link's ${param.label} (${param.key}: ${e.message}): using the default.`
        : `Ignored the link's ${param.label} (${e.message}): using the default.`);
      continue;
    }
    if (param.config) {
      const base = getPath(scenarioConfigs[scenario] ?? {}, key);
      if (base === undefined || !sameValue(param, base, value)) state.over[key] = value;
    } else {
      state[key] = value;
    }
  }
  if (unknown.length) notices.unshift(unknownNotice(unknown));
  return { state, notices };
}

/** One sentence for every unknown key of a link, however many: the first few named, the rest counted. */
function unknownNotice(keys) {
  const SHOWN = 5;
  const clip = (k) => JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k);
  const named = keys.slice(0, SHOWN).map(clip).join(', ');
  const rest = keys.length - SHOWN;
  const tail = rest > 0 ? ` and ${rest.toLocaleString('en')} more` : '';
  return keys.length === 1
    ? `Ignored the link's unknown setting ${named}.`
    : `Ignored the link's ${keys.length.toLocaleString('en')} unknown settings: ${named}${tail}.`;
}

/** URL query text for `state`: scenario and seed always, then only what differs from the defaults. */
export function toQuery(state, scenarioConfigs) {
  const parts = [['scenario', state.scenario]];
  const cfg = resolvedConfig(state, scenarioConfigs);
  parts.push(['seed', formatValue(PARAM.seed, cfg.seed ?? 0)]);
  for (const p of CONFIG_PARAMS) {
    if (p.key === 'seed' || !(p.key in state.over)) continue;
    // A link never carries uploaded data, so never the teacher a file gives: it opens the scenario's.
    if (p.key === 'teacher.kind' && state.over[p.key] === 'given') continue;
    parts.push([p.key, formatValue(p, state.over[p.key])]);
  }
  if (state.points.length) parts.push(['points', formatValue(PARAM.points, state.points)]);
  for (const key of ['speed', 'seeds', 'lesson', 'sel', 'sweep', 'sweep_values']) {
    if (state[key] !== PARAM[key].default) parts.push([key, formatValue(PARAM[key], state[key])]);
  }
  // `,` and `;` are legal in a query and keep lists readable, so they are not escaped.
  const enc = (s) => encodeURIComponent(s).replace(/%2C/gi, ',').replace(/%3B/gi, ';');
  return '?' + parts.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}
