#!/usr/bin/env bash
# Rolls the compose deployment back to an image built earlier by scripts/deploy.sh:
#
#   scripts/rollback.sh TAG [--env-file FILE]      # FILE: .env.prod
#
# The services go back one at a time, each waiting for its /ready, as in a deploy. No migration
# runs and none is undone: migrations follow expand -> backfill -> contract, so the schema a
# release left is one the release before it can read. .data/deploy/history lists the tags
# deployed here, newest last.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if [ $# -lt 1 ] || [[ $1 == -* ]]; then
  if [ -f .data/deploy/history ]; then
    echo "deployed here (newest last):" >&2
    tail -n 10 .data/deploy/history >&2
  fi
  die "usage: scripts/rollback.sh TAG [--env-file FILE]"
fi
tag=$1
shift
exec scripts/deploy.sh --tag "$tag" --skip-build --skip-migrations "$@"
