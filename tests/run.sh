#!/usr/bin/env bash
# Runs every test: starts the real services the integration tests need, runs
# `dotnet test Platform.sln`, stops what it started, and ends with one line of totals:
# "N passed, N failed[, N skipped]".
#
# Services: each tests/services/<name>.sh is sourced in turn. It installs its server if missing
# (apt-get update once via `ensure_apt_updated`, then apt-get/npm), starts it on 127.0.0.1,
# exports the variables the tests read (e.g. PLATFORM_TEST_MOSQUITTO_PORT), and registers how to
# stop it with `on_exit "command"`. A service that cannot start exports nothing, and its tests
# fail with a message saying so.
set -uo pipefail
cd "$(dirname "$0")/.."

exit_commands=()
on_exit() { exit_commands+=("$1"); }
cleanup() {
  for ((i = ${#exit_commands[@]} - 1; i >= 0; i--)); do eval "${exit_commands[$i]}" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

apt_updated=0
ensure_apt_updated() {
  if [ "$apt_updated" -eq 0 ]; then apt-get update -qq >/dev/null 2>&1 || true; apt_updated=1; fi
}

for service in tests/services/*.sh; do
  [ -e "$service" ] || continue
  echo "starting service: $(basename "$service" .sh)"
  # shellcheck disable=SC1090
  source "$service"
done

log=$(mktemp)
dotnet test Platform.sln -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform prints a summary per run: "total/failed/succeeded/skipped".
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
