#!/usr/bin/env bash
# The checked SQL of each crate: its query macros are compiled against a database migrated to
# the schema the crate speaks to (the control schema for control-schema and control-api, the
# tenant schema for tenant-schema and app-api), and what the compiler learnt is committed under
# `<crate>/.sqlx/` so builds need no database (SQLX_OFFLINE in .cargo/config.toml).
#
#   scripts/sqlx.sh db                # (re)creates the two schema databases, prints their URLs
#   scripts/sqlx.sh env CRATE         # prints the DATABASE_URL for CRATE's queries
#   scripts/sqlx.sh prepare [CRATE]   # writes CRATE/.sqlx (every crate without an argument)
#   scripts/sqlx.sh check             # fails when any .sqlx/ is stale (scripts/test.sh runs it)
#
# The databases live on TEST_DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

SQLX_CLI_VERSION=0.8.6 # the sqlx version in Cargo.lock
SERVER=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
SERVER=${SERVER%/*}
# In dependency order: a crate is prepared after the crates it uses.
CRATES=(control-schema tenant-schema control-api app-api)

schema_of() {
  case "$1" in
    control-schema | control-api) echo control ;;
    tenant-schema | app-api) echo tenant ;;
    *) die "no schema is known for crate $1" ;;
  esac
}

url_of() { echo "$SERVER/helpdeskly_sqlx_$(schema_of "$1")"; }

# create_schema_db SCHEMA: a fresh database with migrations/SCHEMA applied in version order.
create_schema_db() {
  local db="helpdeskly_sqlx_$1" file
  PGOPTIONS="-c client_min_messages=warning" psql "$SERVER/postgres" -qAt -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  # shellcheck disable=SC2012 # migration file names have no spaces; sorted by version
  for file in $(ls "migrations/$1"/*.sql | sort -V); do
    psql "$SERVER/$db" -qAt -v ON_ERROR_STOP=1 -1 -f "$file" >/dev/null
  done
}

ensure_sqlx_cli() {
  if ! cargo sqlx --version 2>/dev/null | grep -q " $SQLX_CLI_VERSION\$"; then
    say "installing sqlx-cli $SQLX_CLI_VERSION"
    cargo install sqlx-cli --locked --version "$SQLX_CLI_VERSION" --no-default-features --features postgres,rustls
  fi
}

# run_prepare CRATE [--check]: compiles CRATE's queries against its schema database. Crates with
# queries depend on others (app-api on control-schema, control-api on tenant-schema) that speak
# to another schema: an offline check from the crate's folder first leaves those dependencies
# built from their own committed data, so the prepare step recompiles CRATE alone.
run_prepare() {
  local crate=$1
  shift
  (cd "$crate" && cargo check --locked >/dev/null 2>&1) || true
  (cd "$crate" && DATABASE_URL=$(url_of "$crate") cargo sqlx prepare "$@" -- --locked >/dev/null)
}

case "${1:-}" in
  db)
    create_schema_db control
    create_schema_db tenant
    for crate in "${CRATES[@]}"; do echo "$crate: DATABASE_URL=$(url_of "$crate")"; done
    ;;
  env)
    [ -n "${2:-}" ] || die "usage: scripts/sqlx.sh env CRATE"
    echo "DATABASE_URL=$(url_of "$2")"
    ;;
  prepare)
    ensure_sqlx_cli
    create_schema_db control
    create_schema_db tenant
    if [ -n "${2:-}" ]; then run_prepare "$2"; else for crate in "${CRATES[@]}"; do run_prepare "$crate"; done; fi
    ;;
  check)
    ensure_sqlx_cli
    create_schema_db control
    create_schema_db tenant
    for crate in "${CRATES[@]}"; do
      run_prepare "$crate" --check || die "$crate/.sqlx is stale: run scripts/sqlx.sh prepare $crate and commit it"
    done
    ;;
  *) die "usage: scripts/sqlx.sh db | env CRATE | prepare [CRATE] | check" ;;
esac
