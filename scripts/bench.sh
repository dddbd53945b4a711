#!/usr/bin/env bash
# `npm run bench [-- --json] [-- --reps N]`: build what the benchmark needs, then run it.
#   1. scripts/setup.sh and scripts/build.sh (www/pkg, www/data/mnist.bin, ...)
#   2. the native benchmark binary (cargo build --release --bin slam-bench)
#   3. TensorFlow.js (npm packages @tensorflow/tfjs, @tensorflow/tfjs-backend-wasm) copied from
#      node_modules into www/bench/vendor/ (git-ignored): the page loads nothing from the network
#   4. node scripts/bench.mjs "$@": the interleaved run, a table (or --json: one JSON object on stdout)
# Build output goes to stderr, so `npm run -s bench -- --json` prints only the JSON.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -d "${CARGO_HOME:-$HOME/.cargo}/bin" ]; then export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"; fi

{
  bash scripts/setup.sh
  bash scripts/build.sh
  echo "[bench] cargo build --release --bin slam-bench"
  cargo build --release --bin slam-bench
  mkdir -p www/bench/vendor
  for f in node_modules/@tensorflow/tfjs/dist/tf.es2017.min.js \
           node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.es2017.min.js \
           node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm \
           node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm \
           node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm; do
    [ -f "$f" ] || { echo "[bench] ERROR: $f missing: run scripts/setup.sh (npm ci)" >&2; exit 1; }
    cmp -s "$f" "www/bench/vendor/$(basename "$f")" || cp "$f" www/bench/vendor/
  done
} >&2

exec node scripts/bench.mjs "$@"
