#!/usr/bin/env bash
# Regenerates the committed copies of the services' OpenAPI documents (web/api/*.json), which
# the web app's API types are generated from. The services' tests fail while a copy is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATE_SNAPSHOTS=1 cargo nextest run --no-fail-fast -p control-api -p app-api \
  -E 'test(openapi_and_docs_are_served_offline) | test(openapi_describes_the_app_plane)'
git status --short web/api
