#!/usr/bin/env bash
# `npm test`: set up what is missing, then run every test. Exits non-zero on the first failure.
#   1. native `cargo test`
#   2. the test build's CLI writes the reference run target/reference/flagship-seed1.json
#   3. `wasm-pack test --headless --chrome` (tests/web.rs compares the wasm run with that reference),
#      while the release CLI builds beside it
#   4. the page's build (scripts/build.sh: www/pkg by wasm-pack, www/vendor, www/data), and the same
#      page on an engine with tests/toy/confident.rs's method (scripts/build-toy.sh: target/toy-page)
#   5. scripts/same-numbers.sh: every scenario's numbers and the bench fingerprints equal tests/golden/
#   5b. scripts/docs-numbers.mjs: the README's flagship figures and scenario table equal fresh runs
#   6. the page's unit tests (node --test tests/unit/*.test.mjs), and at the same time on the other
#      lines of Node 20, 22 and 24
#   7. the browser end-to-end tests (node --test tests/e2e/*.test.mjs, playwright-core + Debian's Chromium)
#   8. no tracked file changed
# and closes with "total: N passed, M failed, K skipped", failing below tests/floor.json's count or on a
# skip without a reason.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -d "${CARGO_HOME:-$HOME/.cargo}/bin" ]; then export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"; fi

# Run the steps below with their output also kept in target/npm-test.log, then close with one line
# counting every test of every runner: "total: N passed, M failed, K skipped".
if [ -z "${SLAM_LAB_TEST_INNER:-}" ]; then
  mkdir -p target
  LOG=target/npm-test.log
  set +e
  SLAM_LAB_TEST_INNER=1 bash "${BASH_SOURCE[0]}" "$@" 2>&1 | tee "$LOG"
  rc=${PIPESTATUS[0]}
  set -e
  # "total: N passed, M failed, K skipped"; a skip without a reason or a count below
  # tests/floor.json fails the run (scripts/test-count.sh).
  if [ "$rc" -eq 0 ]; then
    bash scripts/test-count.sh "$LOG" || rc=$?
  else
    bash scripts/test-count.sh "$LOG" || true
  fi
  exit "$rc"
fi

TIMES=()
CURRENT=""
STEP_START=0
ALL_START=$SECONDS
step() {
  finish_step
  CURRENT="$1"
  STEP_START=$SECONDS
  printf '\n[test] ==== %s ====\n' "$CURRENT"
}
finish_step() {
  if [ -n "$CURRENT" ]; then TIMES+=("$(printf '%5ds  %s' $((SECONDS - STEP_START)) "$CURRENT")"); fi
  CURRENT=""
}
summary() {
  local rc=$?
  local failed="$CURRENT"
  finish_step
  printf '\n[test] timings:\n'
  for t in "${TIMES[@]}"; do printf '[test] %s\n' "$t"; done
  printf '[test] %5ds  total\n' $((SECONDS - ALL_START))
  if [ $rc -ne 0 ]; then printf '[test] FAILED in step: %s (exit %d)\n' "${failed:-?}" "$rc" >&2; fi
  exit $rc
}
trap summary EXIT

# The tracked files that differ from HEAD, and their contents: the same at the end, or a test wrote one.
tracked_state() { git ls-files -m | while read -r f; do printf '%s %s\n' "$f" "$(git hash-object -- "$f" 2>/dev/null)"; done; }
TRACKED_AT_START=""
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then TRACKED_AT_START="start:$(tracked_state)"; fi
tracked_state_now() { printf 'start:%s' "$(tracked_state)"; }

step "setup"
bash scripts/setup.sh

step "native cargo test"
cargo test

step "reference runs for the wasm tests, then wasm-pack test --headless --chrome beside the release CLI's build"
# The reference runs come from the test build's binaries (cargo test built them): the numbers are the
# release build's bit for bit (scripts/same-numbers.sh holds the release CLI to tests/golden/, and the
# wasm tests hold the wasm run to these), so the release build need not come first. It then compiles
# beside wasm-pack test, whose long browser run leaves a core free; wasm-pack test builds in its own
# target directory, so that neither waits for the other's lock.
TARGET="${CARGO_TARGET_DIR:-target}"
mkdir -p target/reference
"$TARGET/debug/slam-lab" run --scenario flagship --seeds 1 --json > target/reference/flagship-seed1.json.tmp
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (!r.methods || typeof r.teacher_accuracy !== "number") throw new Error("reference lacks methods/teacher_accuracy");
  console.log("[test] reference: teacher", r.teacher_accuracy, "methods", Object.keys(r.methods).join(", "));
' target/reference/flagship-seed1.json.tmp
# Only replace the file when it changed, so the wasm test is not rebuilt for nothing.
if cmp -s target/reference/flagship-seed1.json.tmp target/reference/flagship-seed1.json; then
  rm target/reference/flagship-seed1.json.tmp
else
  mv target/reference/flagship-seed1.json.tmp target/reference/flagship-seed1.json
fi
# The kernel-heavy reference for tests/web.rs: W1's and W2's students after one epoch (slam-bench).
"$TARGET/debug/slam-bench" --fingerprints > target/reference/bench-fingerprints.json.tmp
if cmp -s target/reference/bench-fingerprints.json.tmp target/reference/bench-fingerprints.json; then
  rm target/reference/bench-fingerprints.json.tmp
else
  mv target/reference/bench-fingerprints.json.tmp target/reference/bench-fingerprints.json
fi
release_log="$(mktemp)"
cargo build --release --bin slam-lab --bin slam-bench >"$release_log" 2>&1 &
release_pid=$!
# wasm-pack ignores $CHROMEDRIVER; webdriver.json (crate root) adds the Chrome flags.
# The flagship run takes a while in a test build: give each test up to 10 minutes.
# Browser tests live in tests/web.rs (the library's own unit tests use proptest, native-only); the other
# test targets (the CLI binary, native integration tests, doctests) are native-only, run by step 2.
wasm_rc=0
CARGO_TARGET_DIR="$TARGET/wasm-test" WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}" \
  wasm-pack test --mode no-install --headless --chrome --chromedriver /usr/bin/chromedriver -- --test web --test web_boundary || wasm_rc=$?
release_rc=0
wait "$release_pid" || release_rc=$?
sed 's/^/[release build] /' "$release_log"
rm -f "$release_log"
if [ "$wasm_rc" -ne 0 ] || [ "$release_rc" -ne 0 ]; then
  echo "[test] wasm-pack test exit $wasm_rc; release build exit $release_rc" >&2
  exit 1
fi
BIN="$TARGET/release/slam-lab"

step "page build (wasm-pack build, vendor, data)"
bash scripts/build.sh

step "the page on an engine with a test method (scripts/build-toy.sh, for tests/e2e/toy.test.mjs)"
# A dev build, in the wasm tests' target directory: their dependencies are compiled there already.
CARGO_TARGET_DIR="$TARGET/wasm-test" bash scripts/build-toy.sh

step "same numbers (every scenario, every method, 3 seeds, and the bench fingerprints = tests/golden/)"
bash scripts/same-numbers.sh

step "README figures = fresh runs (scripts/docs-numbers.mjs: the flagship's and the scenario table)"
SLAM_LAB_BIN="$BIN" node scripts/docs-numbers.mjs

# Test files are named, not a directory: Node 22 and later read `node --test DIR` as a module to run.
# This Node's run and the other lines' (scripts/node-lines.sh) go side by side: none of them is timed.
# This Node's TAP is printed unprefixed, after the others, so that scripts/test-count.sh counts it once.
step "page unit and property tests, on this Node and every other supported line (scripts/node-lines.sh)"
unit_log="$(mktemp)"
node --test --test-reporter=tap --test-concurrency=2 tests/unit/*.test.mjs >"$unit_log" 2>&1 &
unit_pid=$!
lines_rc=0
NODE_LINES_SKIP_CURRENT=1 bash scripts/node-lines.sh || lines_rc=$?
unit_rc=0
wait "$unit_pid" || unit_rc=$?
cat "$unit_log"
rm -f "$unit_log"
if [ "$unit_rc" -ne 0 ] || [ "$lines_rc" -ne 0 ]; then
  echo "[test] unit tests failed (this Node: exit $unit_rc; other lines: exit $lines_rc)" >&2
  exit 1
fi

step "browser end-to-end tests"
# Two files at a time: the browser tests mostly wait (on the page's own clock, its animations and its
# workers): run one at a time, they used 11 % of one core (tests/e2e/lesson.test.mjs) and all of them
# 498 s; two at a time, 311 s using 56 % of one core, every test passing. Each file has its own server
# on a free port and its own browser.
SLAM_LAB_BIN="$BIN" node --test --test-reporter=tap --test-concurrency=2 tests/e2e/*.test.mjs

step "no test wrote a tracked file"
if [ -n "$TRACKED_AT_START" ]; then
  if [ "$(tracked_state_now)" != "$TRACKED_AT_START" ]; then
    git status --short --untracked-files=no
    echo "[test] a test changed a tracked file (git status above): tests write to test-results/ or target/" >&2
    exit 1
  fi
  echo "[test] ok: tracked files as they were before the tests"
else
  echo "[test] not a git work tree: no check of tracked files"
fi

finish_step
printf '\n[test] all test steps passed\n'
