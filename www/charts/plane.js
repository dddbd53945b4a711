// The 2-D plane shared by the scatter plots and the decision-boundary heatmaps: data <-> pixel
// mapping over the engine's bounds, the heatmap as canvas ImageData scaled up, and point markers.

import { classRgb } from '../palette.js';

/** Maps data coordinates inside `bounds` [xmin, xmax, ymin, ymax] to a w x h box in CSS pixels. */
export function projector(bounds, w, hgt) {
  const [x0, x1, y0, y1] = bounds;
  const sx = w / (x1 - x0 || 1);
  const sy = hgt / (y1 - y0 || 1);
  // Points outside the bounds (outliers of a projection) are clamped to the edge.
  const clamp = (v, max) => Math.min(max - 2, Math.max(2, v));
  return {
    x: (x) => clamp((x - x0) * sx, w),
    y: (y) => clamp((y1 - y) * sy, hgt),
    invert: (px, py) => [x0 + px / sx, y1 - py / sy],
  };
}

const offscreen = new Map(); // res -> {canvas, ctx, image}

/**
 * Draws a decision-boundary heatmap: `grid` holds res*res*C class probabilities, row-major from the
 * top-left. Each cell takes the probability-weighted class colour, paler where the student is unsure.
 */
export function drawHeatmap(ctx, grid, res, C, w, hgt) {
  let buf = offscreen.get(res);
  if (!buf) {
    const canvas = document.createElement('canvas');
    canvas.width = res;
    canvas.height = res;
    const c2 = canvas.getContext('2d');
    buf = { canvas, ctx: c2, image: c2.createImageData(res, res) };
    offscreen.set(res, buf);
  }
  const px = buf.image.data;
  const floor = 1 / C;
  for (let i = 0, n = res * res; i < n; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let top = 0;
    for (let c = 0; c < C; c++) {
      const p = grid[i * C + c];
      const rgb = classRgb(c);
      r += p * rgb[0];
      g += p * rgb[1];
      b += p * rgb[2];
      if (p > top) top = p;
    }
    const sure = C > 1 ? Math.max(0, (top - floor) / (1 - floor)) : 1;
    const k = 0.18 + 0.5 * sure; // how much colour over white
    px[i * 4] = 255 - (255 - r) * k;
    px[i * 4 + 1] = 255 - (255 - g) * k;
    px[i * 4 + 2] = 255 - (255 - b) * k;
    px[i * 4 + 3] = 255;
  }
  buf.ctx.putImageData(buf.image, 0, 0);
  ctx.save();
  ctx.imageSmoothingEnabled = true;
  // Bilinear: the probability field is smooth, and 'high' cost a quarter of every frame while training.
  ctx.imageSmoothingQuality = 'low';
  ctx.drawImage(buf.canvas, 0, 0, w, hgt);
  ctx.restore();
}

/**
 * Most points a plot draws one by one: beyond it, every k-th point of U and T is drawn (L, and every
 * added point, always). 200,000 markers took the main thread 2-3 s per plot; the picture of the data
 * is the same from a regular sample, and the panels say that it is one.
 */
export const MAX_DRAWN = 6000;

/** The k of "every k-th point" for `n` points. */
export function drawStride(n) {
  return Math.max(1, Math.ceil(n / MAX_DRAWN));
}

/** A marker. shape: 'dot' | 'square' | 'diamond' | 'cross'. */
export function marker(ctx, x, y, shape, r, fill, stroke, lineWidth = 1) {
  ctx.beginPath();
  if (shape === 'square') ctx.rect(x - r, y - r, 2 * r, 2 * r);
  else if (shape === 'diamond') {
    ctx.moveTo(x, y - r * 1.3);
    ctx.lineTo(x + r * 1.3, y);
    ctx.lineTo(x, y + r * 1.3);
    ctx.lineTo(x - r * 1.3, y);
    ctx.closePath();
  } else if (shape === 'cross') {
    ctx.moveTo(x - r, y - r);
    ctx.lineTo(x + r, y + r);
    ctx.moveTo(x + r, y - r);
    ctx.lineTo(x - r, y + r);
    ctx.strokeStyle = stroke ?? fill;
    ctx.lineWidth = lineWidth;
    ctx.stroke();
    return;
  } else ctx.arc(x, y, r, 0, Math.PI * 2);
  if (fill) {
    ctx.fillStyle = fill;
    ctx.fill();
  }
  if (stroke) {
    ctx.strokeStyle = stroke;
    ctx.lineWidth = lineWidth;
    ctx.stroke();
  }
}

/** Light frame around a plot. */
export function frame(ctx, w, hgt) {
  ctx.strokeStyle = '#bbb';
  ctx.lineWidth = 1;
  ctx.strokeRect(0.5, 0.5, w - 1, hgt - 1);
}

/** Draws a colour bar legend for a sequential map into a small canvas context. */
export function colorBar(ctx, x, y, w, hgt, colorAt) {
  for (let i = 0; i < w; i++) {
    const [r, g, b] = colorAt(i / (w - 1));
    ctx.fillStyle = `rgb(${r | 0},${g | 0},${b | 0})`;
    ctx.fillRect(x + i, y, 1, hgt);
  }
}
