# Chromium for the dashboard's browser test (tests/Platform.Ops.Tests/DashboardBrowserTests.cs).
# Playwright drives the system's Chromium: Playwright's own browser download is not used.
# Sourced by tests/run.sh; nothing to start or stop.
if ! command -v chromium >/dev/null 2>&1; then
  ensure_apt_updated
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || echo "chromium: apt-get install failed"
fi
if command -v chromium >/dev/null 2>&1; then
  export PLATFORM_TEST_CHROMIUM="$(command -v chromium)"
fi
