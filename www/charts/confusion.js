// Confusion matrix as an HTML table (readable by screen readers, scrolls sideways on a phone).
// Cell tint: share of the row; the diagonal (teacher right) in blue, mistakes in vermillion.

import { h, scrollBox } from '../dom.js';

export function confusionTable(confusion, classNames) {
  const C = confusion.length;
  const head = h('tr', {}, [
    h('th', { scope: 'col', className: 'corner' }, [h('span', { text: 'true ↓' }), h('span', { text: ' teacher →' })]),
    ...classNames.map((n) => h('th', { scope: 'col', text: short(n) })),
  ]);
  const rows = confusion.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    return h('tr', {}, [
      h('th', { scope: 'row', text: short(classNames[t]) }),
      ...row.map((n, p) => {
        const share = n / total;
        const cell = h('td', { className: t === p ? 'diag' : n > 0 ? 'off' : '', text: n, title: `true ${classNames[t]}, teacher says ${classNames[p]}: ${n} (${(share * 100).toFixed(1)}% of the row)` });
        if (t !== p && n === 0) return cell;
        const tint = readableTint(t === p ? [0, 114, 178] : [213, 94, 0], Math.min(0.85, 0.08 + share * 0.9));
        cell.style.backgroundColor = `rgb(${tint.join(', ')})`;
        if (whiteReadsBetter(tint)) cell.classList.add('dark');
        return cell;
      }),
    ]);
  });
  return scrollBox(h('table', { className: 'confusion' }, [
    h('caption', { text: `Teacher labels on U (${C} classes): rows are the truth, columns the teacher's label` }),
    h('thead', {}, head),
    h('tbody', {}, rows),
  ]), 'Confusion matrix');
}

/** Relative luminance of an sRGB colour (WCAG 2). */
function luminance(rgb) {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast of two luminances. */
const contrast = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
const INK = luminance([27, 27, 27]);

/**
 * `base` at opacity `a` over white, lightened until its number reads at 4.5:1 in white or in ink
 * (mid tones read in neither): the tint says the share, the number stays readable.
 */
function readableTint(base, a) {
  for (let k = a; ; k -= 0.02) {
    const tint = base.map((c) => Math.round(255 * (1 - k) + c * k));
    const l = luminance(tint);
    if (k <= 0 || Math.max(contrast(l, 1), contrast(l, INK)) >= 4.5) return tint;
  }
}

/** Whether white text contrasts more with `rgb` than the page's ink (#1b1b1b) does. */
export function whiteReadsBetter(rgb) {
  const l = luminance(rgb);
  return contrast(l, 1) > contrast(l, INK);
}

function short(name) {
  const s = String(name);
  return s.length > 10 ? `${s.slice(0, 9)}…` : s;
}
