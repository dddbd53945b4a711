// The page's whole state, and the one typed table of URL parameters that carries it (in the manner of
// TensorFlow Playground's state.ts). A link rebuilds the same run: scenario, every changed config key,
// the seed, hand-added points, speed, seeds for the results panel and the lesson step.
//
// Config keys use the engine's own names (nested keys with a dot: `teacher.rate`, `student.epochs`);
// only keys that differ from the scenario's value are written, plus `scenario` and `seed` always.
// Bad or unknown parameters are dropped with a notice; the page then runs on the defaults.

/** The six core methods (the engine's default); the full list comes from the engine at start. */
export const METHODS = ['vanilla', 'vanilla_hard', 'slam', 'slam_hard', 'weighted', 'taylor_ce'];

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

const MAX_POINTS = 200;

/**
 * Every URL parameter. kind: int | float | enum | bool | intList | enumList | points.
 * `config: true` marks engine config keys (key = dotted path); the rest are page state.
 * `options` may be a function of the engine's catalogue ({scenarios, datasets}).
 */
export const PARAMS = [
  { key: 'scenario', kind: 'enum', options: (cat) => cat.scenarios.map((s) => s.name), default: 'flagship', label: 'scenario' },
  { key: 'dataset', kind: 'enum', config: true, options: (cat) => cat.datasets.map((d) => d.name), label: 'dataset' },
  { key: 'samples', kind: 'int', config: true, min: 10, max: 200000, label: 'samples' },
  { key: 'data_noise', kind: 'float', config: true, min: 0, max: 10, label: 'data noise' },
  { key: 'classes', kind: 'int', config: true, min: 2, max: 50, label: 'classes' },
  { key: 'labeled', kind: 'int', config: true, min: 1, max: 200000, label: '|L| labeled' },
  { key: 'validation', kind: 'int', config: true, min: 1, max: 200000, label: '|V| validation' },
  { key: 'test_fraction', kind: 'float', config: true, min: 0.01, max: 0.95, label: 'test share' },
  { key: 'standardize', kind: 'enum', config: true, options: ['auto', 'always', 'never', 'labeled'], label: 'feature scaling' },
  { key: 'teacher.kind', kind: 'enum', config: true, options: ['trained', 'synthetic'], label: 'teacher kind' },
  { key: 'teacher.hidden', kind: 'intList', config: true, min: 1, max: 1024, maxLen: 8, label: 'teacher hidden layers' },
  { key: 'teacher.epochs', kind: 'int', config: true, min: 1, max: 10000, label: 'teacher epochs' },
  { key: 'teacher.lr', kind: 'float', config: true, min: 1e-6, max: 10, label: 'teacher learning rate' },
  { key: 'teacher.noise', kind: 'enum', config: true, options: ['uniform', 'class_pair', 'margin', 'region'], label: 'noise model' },
  { key: 'teacher.rate', kind: 'float', config: true, min: 0, max: 0.95, label: 'noise rate' },
  { key: 'teacher.confidence_jitter', kind: 'float', config: true, min: 0, max: 1, label: 'confidence jitter' },
  { key: 'teacher.shift', kind: 'int', config: true, min: 0, max: 4, label: 'teacher pixel shifts' },
  { key: 'student.hidden', kind: 'intList', config: true, min: 1, max: 1024, maxLen: 8, label: 'student hidden layers' },
  { key: 'student.epochs', kind: 'int', config: true, min: 1, max: 10000, label: 'student epochs' },
  { key: 'student.lr', kind: 'float', config: true, min: 1e-6, max: 100, label: 'student learning rate' },
  { key: 'student.batch_size', kind: 'int', config: true, min: 1, max: 65536, label: 'batch size' },
  { key: 'student.optimizer', kind: 'enum', config: true, options: ['adam', 'sgd'], label: 'optimizer' },
  { key: 'student.weight_decay', kind: 'float', config: true, min: 0, max: 1, label: 'weight decay' },
  { key: 'student.shift', kind: 'int', config: true, min: 0, max: 4, label: 'student pixel shifts' },
  { key: 'alpha_estimator', kind: 'enum', config: true, options: ['isotonic', 'binned', 'oracle', 'constant'], label: 'alpha estimator' },
  { key: 'alpha_min', kind: 'floatOrAuto', config: true, min: 0, max: 1, label: 'alpha_min' },
  { key: 'k_coverage', kind: 'float', config: true, min: 0.01, max: 1, label: 'k coverage' },
  { key: 'normalize_k', kind: 'bool', config: true, label: 'normalize by k - 1' },
  { key: 'temperature', kind: 'float', config: true, min: 0.05, max: 100, label: 'temperature' },
  { key: 'taylor_order', kind: 'int', config: true, min: 1, max: 20, label: 'Taylor order' },
  { key: 'ups.threshold_positive', kind: 'float', config: true, min: 0, max: 1, label: 'UPS positive threshold' },
  { key: 'ups.threshold_negative', kind: 'float', config: true, min: 0, max: 1, label: 'UPS negative threshold' },
  { key: 'ups.max_spread', kind: 'float', config: true, min: 0, max: 1, label: 'UPS maximum spread' },
  { key: 'ups.ensemble', kind: 'int', config: true, min: 2, max: 20, label: 'UPS ensemble size' },
  { key: 'vid_weight', kind: 'float', config: true, min: 0, max: 100, label: 'VID weight' },
  { key: 'query_budget', kind: 'float', config: true, min: 0.001, max: 1, label: 'RAD query budget' },
  { key: 'query_rounds', kind: 'int', config: true, min: 1, max: 100, label: 'RAD query rounds' },
  { key: 'lelp_subclasses', kind: 'int', config: true, min: 2, max: 8, label: 'LELP subclasses per class (2, 4, 6 or 8)' },
  { key: 'meta_lr', kind: 'float', config: true, min: 1e-6, max: 100, label: 'ALM meta learning rate' },
  { key: 'l2t_lr', kind: 'float', config: true, min: 1e-6, max: 1, label: 'L2T learning rate' },
  { key: 'seed', kind: 'int', config: true, min: 0, max: 2147483647, label: 'seed' },
  { key: 'methods', kind: 'enumList', config: true, options: (cat) => cat.methods?.names ?? METHODS, label: 'methods' },
  { key: 'points', kind: 'points', default: [], label: 'added points' },
  { key: 'speed', kind: 'int', min: 1, max: SPEEDS.length, default: DEFAULT_SPEED, label: 'speed' },
  { key: 'seeds', kind: 'int', min: 1, max: 1000, default: 10, label: 'seeds' },
  { key: 'lesson', kind: 'int', min: 0, max: 50, default: 0, label: 'lesson step' },
  { key: 'sweep', kind: 'text', pattern: /^[a-z_]+(\.[a-z_]+)?$/, maxLen: 40, default: 'labeled', label: 'sweep setting' },
  { key: 'sweep_values', kind: 'text', pattern: /^[\w.,\[\] -]*$/, maxLen: 200, default: '', label: 'sweep values' },
];

export const PARAM = Object.fromEntries(PARAMS.map((p) => [p.key, p]));
export const CONFIG_PARAMS = PARAMS.filter((p) => p.config);

/** A fresh page state for a scenario: no overrides, no points. */
export function defaultState(scenario = 'flagship') {
  return { scenario, over: {}, points: [], speed: DEFAULT_SPEED, seeds: 10, lesson: 0, sweep: 'labeled', sweep_values: '' };
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
      if (v < param.min || v > param.max) throw new Error(`must be between ${param.min} and ${param.max}, got ${v}`);
      return v;
    }
    case 'float': {
      const v = Number(t);
      if (t === '' || !Number.isFinite(v)) throw new Error(`expected a number, got "${t}"`);
      if (v < param.min || v > param.max) throw new Error(`must be between ${param.min} and ${param.max}, got ${v}`);
      return v;
    }
    case 'floatOrAuto': {
      if (t.toLowerCase() === 'auto') return 'auto';
      const v = Number(t);
      if (t === '' || !Number.isFinite(v)) throw new Error(`expected a number or "auto", got "${t}"`);
      if (v < param.min || v > param.max) throw new Error(`must be between ${param.min} and ${param.max} or "auto", got ${v}`);
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
  for (const [key, text] of q) {
    if (key === 'scenario') continue;
    const param = PARAM[key];
    if (!param) {
      notices.push(`Ignored the link's unknown setting "${key}".`);
      continue;
    }
    let value;
    try {
      value = parseValue(param, text, catalogue);
    } catch (e) {
      notices.push(`Ignored the link's ${param.label} (${e.message}): using the default.`);
      continue;
    }
    if (param.config) {
      const base = getPath(scenarioConfigs[scenario] ?? {}, key);
      if (base === undefined || !sameValue(param, base, value)) state.over[key] = value;
    } else {
      state[key] = value;
    }
  }
  return { state, notices };
}

/** URL query text for `state`: scenario and seed always, then only what differs from the defaults. */
export function toQuery(state, scenarioConfigs) {
  const parts = [['scenario', state.scenario]];
  const cfg = resolvedConfig(state, scenarioConfigs);
  parts.push(['seed', formatValue(PARAM.seed, cfg.seed ?? 0)]);
  for (const p of CONFIG_PARAMS) {
    if (p.key === 'seed' || !(p.key in state.over)) continue;
    parts.push([p.key, formatValue(p, state.over[p.key])]);
  }
  if (state.points.length) parts.push(['points', formatValue(PARAM.points, state.points)]);
  for (const key of ['speed', 'seeds', 'lesson', 'sweep', 'sweep_values']) {
    if (state[key] !== PARAM[key].default) parts.push([key, formatValue(PARAM[key], state[key])]);
  }
  // `,` and `;` are legal in a query and keep lists readable, so they are not escaped.
  const enc = (s) => encodeURIComponent(s).replace(/%2C/gi, ',').replace(/%3B/gi, ';');
  return '?' + parts.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}
