// The page's reading of the engine's requirements (www/requirements.js) against the engine itself:
// for every method and random teachers and students, the page says a method is off exactly when the
// engine's check refuses it, and the reason it gives is the engine's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import init, * as slam from '../../www/pkg/slam_lab.js';
import { installRequirements, unmet } from '../../www/requirements.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
await init({ module_or_path: fs.readFileSync(path.join(ROOT, 'www', 'pkg', 'slam_lab_bg.wasm')) });
const schema = slam.schema();
installRequirements(schema.requirements);

test('a method is off on the page exactly when the engine refuses it, for the reason the engine gives', () => {
  const methods = schema.methods;
  assert.ok(methods.some((m) => m.requires.length > 0), 'some method has a requirement');
  fc.assert(
    fc.property(
      fc.constantFrom(...methods.map((m) => m.name)),
      fc.constantFrom('trained', 'synthetic'),
      fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 2 }),
      fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 2 }),
      (name, kind, teacherHidden, studentHidden) => {
        const config = { teacher: { kind, hidden: teacherHidden }, student: { hidden: studentHidden }, methods: [name] };
        const missing = unmet(methods.find((m) => m.name === name).requires, config);
        let refusal = null;
        try {
          slam.sweepValues({ scenario: 'flagship', config }, 'seed', '0');
        } catch (e) {
          refusal = String(e.message ?? e);
        }
        assert.equal(Boolean(missing), Boolean(refusal), `${name} with ${JSON.stringify(config)}: page ${missing?.name}, engine ${refusal}`);
        if (missing && missing.name !== 'student_hidden') assert.ok(refusal.includes(missing.reason), `${refusal} names "${missing.reason}"`);
      },
    ),
    { numRuns: 300, seed: 18 },
  );
});

test('a key that needs image data is off for every other dataset', () => {
  const shift = schema.keys.find((k) => k.key === 'student.shift');
  assert.equal(shift.needs, 'image_data');
  for (const d of schema.keys.find((k) => k.key === 'dataset').options) {
    const images = schema.requirements.find((r) => r.name === 'image_data').all[0].one_of;
    assert.equal(unmet([shift.needs], { dataset: d }) === null, images.includes(d), d);
  }
  assert.deepEqual(schema.requirements.find((r) => r.name === 'image_data').all[0].one_of.slice().sort(), ['digits', 'mnist']);
});
