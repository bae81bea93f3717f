#!/usr/bin/env bash
# The web app's end-to-end tests (e2e/, launched by systests/test_web_e2e.py): Playwright driving
# Debian's Chromium (never a downloaded browser) against control-api and app-api started by
# scripts/dev.sh, which builds and serves the web app. Installs Chromium, Node.js and the test
# packages when they are missing. Uses free ports, and removes what it starts and creates. Mail
# goes to the test mail server (mail-devel, started by scripts/lib.sh's ensure_mail_catcher when
# its SMTP port is closed, as scripts/test.sh does: TEST_SMTP_URL, TEST_IMAP_ADDR,
# TEST_MAIL_PASSWORD), where the tests read it over IMAP.
#
#   scripts/web-e2e.sh                 # TEST_DATABASE_URL: the PostgreSQL server for its fresh databases
#   scripts/web-e2e.sh --screenshots   # also refresh the manual's screenshots (docs/screenshots/)
#   scripts/web-e2e.sh -- -g "sign-up" # arguments after -- go to playwright test
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
screenshots=
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshots) screenshots=1; shift ;;
    --) shift; break ;;
    *) die "usage: scripts/web-e2e.sh [--screenshots] [-- playwright arguments]" ;;
  esac
done
prepare_web_e2e
playwright=()
for arg in "$@"; do playwright+=("--playwright=$arg"); done
SCREENSHOTS=$screenshots run_systests systests/test_web_e2e.py "${playwright[@]}"
