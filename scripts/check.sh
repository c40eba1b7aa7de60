#!/usr/bin/env bash
# `npm run lint` (and, with --build, `npm test`'s lint and build): the type check, eslint and prettier — and the
# build — run at the same time instead of one after another (CI has two cores; each is one process). Each one's
# output is printed whole once it ends, in order; the exit status is non-zero if any failed, naming which.
#
# With --build, dist/ is emitted without a second type check (`npm run build:emit`, `tsc --noCheck`: the type
# check here already covers src, bench and tools, and tsconfig's isolatedModules makes the emit the same either
# way), then the tab is bundled. `npm install` emits so too (prepare); `npm run build` alone type-checks as it
# emits.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=node_modules/.bin

names=(typecheck eslint prettier)
cmds=("$BIN/tsc -p tsconfig.json --noEmit" "$BIN/eslint ." "$BIN/prettier --check .")
if [ "${1:-}" = "--build" ]; then
  names+=(build)
  cmds+=("npm run --silent build:emit")
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pids=()
for i in "${!names[@]}"; do
  bash -c "${cmds[$i]}" >"$out/$i" 2>&1 &
  pids+=($!)
done
failed=()
for i in "${!names[@]}"; do
  if wait "${pids[$i]}"; then status=0; else status=$?; fi
  echo "> ${names[$i]}: ${cmds[$i]}"
  cat "$out/$i"
  [ "$status" -eq 0 ] || failed+=("${names[$i]}")
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "check: failed: ${failed[*]}" >&2
  exit 1
fi
