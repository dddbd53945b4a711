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
 * Method colours: SLaM's two are blues and vanilla's are red, ochre and brown, so the two families read
 * as a pair; all are >= 3:1 on white, as lines and swatches; "labels only" (no teacher) is black.
 */
export const METHOD_COLORS = {
  vanilla: '#FD301B',
  vanilla_hard: '#C07F02',
  slam: '#0049FD',
  slam_hard: '#0283D9',
  weighted: '#9800F9',
  taylor_ce: '#A064CF',
  ups: '#B8320B',
  vid: '#02811A',
  alm: '#6E7AFC',
  rad: '#775D00',
  rad_random: '#6C9502',
  rad_uncertainty: '#5A6B06',
  lelp: '#A18F06',
  l2t: '#DF6602',
  vanilla_lv: '#8E4C04',
  labels_only: '#000000',
};

/** For a method without a colour of its own: these keep the same rules against the class colours. */
const EXTRA_COLORS = ['#CC11DD', '#997722', '#AA6611', '#7755FF'];

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
