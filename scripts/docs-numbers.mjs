#!/usr/bin/env node
// The README's (and docs/all-methods.md's) figures that come from runs, regenerated from those runs. Each block below names the
// commands it runs (the release CLI, `slam-lab run|sweep ... --json`, with its seeds) and renders the
// README text from their JSON:
//   - a table between `<!-- docs-numbers: NAME -->` and `<!-- /docs-numbers -->` in the README, where
//     the same comment also gives the command;
//   - a sentence of prose: a template whose numbers are holes; the README must hold it with those
//     numbers.
//
//   node scripts/docs-numbers.mjs            check the quick blocks (the flagship's and the scenarios
//                                            table: about a minute)
//   node scripts/docs-numbers.mjs --all      check every block (real-teacher's 20 MNIST seeds and its
//                                            sweeps: an hour or more on two cores)
//   node scripts/docs-numbers.mjs --write [--all]   rewrite the README's blocks from fresh runs
//   node scripts/docs-numbers.mjs --list     every block, its commands and whether it is quick
//   node scripts/docs-numbers.mjs --print=NAME   one block from fresh runs, as the doc writes it (a
//                                            table, the sentences, or each claim with its numbers)
//
// `npm test` runs the check of the quick blocks. Figures that are measurements (docs/performance.md:
// milliseconds, which depend on the machine) are not run-derived and not checked here; docs/*.md's
// other tables come from scripts/all-methods-table.sh and the studies they name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
// "Within noise" and "clearly" as the page's lesson says them: a paired interval that holds 0, or not.
import { clearOfZero, pairedStats } from '../www/stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.SLAM_LAB_BIN || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'release', 'slam-lab');
const args = process.argv.slice(2);
const ALL = args.includes('--all');
const WRITE = args.includes('--write');
const LIST = args.includes('--list');
const ONLY = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const PRINT = args.find((a) => a.startsWith('--print='))?.slice('--print='.length);

// ---- runs (each command once per invocation) --------------------------------------------------

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-numbers-'));
process.on('exit', () => fs.rmSync(TMP, { recursive: true, force: true }));
const cache = new Map();

/** `slam-lab ARGS --json`, with `config` written to a file and passed as --config. */
function cli(argv, config) {
  const key = JSON.stringify([argv, config ?? null]);
  if (cache.has(key)) return cache.get(key);
  const full = [...argv];
  if (config) {
    const file = path.join(TMP, `config-${cache.size}.json`); // the CLI reads keys from a file
    fs.writeFileSync(file, JSON.stringify(config));
    full.push('--config', file);
  }
  full.push('--json');
  // With DOCS_NUMBERS_CACHE=DIR a run's JSON is kept there, keyed by the binary and the command, so
  // that a long --all can be resumed; without it every run is fresh.
  const keep = process.env.DOCS_NUMBERS_CACHE;
  const stamp = fs.statSync(BIN).mtimeMs;
  const kept = keep && path.join(keep, `${createHash('sha256').update(JSON.stringify([stamp, key])).digest('hex').slice(0, 20)}.json`);
  if (kept && fs.existsSync(kept)) {
    const out = JSON.parse(fs.readFileSync(kept, 'utf8'));
    cache.set(key, out);
    return out;
  }
  const t0 = Date.now();
  const text = execFileSync(BIN, full, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = JSON.parse(text);
  console.error(`[docs-numbers] slam-lab ${argv.join(' ')}${config ? ` --config ${JSON.stringify(config)}` : ''}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (kept) {
    fs.mkdirSync(keep, { recursive: true });
    fs.writeFileSync(kept, text);
  }
  cache.set(key, out);
  return out;
}
const run = (scenario, seeds, config, methods) =>
  cli(['run', '--scenario', scenario, '--seeds', String(seeds), ...(methods ? ['--methods', methods] : [])], config);
const sweep = (scenario, seeds, vary, config) => cli(['sweep', '--scenario', scenario, '--vary', vary, '--seeds', String(seeds)], config);

// ---- formats (as the README writes them) -----------------------------------------------------

const p1 = (v) => (100 * v).toFixed(1);
/** "+4.3", "-14.8", "+0.0" for a small gain, "-0.0" for a small loss; 0 exactly: "0.0". */
const signed = (v) => (v === 0 ? '0.0' : `${v > 0 ? '+' : '-'}${Math.abs(100 * v).toFixed(1)}`);
const meanSd = (m) => `${p1(m.mean)} ± ${p1(m.std)}`;
const paired = (m) => {
  const v = m.vs_vanilla;
  return `${signed(v.mean)} [${signed(v.ci_low)}, ${signed(v.ci_high)}], ${v.wins}/${v.n}`;
};
/** Paired difference a - b over seeds: mean and 95 % t interval (as the engine's vs_vanilla). */
function pairedOf(a, b) {
  const d = a.map((x, i) => x - b[i]);
  const n = d.length;
  const mean = d.reduce((x, y) => x + y, 0) / n;
  const sd = Math.sqrt(d.reduce((x, y) => x + (y - mean) ** 2, 0) / (n - 1));
  // Student's t quantile 0.975 for n - 1 degrees of freedom (n = 10 or 20 here).
  const t = { 9: 2.2621571627409915, 19: 2.0930240544083096 }[n - 1];
  if (!t) throw new Error(`no t quantile for ${n - 1} degrees of freedom`);
  return { mean, lo: mean - (t * sd) / Math.sqrt(n), hi: mean + (t * sd) / Math.sqrt(n) };
}
/** The prose's minus sign (U+2212) in place of a hyphen. */
const prose = (s) => s.replace(/-(?=\d)/g, '\u2212');

// ---- the blocks ----------------------------------------------------------------------------------

/** A table per method: test accuracy, paired difference to vanilla, U accuracies by teacher right/wrong. */
function methodTable(r, mark = {}, uColumns = ['on teacher-right U', 'on teacher-wrong U']) {
  const rows = [`| method | test accuracy | vs vanilla: mean [95% CI], seeds won | ${uColumns.join(' | ')} |`, '|---|---|---|---|---|'];
  for (const [name, m] of Object.entries(r.methods)) {
    rows.push(`| ${name}${mark[name] ?? ''} | ${meanSd(m)} | ${m.vs_vanilla ? paired(m) : '–'} | ${p1(m.teacher_right_accuracy)} | ${p1(m.teacher_wrong_accuracy)} |`);
  }
  return rows.join('\n');
}

/** docs/real-teacher.md's table of one run: its header line, then every method against vanilla. */
function realTeacherTable(r) {
  const z = r.sizes;
  return `Teacher ${p1(r.teacher_accuracy)} ± ${p1(r.teacher_accuracy_std)} on T; k = ${r.k.toFixed(1)} on average; sizes L ${z.labeled}, V ${z.validation}, U ${z.unlabeled}, T ${z.test}.\n\n` +
    methodTable(r, { vanilla_lv: ' *' }, ['U, teacher right', 'U, teacher wrong']);
}

/** docs/real-teacher.md's sweep tables: per value the teacher, vanilla, SLaM and its paired gain, and
 * (`full`) slam_hard's gain and vanilla_lv. */
function sweepTable(key, r, full) {
  const head = full
    ? [`| ${key} | teacher | vanilla | slam | slam − vanilla [95% CI], won | slam_hard − vanilla, won | labels_only | vanilla_lv * |`, '|---|---|---|---|---|---|---|---|']
    : [`| ${key} | teacher | vanilla | slam | slam − vanilla [95% CI], won | labels_only |`, '|---|---|---|---|---|---|'];
  const rows = r.points.map((p) => {
    const m = p.methods;
    const hard = m.slam_hard.vs_vanilla;
    const cells = [p.value, p1(p.teacher_accuracy), p1(m.vanilla.mean), p1(m.slam.mean), paired(m.slam)];
    if (full) cells.push(`${signed(hard.mean)}, ${hard.wins}/${hard.n}`);
    cells.push(p1(m.labels_only.mean));
    if (full) cells.push(p1(m.vanilla_lv.mean));
    return `| ${cells.join(' | ')} |`;
  });
  return [...head, ...rows].join('\n');
}

/** The real-teacher study's grid (docs/real-teacher.md, seeds 0-19): per base, the keys varied from it. */
const GRID = [
  ['L 100, shift 2', { labeled: 100, student: { shift: 2 } }, [
    ['student.hidden', '[32],[64],[128]'], ['student.shift', '0,1,2,3'], ['labeled', '50,100,200,400'],
    ['student.epochs', '8,15,30'], ['teacher.shift', '0,1,2'],
  ]],
  ['L 100, shift 1', { labeled: 100, student: { shift: 1 } }, [
    ['samples', '3000,10000'], ['labeled', '50,200'], ['student.epochs', '30'], ['teacher.shift', '1'], ['student.hidden', '[128]'],
  ]],
  ['L 50, shift 1', undefined, [['samples', '10000'], ['teacher.shift', '1'], ['student.epochs', '30'], ['student.hidden', '[128]']]],
];

const ABLATIONS = [
  ['alpha(x) by isotonic regression on the margin (default)', {}],
  ['alpha(x) = the synthetic teacher\'s true accuracy (`"alpha_estimator": "oracle"`)', { alpha_estimator: 'oracle' }],
  ['alpha(x) by margin bins (`"binned"`)', { alpha_estimator: 'binned' }],
  ['one alpha for all points (`"constant"`)', { alpha_estimator: 'constant' }],
  ['no lower clamp on alpha (`"alpha_min": 0`)', { alpha_min: 0 }],
  // SLaM's target is then vanilla's, but its loss is computed another way: the runs part by rounding
  // (seed 1 of 10 on the flagship), so the row does not say "exactly".
  ['alpha clamped to 1 (`"alpha_min": 1`): vanilla\'s target, equal up to rounding', { alpha_min: 1 }],
];
const SCENARIOS = ['flagship', 'trained-spirals', 'margin-noise', 'uniform-noise', 'digits', 'plentiful-labels', 'real-teacher'];
const CORE = ['vanilla', 'vanilla_hard', 'slam', 'slam_hard', 'weighted', 'taylor_ce'];
const SEED100 = { seed: 100 };
/** vid and lelp against vanilla wherever they run (a trained teacher): the scenarios and datasets of docs/all-methods.md. */
const familyColumns = () => [
  ...['trained-spirals', 'digits', 'real-teacher'].map((s) => [s, run(s, 10, undefined, 'vanilla,vid,lelp')]),
  ...['moons', 'circles', 'spirals', 'blobs', 'xor', 'checkerboard', 'iris', 'wine', 'breast_cancer', 'digits'].map((d) => [
    `dataset ${d}`,
    cli(['run', '--dataset', d, '--seeds', '10', '--methods', 'vanilla,vid,lelp'], ['iris', 'wine'].includes(d) ? { labeled: 20, validation: 40 } : undefined),
  ]),
];
const LABELED = '25,50,100,200,400';

const BLOCKS = [
  {
    name: 'all-methods',
    file: 'docs/all-methods.md',
    quick: false,
    commands: 'scripts/all-methods-table.sh (every method, every scenario and built-in dataset, seeds 0-9)',
    table: () => execFileSync('bash', [path.join(ROOT, 'scripts', 'all-methods-table.sh')], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] }).trim(),
  },
  {
    name: 'flagship-table',
    quick: true,
    commands: 'slam-lab run --scenario flagship --seeds 10',
    table: () => methodTable(run('flagship', 10)),
  },
  {
    name: 'flagship-prose',
    quick: true,
    commands: 'slam-lab run --scenario flagship --seeds 10',
    prose: () => {
      const r = run('flagship', 10);
      const s = r.methods.slam;
      const v = r.methods.vanilla;
      // The seeds where vanilla copies the teacher's bad region: its two worst.
      const worst = v.per_seed.map((a, i) => [a, i]).sort((a, b) => a[0] - b[0]).slice(0, 2).sort((a, b) => a[1] - b[1]);
      const seeds = worst.map(([, i]) => r.seed_list[i]);
      return [
        `SLaM beats vanilla distillation by ${p1(s.vs_vanilla.mean)} points on average and on ${s.vs_vanilla.wins} of ${s.vs_vanilla.n} seeds, but the interval\n` +
          prose(`[${signed(s.vs_vanilla.ci_low)}, ${signed(s.vs_vanilla.ci_high)}]`),
        `(seeds ${seeds[0]} and ${seeds[1]}: vanilla ${p1(worst[0][0])} % and ${p1(worst[1][0])} %, SLaM ${p1(s.per_seed[worst[0][1]])} % and ${p1(s.per_seed[worst[1][1]])} %)`,
        `from the points the teacher labels wrongly (${p1(s.teacher_wrong_accuracy)} % against ${p1(v.teacher_wrong_accuracy)} %)`,
        `teacher that is unsure and\nmostly wrong (75 % flips) in one region of the plane, right elsewhere (${Math.round(100 * r.teacher_accuracy)} % accurate overall)`,
      ];
    },
  },
  {
    name: 'flagship-ablations',
    quick: true,
    commands: 'slam-lab run --scenario flagship --seeds 10 --methods vanilla,slam --config FILE (one key changed)',
    table: () => {
      const rows = ['| SLaM variant | test accuracy | vs vanilla |', '|---|---|---|'];
      for (const [label, config] of ABLATIONS) {
        const s = run('flagship', 10, Object.keys(config).length ? config : undefined, 'vanilla,slam').methods.slam;
        rows.push(`| ${label} | ${meanSd(s)} | ${prose(signed(s.vs_vanilla.mean))}, ${s.vs_vanilla.wins}/${s.vs_vanilla.n} |`);
      }
      return rows.join('\n');
    },
  },
  {
    name: 'scenarios-table',
    quick: true, // about a minute, most of it real-teacher's 10 MNIST seeds
    commands: 'slam-lab run --scenario NAME --seeds 10 (each scenario)',
    table: () => {
      const runs = SCENARIOS.map((s) => run(s, 10));
      const rows = [`| method | ${SCENARIOS.map((s) => `\`${s}\``).join(' | ')} |`, `|---|${SCENARIOS.map(() => '---|').join('')}`];
      rows.push(`| *teacher* | ${runs.map((r) => p1(r.teacher_accuracy)).join(' | ')} |`);
      for (const m of CORE) rows.push(`| ${m} | ${runs.map((r) => meanSd(r.methods[m])).join(' | ')} |`);
      return rows.join('\n');
    },
  },
  {
    // The paragraph under the scenario table says which scenarios SLaM helps on; each clause is a
    // predicate on the same runs (SLaM's paired gain over vanilla: its interval, its wins).
    name: 'scenarios-claims',
    quick: true,
    commands: 'slam-lab run --scenario NAME --seeds 10 (each scenario)',
    claims: () => {
      const r = Object.fromEntries(SCENARIOS.map((s) => [s, run(s, 10)]));
      const gain = (s) => r[s].methods.slam.vs_vanilla;
      const spread = (s) => Math.max(...CORE.map((m) => r[s].methods[m].mean)) - Math.min(...CORE.map((m) => r[s].methods[m].mean));
      const sd = (s) => Math.max(...CORE.map((m) => r[s].methods[m].std));
      const u = r['uniform-noise'];
      return [
        ['SLaM helps on flagship, plentiful-labels and real-teacher: more than a point on average, on most seeds',
          ['flagship', 'plentiful-labels', 'real-teacher'].every((s) => gain(s).mean > 0.01 && gain(s).wins > gain(s).n / 2),
          ['flagship', 'plentiful-labels', 'real-teacher'].map((s) => `${s} ${paired(r[s].methods.slam)}`).join('; ')],
        ['on trained-spirals and digits every core method lands within noise of the others (the spread of means under the largest sd over seeds)',
          ['trained-spirals', 'digits'].every((s) => spread(s) < sd(s)),
          ['trained-spirals', 'digits'].map((s) => `${s}: spread ${p1(spread(s))}, largest sd ${p1(sd(s))}`).join('; ')],
        [`on uniform-noise every student beats its ${Math.round(100 * u.teacher_accuracy)} % teacher`,
          CORE.every((m) => u.methods[m].mean > u.teacher_accuracy) && README_TEXT().includes(`every student beats its ${Math.round(100 * u.teacher_accuracy)} % teacher`),
          CORE.map((m) => `${m} ${p1(u.methods[m].mean)}`).join(', ') + `; teacher ${p1(u.teacher_accuracy)}`],
        ['on margin-noise no loss undoes the flips: no core method more than a point above vanilla, all below the teacher',
          CORE.every((m) => r['margin-noise'].methods[m].mean < r['margin-noise'].methods.vanilla.mean + 0.01 && r['margin-noise'].methods[m].mean < r['margin-noise'].teacher_accuracy),
          CORE.map((m) => `${m} ${p1(r['margin-noise'].methods[m].mean)}`).join(', ') + `; teacher ${p1(r['margin-noise'].teacher_accuracy)}`],
      ];
    },
  },
  {
    name: 'margin-noise-prose',
    quick: true,
    commands: 'slam-lab run --scenario margin-noise --seeds 10 (the students against the teacher, seed by seed)',
    prose: () => {
      const r = run('margin-noise', 10);
      // Recounted here from the per-seed lists, independently of the engine's `--reference teacher`.
      const v = r.methods.vanilla;
      const d = pairedOf(v.per_seed, r.teacher_accuracy_per_seed);
      const above = v.per_seed.filter((a, i) => a > r.teacher_accuracy_per_seed[i]).length;
      return [
        prose(`below its ${p1(r.teacher_accuracy)} % teacher (vanilla ${signed(d.mean)} [${signed(d.lo)}, ${signed(d.hi)}] against it, above it on ${above} of ${v.per_seed.length} seeds`),
      ];
    },
  },
  {
    name: 'margin-noise-claims',
    quick: true,
    commands: 'slam-lab run --scenario margin-noise --seeds 10',
    claims: () => {
      const r = run('margin-noise', 10);
      const gaps = CORE.map((m) => r.teacher_accuracy - r.methods[m].mean);
      const below = CORE.map((m) => pairedStats(r.methods[m].per_seed.map((a, i) => a - r.teacher_accuracy_per_seed[i])));
      return [
        ['on margin-noise every student lands about 8 points below its teacher (7 to 9), clearly (the lesson\'s rule)',
          gaps.every((g) => g > 0.07 && g < 0.09) && below.every((p) => clearOfZero(p) && p.mean < 0),
          CORE.map((m, i) => `${m} ${p1(-gaps[i])} [${signed(below[i].ci_low)}, ${signed(below[i].ci_high)}]`).join(', ')],
      ];
    },
  },
  {
    name: 'family-claims',
    file: 'docs/all-methods.md',
    quick: false,
    commands: 'slam-lab run --methods vanilla,vid,lelp --seeds 10 on trained-spirals, digits, real-teacher and every built-in dataset (iris and wine with {"labeled": 20, "validation": 40})',
    claims: () => {
      const cols = familyColumns();
      const noise = (m) => cols.filter(([, r]) => !clearOfZero(r.methods[m].vs_vanilla)).map(([c]) => c);
      const [vid, lelp] = [noise('vid'), noise('lelp')];
      const show = (m) => cols.map(([c, r]) => `${c} ${paired(r.methods[m])}`).join('; ');
      return [
        [`lelp lands within noise of vanilla on all ${cols.length} columns`, lelp.length === cols.length, show('lelp')],
        ['vid lands within noise of vanilla on all columns but trained-spirals', vid.length === cols.length - 1 && !vid.includes('trained-spirals'), show('vid')],
      ];
    },
  },
  {
    name: 'family-prose',
    file: 'docs/all-methods.md',
    quick: false,
    commands: 'slam-lab run --scenario trained-spirals --methods vanilla,vid,lelp --seeds 10; slam-lab run --scenario real-teacher --methods vanilla,slam,vanilla_lv --seeds 10, and --seed 100 --seeds 20',
    prose: () => {
      const spirals = familyColumns().find(([c]) => c === 'trained-spirals')[1].methods.vid.vs_vanilla;
      const lv = (seed, seeds) => {
        const r = run('real-teacher', seeds, { seed }, 'vanilla,slam,vanilla_lv');
        const d = pairedOf(r.methods.slam.per_seed, r.methods.vanilla_lv.per_seed);
        const ahead = r.methods.slam.per_seed.filter((a, i) => a > r.methods.vanilla_lv.per_seed[i]).length;
        return { d, ahead, n: seeds };
      };
      const [a, b] = [lv(0, 10), lv(100, 20)];
      const at = (x) => prose(`${signed(x.d.mean)} [${signed(x.d.lo)}, ${signed(x.d.hi)}]`);
      return [
        prose(`\`trained-spirals\`, where it is ${p1(-spirals.mean)} points below vanilla [${signed(spirals.ci_low)}, ${signed(spirals.ci_high)}], below it on ${spirals.losses} of ${spirals.n} seeds`),
        `${p1(a.d.mean)} points below SLaM on this table's seeds 0-9 (SLaM − vanilla_lv = ${at(a)}, SLaM ahead`,
        `on ${a.ahead} of ${a.n})`,
        `(${at(b)}, ${b.ahead} of ${b.n}; \`run --scenario`,
        ['README.md', prose(`\`vid\` everywhere but \`trained-spirals\`, where it trails it by ${p1(-spirals.mean)} points [${signed(spirals.ci_low)}, ${signed(spirals.ci_high)}]`)],
      ];
    },
  },
  {
    name: 'scaling-prose',
    quick: false,
    commands: 'slam-lab run --scenario real-teacher --seeds 20 --methods vanilla with {"labeled": 100} and with "standardize": "labeled" added; the same for --scenario digits --seeds 10',
    prose: () => {
      const teacher = (scenario, seeds, config) => p1(run(scenario, seeds, config, 'vanilla').teacher_accuracy);
      const [mnist, mnistL] = [teacher('real-teacher', 20, { labeled: 100 }), teacher('real-teacher', 20, { labeled: 100, standardize: 'labeled' })];
      const [digits, digitsL] = [teacher('digits', 10), teacher('digits', 10, { standardize: 'labeled' })];
      return [
        `gave a teacher of ${mnistL} % instead of ${mnist} %\n`,
        `digits (\`--scenario digits\`, seeds 0-9) ${digitsL} % instead of ${digits} %.`,
        ['docs/methods.md', `costs the teacher five points (${mnist} % against ${mnistL} %;`],
      ];
    },
  },
  {
    name: 'real-teacher-table',
    quick: false,
    commands: 'slam-lab run --scenario real-teacher --seeds 20 --seed 100',
    table: () => {
      const r = run('real-teacher', 20, SEED100);
      const z = r.sizes;
      return `Teacher ${p1(r.teacher_accuracy)} ± ${p1(r.teacher_accuracy_std)} on T; k = ${r.k.toFixed(1)} on average; sizes L ${z.labeled}, V ${z.validation}, U ${z.unlabeled}, T ${z.test}.\n\n` +
        methodTable(r, { vanilla_lv: ' *' }, ['U, teacher right', 'U, teacher wrong']);
    },
  },
  {
    name: 'your-teacher-table',
    quick: true,
    commands: 'slam-lab run --scenario digits --dataset data/examples/digits-knn.csv --seeds 20 --seed 100',
    table: () => {
      const r = cli(['run', '--scenario', 'digits', '--dataset', path.join(ROOT, 'data', 'examples', 'digits-knn.csv'), '--seeds', '20', '--seed', '100']);
      const z = r.sizes;
      const g = r.given_data;
      const m = r.methods;
      const gain = (name) => {
        const v = m[name].vs_vanilla;
        return `${signed(v.mean)} [${signed(v.ci_low)}, ${signed(v.ci_high)}], ${v.wins} of ${v.n} seeds`;
      };
      return `Your teacher (the file's k-nearest-neighbour probabilities) ${p1(r.teacher_accuracy)} ± ${p1(r.teacher_accuracy_std)} on T; ` +
        `${g.unknown_class_rows} of ${g.rows} rows have no known class and join U; sizes L ${z.labeled}, V ${z.validation}, U ${z.unlabeled}, T ${z.test}. ` +
        prose(`SLaM on the teacher's soft labels loses to vanilla: ${gain('slam')}; on its hard labels it gains: ${gain('slam_hard')}.`) + '\n\n' +
        methodTable(r, {}, ['U, teacher right', 'U, teacher wrong']);
    },
  },
  {
    name: 'real-teacher-doc-table',
    file: 'docs/real-teacher.md',
    quick: false,
    commands: 'slam-lab run --scenario real-teacher --seeds 20 --seed 100',
    table: () => realTeacherTable(run('real-teacher', 20, SEED100)),
  },
  {
    name: 'real-teacher-matched-table',
    file: 'docs/real-teacher.md',
    quick: false,
    commands: 'slam-lab run --scenario real-teacher-matched --seeds 20 --seed 100',
    table: () => realTeacherTable(run('real-teacher-matched', 20, SEED100)),
  },
  {
    name: 'real-teacher-doc-sweep',
    file: 'docs/real-teacher.md',
    quick: false,
    commands: `slam-lab sweep --scenario real-teacher --vary labeled=${LABELED} --seeds 20 --seed 100`,
    table: () => sweepTable('labeled', sweep('real-teacher', 20, `labeled=${LABELED}`, SEED100), true),
  },
  {
    name: 'real-teacher-matched-sweep',
    file: 'docs/real-teacher.md',
    quick: false,
    commands: `slam-lab sweep --scenario real-teacher-matched --vary labeled=${LABELED} --seeds 20 --seed 100`,
    table: () => sweepTable('labeled', sweep('real-teacher-matched', 20, `labeled=${LABELED}`, SEED100), true),
  },
  {
    name: 'real-teacher-shift-sweep',
    file: 'docs/real-teacher.md',
    quick: false,
    commands: 'slam-lab sweep --scenario real-teacher --vary student.shift=0,1,2 --seeds 20 --seed 100',
    table: () => sweepTable('student.shift', sweep('real-teacher', 20, 'student.shift=0,1,2', SEED100), false),
  },
  {
    name: 'real-teacher-grid',
    file: 'docs/real-teacher.md',
    quick: false,
    commands: 'slam-lab sweep --scenario real-teacher [--set labeled=100 --set student.shift=2|1] --vary KEY=... --seeds 20 --methods slam,slam_hard,labels_only, for each row\'s base and key (seeds 0-19)',
    table: () => {
      const rows = ['| from | varied | teacher | vanilla | slam | slam_hard | labels_only | slam − vanilla (seeds won of 20) | slam − labels_only |', '|---|---|---|---|---|---|---|---|---|'];
      for (const [base, config, keys] of GRID) {
        for (const [key, values] of keys) {
          const r = cli(['sweep', '--scenario', 'real-teacher', '--vary', `${key}=${values}`, '--seeds', '20', '--methods', 'slam,slam_hard,labels_only'], config);
          for (const p of r.points) {
            const m = p.methods;
            const label = typeof p.value === 'object' ? JSON.stringify(p.value) : String(p.value);
            rows.push(`| ${base} | \`${key}\` = ${label} | ${p1(p.teacher_accuracy)} | ${p1(m.vanilla.mean)} | ${p1(m.slam.mean)} | ${p1(m.slam_hard.mean)} | ${p1(m.labels_only.mean)} | ${signed(m.slam.vs_vanilla.mean)} (${m.slam.vs_vanilla.wins}) | ${signed(m.slam.mean - m.labels_only.mean)} |`);
          }
        }
      }
      return rows.join('\n');
    },
  },
  {
    name: 'real-teacher-prose',
    quick: false,
    commands: 'slam-lab run --scenario real-teacher|real-teacher-matched --seeds 20 --seed 100, and with "student": {"shift": 0}',
    prose: () => {
      const r = run('real-teacher', 20, SEED100);
      const mt = run('real-teacher-matched', 20, SEED100);
      const flat = run('real-teacher', 20, { seed: 100, student: { shift: 0 } });
      const [v, s] = [r.methods.vanilla, r.methods.slam];
      const beats = v.per_seed.filter((a, i) => a > r.teacher_accuracy_per_seed[i]).length;
      const vsLv = pairedOf(s.per_seed, r.methods.vanilla_lv.per_seed);
      const at = (m) => `${signed(m.vs_vanilla.mean)} [${signed(m.vs_vanilla.ci_low)}, ${signed(m.vs_vanilla.ci_high)}]`;
      return [
        `The vanilla student beats its teacher by ${p1(v.mean - r.teacher_accuracy)} points (${beats} of ${v.per_seed.length} seeds); SLaM adds ${signed(s.vs_vanilla.mean).replace('+', '')} [${signed(s.vs_vanilla.ci_low)}, ${signed(s.vs_vanilla.ci_high)}] to\nvanilla (${s.vs_vanilla.wins} of ${s.vs_vanilla.n} seeds), on the digits the teacher labels wrongly (${p1(s.teacher_wrong_accuracy)} % right against ${p1(v.teacher_wrong_accuracy)} %)`,
        `(\`labels_only\`, ${p1(s.mean - r.methods.labels_only.mean)} points below SLaM)`,
        `real-teacher-matched\`): teacher ${p1(mt.teacher_accuracy)}, vanilla ${meanSd(mt.methods.vanilla)}, SLaM ${meanSd(mt.methods.slam)} (${paired(mt.methods.slam)}),\n\`labels_only\` ${meanSd(mt.methods.labels_only)}`,
        `does about as well as SLaM (${prose(`${signed(vsLv.mean)} [${signed(vsLv.lo)}, ${signed(vsLv.hi)}]`)} for SLaM)`,
        `(vanilla\n${p1(flat.methods.vanilla.mean)} % against a ${p1(flat.teacher_accuracy)} % teacher, SLaM ${signed(flat.methods.slam.vs_vanilla.mean)})`,
        // docs/real-teacher.md: without shifts SLaM adds little, on hard labels a little more.
        ['docs/real-teacher.md', prose(`vanilla ${p1(flat.methods.vanilla.mean)} %, SLaM ${p1(flat.methods.slam.mean)} %, ${at(flat.methods.slam)} over vanilla; SLaM on hard labels ${at(flat.methods.slam_hard)},`)],
        ['docs/real-teacher.md', `${flat.methods.slam_hard.vs_vanilla.wins} of ${flat.methods.slam_hard.vs_vanilla.n} seeds; \`slam-lab run --scenario real-teacher --set student.shift=0 --seed 100 --seeds 20`],
        ['docs/real-teacher.md', prose(`act on (${at(flat.methods.slam)}; on hard labels ${at(flat.methods.slam_hard)}), against ${signed(s.vs_vanilla.mean)} with 1-pixel shifts.`)],
      ];
    },
  },
  {
    name: 'real-teacher-sweep',
    quick: false,
    commands: `slam-lab sweep --scenario real-teacher --vary labeled=${LABELED} --seeds 20 --seed 100, and the same for real-teacher-matched`,
    table: () => {
      const a = sweep('real-teacher', 20, `labeled=${LABELED}`, SEED100);
      const b = sweep('real-teacher-matched', 20, `labeled=${LABELED}`, SEED100);
      const rows = ['| labeled | `real-teacher` | SLaM − vanilla | `real-teacher-matched` | SLaM − vanilla | labels_only |', '|---|---|---|---|---|---|'];
      a.points.forEach((pa, i) => {
        const pb = b.points[i];
        const three = (p) => `${p1(p.teacher_accuracy)} / ${p1(p.methods.vanilla.mean)} / ${p1(p.methods.slam.mean)}`;
        rows.push(`| ${pa.value} | ${three(pa)} | ${paired(pa.methods.slam)} | ${three(pb)} | ${paired(pb.methods.slam)} | ${p1(pa.methods.labels_only.mean)} |`);
      });
      return rows.join('\n');
    },
  },
];

// ---- check or write ---------------------------------------------------------------------------

/** Where block `name`'s generated text lies in `text`: after its opening comment, up to its closing one. */
function tableSpan(text, name) {
  const open = `<!-- docs-numbers: ${name} `;
  const a = text.indexOf(open);
  if (a < 0) return null;
  const start = text.indexOf('-->', a) + 3;
  const end = text.indexOf('<!-- /docs-numbers -->', start);
  if (end < 0) throw new Error(`block ${name} is not closed`);
  return [start, end];
}

/**
 * What the expensive blocks' runs take, in seconds, measured one block at a time with the release
 * CLI on this project's two-core machine (`--only=NAME`; blocks that share a run share it within one
 * invocation, so `--all` takes less than the sum). The quick blocks together take about 25 s.
 */
const SECONDS = {
  'all-methods': 110,
  'family-claims': 25,
  'family-prose': 44,
  'scaling-prose': 13,
  'real-teacher-table': 31,
  'real-teacher-doc-table': 31,
  'real-teacher-matched-table': 32,
  'real-teacher-doc-sweep': 167,
  'real-teacher-matched-sweep': 164,
  'real-teacher-shift-sweep': 91,
  'real-teacher-prose': 97,
  'real-teacher-sweep': 331,
  'real-teacher-grid': 584,
};

if (LIST) {
  for (const b of BLOCKS) {
    const cost = b.quick ? 'quick' : `all, ${SECONDS[b.name] ? `${SECONDS[b.name]} s` : 'not timed'}`;
    console.log(`${b.name}\t${cost}\t${b.commands}`);
  }
  process.exit(0);
}
if (!fs.existsSync(BIN)) {
  console.error(`[docs-numbers] ${BIN} is missing: cargo build --release first`);
  process.exit(2);
}
const README_TEXT = () => textOf('README.md');
const texts = new Map();
const textOf = (file) => {
  if (!texts.has(file)) texts.set(file, fs.readFileSync(path.join(ROOT, file), 'utf8'));
  return texts.get(file);
};
if (PRINT) {
  const b = BLOCKS.find((x) => x.name === PRINT);
  if (!b) {
    console.error(`[docs-numbers] no block ${PRINT}: ${BLOCKS.map((x) => x.name).join(', ')}`);
    process.exit(2);
  }
  if (b.table) console.log(b.table());
  else if (b.claims) for (const [claim, holds, numbers] of b.claims()) console.log(`${holds ? 'true' : 'FALSE'}: ${claim} (${numbers})`);
  else for (const item of b.prose()) console.log(Array.isArray(item) ? `${item[0]}: ${item[1]}` : item);
  process.exit(0);
}
const problems = [];
let checked = 0;
for (const b of BLOCKS) {
  if (ONLY ? !ONLY.includes(b.name) : !b.quick && !ALL) continue;
  const file = b.file ?? 'README.md';
  let text = textOf(file);
  if (b.table) {
    const span = tableSpan(text, b.name);
    if (!span) {
      problems.push(`${b.name}: no <!-- docs-numbers: ${b.name} --> block in ${file}`);
      continue;
    }
    const want = `\n${b.table()}\n`;
    const got = text.slice(span[0], span[1]);
    if (got !== want) {
      if (WRITE) text = text.slice(0, span[0]) + want + text.slice(span[1]);
      else problems.push(`${b.name} in ${file} (${b.commands}): it has\n${got.trim()}\nthe run gives\n${want.trim()}`);
    }
    checked += 1;
  } else if (b.claims) {
    for (const [claim, holds, numbers] of b.claims()) {
      checked += 1;
      if (!holds) problems.push(`${b.name} in ${file} (${b.commands}): the claim "${claim}" is false: ${numbers}`);
    }
  } else {
    for (const item of b.prose()) {
      const [where, sentence] = Array.isArray(item) ? item : [file, item];
      let text = textOf(where);
      checked += 1;
      if (text.includes(sentence)) continue;
      // The same words with other numbers: show which, or rewrite them.
      const pattern = new RegExp(sentence.split(/[−+-]?\d[\d.,]*/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[−+-]?\\d[\\d.,]*'));
      const m = text.match(pattern);
      if (m && WRITE) texts.set(where, text.replace(m[0], sentence));
      else problems.push(`${b.name} in ${where} (${b.commands}): it ${m ? `says\n  ${m[0]}\nthe run gives` : 'lacks'}\n  ${sentence}`);
    }
    continue;
  }
  texts.set(file, text);
}
if (WRITE) for (const [file, text] of texts) fs.writeFileSync(path.join(ROOT, file), text);
if (problems.length) {
  console.error(`[docs-numbers] ${problems.length} figure(s) differ from a fresh run:\n\n${problems.join('\n\n')}`);
  process.exit(1);
}
console.log(`[docs-numbers] ok: ${checked} figures ${WRITE ? 'written from' : 'equal to'} fresh runs${ALL || ONLY ? '' : ' (quick blocks; --all for every block)'}`);
