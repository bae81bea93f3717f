#!/usr/bin/env bash
# The chaos suite (scripts/chaos.py): steady traffic through nginx to two app-api replicas while
# PostgreSQL restarts (fast, then a crash), Redis is paused and killed, RabbitMQ is cut, each
# replica is restarted in turn, then the one holding the live streams killed, the worker's process
# is killed (at random, then while it holds a mail the server accepted), the mail server is
# killed, and the worker is killed while a webhook it sent waits for its answer; for each fault it
# prints the failed requests, the seconds to recover, the events lost or
# duplicated, the mails expected, received, lost and duplicated, and the live streams' frames
# expected, lost and duplicated, their reconnects and resyncs, the webhooks lost and sent again,
# and fails when a bound is broken.
# Runs its own PostgreSQL cluster, Redis server and mail server (mail-devel) on free ports, and
# the local RabbitMQ (127.0.0.1:5672) through a link it can cut; removes everything it made at
# the end.
#
#   scripts/chaos.sh                   # the short form (CI): 4 clients, outages of 3 s
#   CHAOS_FORM=full scripts/chaos.sh   # 8 clients, outages of 10 s
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

servers=()
[ -n "$(pg_bindir)" ] || servers+=(postgresql)
command -v redis-server >/dev/null || servers+=(redis-server)
ensure_edge_tools "${servers[@]}"
port_open 127.0.0.1 5672 || die "RabbitMQ does not listen on 127.0.0.1:5672 (scripts/test.sh starts it)"
PIKA_VERSION=1.3.2
if ! python3 -c "import pika, sys; sys.exit(pika.__version__ != '$PIKA_VERSION')" 2>/dev/null; then
  say "installing pika $PIKA_VERSION (an AMQP client for the suite's event tap)"
  python3 -m pip install --quiet --disable-pip-version-check "pika==$PIKA_VERSION"
fi
MAIL_DEVEL_PYTHON="$(mail_devel_venv)/bin/python"
export MAIL_DEVEL_PYTHON
say "building control-api and app-api"
cargo build --quiet --locked -p control-api -p app-api
exec python3 scripts/chaos.py
