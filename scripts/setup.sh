#!/usr/bin/env bash
# Brings a fresh machine to a built workspace: pnpm (the pinned version), dependencies, build.
# Sourced by demo.sh and test.sh; safe to run again (it skips what is already done).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  if [ -x ".tools/bin/pnpm" ] && [ "$(.tools/bin/pnpm --version)" = "$PNPM_VERSION" ]; then
    :
  else
    log "installing pnpm $PNPM_VERSION (corepack cannot verify it here, so from npm)"
    # Global when we may write there, else into the repo's own .tools folder.
    npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null 2>&1 \
      || npm install --prefix .tools --no-fund --no-audit --no-save "pnpm@$PNPM_VERSION" >/dev/null
  fi
fi
if [ -x ".tools/bin/pnpm" ] && { ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; }; then
  export PATH="$PWD/.tools/bin:$PATH"
fi

# sqlite3 compiles from source where its prebuilt binary cannot be downloaded; node-gyp then
# needs Node's headers, which Debian's nodejs ships in /usr/include/node.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_version.h ]; then
  export npm_config_nodedir=/usr
fi

log "installing dependencies"
# pnpm says nothing while an install script runs: a line every 20 s shows it is moving, and
# names sqlite3's compilation (about 2 minutes, the first time) while that is what it waits for.
install_log=$(mktemp)
pnpm install --frozen-lockfile --reporter=append-only >"$install_log" 2>&1 &
install_pid=$!
waited=0
while kill -0 "$install_pid" 2>/dev/null; do
  sleep 1
  waited=$((waited + 1))
  if [ $((waited % 20)) = 0 ]; then
    if grep -q 'sqlite3 install\$' "$install_log" && ! grep -Eq 'sqlite3 install: (Done|Failed)' "$install_log"; then
      log "  still installing (${waited} s): sqlite3 compiles from source where no prebuilt binary can be downloaded (about 2 minutes, once)"
    else
      log "  still installing (${waited} s)"
    fi
  fi
done
if ! wait "$install_pid"; then
  cat "$install_log" >&2
  rm -f "$install_log"
  echo "[setup] pnpm install failed (output above)" >&2
  exit 1
fi
grep -v '^Progress' "$install_log" | tail -n 5
rm -f "$install_log"
log "building packages"
# Quiet when it works; the whole output when it does not.
if ! build_log=$(pnpm run --silent build 2>&1); then
  printf '%s\n' "$build_log" >&2
  echo "[setup] the build failed (output above)" >&2
  exit 1
fi
log "ready"
