#!/usr/bin/env bash
# Runs a demo, reports in SQLite:
#   bash scripts/demo.sh            examples/basic-site on http://127.0.0.1:${PORT:-3000}
#   bash scripts/demo.sh collector  examples/collector: a collector on :4000 and two sites on :4001, :4002
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
# The admin dashboard opens only with a password; the demo's is printed below (change it anywhere else).
export CSP_OBSERVER_ADMIN_PASSWORD="${CSP_OBSERVER_ADMIN_PASSWORD:-demo-admin-password}"
case "${1:-basic}" in
  collector)
    port="${COLLECTOR_PORT:-4000}"
    echo "Open http://127.0.0.1:$((port + 1))/violations (shop) and http://127.0.0.1:$((port + 2))/violations (blog)"
    echo "Collector dashboard: http://127.0.0.1:${port}/csp/admin/ (password: ${CSP_OBSERVER_ADMIN_PASSWORD})"
    exec node examples/collector/server.js
    ;;
  basic)
    export CSP_OBSERVER_SECRET="${CSP_OBSERVER_SECRET:-demo-secret-change-me-in-production}"
    echo "Open http://127.0.0.1:${PORT:-3000}/violations, then http://127.0.0.1:${PORT:-3000}/reports"
    echo "Admin dashboard: http://127.0.0.1:${PORT:-3000}/csp/admin/ (password: ${CSP_OBSERVER_ADMIN_PASSWORD})"
    exec pnpm --silent demo
    ;;
  *)
    echo "usage: bash scripts/demo.sh [basic|collector]" >&2
    exit 2
    ;;
esac
