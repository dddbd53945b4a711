#!/usr/bin/env bash
# Installs whatever SLaM Lab needs to build and test, and nothing that is already there.
# Idempotent: on a machine that is set up, it only checks and takes about a second.
#
#   - Rust target wasm32-unknown-unknown            (rustup target add)
#   - wasm-pack                                     (cargo install wasm-pack --locked)
#   - wasm-bindgen CLI at the version pinned in Cargo.toml (cargo install wasm-bindgen-cli)
#   - Chromium + ChromeDriver                       (apt-get, Debian)
#   - npm packages                                  (npm ci, when node_modules is missing or stale)
#
# Never installs Debian's binaryen: its wasm-opt corrupts wasm-bindgen output (see TOOLCHAIN.md);
# Cargo.toml disables wasm-opt for wasm-pack instead.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# cargo-installed tools live here; make sure they are found even from a bare environment.
if [ -d "${CARGO_HOME:-$HOME/.cargo}/bin" ]; then
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

command -v cargo >/dev/null || die "cargo not found: install Rust with rustup first"
command -v rustup >/dev/null || die "rustup not found: install Rust with rustup first"
command -v node >/dev/null || die "node not found: install Node.js 20, 22 or 24 first"
command -v npm >/dev/null || die "npm not found: install Node.js 20, 22 or 24 (with npm) first"

# Root runs apt-get directly; anyone else needs sudo.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; fi
fi

# 1. The wasm target.
if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
  say "ok: rust target wasm32-unknown-unknown"
else
  say "installing rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-pack.
if command -v wasm-pack >/dev/null; then
  say "ok: $(wasm-pack --version 2>/dev/null || echo wasm-pack)"
else
  say "installing wasm-pack (cargo install wasm-pack --locked; takes a minute or two)"
  cargo install wasm-pack --locked
fi

# 3. wasm-bindgen CLI, exactly the version the crate pins (else wasm-pack compiles its own copy).
WB_VERSION="$(sed -n 's/^[[:space:]]*wasm-bindgen[[:space:]]*=[[:space:]]*"=\([0-9][0-9.]*\)".*/\1/p' Cargo.toml | head -n1)"
if [ -z "$WB_VERSION" ] && [ -f Cargo.lock ]; then
  WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
fi
[ -n "$WB_VERSION" ] || die "could not read the wasm-bindgen version from Cargo.toml or Cargo.lock"
HAVE_WB="$( (wasm-bindgen --version 2>/dev/null || true) | awk '{print $2}')"
if [ "$HAVE_WB" = "$WB_VERSION" ] && command -v wasm-bindgen-test-runner >/dev/null; then
  say "ok: wasm-bindgen $WB_VERSION"
else
  say "installing wasm-bindgen-cli $WB_VERSION (have: ${HAVE_WB:-none}; takes about two minutes)"
  # No --locked: its lockfile wants a crate version the registry here lacks (TOOLCHAIN.md).
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

# 4. Chromium and ChromeDriver (Debian packages, always the same version as each other).
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  say "ok: chromium and chromium-driver"
else
  command -v apt-get >/dev/null || die "chromium missing and apt-get not available: install chromium and chromium-driver"
  say "installing chromium and chromium-driver (apt-get)"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium chromium-driver
fi

# 5. wasm-opt: must be off, or at least never Debian's (corrupts the output).
if grep -Eq '^[[:space:]]*wasm-opt[[:space:]]*=[[:space:]]*false' Cargo.toml; then
  say "ok: wasm-opt disabled in Cargo.toml"
elif [ "$(command -v wasm-opt || true)" = "/usr/bin/wasm-opt" ]; then
  die "Cargo.toml enables wasm-opt and /usr/bin/wasm-opt (Debian's binaryen) would run: it corrupts wasm-bindgen output"
else
  say "note: wasm-opt is enabled in Cargo.toml; using $(command -v wasm-opt || echo "wasm-pack's own")"
fi

# 6. npm packages: `npm ci` when node_modules is missing or older than package-lock.json.
STAMP="node_modules/.slam-lab-lock.sha256"
LOCK_SUM="$(sha256sum package-lock.json | awk '{print $1}')"
if [ -d node_modules ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$LOCK_SUM" ]; then
  say "ok: node_modules matches package-lock.json"
else
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
  printf '%s\n' "$LOCK_SUM" > "$STAMP"
fi

say "done ($ROOT)"
