// Small DOM and number helpers. Text from the user or the engine only ever goes through textContent.

/** Accuracy fraction in [0, 1] -> percent with one decimal ("87.3"); '–' when there is none. */
export function percent(x) {
  return typeof x === 'number' && Number.isFinite(x) ? (x * 100).toFixed(1) : '–';
}

/** A number with a fixed count of decimals, or '–'. */
export function fixed(x, digits = 2) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–';
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
export const byTestId = (id, root = document) => root.querySelector(`[data-testid="${id}"]`);

/**
 * Creates an element. `props`: className, text (textContent), testid, dataset, attrs, on (events),
 * and any other key is set as a property (type, value, checked, disabled, ...).
 */
export function h(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'className') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'testid') node.dataset.testid = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'attrs') for (const [a, v] of Object.entries(value)) node.setAttribute(a, String(v));
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else node[key] = value;
  }
  for (const child of [].concat(children)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * A box that scrolls sideways on a phone around `child` (a wide table): focusable and named, so a
 * keyboard can scroll it and a screen reader says what it holds.
 */
export function scrollBox(child, label, className = 'table-scroll') {
  return h('div', { className, tabIndex: 0, attrs: { role: 'region', 'aria-label': label } }, child);
}

/** A small square of `color` (a class's or a method's), for legends, tables and cards. */
export function swatch(color) {
  const sw = h('span', { className: 'swatch' });
  sw.style.backgroundColor = color;
  return sw;
}

/** Sets textContent only when it changes (avoids layout work and screen-reader chatter). */
export function setText(node, text) {
  const s = String(text);
  if (node && node.textContent !== s) node.textContent = s;
}

/** A canvas sized to its CSS box times the device pixel ratio; returns the 2-D context, scaled. */
export function fitCanvas(canvas, cssWidth, cssHeight) {
  const dpr = Math.min(3, window.devicePixelRatio || 1);
  const w = Math.max(1, Math.round(cssWidth * dpr));
  const hgt = Math.max(1, Math.round(cssHeight * dpr));
  if (canvas.width !== w || canvas.height !== hgt) {
    canvas.width = w;
    canvas.height = hgt;
  }
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = `${cssHeight}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/** Width of an element's content box in CSS pixels (at least `min`). */
export function contentWidth(node, min = 120) {
  const style = getComputedStyle(node);
  const w = node.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return Math.max(min, Math.floor(w));
}

/** A paired difference to vanilla in points: `+1.8 [+0.9, +2.7], won 15/20` (no interval for one seed). */
export function pairedText(d) {
  const sign = (x) => `${x >= 0 ? '+' : ''}${percent(x)}`;
  const ci = d.n > 1 && Number.isFinite(d.ci_low) && Number.isFinite(d.ci_high) ? ` [${sign(d.ci_low)}, ${sign(d.ci_high)}]` : '';
  return `${sign(d.mean)}${ci}, won ${d.wins}/${d.n}`;
}

/** The mark tables put beside a method that takes gradient steps on V's true labels (or null). */
export function vMark(uses, testid) {
  if (!uses) return null;
  return h('span', { className: 'v-mark', text: ' V', title: "trains on V's true labels (the others only estimate from V)", testid });
}

/** Math-like text: a <code class="formula"> block. */
export function formula(text) {
  return h('code', { className: 'formula', text });
}

/**
 * Fills `box` with the engine's one-line warnings (text only; `name` in backticks becomes code), or
 * hides it when there are none.
 */
export function showWarnings(box, warnings, title) {
  const list = Array.isArray(warnings) ? warnings.filter((w) => typeof w === 'string' && w.trim() !== '') : [];
  const key = JSON.stringify(list);
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.hidden = list.length === 0;
  box.replaceChildren(
    h('p', { className: 'warnings-title', text: title }),
    h('ul', {}, list.map((w) => h('li', {}, w.split('`').map((part, i) => (i % 2 ? h('code', { text: part }) : part))))),
  );
}
