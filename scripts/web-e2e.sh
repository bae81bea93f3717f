#!/usr/bin/env bash
# The web app's end-to-end tests (e2e/): Playwright driving Debian's Chromium (never a downloaded
# browser) against control-api and app-api started by scripts/dev.sh, which builds and serves the
# web app. Installs Chromium, Node.js and the test packages when they are missing. Uses free
# ports, and removes what it starts and creates. Mail goes to the test mail server (mail-devel,
# started by scripts/lib.sh's ensure_mail_catcher when its SMTP port is closed, as scripts/test.sh
# does: TEST_SMTP_URL, TEST_IMAP_ADDR, TEST_MAIL_PASSWORD), where the tests read it over IMAP.
#
#   scripts/web-e2e.sh                 # TEST_DATABASE_URL: the PostgreSQL server for its fresh databases
#   scripts/web-e2e.sh --screenshots   # also refresh the README's screenshots (docs/screenshots/)
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
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null || missing+=(nodejs npm)
command -v psql >/dev/null || missing+=(postgresql-client)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt_install "${missing[@]}"
fi
if [ ! -f e2e/node_modules/.package-lock.json ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  say "installing the end-to-end test packages"
  (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
(cd e2e && npx tsc --noEmit) || die "the end-to-end tests do not type-check"
export TEST_SMTP_URL=${TEST_SMTP_URL:-smtp://127.0.0.1:2525}
export TEST_IMAP_ADDR=${TEST_IMAP_ADDR:-127.0.0.1:2143}
export TEST_MAIL_PASSWORD=${TEST_MAIL_PASSWORD:-helpdeskly-test}
smtp=${TEST_SMTP_URL#smtp://}
smtp=${smtp%%[/?]*}
[ "${TEST_IMAP_ADDR%:*}" = "${smtp%:*}" ] || die "TEST_SMTP_URL and TEST_IMAP_ADDR must name the same host (one mail server)"
ensure_mail_catcher "${smtp%:*}" "${smtp##*:}" "${TEST_IMAP_ADDR##*:}" "${TEST_MAIL_HTTP_PORT:-2080}" "$TEST_MAIL_PASSWORD" \
  "${TMPDIR:-/tmp}/helpdeskly-test-services/mail"
SCREENSHOTS=$screenshots exec python3 scripts/web_e2e.py "$@"
