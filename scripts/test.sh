#!/usr/bin/env bash
# The whole test suite. Makes sure PostgreSQL, Redis and RabbitMQ are installed and running on
# this machine (installing them with apt-get when missing, quickly skipping when present), then
# runs lints, the module-cycle check, the dependency policy (scripts/dependency-policy.py), one
# debug build for everything after that is also clippy's and the checked SQL's (scripts/sqlx.sh),
# the doc tests, the web app's type check, unit tests and build, the README's quick start through
# scripts/dev.sh --check, the system tests under pytest (systests/: the edge (nginx); the
# monitoring proof (Prometheus) and the deployment run in containers (podman) beside the fuzz run,
# the deployment checks and every test with cargo-nextest; the chaos suite's short form beside the
# web app in Chromium). Each step is timed against its budget, with the CPU time it used; the table
# of every step's time is printed at the end, passed or failed, and kept in artifacts/steps.txt.
#
#   scripts/test.sh                      # everything
#   scripts/test.sh -E 'test(sigterm)'   # extra arguments go to cargo nextest run
#
# Tests use TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres, a role that
# may create databases and roles), TEST_SECOND_DATABASE_URL (default port 5433: a second cluster
# made and started here, under the services folder, for the tenants placed on two clusters), TEST_REDIS_URL (default redis://127.0.0.1:6379), an S3 server
# that checks request signatures (s3s-fs, TEST_S3_ENDPOINT, default http://127.0.0.1:9000, keys
# TEST_S3_ACCESS_KEY and TEST_S3_SECRET_KEY) and clamd with a test signature database made here
# (TEST_CLAMAV_ADDR, default 127.0.0.1:3310) and a mail server (mail-devel, scripts/lib.sh's
# ensure_mail_catcher, installed with pip into a virtual environment of its own): SMTP on
# TEST_SMTP_URL (default smtp://127.0.0.1:2525), IMAP on TEST_IMAP_ADDR (default 127.0.0.1:2143)
# where every recipient address has a mailbox, logged into with the address and
# TEST_MAIL_PASSWORD (default helpdeskly-test), and its web UI on TEST_MAIL_HTTP_PORT (default
# 2080: http://127.0.0.1:2080/). The mail is kept in memory only, until the server stops.
# Webhook tests start receivers of their own (systests/webhook_receiver.py, testkit's webhooks
# module) with the Python of WEBHOOK_RECEIVER_VENV (scripts/lib.sh's webhook_receiver_venv:
# standardwebhooks, pinned, installed with pip into a virtual environment of its own).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

PG_HOST=127.0.0.1 PG_PORT=5432
export TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@$PG_HOST:$PG_PORT/postgres}
export TEST_SECOND_DATABASE_URL=${TEST_SECOND_DATABASE_URL:-postgres://postgres@$PG_HOST:5433/postgres}
export TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379}
export TEST_S3_ENDPOINT=${TEST_S3_ENDPOINT:-http://127.0.0.1:9000}
export TEST_S3_ACCESS_KEY=${TEST_S3_ACCESS_KEY:-helpdeskly-test}
export TEST_S3_SECRET_KEY=${TEST_S3_SECRET_KEY:-helpdeskly-test-secret}
export TEST_CLAMAV_ADDR=${TEST_CLAMAV_ADDR:-127.0.0.1:3310}
export TEST_SMTP_URL=${TEST_SMTP_URL:-smtp://127.0.0.1:2525}
export TEST_IMAP_ADDR=${TEST_IMAP_ADDR:-127.0.0.1:2143}
export TEST_MAIL_PASSWORD=${TEST_MAIL_PASSWORD:-helpdeskly-test}
export TEST_MAIL_HTTP_PORT=${TEST_MAIL_HTTP_PORT:-2080}
SERVICES_DIR=${TMPDIR:-/tmp}/helpdeskly-test-services

ensure_postgres() {
  if ! command -v psql >/dev/null || [ -z "$(pg_bindir)" ]; then
    say "installing PostgreSQL"
    apt_install postgresql postgresql-client
  fi
  if ! port_open $PG_HOST $PG_PORT; then
    say "starting PostgreSQL"
    command -v pg_lsclusters >/dev/null || die "PostgreSQL is installed but not through Debian's packages: start it on $PG_HOST:$PG_PORT"
    local version
    version=$(pg_lsclusters --no-header | awk '$2 == "main" {print $1; exit}')
    [ -n "$version" ] || die "no PostgreSQL cluster named main: create one with pg_createcluster"
    # Tests connect over TCP as postgres without a password: trust loopback only.
    local hba="/etc/postgresql/$version/main/pg_hba.conf"
    if ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
      as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    fi
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  fi
  for _ in $(seq 1 60); do
    psql "$TEST_DATABASE_URL" -Atqc 'SELECT 1' >/dev/null 2>&1 && return
    sleep 0.5
  done
  die "PostgreSQL does not accept $TEST_DATABASE_URL"
}

# A second PostgreSQL cluster (TEST_SECOND_DATABASE_URL, default 127.0.0.1:5433, trust auth on
# loopback), private to the tests, under SERVICES_DIR: tenants are placed on both clusters in
# the two-cluster tests. Same server programs as the first.
ensure_second_postgres() {
  local url=${TEST_SECOND_DATABASE_URL#postgres://}
  local hostport=${url#*@}
  hostport=${hostport%%/*}
  local host=${hostport%:*} port=${hostport##*:}
  port_open "$host" "$port" && return
  local bin dir="$SERVICES_DIR/pg-second"
  bin=$(pg_bindir) || die "PostgreSQL server programs (initdb, pg_ctl) not found"
  mkdir -p "$dir/run"
  [ "$(id -u)" = 0 ] && chown -R "$(pg_owner)" "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    say "creating the second PostgreSQL cluster in $dir"
    pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  say "starting the second PostgreSQL cluster on $host:$port"
  pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
    -o "-p $port -c listen_addresses=$host -k $dir/run -c max_connections=100" start >/dev/null \
    || die "the second PostgreSQL cluster did not start (see $dir/postgres.log)"
}

ensure_redis() {
  if ! command -v redis-server >/dev/null; then
    say "installing Redis"
    apt_install redis-server
  fi
  if ! port_open 127.0.0.1 6379; then
    say "starting Redis"
    as_root mkdir -p /var/lib/redis /var/log/redis
    as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  fi
  for _ in $(seq 1 40); do port_open 127.0.0.1 6379 && return; sleep 0.25; done
  die "Redis does not listen on 127.0.0.1:6379"
}

ensure_rabbitmq() {
  if ! command -v rabbitmq-server >/dev/null; then
    say "installing RabbitMQ"
    apt_install rabbitmq-server
  fi
  if ! port_open 127.0.0.1 5672; then
    say "starting RabbitMQ"
    as_root mkdir -p /var/lib/rabbitmq /var/log/rabbitmq
    as_root chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /var/log/rabbitmq
    as_root rabbitmq-server -detached
    local started=
    for _ in $(seq 1 30); do
      if as_root rabbitmqctl await_startup --timeout 10 >/dev/null 2>&1; then started=1; break; fi
      sleep 1
    done
    [ -n "$started" ] || die "RabbitMQ did not start (see /var/log/rabbitmq)"
  fi
}

ensure_s3() {
  ensure_s3s_fs
  local host=${TEST_S3_ENDPOINT#http://}
  local port=${host##*:}
  host=${host%:*}
  # One started from a folder since removed answers every request with an error: restart it.
  local pid
  for pid in $(pgrep -x s3s-fs || true); do
    if readlink "/proc/$pid/cwd" | grep -q ' (deleted)$'; then
      say "restarting s3s-fs (its working directory is gone)"
      kill "$pid"
      for _ in $(seq 1 40); do port_open "$host" "$port" || break; sleep 0.25; done
    fi
  done
  if ! port_open "$host" "$port"; then
    say "starting s3s-fs on $TEST_S3_ENDPOINT"
    mkdir -p "$SERVICES_DIR/s3"
    # From its own folder: s3s-fs resolves paths against its working directory, which must
    # outlive this checkout (a CI clone is removed while the server keeps running).
    (cd "$SERVICES_DIR" && nohup s3s-fs --host "$host" --port "$port" --access-key "$TEST_S3_ACCESS_KEY" \
      --secret-key "$TEST_S3_SECRET_KEY" "$SERVICES_DIR/s3" >"$SERVICES_DIR/s3s-fs.log" 2>&1 &)
  fi
  for _ in $(seq 1 40); do port_open "$host" "$port" && return; sleep 0.25; done
  die "s3s-fs does not listen on $TEST_S3_ENDPOINT (see $SERVICES_DIR/s3s-fs.log)"
}

# clamd with a signature database of one signature, the EICAR test file's: the public databases
# are not reachable from here, and the tests need one known virus.
ensure_clamd() {
  if ! command -v clamd >/dev/null; then
    say "installing clamd"
    apt_install clamav-daemon
  fi
  local host=${TEST_CLAMAV_ADDR%:*} port=${TEST_CLAMAV_ADDR##*:}
  if port_open "$host" "$port"; then return; fi
  say "starting clamd on $TEST_CLAMAV_ADDR"
  local dir="$SERVICES_DIR/clamd"
  mkdir -p "$dir/db"
  # The EICAR string, hex-encoded, matched anywhere in a file (an .ndb body signature).
  # shellcheck disable=SC2016 # the EICAR string is literal, $ included
  printf 'Eicar-Test-Signature:0:*:%s\n' \
    "$(printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' | od -An -tx1 | tr -d ' \n')" \
    >"$dir/db/test.ndb"
  cat >"$dir/clamd.conf" <<CONF
DatabaseDirectory $dir/db
TCPSocket $port
TCPAddr $host
PidFile $dir/clamd.pid
LogFile $dir/clamd.log
Foreground false
StreamMaxLength 32M
MaxFileSize 32M
MaxScanSize 64M
User $(id -un)
CONF
  (cd "$dir" && clamd --config-file="$dir/clamd.conf") || die "clamd did not start (see $dir/clamd.log)"
  for _ in $(seq 1 120); do port_open "$host" "$port" && return; sleep 0.25; done
  die "clamd does not listen on $TEST_CLAMAV_ADDR (see $dir/clamd.log)"
}

# The mail server the tests send to and read from (testkit's mailbox): on the addresses above,
# from the services' folder, which outlives a CI clone.
ensure_mail() {
  local smtp=${TEST_SMTP_URL#smtp://}
  smtp=${smtp%%[/?]*}
  [ "${TEST_IMAP_ADDR%:*}" = "${smtp%:*}" ] || die "TEST_SMTP_URL and TEST_IMAP_ADDR must name the same host (one mail server)"
  ensure_mail_catcher "${smtp%:*}" "${smtp##*:}" "${TEST_IMAP_ADDR##*:}" "$TEST_MAIL_HTTP_PORT" "$TEST_MAIL_PASSWORD" \
    "$SERVICES_DIR/mail"
}

# The Standard Webhooks implementation the webhook tests check signatures with (testkit's
# webhooks module runs systests/webhook_receiver.py with this environment's Python).
ensure_webhook_receiver() {
  WEBHOOK_RECEIVER_VENV=$(webhook_receiver_venv)
  export WEBHOOK_RECEIVER_VENV
}

ensure_nextest() {
  if ! cargo nextest --version >/dev/null 2>&1; then
    say "installing cargo-nextest"
    cargo install cargo-nextest --locked
  fi
}

# Each step's budget in seconds: about its time in a fresh clone's run on the slower kind of
# machine (2 cores) with the tools installed and target/ empty (28 minutes in all at 47dc584,
# inside the 35 the run may take; the steps run beside others count once, inside the steps they
# run beside); the installs have a budget of their own, a new machine's (15 minutes more at
# most). BENCHMARKS.md "The proof's budget" has each step's time on both kinds. A step over 1.5 times its budget is named in the log as it
# ends, and every step's time is in the table printed at the end.
ended() {
  local status=$?
  [ ${#BESIDE[@]} -eq 0 ] || joined || status=1
  [ $status -eq 0 ] || step_noted failed
  [ -z "${SQLX_LEARNT_DIR:-}" ] || rm -rf "$SQLX_LEARNT_DIR"
  mkdir -p artifacts
  step_table | tee artifacts/steps.txt >&2
  exit $status
}
trap ended EXIT

install_step "PostgreSQL" 60 ensure_postgres
install_step "the second PostgreSQL cluster" 20 ensure_second_postgres
install_step "Redis" 30 ensure_redis
install_step "RabbitMQ" 60 ensure_rabbitmq
install_step "the object store (s3s-fs)" 180 ensure_s3
install_step "clamd" 60 ensure_clamd
install_step "the mail server (mail-devel)" 30 ensure_mail
install_step "the webhook receiver's environment" 20 ensure_webhook_receiver
install_step "cargo-nextest" 300 ensure_nextest
# Every crate of Cargo.lock on disk before the dependency policy reads the graph offline (a new
# machine has none yet; quick when they are there).
install_step "the crates of Cargo.lock" 120 cargo fetch --locked --quiet

step "format" 10 cargo fmt --all -- --check

step "no import cycle between modules" 5 python3 scripts/module-cycles.py base shared sav harness control-schema tenant-schema control-api app-api testkit bench web
step "every Markdown link resolves" 5 python3 scripts/doc-links.py
step "no SQL outside repositories" 5 python3 scripts/sql-placement.py control-api app-api sav shared base control-schema tenant-schema
step "dependency policy (deny.toml) and unused dependencies" 5 python3 scripts/dependency-policy.py

# One debug build for everything after, which is also clippy's (its lints, warnings denied) and
# the checked SQL's (every query of every target learnt online from a database of its schema's
# migrations, then compared with each crate's .sqlx/). scripts/sqlx.sh build-env's environment
# (its rustc wrapper) is exported for the rest of the run: cargo keeps the wrapper in its
# fingerprints, so the doc tests, the quick start, the system tests' services, the images and
# cargo-nextest all find this build done. The services and their tests resolve every dependency
# with the same features, so `cargo build -p control-api -p app-api` finds it built too.
# On CI (a fresh clone, each crate compiled once) incremental compilation's caches cost time and
# serve nothing: off there, for every cargo command of the run alike.
[ -z "${CI:-}" ] || export CARGO_INCREMENTAL=0
SQLX_LEARNT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/helpdeskly-sqlx.XXXXXX")
lint_and_learn_in_the_build() {
  local exports
  exports=$(scripts/sqlx.sh build-env "$SQLX_LEARNT_DIR")
  eval "$exports"
}
step "the schema databases, and the build's rustc wrapper (clippy, queries)" 15 lint_and_learn_in_the_build
step "the build: every target, clippy's lints, every query learnt (debug)" 525 \
  cargo test --workspace --all-targets --locked --no-run --quiet
step "the checked SQL: what the build learnt against each .sqlx/" 5 scripts/sqlx.sh compare "$SQLX_LEARNT_DIR"
step "doc tests" 20 cargo test --workspace --doc --locked --quiet

web_app() {
  command -v npm >/dev/null || apt_install nodejs npm
  if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
  (cd web && npm run --silent build >/dev/null && npm test --silent)
  # The OpenID Provider the single sign-on tests sign in with (testkit::oidc: oidc-provider, pinned).
  if [ ! -f testkit/oidc-provider/node_modules/.package-lock.json ] ||
    [ testkit/oidc-provider/package-lock.json -nt testkit/oidc-provider/node_modules/.package-lock.json ]; then
    (cd testkit/oidc-provider && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
step "the web app: API types, type check, unit tests, build (web/)" 60 web_app

step "the README's quick start and first hour (scripts/dev.sh --check)" 40 scripts/dev.sh --check

# ---- the system tests (systests/, under pytest): the edge, faults, monitoring, fuzz, browser ----
# Each suite's programs are installed with apt-get (nginx, Prometheus, Chromium) or cargo
# (s3s-fs) when missing, its Python packages (systests/requirements.txt, pinned) into a virtual
# environment of their own; each starts its own services, nginx or Prometheus on free ports, and
# removes them and its databases when done: the edge (nginx in front of both planes:
# scripts/edge-test.sh alone), faults under traffic through nginx, the chaos suite's short form
# (scripts/chaos.sh), the monitoring proof (scripts/monitoring-proof.sh), the fuzz run
# (Schemathesis as owner, agent, customer and nobody: scripts/fuzz.sh), and the web app in
# Debian's Chromium (sign-up, sign-in, portal, accessibility: scripts/web-e2e.sh), against both
# services serving the app built above.
prepare_systests() {
  prepare_edge
  prepare_chaos
  prepare_monitoring
  prepare_fuzz
  prepare_web_e2e
  systests_venv >/dev/null
}
install_step "the system tests' programs and packages" 150 prepare_systests
# The suites that mostly wait run beside the ones that work. The monitoring proof (an SLA target
# running out in real time: both cores three-quarters idle) and the run in containers (podman
# building and starting images, a core at most) run beside the fuzz run, the deployment checks
# and the Rust tests (one of them at a time, each under a core and a half with the two beside
# it); the chaos suite (every outage and recovery lived in real time) beside the browser tests
# (Chromium's headless shell, three tests at a time, which wait on mail, live frames and token
# lifetimes as much as they draw). Never podman beside Chromium: each container's network adds
# and removes a bridge on the machine, and Chromium aborts the page loads under way when the
# machine's addresses change (net::ERR_NETWORK_CHANGED). Each on services of its own
# (PostgreSQL, Redis, RabbitMQ's nodes, a mail server, nginx, Prometheus, containers, all on free
# ports; the Rust tests' databases on the machine's PostgreSQL, which no fault touches). The edge
# runs first, alone: its quick-start platform boots a private RabbitMQ, slowly when the clusters
# boot too.
export CHAOS_FORM=short
step "system tests: the edge (nginx)" 45 run_systests systests/test_edge.py
beside "system tests: the monitoring proof (Prometheus)" 100 run_systests systests/test_monitoring.py
beside "the deployment run in containers (scripts/container-check.sh)" 480 scripts/container-check.sh
step "system tests: the fuzz run (both documents, every caller)" 255 run_systests systests/test_fuzz.py

# ---- the deployment (Dockerfile, docker-compose.prod.yml, k8s/, scripts/) -------------------
# First offline: docker-compose config, the k8s manifests rendered and checked against the
# Kubernetes schemas offline, hadolint, shellcheck on every script. Then the same files run for
# real: both images built with podman and the compose file's services started from them, the
# first organisation served through their nginx.
step "the deployment: compose, k8s, Dockerfile and scripts (scripts/deploy-check.sh)" 25 scripts/deploy-check.sh

# ---- every Rust test (cargo-nextest), still beside the monitoring proof and the containers ----
profile=default
[ -n "${CI:-}" ] && profile=ci
step "the Rust tests (cargo nextest)" 285 cargo nextest run --workspace --locked --profile "$profile" "$@"
joined || die "a step run beside the others failed (its output is above)"
beside "system tests: chaos (short form, single servers and clusters)" 370 run_systests systests/test_chaos.py
step "system tests: the web app in Chromium" 420 run_systests systests/test_web_e2e.py
joined || die "a step run beside the others failed (its output is above)"
# ---------------------------------------------------------------------------------------------
