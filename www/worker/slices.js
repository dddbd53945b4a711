// Slices of work in a worker: yielding to the worker's own message queue between them, sizing each
// engine call by what its units cost so far, and signs of life from inside long engine calls.
//
// A worker answers its messages (Pause, Cancel, a ping) only between slices, so every job is cut
// into engine calls of about CALL_MS, a few to a slice of about SLICE_MS. A call that is long all
// the same (one minibatch of a huge network, reading a 20 MB file) beats from inside (the engine's
// `beat` ticks call the hook installed here), so the page's heartbeat never waits on an open-ended
// call: a worker that neither answers nor beats is dead.

/** One slice of work before the worker reads its messages again. */
export const SLICE_MS = 25;
/** What one engine call aims at (a slice makes several). */
export const CALL_MS = 8;
/** Beats from inside a long call are posted at most this often. */
const BEAT_MS = 250;

const channel = new MessageChannel();
const wakers = [];
channel.port1.onmessage = () => wakers.shift()?.();

/** Resolves after the messages already queued for this worker have been handled. */
export function nextTask() {
  return new Promise((resolve) => {
    wakers.push(resolve);
    channel.port2.postMessage(null);
  });
}

/** What one unit of some engine call costs (ms), learned from the calls made so far. */
export class Cost {
  constructor() {
    this.ms = null;
  }

  add(ms, units) {
    const per = Math.max(ms, 0.005) / Math.max(1, units);
    this.ms = this.ms === null ? per : 0.6 * this.ms + 0.4 * per;
  }

  /** Units that fit in `budget` ms (1 while the cost is unknown). */
  fit(budget, max = 1 << 20) {
    if (this.ms === null) return 1;
    return Math.max(1, Math.min(max, Math.floor(budget / this.ms)));
  }
}

/**
 * Calls `advance(units)`, each call sized to CALL_MS by `cost`, until it returns true (done), `end`
 * passes, or `leave()` says to stop early; returns whether it is done.
 */
export function advanceFor(cost, advance, end, leave = () => false) {
  let done = false;
  while (!done && performance.now() < end) {
    const units = cost.fit(CALL_MS);
    const t0 = performance.now();
    done = advance(units);
    cost.add(performance.now() - t0, units);
    if (leave()) break;
  }
  return done;
}

/** Makes the engine `slam` post `{type: 'beat'}` from inside its long calls (at most every BEAT_MS). */
export function installBeats(slam, post) {
  let last = -Infinity;
  slam.onBeat(() => {
    const now = performance.now();
    if (now - last < BEAT_MS) return;
    last = now;
    post({ type: 'beat' });
  });
}

/** The engine's message without its internal category (`config: `, `csv: `, `data: `). */
export function messageOf(e) {
  const text = e && typeof e.message === 'string' ? e.message : String(e);
  return text.replace(/^(config|csv|data): /, '');
}

/** A wasm trap (panic, out of memory) leaves the module unusable: the page restarts the worker. */
export function isCrash(e) {
  return e instanceof WebAssembly.RuntimeError || Boolean(e && /unreachable|memory access out of bounds/i.test(e.message ?? ''));
}
