#!/usr/bin/env bash
# The web app's benchmark (systests/web_bench.py): bundle size, and cold loads in Debian's
# Chromium against both services started by scripts/dev.sh (debug build, the app served by
# app-api): the sign-in page, the customer portal, the console's queue and an opened ticket's
# thread, in a tenant holding 100,000 tickets. Results for BENCHMARKS.md, "The web app".
#
#   scripts/web-bench.sh [--tickets N] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
[ -x /usr/bin/chromium ] || apt_install chromium
if [ ! -f e2e/node_modules/.package-lock.json ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
cargo build --quiet -p bench
PYTHONDONTWRITEBYTECODE=1 exec python3 -m systests.web_bench "$@"
