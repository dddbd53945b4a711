#!/usr/bin/env bash
# The engine's numbers, pinned: every scenario with every method (`"methods": "all"`, 3 seeds) as
# `slam-lab run --json` prints it, and the benchmark students' parameter fingerprints
# (`slam-bench --fingerprints`), compared byte for byte with tests/golden/. A refactor must leave them
# identical; a change that is meant to move numbers records them anew and says why in its commit.
#
#   scripts/same-numbers.sh            # check (npm test runs this)
#   scripts/same-numbers.sh --record   # write tests/golden/ from the current build
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -d "${CARGO_HOME:-$HOME/.cargo}/bin" ]; then export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"; fi

record=false
[ "${1:-}" = "--record" ] && record=true
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet --bin slam-lab --bin slam-bench
bin="$target/release/slam-lab"
golden=tests/golden
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo '{"methods": "all"}' > "$out/all.json"

# The report without its provenance (the version and commit change with every commit; the config's
# digest and the seeds are those of the report itself).
for s in $("$bin" scenarios | awk '{print $1}'); do
  "$bin" run --scenario "$s" --config "$out/all.json" --seeds 3 --json \
    | node -e 'let t="";process.stdin.on("data",(d)=>t+=d).on("end",()=>{const v=JSON.parse(t);delete v.provenance;process.stdout.write(JSON.stringify(v,null,2)+"\n")})' \
    > "$out/scenario-$s.json"
done
"$target/release/slam-bench" --fingerprints > "$out/bench-fingerprints.json"

if $record; then
  rm -rf "$golden"
  mkdir -p "$golden"
  cp "$out"/*.json "$golden"/
  rm "$golden/all.json"
  echo "[same-numbers] recorded $(ls "$golden" | wc -l) files in $golden"
  exit 0
fi

status=0
for f in "$golden"/*.json; do
  name="$(basename "$f")"
  if [ ! -f "$out/$name" ]; then
    echo "[same-numbers] $name: no longer produced" >&2
    status=1
  elif ! cmp -s "$f" "$out/$name"; then
    echo "[same-numbers] $name differs from the recorded numbers:" >&2
    diff <(tr ',' '\n' < "$f") <(tr ',' '\n' < "$out/$name") | head -20 >&2 || true
    status=1
  fi
done
for f in "$out"/scenario-*.json; do
  [ -f "$golden/$(basename "$f")" ] || { echo "[same-numbers] $(basename "$f"): a new scenario with no recorded numbers (run --record)" >&2; status=1; }
done
[ $status -eq 0 ] && echo "[same-numbers] $(ls "$golden" | wc -l) files identical to tests/golden/"
exit $status
