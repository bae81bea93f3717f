#!/usr/bin/env bash
# The fuzz run (systests/test_fuzz.py): Schemathesis against control-api's and app-api's live
# OpenAPI documents as a tenant's owner, an agent, a customer and nobody: no 5xx, every status
# documented for its operation, every body matching its documented schema, every error
# application/problem+json. Schemathesis is pinned in systests/requirements.txt. Uses free
# ports, and removes what it starts and creates. Arguments go to pytest.
#
#   scripts/fuzz.sh                     # the test command's bound: 10 requests per operation and phase
#   FUZZ_EXAMPLES=100 scripts/fuzz.sh   # the long run
#   FUZZ_SEED=1234 scripts/fuzz.sh      # replay the run a failure names
#
# TEST_DATABASE_URL: the PostgreSQL server for its fresh databases.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
prepare_fuzz
run_systests systests/test_fuzz.py "$@"
