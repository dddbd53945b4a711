// Colours. Every two of the first 10 class colours, and every method colour against every class colour
// (a method card draws its student's map in class colours under the method's swatch), differ by
// CIEDE2000 >= 15 in normal vision and in simulated deuteranopia and protanopia (Machado et al. 2009);
// tests/unit/palette.test.mjs checks it, and scripts/palette-search.mjs is the seeded search that
// chose them (the smallest difference it reached is 16 in every vision).
//
// A red-green dichromat sees roughly two dimensions, light-dark and blue-yellow, and fewer than 20
// colours fit there 16 apart in all three visions at once: the 10 classes take most of them, the
// method colours share what is left, a strong blue and a dark yellow-olive as such a viewer sees them
// (blues and violets; reds, oranges, browns and greens in normal vision), and methods of one group
// are told apart by their dash.

/**
 * Class colours (index = class), in order: the first two, dark blue and light tan, are far apart in
 * light and in hue alike, for the two-class scenarios (a tint of each fills the students' maps).
 * From class 11 on the colours repeat; the two after the first 10 are the farthest
 * from the rest in normal vision, but close to some in colour-blind vision.
 */
export const CLASS_COLORS = [
  '#0001AF', // navy
  '#EBB976', // tan
  '#079A72', // bluish green
  '#690144', // plum
  '#89B9FD', // light blue
  '#611400', // dark brown
  '#FFFF03', // yellow
  '#02707F', // teal
  '#5F584B', // warm grey
  '#B38FA9', // mauve
  '#00FF66', // bright green (classes 11 and up: may come close to others)
  '#DD0066', // raspberry
];

/**
 * Method colours and line dashes, by slot: each method's row in the engine names its slot (its
 * `colour`), so the page keeps no list of methods. SLaM's two are blues and vanilla's are red, ochre
 * and brown, so the two families read as a pair; all are >= 3:1 on white, as lines and swatches;
 * "labels only" (no teacher) is black. Dashes keep the charts readable in greyscale too.
 */
export const METHOD_SLOTS = [
  { color: '#FD301B', dash: [] }, // 0
  { color: '#C07F02', dash: [6, 3] }, // 1
  { color: '#0049FD', dash: [] }, // 2
  { color: '#0283D9', dash: [6, 3] }, // 3
  { color: '#9800F9', dash: [2, 2] }, // 4
  { color: '#A064CF', dash: [8, 3, 2, 3] }, // 5
  { color: '#B8320B', dash: [2, 3] }, // 6
  { color: '#02811A', dash: [10, 3] }, // 7
  { color: '#6E7AFC', dash: [4, 2, 1, 2] }, // 8
  { color: '#775D00', dash: [] }, // 9
  { color: '#6C9502', dash: [3, 3] }, // 10
  { color: '#5A6B06', dash: [6, 2] }, // 11
  { color: '#A18F06', dash: [1, 2] }, // 12
  { color: '#DF6602', dash: [8, 2, 2, 2, 2, 2] }, // 13
  { color: '#8E4C04', dash: [1, 3] }, // 14
  { color: '#000000', dash: [5, 5] }, // 15
];

/** For a method whose slot is not here: these keep the same rules against the class colours. */
const EXTRA_COLORS = ['#CC11DD', '#997722', '#AA6611', '#7755FF'];

/** The engine's method facts by name (installMethodFacts, from its schema). */
let FACTS = {};

/** Installs the engine's method facts (the schema's `methods`): names, labels, help and colour slots. */
export function installMethodFacts(facts) {
  FACTS = Object.fromEntries((facts ?? []).map((f) => [f.name, f]));
}

/** A method's colour, by name, from its row's slot. */
export function methodColor(name) {
  const slot = METHOD_SLOTS[FACTS[name]?.colour];
  if (slot) return slot.color;
  let hsh = 0;
  for (const ch of String(name)) hsh = (hsh * 31 + ch.charCodeAt(0)) >>> 0;
  return EXTRA_COLORS[hsh % EXTRA_COLORS.length];
}

/** A method's line dash. */
export function methodDash(name) {
  return METHOD_SLOTS[FACTS[name]?.colour]?.dash ?? [];
}

/** How the page names a method (its row's label). */
export function methodLabel(name) {
  return FACTS[name]?.label ?? name;
}

/** One short line on a method (its row's help). */
export function methodHelp(name) {
  return FACTS[name]?.help ?? '';
}

export function classColor(c) {
  // A row of unknown class (truth.js's UNKNOWN) is grey.
  if (c === 0xffffffff) return '#9a9a9a';
  return CLASS_COLORS[c % CLASS_COLORS.length];
}


/** '#RRGGBB' -> [r, g, b] (0..255). */
export function hexToRgb(hex) {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export const CLASS_RGB = CLASS_COLORS.map(hexToRgb);

export function classRgb(c) {
  if (c === 0xffffffff) return [154, 154, 154];
  return CLASS_RGB[c % CLASS_RGB.length];
}

// cividis (Nuñez, Anderton & Renslow 2018): a sequential map made for colour-vision deficiencies.
const CIVIDIS = [
  [0, 34, 78], [0, 44, 107], [41, 58, 110], [69, 73, 108], [90, 88, 110], [110, 104, 113],
  [129, 120, 117], [149, 136, 117], [170, 153, 112], [192, 171, 103], [215, 190, 89], [238, 210, 67],
  [253, 231, 55],
];

/** Sequential colour for t in [0, 1] (cividis), as [r, g, b]. */
export function sequential(t) {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (CIVIDIS.length - 1);
  const i = Math.min(CIVIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = CIVIDIS[i];
  const b = CIVIDIS[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

export function rgbCss([r, g, b], alpha = 1) {
  return alpha >= 1 ? `rgb(${r | 0}, ${g | 0}, ${b | 0})` : `rgba(${r | 0}, ${g | 0}, ${b | 0}, ${alpha})`;
}
