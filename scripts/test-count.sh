#!/usr/bin/env bash
# Counts every test of every runner in an `npm test` log and keeps the suite from shrinking unseen.
#
#   bash scripts/test-count.sh LOG [FLOOR_FILE]      (scripts/test.sh runs it on target/npm-test.log)
#
# Prints "total: N passed, M failed, K skipped" and exits 1 when a test was skipped (or ignored, or
# marked todo) without a reason printed, or when fewer than FLOOR_FILE's `tests` (default
# tests/floor.json) passed. The lines it reads:
#   cargo / wasm-bindgen-test: "test result: ok. 12 passed; 0 failed; 1 ignored; ..."; an ignored test
#     prints "test name ... ignored, REASON" when it has a reason, "test name ... ignored" when not.
#   node --test with the TAP reporter (the same on every line of Node): "# pass 3", "# fail 0",
#     "# skipped 0", "# todo 0", "# cancelled 0"; a skipped test prints "ok 4 - name # SKIP REASON".
# Cancelled tests count as failed. Lines with a prefix ("[node 22] # pass 41", scripts/node-lines.sh's
# repeats on other lines of Node) are not counted again.
set -euo pipefail
LOG="$1"
FLOOR_FILE="${2:-$(dirname "${BASH_SOURCE[0]}")/../tests/floor.json}"
read -r passed failed skipped bare < <(awk '
  /^test result: / { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;/) p += $(i-1); if ($(i) ~ /^failed;/) f += $(i-1); if ($(i) ~ /^ignored;/) s += $(i-1) } }
  /^# pass [0-9]+$/ { p += $3 }
  /^# fail [0-9]+$/ { f += $3 }
  /^# cancelled [0-9]+$/ { f += $3 }
  /^# (skipped|todo) [0-9]+$/ { s += $3 }
  /^test .* \.\.\. ignored$/ { bare += 1; print "[test] ignored without a reason: " $0 > "/dev/stderr" }
  /^ *(not )?ok [0-9]+ - .*# (SKIP|TODO)[[:space:]]*$/ { bare += 1; print "[test] skipped without a reason: " $0 > "/dev/stderr" }
  END { printf "%d %d %d %d\n", p, f, s, bare }
' "$LOG")
echo "total: $passed passed, $failed failed, $skipped skipped"
floor="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).tests' "$FLOOR_FILE")"
rc=0
if [ "$bare" -gt 0 ]; then
  echo "[test] FAILED: $bare test(s) skipped without a reason printed (above)" >&2
  rc=1
fi
if [ "$passed" -lt "$floor" ]; then
  echo "[test] FAILED: $passed tests passed, fewer than the floor of $floor in $FLOOR_FILE: a test file is no longer found, or tests were removed (lower the floor only on purpose, in the commit that removes them)" >&2
  rc=1
elif [ "$passed" -gt $((floor + 20)) ]; then
  echo "[test] note: $passed tests passed, more than 20 over the floor of $floor: raise $FLOOR_FILE"
fi
exit $rc
