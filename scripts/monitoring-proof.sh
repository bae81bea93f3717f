#!/usr/bin/env bash
# The monitoring checks: promtool on the Prometheus configuration and the alert rules (with their
# unit tests), then scripts/monitoring_proof.py: the Grafana dashboards' provisioning shape, and
# every panel query and alert expression against Debian's Prometheus scraping control-api and
# app-api under fixture traffic. Installs Prometheus with apt-get when it is missing. Uses free
# ports, and removes what it starts and creates.
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
exec python3 scripts/monitoring_proof.py
