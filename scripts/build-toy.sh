#!/usr/bin/env bash
# Builds target/toy-page/: the page of www/, unchanged, on an engine built with the test method of
# tests/toy/confident.rs in its method table (cargo feature `toy-method`), for tests/e2e/toy.test.mjs:
# a method added in one Rust file and one table line shows in the page, with its setting, runs and
# exports, with no JavaScript written for it. A dev build (npm test runs it in the wasm test step's
# target directory, target/wasm-test, where the dependencies are compiled); never served by `npm start`. Needs www/ built (scripts/build.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -d "${CARGO_HOME:-$HOME/.cargo}/bin" ]; then export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"; fi

out=target/toy-page
test -f www/pkg/slam_lab.js || { echo "[toy] ERROR: www/pkg missing: run scripts/build.sh first" >&2; exit 1; }
echo "[toy] wasm-pack build --dev --features toy-method --out-dir $out-pkg"
wasm-pack build --mode no-install --dev --target web --out-dir "$out-pkg" --no-pack -- --features toy-method
rm -rf "$out"
mkdir -p "$out"
for f in www/*; do
  case "$(basename "$f")" in pkg) ;; *) cp -r "$f" "$out/" ;; esac
done
mkdir -p "$out/pkg"
cp "$out-pkg"/slam_lab.js "$out-pkg"/slam_lab_bg.wasm "$out/pkg/"
node scripts/write-schema.mjs "$out/pkg"
node scripts/write-offline-files.mjs "$out"
echo "[toy] $out: the page with the engine's methods and \`confident\`"
