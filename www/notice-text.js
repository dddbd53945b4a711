// The claims of the panels' "What to notice" boxes, as tests on the run on screen (lesson-facts.js):
// each says what this run shows, and something else when the run shows something else.

import { methodLabel } from './palette.js';
import { unsureWhereWrong } from './lesson-facts.js';

const pct = (x) => (x * 100).toFixed(1);

/** Where the teacher's mistakes are, against its confidence. */
export function labelsNotice(f) {
  const { right, wrong } = f.confidence;
  if (right === null || wrong === null) return '';
  return unsureWhereWrong(f)
    ? `Here the mistakes gather where the teacher is unsure: it is ${pct(wrong)}% sure on average where it is wrong, ${pct(right)}% where it is right. That is the clue SLaM uses.`
    : `Here the teacher is about as sure where it is wrong (${pct(wrong)}% on average) as where it is right (${pct(right)}%): its confidence gives little clue, and SLaM has little to go on.`;
}

/** What the students make of the teacher's mistakes at the epoch shown. */
export function trainingNotice(f) {
  const ms = Object.entries(f.methods).filter(([, r]) => r && r.wrong !== null && r.wrong !== undefined);
  if (!ms.length) return 'Press Play: the numbers here follow the run.';
  const worst = ms.reduce((a, b) => (b[1].wrong < a[1].wrong ? b : a));
  const best = ms.reduce((a, b) => (b[1].wrong > a[1].wrong ? b : a));
  const label = methodLabel;
  return `After epoch ${f.epoch}, on the unlabeled points the teacher labels wrongly, ${label(best[0])} gets the most right (${pct(best[1].wrong)}%) and ${label(worst[0])} the fewest (${pct(worst[1].wrong)}%)${worst[1].wrong < 0.5 ? `: ${label(worst[0])} copies most of the teacher's mistakes` : ''}.`;
}
