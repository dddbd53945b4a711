// Scoring the "spot the teacher's mistakes" exercise: the learner's marks and SLaM's alpha (a point
// flagged where alpha(x) sits at its floor) against the teacher's real mistakes on U.

import { teacherWrong } from './truth.js';

/** U's rows (role 2). */
export function unlabeledRows(roles) {
  const out = [];
  for (let i = 0; i < roles.length; i++) if (roles[i] === 2) out.push(i);
  return out;
}

/**
 * `{mistakes, learner: {marked, found, falseAlarms}, slam: {marked, found, falseAlarms}}` over U:
 * `marked` is a Set of row indices; SLaM marks the rows whose alpha is at most `floor` (within
 * float rounding).
 */
export function scoreMarks({ marked, roles, labels, teacherLabels, alpha, floor }) {
  const u = unlabeledRows(roles);
  const wrong = (i) => teacherWrong(teacherLabels, labels, i);
  const tally = (isMarked) => {
    let m = 0;
    let found = 0;
    for (const i of u) {
      if (!isMarked(i)) continue;
      m += 1;
      if (wrong(i)) found += 1;
    }
    return { marked: m, found, falseAlarms: m - found };
  };
  return {
    unlabeled: u.length,
    mistakes: u.filter(wrong).length,
    learner: tally((i) => marked.has(i)),
    slam: tally((i) => alpha[i] <= floor + 1e-6),
  };
}
