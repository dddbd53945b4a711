// A square 2-D plot on a canvas: optional heatmap underneath, points above. Used by the teacher-labels
// scatter, the alpha maps and the per-method panels. Knows its size from its container.

import { fitCanvas } from '../dom.js';
import { projector, frame } from './plane.js';

/**
 * What every plane plot shares beyond its own drawing (the followed point's ring, picking a point):
 * `created(plot)` runs for each plot, `drawn(plot, ctx)` at the end of each of its frames.
 */
export const planeHooks = { created: null, drawn: null };
const allPlots = new Set();

export class PlanePlot {
  /** Every plot made so far (the selection attaches to those made before it). */
  static get all() {
    return allPlots;
  }

  /** `holder` is the element the canvas fills (square, its width decides). */
  constructor(holder, { ariaLabel, maxSize = 520, aspect = 1 } = {}) {
    this.holder = holder;
    this.maxSize = maxSize;
    this.aspect = aspect;
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    if (ariaLabel) this.canvas.setAttribute('aria-label', ariaLabel);
    holder.append(this.canvas);
    this.w = 0;
    this.h = 0;
    allPlots.add(this);
    planeHooks.created?.(this);
  }

  /** Prepares a frame: sizes the canvas, clears it, returns {ctx, w, h, proj}. */
  begin(bounds) {
    const w = Math.max(80, Math.min(this.maxSize, Math.floor(this.holder.clientWidth || this.maxSize)));
    const hgt = Math.round(w * this.aspect);
    const ctx = fitCanvas(this.canvas, w, hgt);
    ctx.clearRect(0, 0, w, hgt);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, hgt);
    this.w = w;
    this.h = hgt;
    this.proj = projector(bounds, w, hgt);
    return { ctx, w, h: hgt, proj: this.proj };
  }

  end(ctx) {
    frame(ctx, this.w, this.h);
    planeHooks.drawn?.(this, ctx);
  }

  /** Plot pixel coordinates [x, y] of a pointer event. */
  eventToPixel(event) {
    const r = this.canvas.getBoundingClientRect();
    return [((event.clientX - r.left) / r.width) * this.w, ((event.clientY - r.top) / r.height) * this.h];
  }

  /** Data coordinates of a pointer event, or null. */
  eventToData(event) {
    if (!this.proj) return null;
    const [px, py] = this.eventToPixel(event);
    return this.proj.invert(px, py);
  }

  /**
   * Calls `fn(row, squaredDistance)`, in row order, for each point of `points` (x0, y0, x1, y1, ...
   * in data coordinates) drawn within `radius` pixels of (px, py).
   */
  forEachNear(points, px, py, radius, fn) {
    if (!this.proj) return;
    const r2 = radius * radius;
    for (let i = 0, n = points.length / 2; i < n; i++) {
      const dx = this.proj.x(points[2 * i]) - px;
      const dy = this.proj.y(points[2 * i + 1]) - py;
      const d = dx * dx + dy * dy;
      if (d <= r2) fn(i, d);
    }
  }
}
