// Main-thread side of the worker protocol (the protocol itself is documented at the top of worker.js).

/** The interactive engine: one module worker holding the training session. */
export class EngineClient {
  constructor(url) {
    this.url = url;
    this.worker = null;
    this.handlers = new Map();
    this.pending = new Map(); // id -> {msg, resolve, reject}: summaries asked of the worker
    this.nextId = 1;
  }

  on(type, fn) {
    this.handlers.set(type, fn);
  }

  emit(type, msg) {
    const fn = this.handlers.get(type);
    if (fn) fn(msg);
  }

  /** Starts the worker, or adopts `boot` ({worker, early}: the one boot.js started, and its events so far). */
  start(boot = null) {
    this.worker = boot ? boot.worker : new Worker(this.url, { type: 'module' });
    const onMessage = (event) => {
      const msg = event.data;
      if (msg.type === 'summary' || msg.type === 'summary-error') this.settle(msg);
      else this.emit(msg.type, msg);
    };
    const onError = (event) => {
      event.preventDefault();
      this.emit('worker-error', { message: event.message || '' });
    };
    this.worker.onmessage = onMessage;
    this.worker.onerror = onError;
    for (const [kind, event] of boot?.early ?? []) (kind === 'message' ? onMessage : onError)(event);
    // Summaries asked of a worker that crashed are asked again of the new one.
    for (const p of this.pending.values()) this.worker.postMessage(p.msg);
  }

  restart() {
    if (this.worker) this.worker.terminate();
    this.start();
  }

  send(msg) {
    if (this.worker) this.worker.postMessage(msg);
  }

  /**
   * The report over per-seed results (JSON texts) of `request`: summariseSeeds in the engine worker.
   * Resolves to the report object; rejects with the engine's message.
   */
  summarise({ request, csv, needsPool }, results) {
    return this.ask({ type: 'summarise', request, csv, needsPool, results });
  }

  /** A sweep's report: `results[v]` are the JSON texts of value `v`'s seeds (summariseSweep). */
  summariseSweep({ request, csv, needsPool }, key, values, results) {
    return this.ask({ type: 'summarise-sweep', request, csv, needsPool, key, values, results });
  }

  /** A sweep's values (`"50,100,200"`) read and checked by the engine; rejects naming the bad value. */
  sweepValues({ request, csv }, key, text) {
    return this.ask({ type: 'sweep-values', request, csv, key, text });
  }

  /** Sends `msg` with a fresh id; resolves with the worker's 'summary' answer, rejects on 'summary-error'. */
  ask(fields) {
    const id = this.nextId++;
    const msg = { ...fields, id };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { msg, resolve, reject });
      this.send(msg);
    });
  }

  settle(msg) {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.type === 'summary') p.resolve(msg.report);
    else p.reject(new Error(msg.message));
  }
}

/** How many pool workers a run of `n` seeds gets: one per core, at most 8, never more than seeds. */
export function poolSize(n, cores = navigator.hardwareConcurrency) {
  return Math.max(1, Math.min(cores || 2, n, 8));
}

/**
 * A multi-seed run spread over a pool of workers (this same worker.js, named 'seeds'), each pulling
 * the next seed index from a queue, so the page's own session keeps training and drawing meanwhile.
 * Results come back as JSON text; `summarise(results)` (the page's engine worker, summariseSeeds)
 * turns them into the report, in seed order whatever order they finished in. `close()` terminates
 * every worker at once, even in the middle of a seed.
 *
 * msg: {request, csv, needsPool, total, jobs?}; `jobs` ([{request, index}], a sweep: one per value
 * and seed) replaces the seed indices 0..total-1 of `request`. hooks: onSeed(done, total, results),
 * onDone(results), onError(message). `results` is the array of JSON texts finished so far, and
 * `byJob[j]` job j's text.
 */
export class SeedPool {
  constructor(url, msg, { workers, onSeed, onDone, onError }) {
    this.msg = msg;
    this.jobs = msg.jobs ?? Array.from({ length: msg.total }, (_, index) => ({ request: msg.request, index }));
    this.total = this.jobs.length;
    this.next = 0;
    this.results = [];
    this.byJob = new Array(this.total).fill(null);
    this.finished = false;
    this.hooks = { onSeed, onDone, onError };
    this.running = new Map(); // worker -> the job it is running
    this.size = workers;
    this.workers = Array.from({ length: workers }, () => {
      const w = new Worker(url, { type: 'module', name: 'seeds' });
      w.onmessage = (event) => this.onMessage(w, event.data);
      w.onerror = (event) => {
        event.preventDefault();
        this.fail(`a seeds worker stopped unexpectedly${event.message ? ` (${event.message})` : ''}`);
      };
      return w;
    });
  }

  /** Gives worker `w` the next seed index, if any is left. */
  feed(w) {
    if (this.finished || this.next >= this.total) return;
    const job = this.next++;
    const { csv, needsPool } = this.msg;
    const { request, index } = this.jobs[job];
    this.running.set(w, job);
    w.postMessage({ type: 'seed', request, csv, needsPool, index });
  }

  onMessage(w, msg) {
    if (this.finished) return;
    if (msg.type === 'pool-ready') this.feed(w);
    else if (msg.type === 'seed-done') {
      this.results.push(msg.result);
      this.byJob[this.running.get(w)] = msg.result;
      this.feed(w);
      const done = this.results.length;
      this.hooks.onSeed(done, this.total, this.results.slice());
      if (done === this.total) {
        this.close();
        this.hooks.onDone(this.results.slice());
      }
    } else if (msg.type === 'seed-error') this.fail(`seed ${msg.index}: ${msg.message}`);
    else if (msg.type === 'fatal') this.fail(msg.message);
  }

  fail(message) {
    if (this.finished) return;
    this.close();
    this.hooks.onError(message);
  }

  close() {
    if (this.finished) return;
    this.finished = true;
    for (const w of this.workers) w.terminate();
  }
}
