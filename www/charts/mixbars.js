// The one-example mix view's bars: per class, the teacher's label y, the student's vector f and the
// mixed vector mix(f), with the teacher's top-k classes marked under the axis.

import { fitCanvas } from '../dom.js';
import { classColor } from '../palette.js';

export const MIX_COLORS = { y: '#6b6b6b', f: '#E69F00', mix: '#0072B2' };

/** SLaM's noise channel, as in the engine (crates/kernels/src/losses.rs): alpha f + c (1 - f) top, c = 1 - alpha or /(k - 1). */
export function mixVector(f, top, alpha, k, normalizeK) {
  const c = normalizeK && k > 1 ? (1 - alpha) / (k - 1) : 1 - alpha;
  return f.map((fi, i) => alpha * fi + c * (1 - fi) * top[i]);
}

const EPS = 1e-7;

/** -sum y log max(v, eps) (the engine's clamp). */
export function crossEntropy(y, v) {
  let loss = 0;
  for (let i = 0; i < y.length; i++) if (y[i] > 0) loss -= y[i] * Math.log(Math.max(v[i], EPS));
  return loss;
}

/** 0/1 mask of the k largest entries of y (ties to the lower index, as the engine). */
export function topK(y, k) {
  const order = [...y.keys()].sort((a, b) => y[b] - y[a] || a - b);
  const mask = new Array(y.length).fill(0);
  for (const i of order.slice(0, k)) mask[i] = 1;
  return mask;
}

/**
 * Draws grouped bars. `classes` are the indices to show, `names` their labels; `truth` and `teacher`
 * are class indices marked under the axis.
 */
export function drawMixBars(canvas, width, { y, f, mix, top, classes, names, truth, teacher }) {
  const left = 34;
  const groupW = (width - left - 6) / classes.length;
  // Tags under each class ("top-k · true · teacher"): on one line when the group is wide enough,
  // else one per line, so that neighbouring groups' tags never run into each other.
  const tagsOf = (c) => [top[c] ? 'top-k' : null, c === truth ? 'true' : null, c === teacher ? 'teacher' : null].filter(Boolean);
  const probe = canvas.getContext('2d');
  probe.font = '11px system-ui, sans-serif';
  const stacked = classes.some((c) => probe.measureText(tagsOf(c).join(' · ')).width > groupW - 4);
  const tagLines = stacked ? Math.max(1, ...classes.map((c) => tagsOf(c).length)) : 1;
  // Narrower still (a phone, ten classes): a single word is wider than its group, so every other
  // group's tags go one block lower.
  const staggered = stacked && classes.some((c) => tagsOf(c).some((t) => probe.measureText(t).width > groupW - 2));
  const bottom = 35 + 11 * tagLines * (staggered ? 2 : 1);
  const top0 = 10;
  const height = top0 + 134 + bottom; // bars 134 px tall, whatever the tags need
  const ctx = fitCanvas(canvas, width, height);
  ctx.clearRect(0, 0, width, height);
  const plotH = height - bottom - top0;
  const barW = Math.max(3, Math.min(18, (groupW - 8) / 3));
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#333';
  ctx.strokeStyle = '#ddd';
  ctx.lineWidth = 1;
  for (const t of [0, 0.5, 1]) {
    const yy = top0 + plotH * (1 - t);
    ctx.beginPath();
    ctx.moveTo(left, Math.round(yy) + 0.5);
    ctx.lineTo(width - 4, Math.round(yy) + 0.5);
    ctx.stroke();
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText(t.toFixed(1), left - 4, yy);
  }
  classes.forEach((c, j) => {
    const gx = left + j * groupW + (groupW - 3 * barW - 4) / 2;
    [[y[c], MIX_COLORS.y], [f[c], MIX_COLORS.f], [mix[c], MIX_COLORS.mix]].forEach(([v, col], b) => {
      const hgt = Math.max(0, Math.min(1.05, v)) * plotH;
      ctx.fillStyle = col;
      ctx.fillRect(gx + b * (barW + 2), top0 + plotH - hgt, barW, hgt);
    });
    const cx = left + j * groupW + groupW / 2;
    ctx.fillStyle = classColor(c);
    ctx.fillRect(cx - 5, top0 + plotH + 5, 10, 4);
    ctx.fillStyle = '#222';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(shorten(names[j], groupW), cx, top0 + plotH + 11);
    const tags = tagsOf(c);
    ctx.fillStyle = '#555';
    const lines = stacked ? tags : [tags.join(' · ')];
    const below = staggered && j % 2 === 1 ? 11 * tagLines : 0;
    lines.forEach((line, k) => ctx.fillText(line, cx, top0 + plotH + 25 + below + 11 * k));
  });
}

function shorten(s, room) {
  const max = Math.max(2, Math.floor(room / 7));
  const t = String(s);
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
