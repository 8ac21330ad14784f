#!/usr/bin/env bash
# Runs a demo, reports in SQLite:
#   bash scripts/demo.sh            examples/basic-site on http://127.0.0.1:${PORT:-3000}
#   bash scripts/demo.sh collector  examples/collector: a collector on :${PORT:-4000} and two sites on the next two ports
# PORT (or COLLECTOR_PORT) and HOST change where they listen. The URLs are printed once the
# servers listen. CSP_OBSERVER_DEMO_NO_SETUP=1 skips scripts/setup.sh (already set up and built).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -z "${CSP_OBSERVER_DEMO_NO_SETUP:-}" ]; then source scripts/setup.sh; fi
# The admin dashboard opens only with a password; the demo's is printed below (change it anywhere else).
export CSP_OBSERVER_ADMIN_PASSWORD="${CSP_OBSERVER_ADMIN_PASSWORD:-demo-admin-password}"
host="${HOST:-127.0.0.1}"

# Starts the server in the background, waits until every port accepts a connection, prints the
# banner, and waits for the server (Ctrl-C stops it).
serve() {
  local ports="$1" banner="$2"
  shift 2
  "$@" &
  local pid=$!
  trap 'kill "$pid" 2>/dev/null || true' INT TERM
  for p in $ports; do
    until (exec 3<>"/dev/tcp/$host/$p") 2>/dev/null; do
      if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid"
        exit $?
      fi
      sleep 0.2
    done
  done
  printf '%s\n' "$banner"
  wait "$pid"
}

case "${1:-basic}" in
  collector)
    port="${COLLECTOR_PORT:-${PORT:-4000}}"
    export COLLECTOR_PORT="$port"
    serve "$port $((port + 1)) $((port + 2))" \
      "Open http://$host:$((port + 1))/violations (shop) and http://$host:$((port + 2))/violations (blog)
Collector dashboard: http://$host:${port}/csp/admin/ (password: ${CSP_OBSERVER_ADMIN_PASSWORD})" \
      node examples/collector/server.js
    ;;
  basic)
    port="${PORT:-3000}"
    export PORT="$port" CSP_OBSERVER_SECRET="${CSP_OBSERVER_SECRET:-demo-secret-change-me-in-production}"
    serve "$port" \
      "Open http://$host:$port/violations, then http://$host:$port/reports
Admin dashboard: http://$host:$port/csp/admin/ (password: ${CSP_OBSERVER_ADMIN_PASSWORD})" \
      node examples/basic-site/server.js
    ;;
  *)
    echo "usage: bash scripts/demo.sh [basic|collector]" >&2
    exit 2
    ;;
esac
