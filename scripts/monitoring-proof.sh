#!/usr/bin/env bash
# The monitoring checks: promtool on the Prometheus configuration and the alert rules (with their
# unit tests), then scripts/monitoring_proof.py: the Grafana dashboards' provisioning shape, and
# every panel query and alert expression against Debian's Prometheus scraping control-api and
# app-api under fixture traffic (a live stream open, an API key used, webhooks to a receiver of
# its own), and the mail, consumer, disabled-endpoint and live fan-out alerts fired on real
# conditions (a mail server of its own killed; the notification and webhook queues taken over; a
# receiver answering 410; the link from app-api to RabbitMQ cut while a stream is open) and
# resolved. Installs Prometheus with
# apt-get, pika with pip and mail-devel (scripts/lib.sh) when missing. Uses free ports, and
# removes what it starts and creates.
#
#   scripts/monitoring-proof.sh   # TEST_DATABASE_URL, TEST_REDIS_URL, TEST_AMQP_URL: the servers it uses
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v psql >/dev/null || missing+=(postgresql-client)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt_install "${missing[@]}"
fi
say "promtool: configuration, rules, rule unit tests"
(cd monitoring && promtool check config prometheus.yml && promtool check rules rules/helpdeskly.rules.yml \
  && promtool test rules rules/helpdeskly.test.yml) >/dev/null 2>"${TMPDIR:-/tmp}/promtool.$$" \
  || { cat "${TMPDIR:-/tmp}/promtool.$$" >&2; rm -f "${TMPDIR:-/tmp}/promtool.$$"; die "promtool failed"; }
rm -f "${TMPDIR:-/tmp}/promtool.$$"
PIKA_VERSION=1.3.2
if ! python3 -c "import pika, sys; sys.exit(pika.__version__ != '$PIKA_VERSION')" 2>/dev/null; then
  say "installing pika $PIKA_VERSION (an AMQP client: the proof takes the notification and webhook queues over)"
  python3 -m pip install --quiet --disable-pip-version-check "pika==$PIKA_VERSION"
fi
# The proof's own mail server (mail-devel on free ports), killed and started again by the proof.
MAIL_DEVEL_PYTHON="$(mail_devel_venv)/bin/python"
export MAIL_DEVEL_PYTHON
exec python3 scripts/monitoring_proof.py
