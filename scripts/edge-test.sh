#!/usr/bin/env bash
# The edge test (systests/test_edge.py): Debian's nginx with nginx/'s configuration in front of a
# recording upstream, then in front of control-api and app-api started by scripts/dev.sh, with
# attachments on an S3 server of its own (s3s-fs) behind the files host. Installs nginx with
# apt-get and s3s-fs with cargo when they are missing. Uses free ports, and removes what it starts
# and creates. Arguments go to pytest.
#
#   scripts/edge-test.sh      # TEST_DATABASE_URL: the PostgreSQL server for its fresh databases
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
prepare_edge
run_systests systests/test_edge.py "$@"
