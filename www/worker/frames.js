// A frame: every method's decision map (2-D data) or predicted class per row (other data), computed a
// few rows at a time between training calls and posted whole, or in parts when it is slow.

import { Cost, CALL_MS } from './slices.js';

/** Decision maps: finest and coarsest resolution. */
const GRID_MAX = 64;
const GRID_MIN = 8;
// A decision map costs cells x parameters multiply-adds; its resolution is the largest power of two
// from GRID_MIN to GRID_MAX within this budget. It comes from the network, not from timings, so the
// same settings draw the same pictures on every machine and every run.
const GRID_BUDGET = 64 * 64 * 20_000;
/** A frame taking longer than this is posted in parts, as methods finish. */
const FRAME_PART_MS = 150;

/** The resolution of method `m`'s decision map in `session`: a power of two, from its network's size. */
export function gridResolution(session, m) {
  const params = Math.max(1, session.parameterCount(m));
  let res = GRID_MAX;
  while (res > GRID_MIN && res * res * params > GRID_BUDGET) res /= 2;
  return res;
}

/** The frames of one session. `send(parts, transfer)` posts a finished part ({grids} or {preds}). */
export class Frames {
  constructor(session, { methods, twoD, classes, rows, send }) {
    Object.assign(this, { session, methods, twoD, classes, rows, send });
    this.cellCost = Array.from({ length: methods }, () => new Cost());
    this.predCost = Array.from({ length: methods }, () => new Cost());
    this.block = session.blockRows();
    this.current = null; // {todo, job, parts, flushed, spent}
    this.awaitingAck = false;
    this.lastAt = -Infinity;
    this.costMs = 0;
  }

  /** Whether a frame is under way. */
  get busy() {
    return this.current !== null;
  }

  /** Forget the frame under way (the history restarted). */
  reset() {
    this.current = null;
    this.awaitingAck = false;
    this.lastAt = -Infinity;
  }

  /** Whether a new frame is due while training: the page drew the last one, no more often than frames cost. */
  due() {
    return !this.current && !this.awaitingAck && performance.now() - this.lastAt >= Math.max(30, this.costMs * 3);
  }

  start() {
    this.current = { todo: Array.from({ length: this.methods }, (_, m) => m), job: null, parts: {}, flushed: performance.now(), spent: 0 };
    this.awaitingAck = true;
  }

  /** The page drew the last frame. */
  ack() {
    this.awaitingAck = false;
  }

  /** Advances the frame under way until `deadline` (at least one call); posts it when complete, or in parts. */
  advance(deadline) {
    const t0 = performance.now();
    for (let first = true; this.current && (first || performance.now() < deadline); first = false) {
      const frame = this.current;
      if (!frame.job) {
        const m = frame.todo.shift();
        if (m === undefined) {
          this.flush(true);
          break;
        }
        frame.job = this.twoD ? this.gridJob(m) : this.predictionJob(m);
      }
      const job = frame.job;
      const n = job.cost.fit(CALL_MS, job.total - job.done);
      const c0 = performance.now();
      const part = job.fetch(job.done, n);
      job.cost.add(performance.now() - c0, n);
      job.out.set(part, job.done * job.width);
      job.done += n;
      if (job.done >= job.total) {
        frame.parts[job.method] = job.out;
        frame.job = null;
        if (performance.now() - frame.flushed > FRAME_PART_MS) this.flush(false);
      }
    }
    if (this.current) this.current.spent += performance.now() - t0;
  }

  /** Rows of method `m`'s grid, a few at a time. */
  gridJob(m) {
    const res = gridResolution(this.session, m);
    const cost = this.cellCost[m];
    // The cost model counts cells; a job's unit is a row of `res` cells.
    const rowCost = new Cost();
    if (cost.ms !== null) rowCost.ms = cost.ms * res;
    return {
      method: m,
      total: res,
      done: 0,
      width: res * this.classes,
      out: new Float32Array(res * res * this.classes),
      cost: rowCost,
      fetch: (first, n) => {
        const t0 = performance.now();
        const part = this.session.gridRows(m, res, first, n);
        cost.add(performance.now() - t0, n * res);
        return part;
      },
    };
  }

  /** Method `m`'s predicted class for every row, in the engine's blocks of rows. */
  predictionJob(m) {
    const block = this.block;
    const blocks = Math.ceil(this.rows / block);
    return {
      method: m,
      total: blocks,
      done: 0,
      width: block,
      out: new Uint32Array(blocks * block),
      cost: this.predCost[m],
      fetch: (first, n) => this.session.predictionsOf(m, first * block, n * block),
    };
  }

  flush(complete) {
    const frame = this.current;
    const methods = Object.keys(frame.parts);
    if (methods.length) {
      const parts = {};
      const transfer = [];
      for (const m of methods) {
        parts[m] = this.twoD ? frame.parts[m] : frame.parts[m].subarray(0, this.rows);
        transfer.push(frame.parts[m].buffer);
      }
      this.send(this.twoD ? { grids: parts } : { preds: parts }, transfer);
    }
    frame.parts = {};
    frame.flushed = performance.now();
    if (complete) {
      this.costMs = frame.spent;
      this.lastAt = performance.now();
      this.current = null;
    }
  }
}
