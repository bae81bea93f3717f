#!/usr/bin/env bash
# The chaos suite (systests/test_chaos.py, systests/chaos.py): steady traffic through nginx to two
# app-api replicas while PostgreSQL restarts (fast, then a crash), Redis is paused and killed,
# RabbitMQ is cut, each replica is restarted in turn, then the one holding the live streams
# killed, the worker's process is killed (at random, then while it holds a mail the server
# accepted), the mail server is killed, and the worker is killed while a webhook it sent waits
# for its answer; for each fault it prints the failed requests, the seconds to recover, the
# events lost or duplicated, the mails expected, received, lost and duplicated, and the live
# streams' frames expected, lost and duplicated, their reconnects and resyncs, the webhooks lost
# and sent again, and fails when a bound is broken. Then the same traffic on clusters (a PostgreSQL
# primary with a synchronous standby, Redis with Sentinel, three RabbitMQ nodes) while a node of
# each dies for good: the RabbitMQ node leading the queues, the Redis master, the PostgreSQL
# primary (the standby promoted).
# Builds control-api and app-api, and runs its own PostgreSQL cluster, Redis server and mail
# server (mail-devel) on free ports, and the local RabbitMQ (127.0.0.1:5672) through a link it
# can cut; removes everything it made at the end. Arguments go to pytest.
#
#   scripts/chaos.sh                   # the short form (CI): 4 clients, outages of 3 s
#   CHAOS_FORM=full scripts/chaos.sh   # 8 clients, outages of 10 s
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
prepare_chaos
run_systests systests/test_chaos.py "$@"
