#!/usr/bin/env bash
# Runs the demo: examples/basic-site on http://127.0.0.1:${PORT:-3000}, reports in SQLite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
export CSP_OBSERVER_SECRET="${CSP_OBSERVER_SECRET:-demo-secret-change-me-in-production}"
# The admin dashboard opens only with a password; the demo's is printed below (change it anywhere else).
export CSP_OBSERVER_ADMIN_PASSWORD="${CSP_OBSERVER_ADMIN_PASSWORD:-demo-admin-password}"
echo "Open http://127.0.0.1:${PORT:-3000}/violations, then http://127.0.0.1:${PORT:-3000}/reports"
echo "Admin dashboard: http://127.0.0.1:${PORT:-3000}/csp/admin/ (password: ${CSP_OBSERVER_ADMIN_PASSWORD})"
exec pnpm --silent demo
