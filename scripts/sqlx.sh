#!/usr/bin/env bash
# The checked SQL of each crate: its query macros are compiled against a database migrated to
# the schema the crate speaks to (the control schema for control-schema and control-api, the
# tenant schema for tenant-schema and app-api), and what the compiler learnt is committed under
# `<crate>/.sqlx/` so builds need no database (SQLX_OFFLINE in .cargo/config.toml).
#
#   scripts/sqlx.sh db                # (re)creates the two schema databases, prints their URLs
#   scripts/sqlx.sh env CRATE         # prints the DATABASE_URL for CRATE's queries
#   scripts/sqlx.sh prepare [CRATE]   # writes CRATE/.sqlx (every crate without an argument)
#   scripts/sqlx.sh check             # fails when any .sqlx/ is stale
#   scripts/sqlx.sh check --lint      # the same build also runs clippy's lints, warnings denied
#   scripts/sqlx.sh build-env DIR     # prints the exports under which any cargo build lints and
#                                     # learns every query into DIR (scripts/test.sh's one build)
#   scripts/sqlx.sh compare DIR       # fails when what a build learnt into DIR differs from .sqlx/
#
# No tool beyond cargo: this script is the workspace's rustc wrapper, which compiles each crate
# with queries online against its schema's database and has the query macros write what they
# learnt (SQLX_OFFLINE_DIR) into a folder of that crate's own; that folder is then compared with,
# or copied to, the crate's `.sqlx/`. Every query of every target is learnt again, tests
# included. `check` and `prepare` run one `cargo check --workspace --all-targets`;
# scripts/test.sh exports `build-env`'s environment for its whole run instead, so that its one
# debug build is also the lints' and the queries' (cargo keeps the wrapper in its fingerprints:
# the later cargo commands of the run find everything built).
#
# The databases live on TEST_DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail

# In dependency order: a crate is prepared after the crates it uses.
CRATES=(control-schema tenant-schema control-api sav app-api)

schema_of() {
  case "$1" in
    control-schema | control-api) echo control ;;
    tenant-schema | sav | app-api) echo tenant ;;
    *) return 1 ;;
  esac
}

# As the rustc wrapper (SQLX_LEARNT set by wrapper_env below, the first argument a compiler): a crate with queries is compiled
# online against its schema's database, its macros writing into SQLX_LEARNT/<crate>; cargo's own
# probes and every other crate go to rustc as they are. With SQLX_LINT (clippy-driver), every
# workspace crate is compiled by clippy-driver instead, which runs clippy's lints as `cargo
# clippy` would (its arguments in CLIPPY_ARGS, as cargo-clippy hands them over).
is_command() { case "${1:-}" in db | env | prepare | check | build-env | compare) return 0 ;; *) return 1 ;; esac; }
if [ -n "${SQLX_LEARNT:-}" ] && ! is_command "${1:-}"; then
  compiler=("$@")
  [ -z "${SQLX_LINT:-}" ] || compiler=("$SQLX_LINT" "$@")
  if schema=$(schema_of "${CARGO_PKG_NAME:-}"); then
    mkdir -p "$SQLX_LEARNT/$CARGO_PKG_NAME"
    DATABASE_URL="$SQLX_SERVER/helpdeskly_sqlx_$schema" SQLX_OFFLINE=false \
      SQLX_OFFLINE_DIR="$SQLX_LEARNT/$CARGO_PKG_NAME" exec "${compiler[@]}"
  fi
  exec "${compiler[@]}"
fi

cd "$(dirname "$0")/.."
. scripts/lib.sh

SERVER=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
SERVER=${SERVER%/*}

url_of() {
  local schema
  schema=$(schema_of "$1") || die "no schema is known for crate $1"
  echo "$SERVER/helpdeskly_sqlx_$schema"
}

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

# wrapper_env DIR [--lint]: the environment, one VAR=value a line, under which cargo compiles
# each crate with queries online, its macros writing what they learn into DIR/<crate> (this
# script as the workspace's rustc wrapper); with --lint, every workspace crate by clippy-driver,
# warnings denied. The wrapper and CLIPPY_ARGS are in cargo's fingerprints: every cargo command
# of a run must see the same environment, or it compiles the workspace's crates again.
wrapper_env() {
  echo "SQLX_LEARNT=$1"
  echo "SQLX_SERVER=$SERVER"
  echo "RUSTC_WORKSPACE_WRAPPER=$PWD/scripts/sqlx.sh"
  if [ "${2:-}" = --lint ]; then
    local driver
    driver="$(rustc --print sysroot)/bin/clippy-driver"
    [ -x "$driver" ] || die "clippy-driver not found in the toolchain (rustup component add clippy)"
    echo "SQLX_LINT=$driver"
    echo "CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
  fi
}

# ready_to_learn [--lint]: the two schema databases made afresh, and the crates whose compilation
# must run again touched: those with queries (their macros learn only when they run), and with
# --lint every workspace crate (cargo does not compile again for lints alone).
ready_to_learn() {
  local crate
  create_schema_db control
  create_schema_db tenant
  if [ "${1:-}" = --lint ]; then
    for crate in $(cargo metadata --no-deps --format-version 1 | python3 -c 'import json,sys; print(" ".join(p["manifest_path"].rsplit("/",1)[0] for p in json.load(sys.stdin)["packages"]))'); do
      find "$crate/src" -maxdepth 1 \( -name lib.rs -o -name main.rs \) -exec touch {} +
    done
  fi
  for crate in "${CRATES[@]}"; do touch "$crate/src/lib.rs"; done
}

# compare_learnt DIR [CRATE]: each crate's (or CRATE's) learnt queries against its .sqlx/.
compare_learnt() {
  local crate stale=()
  for crate in "${CRATES[@]}"; do
    [ -z "${2:-}" ] || [ "$2" = "$crate" ] || continue
    mkdir -p "$1/$crate"
    diff -r "$1/$crate" "$crate/.sqlx" >&2 || stale+=("$crate")
  done
  [ ${#stale[@]} -eq 0 ] || die "stale query data in ${stale[*]}: run scripts/sqlx.sh prepare and commit each .sqlx/"
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
  build-env)
    [ -d "${2:-}" ] || die "usage: scripts/sqlx.sh build-env DIR"
    ready_to_learn --lint
    while IFS= read -r line; do printf 'export %s=%q\n' "${line%%=*}" "${line#*=}"; done < <(wrapper_env "$2" --lint)
    ;;
  compare)
    [ -d "${2:-}" ] || die "usage: scripts/sqlx.sh compare DIR"
    compare_learnt "$2"
    ;;
  prepare | check)
    only=${2:-} with_lints=()
    if [ "$1" = check ] && [ "$only" = --lint ]; then only='' with_lints=(--lint); fi
    [ -z "$only" ] || url_of "$only" >/dev/null
    learnt=$(mktemp -d "${TMPDIR:-/tmp}/helpdeskly-sqlx.XXXXXX")
    trap 'rm -rf "$learnt"' EXIT
    ready_to_learn "${with_lints[@]}"
    mapfile -t learning < <(wrapper_env "$learnt" "${with_lints[@]}")
    env "${learning[@]}" cargo check --workspace --all-targets --locked --quiet
    if [ "$1" = check ]; then compare_learnt "$learnt" "$only"; exit; fi
    for crate in "${CRATES[@]}"; do
      [ -z "$only" ] || [ "$only" = "$crate" ] || continue
      mkdir -p "$learnt/$crate"
      rm -rf "$crate/.sqlx"
      cp -r "$learnt/$crate" "$crate/.sqlx"
      say "$crate/.sqlx: $(find "$crate/.sqlx" -name '*.json' | wc -l) queries"
    done
    ;;
  *) die "usage: scripts/sqlx.sh db | env CRATE | prepare [CRATE] | check [--lint] | build-env DIR | compare DIR" ;;
esac
