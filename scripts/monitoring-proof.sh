#!/usr/bin/env bash
# The monitoring checks (systests/test_monitoring.py): promtool on the Prometheus configuration
# and the alert rules (with their unit tests), the Grafana dashboards' provisioning shape, and
# every panel query and alert expression against Debian's Prometheus scraping control-api and
# app-api under fixture traffic (a live stream open, an API key used, webhooks to a receiver of
# its own), and the mail, consumer, disabled-endpoint and live fan-out alerts fired on real
# conditions (a mail server of its own killed; the notification and webhook queues taken over; a
# receiver answering 410; the link from app-api to RabbitMQ cut while a stream is open) and
# resolved. Installs Prometheus with apt-get when missing. Uses free ports, and removes what it
# starts and creates. Arguments go to pytest.
#
#   scripts/monitoring-proof.sh   # TEST_DATABASE_URL, TEST_REDIS_URL, TEST_AMQP_URL: the servers it uses
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
prepare_monitoring
run_systests systests/test_monitoring.py "$@"
