// The engine's requirements (its schema's `requirements`): conditions on the config that keys
// (`needs`) and methods (`requires`) cite, declared as data in the engine (config/keys.rs) and
// evaluated here as written, so the page never restates a rule ("VID needs a trained teacher with a
// hidden layer", "pixel shifts need image data").

let BY_NAME = {};

/** Installs the schema's requirements: [{name, reason, all: [{key, is | not_empty | one_of}]}]. */
export function installRequirements(list) {
  BY_NAME = Object.fromEntries((list ?? []).map((r) => [r.name, r]));
}

function valueAt(config, key) {
  return key.split('.').reduce((v, k) => (v == null ? undefined : v[k]), config);
}

function passes(test, config) {
  const v = valueAt(config, test.key);
  if ('is' in test) return v === test.is;
  if (test.not_empty) return Array.isArray(v) && v.length > 0;
  if (test.one_of) return test.one_of.includes(v);
  return false;
}

/** The first of the named requirements `config` does not meet ({name, reason}), or null. */
export function unmet(names, config) {
  for (const name of names ?? []) {
    const r = BY_NAME[name];
    if (r && !r.all.every((t) => passes(t, config))) return r;
  }
  return null;
}
