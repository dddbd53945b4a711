// Colours. Okabe & Ito (2008) first: distinguishable with the common colour-vision deficiencies.
// Classes and methods use different assignments so a method line is never mistaken for a class.

/** Class colours (index = class). Okabe-Ito, then Paul Tol's muted set for larger class counts. */
export const CLASS_COLORS = [
  '#0072B2', // blue
  '#E69F00', // orange
  '#009E73', // bluish green
  '#CC79A7', // reddish purple
  '#56B4E9', // sky blue
  '#D55E00', // vermillion
  '#F0E442', // yellow
  '#555555', // dark grey
  '#882255', // wine
  '#999933', // olive
  '#44AA99', // teal
  '#332288', // indigo
];

/** Method colours, chosen so SLaM (blue family) and vanilla (red/orange family) read as a pair. */
export const METHOD_COLORS = {
  vanilla: '#D55E00',
  vanilla_hard: '#E69F00',
  slam: '#0072B2',
  slam_hard: '#56B4E9',
  weighted: '#009E73',
  taylor_ce: '#CC79A7',
  ups: '#999933',
  vid: '#882255',
  alm: '#44AA99',
  rad: '#332288',
  rad_random: '#888888',
  rad_uncertainty: '#6699CC',
  lelp: '#AA4499',
  l2t: '#117733',
  vanilla_lv: '#661100',
  labels_only: '#000000',
};

const EXTRA_COLORS = ['#000000', '#DDCC77', '#661100', '#88CCEE'];

/** Line dashes per method so the charts stay readable in greyscale too. */
export const METHOD_DASH = {
  vanilla: [],
  vanilla_hard: [6, 3],
  slam: [],
  slam_hard: [6, 3],
  weighted: [2, 2],
  taylor_ce: [8, 3, 2, 3],
  ups: [2, 3],
  vid: [10, 3],
  alm: [4, 2, 1, 2],
  rad: [],
  rad_random: [3, 3],
  rad_uncertainty: [6, 2],
  lelp: [1, 2],
  l2t: [8, 2, 2, 2, 2, 2],
  vanilla_lv: [1, 3],
  labels_only: [5, 5],
};

/** Readable names for the method keys. */
export const METHOD_LABELS = {
  vanilla: 'Vanilla (soft)',
  vanilla_hard: 'Vanilla (hard)',
  slam: 'SLaM (soft)',
  slam_hard: 'SLaM (hard)',
  weighted: 'Weighted',
  taylor_ce: 'Taylor-CE',
  ups: 'UPS',
  vid: 'VID',
  alm: 'ALM',
  rad: 'RAD',
  rad_random: 'RAD (random)',
  rad_uncertainty: 'RAD (uncertainty)',
  lelp: 'LELP',
  l2t: 'L2T',
  vanilla_lv: 'Vanilla + V labels',
  labels_only: 'Labels only (no teacher)',
};

/** One line per method, for tooltips and the method picker. */
export const METHOD_HELP = {
  vanilla: "cross-entropy on the teacher's soft labels",
  vanilla_hard: "cross-entropy on the teacher's argmax labels",
  slam: "Student-Label Mixing on the teacher's soft labels",
  slam_hard: "Student-Label Mixing on the teacher's argmax labels",
  weighted: 'soft cross-entropy weighted by the estimated chance the teacher is right',
  taylor_ce: 'Taylor cross-entropy, a noise-robust loss between MAE and CE',
  ups: 'keeps only confident, certain teacher labels, plus negative labels',
  vid: 'soft cross-entropy plus matching the teacher\'s hidden layer',
  alm: 'per-example mix of distillation and label loss, meta-learned on V',
  rad: 'a budget of teacher queries, spent on informative, likely-correct points',
  rad_random: 'the RAD budget spent on random points',
  rad_uncertainty: 'the RAD budget spent on the points the student is least sure about',
  lelp: 'pseudo-subclasses from the teacher\'s embedding',
  l2t: 'a small learned teacher sets per-example distillation weights',
  vanilla_lv: "vanilla distillation that also trains on V's true labels",
  labels_only: "no teacher: the student trained on L's true labels alone",
};

export function classColor(c) {
  return CLASS_COLORS[c % CLASS_COLORS.length];
}

export function methodColor(name) {
  if (METHOD_COLORS[name]) return METHOD_COLORS[name];
  let hsh = 0;
  for (const ch of String(name)) hsh = (hsh * 31 + ch.charCodeAt(0)) >>> 0;
  return EXTRA_COLORS[hsh % EXTRA_COLORS.length];
}

export function methodLabel(name) {
  return METHOD_LABELS[name] ?? name;
}

/** '#RRGGBB' -> [r, g, b] (0..255). */
export function hexToRgb(hex) {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export const CLASS_RGB = CLASS_COLORS.map(hexToRgb);

export function classRgb(c) {
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
