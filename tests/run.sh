#!/usr/bin/env bash
# Runs every test: starts the real services the integration tests need (none yet beyond
# in-process ones), runs `dotnet test Platform.sln`, stops what it started, and ends with
# one line of totals: "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."

started=()
cleanup() {
  for pid in "${started[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

log=$(mktemp)
dotnet test Platform.sln -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The Microsoft.Testing.Platform summary prints "total/failed/succeeded/skipped" lines.
pick() { grep -E "^\s*$1:\s*[0-9]+" "$log" | tail -1 | grep -oE '[0-9]+' | tail -1; }
failed=$(pick failed); passed=$(pick succeeded); skipped=$(pick skipped)
failed=${failed:-0}; passed=${passed:-0}; skipped=${skipped:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
rm -f "$log"
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$status" -eq 0 ]
