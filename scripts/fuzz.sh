#!/usr/bin/env bash
# The fuzz run (scripts/fuzz_api.py): Schemathesis against control-api's and app-api's live
# OpenAPI documents as a tenant's owner, an agent, a customer and nobody: no 5xx, every status
# documented for its operation, every body matching its documented schema, every error
# application/problem+json. Installs Schemathesis (pinned, from PyPI with pip) into a virtual
# environment of its own when missing. Uses free ports, and removes what it starts and creates.
#
#   scripts/fuzz.sh                     # CI's bound: 20 generated requests per operation and phase
#   FUZZ_EXAMPLES=100 scripts/fuzz.sh   # a longer run
#   FUZZ_SEED=1234 scripts/fuzz.sh      # replay the run a failure names
#
# TEST_DATABASE_URL: the PostgreSQL server for its fresh databases.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

SCHEMATHESIS_VERSION=4.32.5
venv=${FUZZ_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/helpdeskly/schemathesis-$SCHEMATHESIS_VERSION}
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q " $SCHEMATHESIS_VERSION\$"; then
  say "installing Schemathesis $SCHEMATHESIS_VERSION into $venv"
  command -v python3 >/dev/null || apt_install python3
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$venv"; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
command -v psql >/dev/null || apt_install postgresql-client
SCHEMATHESIS=$venv/bin/schemathesis exec python3 scripts/fuzz_api.py
