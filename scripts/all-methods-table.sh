#!/usr/bin/env bash
# Print the README's "All methods" tables: every method (`"methods": "all"`) on every built-in
# scenario and built-in dataset, test accuracy % as mean ± sample sd over SEEDS seeds (default 10),
# plus the teacher-correct share of the points each RAD rule queried.
#
#   scripts/all-methods-table.sh > /tmp/tables.md      # a few minutes on two cores
#
# Scenarios run as defined (`slam-lab scenarios`; real-teacher reads www/data/mnist.bin); datasets with the default config (a trained
# teacher), iris and wine with smaller L and V so that U is not empty. Methods a scenario's teacher
# cannot serve (vid and lelp need a trained teacher's hidden layer) show as "n/a".
set -euo pipefail
cd "$(dirname "$0")/.."

seeds="${SEEDS:-10}"
cargo build --release --quiet
bin=target/release/slam-lab
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo '{"methods": "all"}' >"$tmp/all.json"
echo '{"methods": "all", "labeled": 20, "validation": 40}' >"$tmp/small.json"

scenarios=(flagship trained-spirals margin-noise uniform-noise digits plentiful-labels real-teacher)
datasets=(moons circles spirals blobs xor checkerboard iris wine breast_cancer digits)

for s in "${scenarios[@]}"; do
  echo "scenario $s" >&2
  "$bin" run --scenario "$s" --config "$tmp/all.json" --seeds "$seeds" --json >"$tmp/scenario-$s.json"
done
for d in "${datasets[@]}"; do
  echo "dataset $d" >&2
  cfg="$tmp/all.json"
  if [[ "$d" == iris || "$d" == wine ]]; then cfg="$tmp/small.json"; fi
  "$bin" run --dataset "$d" --config "$cfg" --seeds "$seeds" --json >"$tmp/dataset-$d.json"
done

# Method names in display order, from the engine.
methods="$("$bin" run --scenario trained-spirals --config "$tmp/all.json" --seeds 1 --json \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(Object.keys(JSON.parse(s).methods).join(" ")))')"

node - "$tmp" "$seeds" "$methods" "${scenarios[*]}" "${datasets[*]}" <<'EOF'
const fs = require('fs');
const [dir, seeds, methodList, scenarioList, datasetList] = process.argv.slice(2);
const methods = methodList.split(' ');
const pct = (v) => (100 * v).toFixed(1);
const load = (kind, name) => JSON.parse(fs.readFileSync(`${dir}/${kind}-${name}.json`, 'utf8'));

function table(kind, names) {
  const reports = names.map((n) => load(kind, n));
  const head = `| method | ${names.map((n) => (kind === 'scenario' ? `\`${n}\`` : n)).join(' | ')} |`;
  const rule = `|---|${names.map(() => '---').join('|')}|`;
  const teacher = `| *teacher* | ${reports.map((r) => pct(r.teacher_accuracy)).join(' | ')} |`;
  const rows = methods.map((m) => {
    const cells = reports.map((r) => {
      const s = r.methods[m];
      if (!s) return 'n/a';
      const best = Math.max(...Object.values(r.methods).map((x) => x.mean));
      const cell = `${pct(s.mean)} ± ${pct(s.std)}`;
      return s.mean === best ? `**${cell}**` : cell;
    });
    const usesV = reports.some((r) => r.methods[m]?.trains_on_validation_labels);
    return `| ${m}${usesV ? ' *' : ''} | ${cells.join(' | ')} |`;
  });
  return [head, rule, teacher, ...rows].join('\n');
}

function queried(names) {
  const reports = names.map((n) => load('scenario', n));
  const head = `| queried points the teacher labels right | ${names.map((n) => `\`${n}\``).join(' | ')} |`;
  const rule = `|---|${names.map(() => '---').join('|')}|`;
  // The methods that query the teacher report the share of their queries it labels right.
  const querying = methods.filter((m) => reports.some((r) => r.methods[m]?.queried_teacher_accuracy !== undefined));
  const rows = querying.map((m) =>
    `| ${m} | ${reports.map((r) => (r.methods[m] ? pct(r.methods[m].queried_teacher_accuracy) : 'n/a')).join(' | ')} |`);
  return [head, rule, ...rows].join('\n');
}

const scenarios = scenarioList.split(' ');
const datasets = datasetList.split(' ');
console.log(`Scenarios (test accuracy %, mean ± sd over ${seeds} seeds; best per column in bold):\n`);
console.log(table('scenario', scenarios));
console.log(`\n\\* trains on V's true labels (the other methods only estimate from V).`);
console.log(`\nBuilt-in datasets with the default config (trained teacher; iris and wine with L = 20, V = 40):\n`);
console.log(table('dataset', datasets));
console.log(`\nRAD and its baselines at the same budget (10 % of U): share of queried points the teacher labels right, %:\n`);
console.log(queried(scenarios));
EOF
