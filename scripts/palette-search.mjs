// Colour science for the page's palette (www/palette.js), and the seeded search that chose it.
//
//   node scripts/palette-search.mjs            the search: seeds 1-6, 400,000 moves each, best score wins
//                                              (deterministic, no network; a few minutes); prints the
//                                              palette as code for www/palette.js, classes in display order
//   node scripts/palette-search.mjs --seeds=3 --iterations=400000    one seed (seed 3 gave the page's palette)
//   node scripts/palette-search.mjs --check    only the ΔE report of the palette www/palette.js exports
//
// The colour maths is exported for tests/unit/palette.test.mjs, which checks it against published values
// and then checks the palette the page exports; the test never runs the search.
//
//   sRGB (IEC 61966-2-1) -> linear RGB -> XYZ (D65) -> CIELAB, and CIEDE2000 (Sharma, Wu & Dalal 2005,
//   "The CIEDE2000 color-difference formula: implementation notes, supplementary test data, and
//   mathematical observations", Color Res. Appl. 30(1)). Colour-vision deficiency: Machado, Oliveira &
//   Fernandes 2009, "A physiologically-based model for simulation of color vision deficiency", IEEE TVCG
//   15(6), severity 1.0 matrices, applied to linear RGB.

import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------------------------------
// Colour maths.

/** '#RRGGBB' -> [r, g, b] in 0..1. */
export function hexToSrgb(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`not a #RRGGBB colour: ${hex}`);
  const n = Number.parseInt(m[1], 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

/** [r, g, b] in 0..1 -> '#RRGGBB' (clamped, rounded). */
export function srgbToHex(rgb) {
  return `#${rgb.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255).toString(16).padStart(2, '0')).join('').toUpperCase()}`;
}

/** sRGB transfer function, inverse: encoded 0..1 -> linear 0..1. */
export function srgbToLinear(v) {
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

/** sRGB transfer function: linear 0..1 -> encoded 0..1. */
export function linearToSrgb(v) {
  return v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
}

/** Linear sRGB -> CIE XYZ, D65 white (IEC 61966-2-1; Y of white = 1). */
export const RGB_TO_XYZ = [
  [0.4124564, 0.3575761, 0.1804375],
  [0.2126729, 0.7151522, 0.0721750],
  [0.0193339, 0.1191920, 0.9503041],
];

/** D65 white in XYZ: the matrix applied to linear white, so that white is exactly L*=100, a*=b*=0. */
export const WHITE_D65 = RGB_TO_XYZ.map((row) => row[0] + row[1] + row[2]);

function mul(m, v) {
  return [
    m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
    m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
    m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
  ];
}

/** Linear RGB -> XYZ (D65). */
export function linearToXyz(lin) {
  return mul(RGB_TO_XYZ, lin);
}

/** XYZ -> CIELAB relative to D65 white (CIE 15: 6/29 break, 1/3 power). */
export function xyzToLab([x, y, z]) {
  const d = 6 / 29;
  const f = (t) => (t > d ** 3 ? Math.cbrt(t) : t / (3 * d * d) + 4 / 29);
  const fx = f(x / WHITE_D65[0]);
  const fy = f(y / WHITE_D65[1]);
  const fz = f(z / WHITE_D65[2]);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/**
 * Machado, Oliveira & Fernandes (2009), severity 1.0: dichromacy simulation matrices for linear RGB.
 * Every row sums to 1 (to the paper's 6 decimals), so greys map to themselves.
 */
export const CVD_MATRICES = {
  normal: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.011820, 0.042940, 0.968881],
  ],
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
};

export const VISIONS = ['normal', 'deuteranopia', 'protanopia'];

/** Linear RGB as seen with `vision` (clamped to the displayable 0..1, as a screen would). */
export function simulateLinear(lin, vision = 'normal') {
  const m = CVD_MATRICES[vision];
  if (!m) throw new Error(`unknown vision: ${vision}`);
  return mul(m, lin).map((v) => Math.min(1, Math.max(0, v)));
}

/** '#RRGGBB' as seen with `vision`, as encoded sRGB 0..1. */
export function simulateHex(hex, vision = 'normal') {
  return simulateLinear(hexToSrgb(hex).map(srgbToLinear), vision).map(linearToSrgb);
}

/** '#RRGGBB' (or [r, g, b] 0..1) -> CIELAB, as seen with `vision`. */
export function toLab(colour, vision = 'normal') {
  const rgb = typeof colour === 'string' ? hexToSrgb(colour) : colour;
  return xyzToLab(linearToXyz(simulateLinear(rgb.map(srgbToLinear), vision)));
}

const RAD = Math.PI / 180;
const POW25_7 = 25 ** 7;

/** CIEDE2000 colour difference between two CIELAB colours (kL = kC = kH = 1). */
export function deltaE2000(lab1, lab2) {
  const L1 = lab1[0];
  const a1 = lab1[1];
  const b1 = lab1[2];
  const L2 = lab2[0];
  const a2 = lab2[1];
  const b2 = lab2[2];
  // (Math.sqrt rather than Math.hypot, and products rather than **: the search calls this millions of times.)
  const Cbar = (Math.sqrt(a1 * a1 + b1 * b1) + Math.sqrt(a2 * a2 + b2 * b2)) / 2;
  const Cbar7 = pow7(Cbar);
  const G = 0.5 * (1 - Math.sqrt(Cbar7 / (Cbar7 + POW25_7)));
  const a1p = (1 + G) * a1;
  const a2p = (1 + G) * a2;
  const C1p = Math.sqrt(a1p * a1p + b1 * b1);
  const C2p = Math.sqrt(a2p * a2p + b2 * b2);
  const h1p = hueDegrees(b1, a1p);
  const h2p = hueDegrees(b2, a2p);

  const dLp = L2 - L1;
  const dCp = C2p - C1p;
  let dhp = 0;
  if (C1p * C2p !== 0) {
    dhp = h2p - h1p;
    if (dhp > 180) dhp -= 360;
    else if (dhp < -180) dhp += 360;
  }
  const dHp = 2 * Math.sqrt(C1p * C2p) * Math.sin((dhp / 2) * RAD);

  const Lbarp = (L1 + L2) / 2;
  const Cbarp = (C1p + C2p) / 2;
  let hbarp = h1p + h2p;
  if (C1p * C2p !== 0) {
    if (Math.abs(h1p - h2p) <= 180) hbarp /= 2;
    else hbarp = hbarp < 360 ? (hbarp + 360) / 2 : (hbarp - 360) / 2;
  }
  const T = 1
    - 0.17 * Math.cos((hbarp - 30) * RAD)
    + 0.24 * Math.cos(2 * hbarp * RAD)
    + 0.32 * Math.cos((3 * hbarp + 6) * RAD)
    - 0.20 * Math.cos((4 * hbarp - 63) * RAD);
  const x = (hbarp - 275) / 25;
  const dTheta = 30 * Math.exp(-x * x);
  const Cbarp7 = pow7(Cbarp);
  const RC = 2 * Math.sqrt(Cbarp7 / (Cbarp7 + POW25_7));
  const L50 = (Lbarp - 50) * (Lbarp - 50);
  const SL = 1 + (0.015 * L50) / Math.sqrt(20 + L50);
  const SC = 1 + 0.045 * Cbarp;
  const SH = 1 + 0.015 * Cbarp * T;
  const RT = -Math.sin(2 * dTheta * RAD) * RC;
  const l = dLp / SL;
  const c = dCp / SC;
  const h = dHp / SH;
  return Math.sqrt(l * l + c * c + h * h + RT * c * h);
}

function pow7(v) {
  const v2 = v * v;
  return v2 * v2 * v2 * v;
}

/** Hue angle in degrees, 0..360; 0 for a neutral colour (a = b = 0), as the paper specifies. */
function hueDegrees(b, a) {
  if (b === 0 && a === 0) return 0;
  const h = Math.atan2(b, a) / RAD;
  return h < 0 ? h + 360 : h;
}

/** CIEDE2000 between two '#RRGGBB' colours as seen with `vision`. */
export function deltaEHex(hexA, hexB, vision = 'normal') {
  return deltaE2000(toLab(hexA, vision), toLab(hexB, vision));
}

/** WCAG 2 relative luminance of '#RRGGBB'. */
export function relativeLuminance(hex) {
  const [r, g, b] = hexToSrgb(hex).map(srgbToLinear);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of '#RRGGBB' against white. */
export function contrastOnWhite(hex) {
  return 1.05 / (relativeLuminance(hex) + 0.05);
}

/**
 * The palette's report: the smallest ΔE2000 per vision between any two class colours, and between any
 * method colour and any class colour, with the pair that attains it.
 */
export function paletteReport(classColors, methodColors) {
  const methods = Object.entries(methodColors);
  const out = {};
  for (const vision of VISIONS) {
    const cl = classColors.map((c) => toLab(c, vision));
    let cc = { de: Infinity };
    for (let i = 0; i < cl.length; i++) {
      for (let j = i + 1; j < cl.length; j++) {
        const de = deltaE2000(cl[i], cl[j]);
        if (de < cc.de) cc = { de, a: `class ${i} ${classColors[i]}`, b: `class ${j} ${classColors[j]}` };
      }
    }
    let mc = { de: Infinity };
    for (const [name, hex] of methods) {
      const ml = toLab(hex, vision);
      for (let j = 0; j < cl.length; j++) {
        const de = deltaE2000(ml, cl[j]);
        if (de < mc.de) mc = { de, a: `${name} ${hex}`, b: `class ${j} ${classColors[j]}` };
      }
    }
    out[vision] = { classClass: cc, methodClass: mc };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The search. Simulated annealing over 8-bit sRGB colours, seeded (mulberry32), no network.
//
// Hard (a large penalty below TARGET, so the result clears the test's 15 with a margin):
//   every two of the 10 class colours, and every method colour against every class colour, differ by
//   CIEDE2000 >= TARGET in normal vision, simulated deuteranopia and simulated protanopia.
// Kept by construction (a move breaking one is rejected):
//   class colours show on white (ΔE >= 25 from white in all three visions) and are not near-black;
//   method colours are lines and swatches: >= 3:1 contrast on white, and not near-black, except
//   "labels only", which is black; SLaM's two are blues (CIELAB hue 235-300°), vanilla's three
//   reds/oranges/browns (hue 20-75°).
// Preferred (the rest of the score): method colours far apart in normal vision (they also differ by
//   dash), SLaM far from vanilla in every vision and each far from its hard-label twin, the five SLaM
//   and vanilla colours near the page's earlier ones (ANCHORS), class colours colourful, visible on
//   white and far apart in normal vision (where there is more room than in colour-blind vision).

export const METHOD_KEYS = [
  'vanilla', 'vanilla_hard', 'slam', 'slam_hard', 'weighted', 'taylor_ce', 'ups', 'vid', 'alm', 'rad',
  'rad_random', 'rad_uncertainty', 'lelp', 'l2t', 'vanilla_lv', 'labels_only',
];

const TARGET = 16;

/**
 * The colours the page used before this search, for the methods every chart compares: the search
 * stays near them where it can, so SLaM stays blue, vanilla vermillion/orange and vanilla + V brown.
 */
const ANCHORS = { vanilla: '#D55E00', vanilla_hard: '#E69F00', slam: '#0072B2', slam_hard: '#56B4E9', vanilla_lv: '#661100' };

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WHITE_LAB = [100, 0, 0];

// What the search needs of a colour, kept per hex (the search comes back to the same colours often).
const infoCache = new Map();
function info(hex) {
  let c = infoCache.get(hex);
  if (!c) {
    if (infoCache.size > 1e6) infoCache.clear();
    const labs = VISIONS.map((v) => toLab(hex, v));
    const [L, a, b] = labs[0];
    c = {
      labs,
      L,
      C: Math.sqrt(a * a + b * b),
      h: (Math.atan2(b, a) / RAD + 360) % 360,
      onWhite: Math.min(...labs.map((lab) => deltaE2000(lab, WHITE_LAB))),
      contrast: contrastOnWhite(hex),
    };
    infoCache.set(hex, c);
  }
  return c;
}

/** The rule each slot must keep: 'class', or a method key. */
function allowed(slot, hex) {
  const { L, C, h, onWhite, contrast } = info(hex);
  if (slot === 'class') return L >= 20 && onWhite >= 25;
  if (slot === 'labels_only') return hex === '#000000';
  if (contrast < 3 || L < 30) return false;
  if (slot.startsWith('slam')) return C > 30 && h > 235 && h < 300;
  if (slot.startsWith('vanilla')) return C > 40 && h > 20 && h < 75;
  return true;
}

/**
 * One annealing run. Returns { classes: [10 hex], methods: { key: hex }, score, min }.
 * `iterations` moves; each move changes one colour (a nudge of one channel, or early on a jump).
 */
export function search({ seed = 1, iterations = 400000, classes = 10 } = {}) {
  const rand = mulberry32(seed);
  const slots = [...Array(classes).fill('class'), ...METHOD_KEYS];
  const n = slots.length;
  // Jumps land on a 16-level grid of allowed colours; nudges then reach every 8-bit colour.
  const grid = [];
  for (let r = 0; r < 16; r++) for (let g = 0; g < 16; g++) for (let b = 0; b < 16; b++) grid.push(srgbToHex([r / 15, g / 15, b / 15]));
  const pools = new Map();
  const randomHex = (slot) => {
    if (!pools.has(slot)) pools.set(slot, grid.filter((hex) => allowed(slot, hex)));
    const pool = pools.get(slot);
    return pool[Math.floor(rand() * pool.length)];
  };
  const cols = slots.map(randomHex);
  const labs = cols.map((c) => info(c).labs);
  const iSlam = classes + METHOD_KEYS.indexOf('slam');
  const iVan = classes + METHOD_KEYS.indexOf('vanilla');
  const iSlamH = classes + METHOD_KEYS.indexOf('slam_hard');
  const iVanH = classes + METHOD_KEYS.indexOf('vanilla_hard');
  // dmin[i][j]: smallest ΔE over the three visions (for every pair with a class in it, and SLaM against
  // vanilla); dn[i][j]: ΔE in normal vision.
  const dmin = Array.from({ length: n }, () => new Float64Array(n));
  const dn = Array.from({ length: n }, () => new Float64Array(n));
  const allVisions = (i, j) => i < classes || j < classes
    || (i === iSlam && j === iVan) || (i === iVan && j === iSlam) || (i === iSlamH && j === iVanH) || (i === iVanH && j === iSlamH);
  const fill = (i) => {
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d0 = deltaE2000(labs[i][0], labs[j][0]);
      const d = allVisions(i, j) ? Math.min(d0, deltaE2000(labs[i][1], labs[j][1]), deltaE2000(labs[i][2], labs[j][2])) : d0;
      dmin[i][j] = dmin[j][i] = d;
      dn[i][j] = dn[j][i] = d0;
    }
  };
  for (let i = 0; i < n; i++) fill(i);
  const chroma = cols.map((c) => info(c).C);
  const anchors = Object.entries(ANCHORS).map(([m, hex]) => [classes + METHOD_KEYS.indexOf(m), toLab(hex)]);
  const onWhite = cols.map((c) => info(c).onWhite);

  const score = () => {
    let penalty = 0;
    let min = Infinity;
    for (let i = 0; i < classes; i++) {
      for (let j = i + 1; j < n; j++) {
        const d = dmin[i][j];
        if (d < min) min = d;
        if (d < TARGET) penalty += TARGET - d;
      }
    }
    let mm = Infinity;
    let mmSum = 0;
    for (let i = classes; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const d = dn[i][j];
        if (d < mm) mm = d;
        mmSum += Math.min(d, 25);
      }
    }
    let cc = 0;
    let ccMin = Infinity;
    let ch = 0;
    for (let i = 0; i < classes; i++) {
      ch += Math.min(chroma[i], 45) + Math.min(onWhite[i], 40);
      for (let j = i + 1; j < classes; j++) {
        cc += Math.min(dn[i][j], 40);
        if (dn[i][j] < ccMin) ccMin = dn[i][j];
      }
    }
    let anchored = 0;
    for (const [i, lab] of anchors) anchored += Math.min(deltaE2000(labs[i][0], lab), 40);
    const pair = Math.min(dmin[iSlam][iVan], 30) + Math.min(dmin[iSlamH][iVanH], 30)
      + Math.min(dn[iSlam][iSlamH], 25) + Math.min(dn[iVan][iVanH], 25);
    return { value: -5 * penalty + mm + 0.02 * mmSum + 0.2 * pair + Math.min(ccMin, 35) + 0.02 * ch + 0.02 * cc - 0.1 * anchored, min, mm, ccMin };
  };

  let cur = score();
  let best = { ...cur, cols: cols.slice() };
  for (let it = 0; it < iterations; it++) {
    const frac = it / iterations;
    const temp = 3 * 0.002 ** frac;
    const k = Math.floor(rand() * n);
    if (slots[k] === 'labels_only') continue;
    let hex;
    if (rand() < 0.15 * (1 - frac)) {
      hex = randomHex(slots[k]);
    } else {
      const rgb = hexToSrgb(cols[k]).map((v) => Math.round(v * 255));
      const reach = Math.max(2, Math.round(48 * (1 - frac)));
      const c = Math.floor(rand() * 3);
      rgb[c] += Math.round((rand() * 2 - 1) * reach);
      if (rgb[c] < 0 || rgb[c] > 255) continue;
      hex = srgbToHex(rgb.map((v) => v / 255));
      if (!allowed(slots[k], hex)) continue;
    }
    const old = { hex: cols[k], lab: labs[k], rowMin: Float64Array.from(dmin[k]), rowN: Float64Array.from(dn[k]), chroma: chroma[k], onWhite: onWhite[k] };
    cols[k] = hex;
    labs[k] = info(hex).labs;
    chroma[k] = info(hex).C;
    onWhite[k] = info(hex).onWhite;
    fill(k);
    const next = score();
    if (next.value >= cur.value || rand() < Math.exp((next.value - cur.value) / temp)) {
      cur = next;
      if (cur.value > best.value) best = { ...cur, cols: cols.slice() };
    } else {
      cols[k] = old.hex;
      labs[k] = old.lab;
      chroma[k] = old.chroma;
      onWhite[k] = old.onWhite;
      for (let j = 0; j < n; j++) {
        dmin[k][j] = dmin[j][k] = old.rowMin[j];
        dn[k][j] = dn[j][k] = old.rowN[j];
      }
    }
  }
  return {
    classes: best.cols.slice(0, classes),
    methods: Object.fromEntries(METHOD_KEYS.map((m, i) => [m, best.cols[classes + i]])),
    score: best.value,
    min: best.min,
    methodMin: best.mm,
    classMinNormal: best.ccMin,
  };
}

/**
 * Orders class colours so every prefix is as spread as it can be (most scenarios have 2 to 4 classes):
 * greedily, the next class is the one farthest (smallest ΔE over the three visions, capped at 50) from
 * those already taken, ties going to the more visible on white (then the more colourful).
 */
export function orderClasses(colours) {
  const labs = colours.map((c) => info(c).labs);
  const dmin = (i, j) => Math.min(...VISIONS.map((_, v) => deltaE2000(labs[i][v], labs[j][v])));
  const bonus = (i) => 0.5 * Math.min(info(colours[i]).onWhite, 50) + 0.1 * Math.min(info(colours[i]).C, 50);
  const left = colours.map((_, i) => i);
  const taken = [];
  while (left.length) {
    let best = -1;
    let bestKey = -Infinity;
    for (const i of left) {
      const spread = taken.length ? Math.min(50, ...taken.map((j) => dmin(i, j))) : 50;
      const key = spread + bonus(i);
      if (key > bestKey + 1e-9) {
        bestKey = key;
        best = i;
      }
    }
    taken.push(best);
    left.splice(left.indexOf(best), 1);
  }
  return taken.map((i) => colours[i]);
}

/** The 16-level sRGB grid (#000000, #000011, ... #FFFFFF) the extras are picked from. */
function grid16() {
  const out = [];
  for (let r = 0; r < 16; r++) for (let g = 0; g < 16; g++) for (let b = 0; b < 16; b++) out.push(srgbToHex([r / 15, g / 15, b / 15]));
  return out;
}

/**
 * Colours for classes 10 and up (the test covers the first 10; from 11 classes on colours may come
 * close): greedily, the grid colour farthest in normal vision from every class and method colour so
 * far, ties going to the farthest in the worst vision.
 */
export function extraClasses(classes, methods, count = 2) {
  const cands = grid16().filter((hex) => allowed('class', hex));
  return pickGreedily(cands, [...classes, ...Object.values(methods)], count, (hex, taken) => {
    const a = info(hex).labs;
    let normal = Infinity;
    let worst = Infinity;
    for (const t of taken) {
      const b = info(t).labs;
      const d0 = deltaE2000(a[0], b[0]);
      normal = Math.min(normal, d0);
      worst = Math.min(worst, d0, deltaE2000(a[1], b[1]), deltaE2000(a[2], b[2]));
    }
    return normal + 0.5 * worst;
  });
}

/** `count` candidates, one at a time, each the one with the largest key against those taken so far. */
function pickGreedily(cands, taken, count, keyOf) {
  const out = [];
  for (let k = 0; k < count; k++) {
    let best = null;
    let bestKey = -Infinity;
    for (const hex of cands) {
      const key = keyOf(hex, taken);
      if (key > bestKey + 1e-9) {
        bestKey = key;
        best = hex;
      }
    }
    taken.push(best);
    out.push(best);
  }
  return out;
}

/**
 * Fallback colours for a method without its own: grid colours that keep the method rules (>= TARGET
 * from every class colour in every vision, 3:1 on white), greedily the farthest in normal vision from
 * the method colours so far.
 */
export function extraMethods(classes, methods, count = 4) {
  const cands = grid16().filter((hex) => allowed('other', hex) && classes.every((c) => VISIONS.every((_, v) => deltaE2000(info(hex).labs[v], info(c).labs[v]) >= TARGET)));
  return pickGreedily(cands, Object.values(methods), count,
    (hex, taken) => Math.min(...taken.map((t) => deltaE2000(info(hex).labs[0], info(t).labs[0]))));
}

function formatReport(report) {
  return VISIONS.map((v) => {
    const { classClass: cc, methodClass: mc } = report[v];
    return `  ${v.padEnd(12)} class-class ${cc.de.toFixed(2)} (${cc.a} / ${cc.b}); method-class ${mc.de.toFixed(2)} (${mc.a} / ${mc.b})`;
  }).join('\n');
}

async function main(argv) {
  const opt = Object.fromEntries(argv.map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? true]));
  if (opt.check) {
    const { CLASS_COLORS, METHOD_COLORS } = await import('../www/palette.js');
    console.log('www/palette.js, smallest CIEDE2000:');
    console.log(formatReport(paletteReport(CLASS_COLORS.slice(0, 10), METHOD_COLORS)));
    return;
  }
  const seeds = String(opt.seeds ?? '1,2,3,4,5,6').split(',').map(Number);
  const iterations = Number(opt.iterations ?? 400000);
  let best = null;
  for (const seed of seeds) {
    const t0 = Date.now();
    const r = search({ seed, iterations });
    console.error(`seed ${seed}: score ${r.score.toFixed(2)}, min ΔE ${r.min.toFixed(2)}, methods' min normal ΔE ${r.methodMin.toFixed(2)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    if (!best || r.score > best.score) best = { ...r, seed };
  }
  const classes = orderClasses(best.classes);
  const more = extraClasses(classes, best.methods);
  const fallbacks = extraMethods(classes, best.methods);
  console.log(`// best of seeds ${seeds.join(',')} (${iterations} moves each): seed ${best.seed}; smallest CIEDE2000:`);
  console.log(formatReport(paletteReport(classes, { ...best.methods, ...Object.fromEntries(fallbacks.map((c, i) => [`extra${i}`, c])) })).replace(/^/gm, '//'));
  console.log(`export const CLASS_COLORS = [\n${[...classes, ...more].map((c) => `  '${c}',`).join('\n')}\n];`);
  console.log(`export const METHOD_COLORS = {\n${Object.entries(best.methods).map(([k, v]) => `  ${k}: '${v}',`).join('\n')}\n};`);
  console.log(`const EXTRA_COLORS = [${fallbacks.map((c) => `'${c}'`).join(', ')}];`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
