#!/usr/bin/env bash
# Runs every test (type check, unit, integration on SQLite and PostgreSQL, e2e in Chromium,
# Firefox and WebKit) on a fresh machine: installs pnpm, Debian's Chromium, firefox-esr,
# WebKitWebDriver with Xvfb, and PostgreSQL where they are missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else return 1; fi; }
apt_updated=
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq >/dev/null || return 1; apt_updated=1; fi
  # One line per package set up, so that a long first install shows it is moving.
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "$@" 2>&1 | awk '/^Setting up /{ print "  " $0; fflush() } /^E: /{ print; fflush() }'
}

# The three engines, from Debian's packages (nothing may download a browser here): Chromium and
# Firefox ESR for Playwright, WebKitGTK's WebKitWebDriver under a virtual X display for WebKit.
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
export FIREFOX_PATH="${FIREFOX_PATH:-/usr/bin/firefox-esr}"
export WEBKIT_DRIVER_PATH="${WEBKIT_DRIVER_PATH:-/usr/bin/WebKitWebDriver}"
export XVFB_PATH="${XVFB_PATH:-/usr/bin/Xvfb}"
missing=()
[ -x "$CHROMIUM_PATH" ] || missing+=(chromium)
[ -x "$FIREFOX_PATH" ] || missing+=(firefox-esr)
[ -x "$WEBKIT_DRIVER_PATH" ] || missing+=(webkit2gtk-driver)
[ -x "$XVFB_PATH" ] || missing+=(xvfb xauth)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing the browser engines from Debian: ${missing[*]} (a few minutes the first time)"
  apt_install "${missing[@]}" || {
    echo "Could not install ${missing[*]}: install them, or point CHROMIUM_PATH, FIREFOX_PATH, WEBKIT_DRIVER_PATH and XVFB_PATH at your own" >&2
    exit 1
  }
fi

# PostgreSQL binaries for the throwaway cluster the integration tests start themselves.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  log "installing PostgreSQL server binaries"
  if ! apt_install postgresql; then
    if [ "${CI:-}" = true ]; then echo "CI=true and PostgreSQL could not be installed" >&2; exit 1; fi
    echo "PostgreSQL could not be installed: its tests will be skipped" >&2
  fi
fi

mkdir -p e2e/.tmp
results="$PWD/e2e/.tmp/results"
rm -rf "$results" && mkdir -p "$results"

log "type check"
pnpm run typecheck >"$results/typecheck.log" 2>&1 || { cat "$results/typecheck.log" >&2; echo "[test] the type check failed (above)" >&2; exit 1; }
log "lint and format check (Biome)"
pnpm run lint >"$results/lint.log" 2>&1 || { cat "$results/lint.log" >&2; echo "[test] lint or formatting failed (above; pnpm format fixes the layout)" >&2; exit 1; }
log "package check: the packages packed, installed with npm into fresh Koa 2 and Koa 3 apps outside the repository, the README's snippets run on Node 20, 22 and 24"
PACKAGE_CHECK_NODES="${PACKAGE_CHECK_NODES-22,24}" node scripts/package-check.mjs
log "unit and integration tests (vitest, SQLite and PostgreSQL)"
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json"
log "end-to-end tests (Playwright: Chromium, Firefox, WebKit)"
# Browser profiles stay inside the repo, not in /tmp.
(cd e2e && TMPDIR="$PWD/.tmp" PLAYWRIGHT_JSON_OUTPUT_NAME="$results/playwright.json" \
  pnpm exec playwright test --reporter=list,json)
node scripts/test-summary.mjs "$results/vitest.json" "$results/playwright.json"
