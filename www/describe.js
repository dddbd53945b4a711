// Text alternatives for the charts, written from the engine's numbers (the same facts the tour reads):
// what a screen reader says about a map, a curve or a scatter. Updated when a run pauses or ends, and
// when a session is built, not every frame.

import { runFacts } from './lesson-facts.js';
import { methodLabel } from './palette.js';

const pct = (x) => (typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : 'not measured yet');
const int = (n) => n.toLocaleString('en');

/**
 * One student's map: "SLaM (soft) after epoch 30: 96.8 % right on the test set; of the 366 U points
 * the teacher labels wrongly it predicts 340 right."
 */
export function describeStudent(view, snap, m) {
  const f = runFacts(view, snap);
  const r = f.methods[m];
  const what = view.overview.projected ? 'predictions on the test points (a 2-D projection)' : 'decision map';
  if (!r) return `${methodLabel(m)}: ${what} before training.`;
  const right = Math.round(r.wrong * f.teacher.wrong);
  return `${methodLabel(m)}, ${what} after epoch ${r.epoch}: ${pct(r.test)} right on the test set; of the ${int(f.teacher.wrong)} U points the teacher labels wrongly it predicts ${int(right)} right.`;
}

/** A chart of one metric per method over the epochs: where each line starts and ends. */
export function describeCurves(view, snap, key, what) {
  const h = snap?.metrics ?? {};
  const lines = view.overview.methods.map((m) => {
    const hist = h[m] ?? [];
    if (!hist.length) return null;
    return `${methodLabel(m)} ${pct(hist[0][key])} after epoch 1, ${pct(hist[hist.length - 1][key])} after epoch ${hist[hist.length - 1].epoch}`;
  }).filter(Boolean);
  return lines.length ? `${what}, by epoch: ${lines.join('; ')}.` : `${what}, by epoch: no epoch trained yet.`;
}

/** The teacher's labels on U. */
export function describeTeacherLabels(view) {
  const f = runFacts(view, null);
  return `${int(f.teacher.unlabeledCount)} unlabeled points coloured by the teacher's label; ${int(f.teacher.wrong)} of them (${pct(1 - f.teacher.unlabeled)}) are labelled wrongly and ringed; the teacher is ${pct(f.confidence.wrong)} sure on average where it is wrong, ${pct(f.confidence.right)} where it is right.`;
}

/** Every point by its set. */
export function describeRoles(view) {
  const [L, V, U, T] = view.overview.sizes;
  return `All ${int(L + V + U + T)} points by set: ${int(L)} labeled (L, squares), ${int(V)} for validation (V), ${int(U)} unlabeled (U), ${int(T)} for the test (T).`;
}

/** SLaM's trust on U. */
export function describeAlphaMap(view) {
  const a = runFacts(view, null).alpha;
  return `Unlabeled points coloured by SLaM's α: from ${a.min?.toFixed(2)} to ${a.max?.toFixed(2)}; ${a.wrong?.toFixed(2)} on average where the teacher is wrong, ${a.right?.toFixed(2)} where it is right.`;
}
