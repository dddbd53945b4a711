// The exercise's scores, against a count written the other way round (row by row over every row),
// on random data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scoreMarks } from '../../www/exercise.js';

test('scores count U\'s teacher mistakes found and false alarms, for the learner and for SLaM\'s alpha at the floor', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ role: fc.integer({ min: 0, max: 3 }), y: fc.integer({ min: 0, max: 2 }), t: fc.integer({ min: 0, max: 2 }), a: fc.constantFrom(0.5, 0.5000001, 0.7, 1), m: fc.boolean() }), { maxLength: 60 }),
    (rows) => {
      const s = scoreMarks({
        marked: new Set(rows.flatMap((r, i) => (r.m ? [i] : []))),
        roles: rows.map((r) => r.role), labels: rows.map((r) => r.y), teacherLabels: rows.map((r) => r.t),
        alpha: rows.map((r) => r.a), floor: 0.5,
      });
      const u = rows.filter((r) => r.role === 2);
      const count = (p) => u.reduce((n, r) => n + (p(r) ? 1 : 0), 0);
      assert.equal(s.unlabeled, u.length);
      assert.equal(s.mistakes, count((r) => r.t !== r.y));
      assert.deepEqual(s.learner, { marked: count((r) => r.m), found: count((r) => r.m && r.t !== r.y), falseAlarms: count((r) => r.m && r.t === r.y) });
      const flagged = (r) => r.a <= 0.5 + 1e-6;
      assert.deepEqual(s.slam, { marked: count(flagged), found: count((r) => flagged(r) && r.t !== r.y), falseAlarms: count((r) => flagged(r) && r.t === r.y) });
    },
  ), { numRuns: 500 });
});
