// Line charts on uPlot (copied from node_modules into www/vendor at build time). One small wrapper so
// every chart on the page has the same axes, fonts and resizing.

// uPlot is imported when the first chart is drawn, not with the page: evaluating it and building the
// charts took a sixth of the main thread's work before the page could train.
let uPlot = null;
let loading = null;
const waiting = new Set(); // charts to build once uPlot is here
function loadUPlot() {
  loading ??= import('../vendor/uPlot.esm.js').then((m) => {
    uPlot = m.default;
    for (const chart of waiting) chart.ensure();
    waiting.clear();
  }).catch((e) => {
    loading = null; // the next chart that draws tries again
    console.warn('could not load the chart library (vendor/uPlot.esm.js)', e);
  });
  return loading;
}

const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const AXIS = { stroke: '#333', font: FONT, labelFont: FONT, grid: { stroke: '#e4e4e4', width: 1 }, ticks: { stroke: '#ccc', width: 1 } };

/** Percent tick labels, with a decimal when the ticks are less than a point apart (uPlot passes the step). */
export const pctTicks = (u, vals, axis, space, incr) => {
  const digits = incr !== undefined && incr * 100 < 1 ? 1 : 0;
  return vals.map((v) => (v === null ? '' : `${(v * 100).toFixed(digits)}%`));
};

/**
 * A uPlot line chart that follows its container's width.
 * opts: {height, xLabel, yLabel, xRange:[a,b]|null, yRange:[a,b]|null, yPercent, xTicks, xIncrs (tick
 *        steps, e.g. [1] for categories), series:[{label, color, dash, width, points, paths: 'none'}], hooks, legend}
 */
export class LineChart {
  constructor(container, opts) {
    this.container = container;
    this.opts = opts;
    this.data = [[], ...opts.series.map(() => [])];
    this.plot = null;
    // The uPlot is built when the chart is first drawn, not here: building one costs a layout and a
    // canvas font lookup, and the panels make their charts while the page is starting up.
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(container);
  }

  /** Builds the uPlot if it is not built yet; returns it (null while uPlot itself is loading). */
  ensure() {
    if (!this.plot && !this.destroyed) {
      if (uPlot) this.build();
      else {
        waiting.add(this);
        loadUPlot();
      }
    }
    return this.plot;
  }

  width() {
    return Math.max(160, Math.floor(this.container.clientWidth));
  }

  build() {
    const o = this.opts;
    if (this.plot) this.plot.destroy();
    const series = [
      { label: o.xLabel ?? 'x', value: (u, v) => (v === null || v === undefined ? '–' : o.xFormat ? o.xFormat(v) : String(v)) },
      ...o.series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: s.width ?? 2,
        dash: s.dash ?? [],
        spanGaps: false,
        ...(s.points === undefined ? {} : { points: s.points }),
        paths: s.paths === 'none' ? () => null : undefined,
        value: (u, v) => (v === null || v === undefined ? '–' : o.yPercent ? `${(v * 100).toFixed(1)}%` : v.toFixed(3)),
        show: s.show ?? true,
      })),
    ];
    const scales = {
      x: { time: false, range: rangeOf(o.xRange) },
      y: { range: rangeOf(o.yRange) },
    };
    this.plot = new uPlot(
      {
        width: this.width(),
        height: o.height ?? 220,
        series,
        scales,
        legend: { show: o.legend ?? true, live: false },
        cursor: { drag: { x: false, y: false }, points: { size: 6 } },
        axes: [
          { ...AXIS, label: o.xLabel, labelSize: 18, size: 34, values: o.xTicks, ...(o.xIncrs ? { incrs: o.xIncrs } : {}) },
          { ...AXIS, label: o.yLabel, labelSize: 18, size: 44, values: o.yPercent ? pctTicks : o.yTicks },
        ],
        hooks: o.hooks ?? {},
      },
      this.data,
      this.container,
    );
  }

  /** Replace the series (e.g. the method list changed) and redraw. */
  setSeries(series) {
    this.opts = { ...this.opts, series };
    this.data = [[], ...series.map(() => [])];
    if (this.plot) this.build();
  }

  setData(data) {
    this.data = data;
    if (this.plot) this.plot.setData(data, true);
    else this.ensure(); // builds with this.data
  }

  /** Redraw with the same data (e.g. a hook's inputs changed). */
  redraw() {
    if (this.plot) this.plot.redraw(false, true);
    else this.ensure();
  }

  resize() {
    const w = this.width();
    if (this.plot && Math.abs(this.plot.width - w) > 1) this.plot.setSize({ width: w, height: this.opts.height ?? 220 });
  }

  /** The plot's canvas (axes included), for PNG export. */
  get canvas() {
    return this.ensure()?.ctx.canvas ?? document.createElement('canvas');
  }

  destroy() {
    this.destroyed = true;
    this.observer.disconnect();
    if (this.plot) this.plot.destroy();
    this.plot = null;
  }
}

/** A fixed [min, max], a function (u, dataMin, dataMax) -> [min, max], or automatic. */
function rangeOf(r) {
  if (typeof r === 'function') return r;
  if (Array.isArray(r)) return () => r;
  return undefined;
}

/** Maps a data value to the plot canvas' pixel coordinates (for draw hooks). */
export function toPx(u, x, y) {
  return [u.valToPos(x, 'x', true), u.valToPos(y, 'y', true)];
}
