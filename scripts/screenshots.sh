#!/usr/bin/env bash
# Refreshes the README's dashboard images (docs/images/dashboard-overview.png,
# dashboard-page-view.png, collector-reports-site.png) from the e2e layout check's desktop
# screenshots in Chromium. Build first (pnpm run build): the e2e servers use the dist files.
# E2E_PORT (default 3217) and the browser paths of e2e/tests/support/engines.ts apply.
set -euo pipefail
cd "$(dirname "$0")/../e2e"
mkdir -p .tmp
E2E_DOCS_IMAGES=1 TMPDIR="$PWD/.tmp" pnpm exec playwright test tests/engines/dashboard-layout.spec.ts --project chromium -g desktop
echo "docs/images refreshed:"
ls -l ../docs/images
