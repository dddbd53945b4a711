// The page's colours (www/palette.js): every two of the 10 class colours, and every method colour
// against every class colour (a method card draws its student's map in class colours under the
// method's swatch), differ by CIEDE2000 >= 15 in normal vision and in simulated deuteranopia and
// protanopia. First the colour maths is checked against published values, then the palette.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  deltaE2000, toLab, simulateHex, CVD_MATRICES, VISIONS, contrastOnWhite, paletteReport,
} from '../../scripts/palette-search.mjs';
import fs from 'node:fs';
import { CLASS_COLORS, METHOD_SLOTS, installMethodFacts, classColor, methodColor, methodDash, CLASS_RGB, hexToRgb } from '../../www/palette.js';

// The engine's method rows (www/pkg/schema.json, written by the build from the .wasm) name each
// method's colour slot.
const FACTS = JSON.parse(fs.readFileSync(new URL('../../www/pkg/schema.json', import.meta.url), 'utf8')).methods;
installMethodFacts(FACTS);
const METHOD_COLORS = Object.fromEntries(FACTS.map((f) => [f.name, methodColor(f.name)]));

const MIN_DELTA_E = 15;
const CLASSES_CHECKED = 10;

// Sharma, Wu & Dalal (2005), Table 1: all 34 pairs, [L1, a1, b1, L2, a2, b2, ΔE00].
const SHARMA_2005 = [
  [50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425],
  [50.0000, 3.1571, -77.2803, 50.0000, 0.0000, -82.7485, 2.8615],
  [50.0000, 2.8361, -74.0200, 50.0000, 0.0000, -82.7485, 3.4412],
  [50.0000, -1.3802, -84.2814, 50.0000, 0.0000, -82.7485, 1.0000],
  [50.0000, -1.1848, -84.8006, 50.0000, 0.0000, -82.7485, 1.0000],
  [50.0000, -0.9009, -85.5211, 50.0000, 0.0000, -82.7485, 1.0000],
  [50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669],
  [50.0000, -1.0000, 2.0000, 50.0000, 0.0000, 0.0000, 2.3669],
  [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792],
  [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0010, 7.1792],
  [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195],
  [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0012, 7.2195],
  [50.0000, -0.0010, 2.4900, 50.0000, 0.0009, -2.4900, 4.8045],
  [50.0000, -0.0010, 2.4900, 50.0000, 0.0010, -2.4900, 4.8045],
  [50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461],
  [50.0000, 2.5000, 0.0000, 50.0000, 0.0000, -2.5000, 4.3065],
  [50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492],
  [50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977],
  [50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030],
  [50.0000, 2.5000, 0.0000, 58.0000, 24.0000, 15.0000, 19.4535],
  [50.0000, 2.5000, 0.0000, 50.0000, 3.1736, 0.5854, 1.0000],
  [50.0000, 2.5000, 0.0000, 50.0000, 3.2972, 0.0000, 1.0000],
  [50.0000, 2.5000, 0.0000, 50.0000, 1.8634, 0.5757, 1.0000],
  [50.0000, 2.5000, 0.0000, 50.0000, 3.2592, 0.3350, 1.0000],
  [60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644],
  [63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630],
  [61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731],
  [35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645],
  [22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373],
  [36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146],
  [90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441],
  [90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381],
  [6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377],
  [2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082],
];

test('CIEDE2000 matches all 34 test pairs of Sharma, Wu & Dalal (2005) to 4 decimals, both ways round', () => {
  for (const [i, row] of SHARMA_2005.entries()) {
    const a = row.slice(0, 3);
    const b = row.slice(3, 6);
    for (const [x, y] of [[a, b], [b, a]]) {
      const de = deltaE2000(x, y);
      assert.ok(Math.abs(de - row[6]) < 5e-5, `pair ${i + 1}: ΔE00 ${de.toFixed(6)}, published ${row[6]}`);
    }
  }
  assert.equal(deltaE2000([50, 10, -10], [50, 10, -10]), 0);
});

test('sRGB -> CIELAB (D65) gives the standard values for white, black and the primaries', () => {
  const known = {
    '#FFFFFF': [100, 0, 0],
    '#000000': [0, 0, 0],
    '#808080': [53.585, 0, 0],
    '#FF0000': [53.241, 80.092, 67.203],
    '#00FF00': [87.735, -86.183, 83.179],
    '#0000FF': [32.297, 79.188, -107.860],
  };
  for (const [hex, lab] of Object.entries(known)) {
    const got = toLab(hex);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(got[k] - lab[k]) < 0.01, `${hex}: ${got.map((v) => v.toFixed(3))} vs ${lab}`);
  }
});

test('Machado et al. (2009) dichromacy: greys stay grey, the gamut flattens, red and green meet, blue and yellow stay apart', () => {
  for (const vision of ['deuteranopia', 'protanopia']) {
    const m = CVD_MATRICES[vision];
    // Rows sum to 1, so every grey (r = g = b) maps to itself.
    for (const row of m) assert.ok(Math.abs(row[0] + row[1] + row[2] - 1) < 2e-6, `${vision} row ${row}`);
    for (const hex of ['#000000', '#404040', '#808080', '#C0C0C0', '#FFFFFF']) {
      const sim = simulateHex(hex, vision).map((v) => Math.round(v * 255));
      assert.deepEqual(sim, hexToRgb(hex), `${hex} under ${vision}`);
      assert.ok(deltaE2000(toLab(hex), toLab(hex, vision)) < 1e-3);
    }
    // A dichromat sees a 2-D gamut: the matrix is (to its 6 printed decimals) singular.
    const det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
      - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
      + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    assert.ok(Math.abs(det) < 1e-5, `${vision} determinant ${det}`);
    // Blue and yellow, the axis a red-green dichromat keeps, stay far apart.
    assert.ok(toLab('#0000FF', vision)[2] < -60 && toLab('#FFFF00', vision)[2] > 60);
    assert.ok(deltaE2000(toLab('#0000FF', vision), toLab('#FFFF00', vision)) > 80);
  }
  // Pure red and pure green under deuteranopia: both become yellowish (hue angles within a few
  // degrees), differing mostly in lightness; a red and a green of similar lightness nearly coincide.
  const hue = ([, a, b]) => (Math.atan2(b, a) * 180) / Math.PI;
  const red = toLab('#FF0000', 'deuteranopia');
  const green = toLab('#00FF00', 'deuteranopia');
  assert.ok(Math.abs(hue(red) - hue(green)) < 5, `hues ${hue(red)}, ${hue(green)}`);
  assert.ok(Math.abs(red[1] - green[1]) < 3 && Math.abs(red[2] - green[2]) < 12);
  assert.ok(deltaE2000(red, green) < 0.25 * deltaE2000(toLab('#FF0000'), toLab('#00FF00')));
  assert.ok(deltaE2000(toLab('#CC0000', 'deuteranopia'), toLab('#669900', 'deuteranopia')) < 10);
  assert.ok(deltaE2000(toLab('#CC0000'), toLab('#669900')) > 50);
});

/** The smallest ΔE per vision, with the pairs; and every pair below `MIN_DELTA_E`. */
function check(classes, methods) {
  const report = paletteReport(classes, methods);
  const failures = [];
  for (const vision of VISIONS) {
    const cl = classes.map((c) => toLab(c, vision));
    for (let i = 0; i < cl.length; i++) {
      for (let j = i + 1; j < cl.length; j++) {
        const de = deltaE2000(cl[i], cl[j]);
        if (de < MIN_DELTA_E) failures.push(`${vision}: class ${i} ${classes[i]} vs class ${j} ${classes[j]}: ΔE ${de.toFixed(2)}`);
      }
    }
    for (const [name, hex] of Object.entries(methods)) {
      const ml = toLab(hex, vision);
      for (let j = 0; j < cl.length; j++) {
        const de = deltaE2000(ml, cl[j]);
        if (de < MIN_DELTA_E) failures.push(`${vision}: method ${name} ${hex} vs class ${j} ${classes[j]}: ΔE ${de.toFixed(2)}`);
      }
    }
  }
  return { report, failures };
}

/** Every colour a method can be drawn in: its own, and the fallbacks for names without one. */
function allMethodColours() {
  const out = { ...METHOD_COLORS };
  const fallbacks = new Set();
  for (let i = 0; i < 200; i++) fallbacks.add(methodColor(`unknown-method-${i}`));
  for (const hex of fallbacks) out[`fallback ${hex}`] = hex;
  return out;
}

const HEX = /^#[0-9A-Fa-f]{6}$/;

test('the palette is well formed: at least 10 class colours, one per method, every class colour repeating from 11 on', () => {
  assert.ok(CLASS_COLORS.length >= CLASSES_CHECKED);
  for (const c of CLASS_COLORS) assert.match(c, HEX);
  for (const c of Object.values(allMethodColours())) assert.match(c, HEX);
  // Every method has a slot of its own, and its colour and dash are that slot's.
  const slots = FACTS.map((f) => f.colour);
  assert.equal(new Set(slots).size, slots.length, `two methods share a colour slot: ${slots}`);
  for (const f of FACTS) {
    assert.ok(METHOD_SLOTS[f.colour], `${f.name}: no colour in slot ${f.colour}`);
    assert.equal(methodColor(f.name), METHOD_SLOTS[f.colour].color);
    assert.deepEqual(methodDash(f.name), METHOD_SLOTS[f.colour].dash);
  }
  for (let c = 0; c < 3 * CLASS_COLORS.length; c++) {
    assert.equal(classColor(c), CLASS_COLORS[c % CLASS_COLORS.length]);
    assert.deepEqual(CLASS_RGB[c % CLASS_RGB.length], hexToRgb(classColor(c)));
  }
});

test(`class colours pairwise, and method colours against class colours, differ by CIEDE2000 >= ${MIN_DELTA_E} in normal vision, deuteranopia and protanopia`, () => {
  const classes = CLASS_COLORS.slice(0, CLASSES_CHECKED);
  const { report, failures } = check(classes, allMethodColours());
  for (const vision of VISIONS) {
    const { classClass: cc, methodClass: mc } = report[vision];
    console.log(`palette ${vision.padEnd(12)} min ΔE00 class-class ${cc.de.toFixed(2)} (${cc.a} / ${cc.b}); method-class ${mc.de.toFixed(2)} (${mc.a} / ${mc.b})`);
  }
  assert.deepEqual(failures, [], `colour pairs closer than ΔE00 ${MIN_DELTA_E}:\n${failures.join('\n')}`);
});

test('the check catches close colours: the old palette, and any class colour copied onto another or onto a method', () => {
  // The palette before this check: classes 1 and 5 were close oranges, and vanilla equalled class 5.
  const old = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#555555', '#882255', '#999933'];
  assert.notDeepEqual(check(old, { vanilla: '#D55E00', slam: '#0072B2' }).failures, []);
  const classes = CLASS_COLORS.slice(0, CLASSES_CHECKED);
  const twin = classes.slice();
  twin[5] = twin[1];
  assert.ok(check(twin, {}).failures.some((f) => f.includes('class 1') && f.includes('class 5')));
  const nudged = classes.slice();
  const [r, g, b] = hexToRgb(classes[0]);
  nudged[4] = `#${[r, g, b].map((v) => Math.min(255, v + 6).toString(16).padStart(2, '0')).join('')}`;
  assert.notDeepEqual(check(nudged, {}).failures, []);
  assert.ok(check(classes, { vanilla: classes[5] }).failures.some((f) => f.includes('method vanilla')));
});

test('method colours read on white (>= 3:1 contrast) and keep their families: SLaM blues, vanilla reds/oranges', () => {
  for (const [name, hex] of Object.entries(allMethodColours())) {
    assert.ok(contrastOnWhite(hex) >= 3, `${name} ${hex}: contrast on white ${contrastOnWhite(hex).toFixed(2)}`);
  }
  const hue = (hex) => {
    const [, a, b] = toLab(hex);
    return ((Math.atan2(b, a) * 180) / Math.PI + 360) % 360;
  };
  for (const m of ['slam', 'slam_hard']) {
    assert.ok(hue(METHOD_COLORS[m]) > 220 && hue(METHOD_COLORS[m]) < 310, `${m} ${METHOD_COLORS[m]} is not a blue (hue ${hue(METHOD_COLORS[m]).toFixed(0)})`);
  }
  for (const m of ['vanilla', 'vanilla_hard', 'vanilla_lv']) {
    const h = hue(METHOD_COLORS[m]);
    assert.ok(h > 15 && h < 80, `${m} ${METHOD_COLORS[m]} is not a red/orange (hue ${h.toFixed(0)})`);
  }
  // SLaM and vanilla, the pair every chart compares, stay far apart in every vision.
  for (const vision of VISIONS) {
    assert.ok(deltaE2000(toLab(METHOD_COLORS.slam, vision), toLab(METHOD_COLORS.vanilla, vision)) >= 25, `slam vs vanilla, ${vision}`);
  }
});

test('class colours show on white: CIEDE2000 >= 25 from white in every vision', () => {
  for (const [i, hex] of CLASS_COLORS.slice(0, CLASSES_CHECKED).entries()) {
    for (const vision of VISIONS) {
      const de = deltaE2000(toLab(hex, vision), [100, 0, 0]);
      assert.ok(de >= 25, `class ${i} ${hex} under ${vision}: ΔE from white ${de.toFixed(2)}`);
    }
  }
});
