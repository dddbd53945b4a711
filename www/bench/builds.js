// Two builds of the engine in one page (scripts/bench-builds.mjs copies them to builds/before/ and
// builds/after/): the benchmark workloads' epochs (W1-W3, vanilla and SLaM loss) and one seed of every
// method, timed alternately with each build, medians. Checks both builds give the same numbers.
const NAMES = ['before', 'after'];
const engines = {};
let mnist = null;
let digits = null;

async function load() {
  mnist ??= new Uint8Array(await (await fetch('../data/mnist.bin')).arrayBuffer());
  digits ??= await (await fetch('../data/digits.csv')).text();
  for (const name of NAMES) {
    if (engines[name]) continue;
    const mod = await import(`./builds/${name}/slam_lab.js`);
    await mod.default();
    mod.provideDataset('digits', digits);
    engines[name] = mod;
  }
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
};

/** One timed sample of `job(engine)` per build per round, the builds' order alternating by round. */
function interleave(reps, job) {
  const t = { before: [], after: [] };
  const out = { before: null, after: null };
  for (let r = 0; r < reps; r++) {
    for (const name of r % 2 ? [...NAMES].reverse() : NAMES) {
      const t0 = performance.now();
      out[name] = job(engines[name]);
      t[name].push(performance.now() - t0);
    }
  }
  // Results compare as values (a seed's JSON text may spell a number differently).
  const canon = (v) => (typeof v === 'string' ? JSON.stringify(JSON.parse(v)) : v);
  return { before_ms: median(t.before), after_ms: median(t.after), same: canon(out.before) === canon(out.after) };
}

async function run({ reps = 5, workloads = ['W1', 'W2', 'W3'], methods = null, scenario = 'trained-spirals', epochs = 30 } = {}) {
  await load();
  const rows = [];
  for (const w of workloads) {
    for (const loss of ['vanilla', 'slam']) {
      const trainers = Object.fromEntries(NAMES.map((n) => [n, new engines[n].BenchTrainer(w, loss, w === 'W3' ? mnist : undefined)]));
      // A warm-up epoch each, then enough epochs per sample for about 150 ms.
      trainers.before.epochs(1);
      trainers.after.epochs(1);
      const t0 = performance.now();
      trainers.before.epochs(2);
      const per = Math.max(1, Math.round(150 / ((performance.now() - t0) / 2)));
      trainers.after.epochs(2); // both builds' students at the same epoch
      const r = interleave(reps, (e) => trainers[e === engines.before ? 'before' : 'after'].epochs(per));
      r.same = trainers.before.fingerprint() === trainers.after.fingerprint();
      rows.push({ what: `${w} ${loss} (${per} epoch${per > 1 ? 's' : ''})`, ...r });
      for (const t of Object.values(trainers)) t.free();
    }
  }
  const all = methods ?? engines.before.schema().methods.map((m) => m.name);
  for (const m of all) {
    const request = { scenario, config: { methods: [m], student: { epochs } } };
    rows.push({ what: `${m} (${scenario}, 1 seed, ${epochs} epochs)`, ...interleave(reps, (e) => e.runSeed(request, 0)) });
  }
  return rows;
}

globalThis.compare = { run };
