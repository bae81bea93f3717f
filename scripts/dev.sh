#!/usr/bin/env bash
# Runs the whole platform on this machine: control-api on :6500 and app-api on :6501.
#
# With no CONTROL_DATABASE_URL, a private PostgreSQL cluster is created (first run) under
# .data/pg on a free local port and started. Development secrets (DB_ENCRYPTION_KEY, an
# Ed25519 key pair for JWT) are generated once into .data/. With no AMQP_URL, a private RabbitMQ
# node (Debian's rabbitmq-server, a node name and free local ports of its own) runs under
# .data/rabbitmq, so events, notifications, mail, live updates, webhooks and order events all
# work; AMQP_URL= (set and empty) runs without a broker, and the banner says what is then off.
# Redis and S3 are used when their variables are set (see .env.example), and optional
# otherwise. Webhooks may reach local addresses (WEBHOOK_ALLOW_PRIVATE_TARGETS=true unless set).
# With no SMTP_URL, a
# private mail server (mail-devel, installed once with pip; scripts/lib.sh) catches every mail
# the services send, on free local ports, readable in its web UI and over IMAP; SMTP_URL= (set
# and empty) runs without one (mail then waits in its table).
# Ctrl-C (or SIGTERM) stops everything this script started; the next run adopts what an earlier
# one left running. What it needs and lacks (PostgreSQL server and client, RabbitMQ, openssl,
# curl, a C compiler) it installs with apt-get first.
#
#   scripts/dev.sh           # run until Ctrl-C
#   scripts/dev.sh --check   # start, run the README's quick start and the first hour's proof
#                            # (scripts/dev-check.py), stop (CI runs this)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

check=
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) die "usage: scripts/dev.sh [--check]" ;;
esac

ROOT=$PWD
DATA=$ROOT/.data
mkdir -p "$DATA"
chmod 700 "$DATA"

started_pg=
started_mail=
started_broker=
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$started_mail" ]; then
    stop_private_mail
  fi
  if [ -n "$started_broker" ]; then
    stop_private_broker
  fi
  if [ -n "$started_pg" ]; then
    say "stopping the private PostgreSQL"
    pg_as_owner "$PG_BIN/pg_ctl" -D "$DATA/pg" -m fast -w stop >/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_port [FIRST [LAST]]: the first port in FIRST..LAST (55432..55532) nothing listens on.
free_port() {
  local port first=${1:-55432} last=${2:-55532}
  for port in $(seq "$first" "$last"); do
    port_open 127.0.0.1 "$port" || { echo "$port"; return; }
  done
  die "no free port between $first and $last"
}

start_private_postgres() {
  PG_BIN=$(pg_bindir) || true
  [ -n "$PG_BIN" ] || die "PostgreSQL server programs (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql: install them (Debian: apt-get install postgresql) or set CONTROL_DATABASE_URL"
  local owner port
  owner=$(pg_owner)
  mkdir -p "$DATA/pg-run"
  [ "$(id -u)" = 0 ] && chown "$owner" "$DATA" "$DATA/pg-run"
  if [ ! -f "$DATA/pg/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster in .data/pg"
    rm -rf "$DATA/pg"
    pg_as_owner "$PG_BIN/initdb" -D "$DATA/pg" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if [ -f "$DATA/pg.port" ] && ! port_open 127.0.0.1 "$(cat "$DATA/pg.port")"; then
    port=$(cat "$DATA/pg.port")
  elif [ -f "$DATA/pg.port" ] && pg_as_owner "$PG_BIN/pg_ctl" -D "$DATA/pg" status >/dev/null 2>&1; then
    port=$(cat "$DATA/pg.port")   # still running from an earlier run: adopt it
  else
    port=$(free_port)
  fi
  echo "$port" > "$DATA/pg.port"
  if ! pg_as_owner "$PG_BIN/pg_ctl" -D "$DATA/pg" status >/dev/null 2>&1; then
    say "starting the private PostgreSQL on 127.0.0.1:$port"
    pg_as_owner "$PG_BIN/pg_ctl" -D "$DATA/pg" -l "$DATA/pg.log" -w -t 30 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $DATA/pg-run -c max_connections=200" start >/dev/null \
      || die "PostgreSQL did not start: see .data/pg.log"
  fi
  started_pg=1
  local admin="postgres://postgres@127.0.0.1:$port"
  if ! psql "$admin/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = 'helpdeskly_control'" | grep -q 1; then
    psql "$admin/postgres" -qc "CREATE DATABASE helpdeskly_control" >/dev/null
  fi
  export CONTROL_DATABASE_URL="$admin/helpdeskly_control"
  export TENANT_DATABASE_URL=${TENANT_DATABASE_URL:-$admin/postgres}
}

# The private mail server (scripts/lib.sh's ensure_mail_catcher) under .data/mail: the one an
# earlier run left running is adopted with its ports (.data/mail.ports), else one is started on
# free ones. Every recipient address is a mailbox of its own.
MAIL_DEV_PASSWORD=helpdeskly-dev
mail_pid() {
  local pid
  pid=$(cat "$DATA/mail/mail-devel.pid" 2>/dev/null) || return 1
  grep -qa mail_devel "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}
start_private_mail() {
  local ports
  if mail_pid >/dev/null && ports=$(cat "$DATA/mail.ports" 2>/dev/null); then
    read -r MAIL_SMTP_PORT MAIL_IMAP_PORT MAIL_HTTP_PORT <<<"$ports"
  else
    stop_private_mail   # one whose ports are not known
    MAIL_SMTP_PORT=$(free_port 26025 26079) MAIL_IMAP_PORT=$(free_port 26143 26179) MAIL_HTTP_PORT=$(free_port 26180 26219)
    echo "$MAIL_SMTP_PORT $MAIL_IMAP_PORT $MAIL_HTTP_PORT" >"$DATA/mail.ports"
  fi
  started_mail=1
  ensure_mail_catcher 127.0.0.1 "$MAIL_SMTP_PORT" "$MAIL_IMAP_PORT" "$MAIL_HTTP_PORT" "$MAIL_DEV_PASSWORD" "$DATA/mail"
  export SMTP_URL=smtp://127.0.0.1:$MAIL_SMTP_PORT
  # Local addresses: the catcher takes mail for any of them, replies to the reply tokens too.
  export MAIL_FROM=${MAIL_FROM:-helpdeskly@$APP_BASE_DOMAIN} MAIL_REPLY_DOMAIN=${MAIL_REPLY_DOMAIN:-$APP_BASE_DOMAIN}
}
stop_private_mail() {
  local pid
  pid=$(mail_pid) || return 0
  say "stopping the private mail server"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}

# The private RabbitMQ node under .data/rabbitmq: its own node name, AMQP port and distribution
# port on 127.0.0.1 (.data/rabbitmq.ports), its data, logs and Erlang cookie in that folder (the
# node's HOME). The private servers' ports are below Linux's ephemeral range (32768 and up), so
# that no outgoing connection takes one while a slow node boots. Never a broker this script did
# not start: one of this node name already running is adopted with its ports, else one is started
# on free ones.
# The node name is this checkout's own (a checkout elsewhere runs a node of its own).
BROKER_NODE=helpdeskly-dev-$(printf %s "$DATA" | sha256sum | cut -c1-8)@localhost
RABBITMQ_LIB=/usr/lib/rabbitmq/bin
broker_env() {
  env HOME="$DATA/rabbitmq" RABBITMQ_NODENAME="$BROKER_NODE" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$BROKER_PORT" RABBITMQ_DIST_PORT="$BROKER_DIST_PORT" \
    RABBITMQ_MNESIA_BASE="$DATA/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$DATA/rabbitmq/log" \
    RABBITMQ_PID_FILE="$DATA/rabbitmq/pid" RABBITMQ_CONFIG_FILE="$DATA/rabbitmq/rabbitmq.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$DATA/rabbitmq/enabled_plugins" "$@"
}
broker_running() { broker_env "$RABBITMQ_LIB/rabbitmqctl" -n "$BROKER_NODE" -q status >/dev/null 2>&1; }
# The node's process, from the pid file it writes when it boots: empty when that process has
# ended (or the number is now another program's: the node's command line names its home here).
broker_pid() {
  local pid
  pid=$(cat "$DATA/rabbitmq/pid" 2>/dev/null) || return 0
  [ -n "$pid" ] || return 0
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-home $DATA/rabbitmq "; then echo "$pid"; fi
}
# Waits up to $1 tenths of a second for the node's process to end, then kills it: a node still
# shutting down holds its name, and a new node of that name would not start.
await_broker_exit() {
  local pid
  pid=$(broker_pid)
  [ -n "$pid" ] || return 0
  for _ in $(seq 1 "$1"); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}
start_private_broker() {
  mkdir -p "$DATA/rabbitmq/mnesia" "$DATA/rabbitmq/log"
  local ports
  if ports=$(cat "$DATA/rabbitmq.ports" 2>/dev/null); then
    read -r BROKER_PORT BROKER_DIST_PORT <<<"$ports"
  fi
  if [ -z "${BROKER_PORT:-}" ] || ! broker_running; then
    # A node of ours that does not answer (one still stopping, or stuck) is ended first.
    await_broker_exit 100
    echo '[].' >"$DATA/rabbitmq/enabled_plugins"
    local out="$DATA/rabbitmq/log/start.out" started="" attempt
    for attempt in $(seq 1 30); do
      # Launched again when the node's process has ended without answering (at most 3 times),
      # on ports chosen again (another program may have taken one while it booted).
      if [ -z "$(broker_pid)" ] && { [ "$attempt" = 1 ] || [ "$attempt" = 11 ] || [ "$attempt" = 21 ]; }; then
        BROKER_PORT=$(free_port 26672 26699) BROKER_DIST_PORT=$(free_port 26700 26729)
        echo "$BROKER_PORT $BROKER_DIST_PORT" >"$DATA/rabbitmq.ports"
        printf 'listeners.tcp.default = 127.0.0.1:%s\n' "$BROKER_PORT" >"$DATA/rabbitmq/rabbitmq.conf"
        say "starting a private RabbitMQ on 127.0.0.1:$BROKER_PORT"
        broker_env "$RABBITMQ_LIB/rabbitmq-server" -detached >>"$out" 2>&1 || true
      fi
      if broker_env "$RABBITMQ_LIB/rabbitmqctl" -n "$BROKER_NODE" -q await_startup --timeout 10 >>"$out" 2>&1; then
        started=1
        break
      fi
      sleep 1
    done
    if [ -z "$started" ]; then
      tail -n 20 "$out" >&2 || true
      die "the private RabbitMQ did not start: see .data/rabbitmq/log"
    fi
  fi
  started_broker=1
  # Development credentials: RabbitMQ's guest user, which it lets in from this machine only.
  export AMQP_URL="amqp://guest:guest@127.0.0.1:$BROKER_PORT/%2f"
}
stop_private_broker() {
  say "stopping the private RabbitMQ"
  broker_env "$RABBITMQ_LIB/rabbitmqctl" -n "$BROKER_NODE" -q stop >/dev/null 2>&1 || true
  await_broker_exit 300
}

generate_secrets() {
  if [ ! -f "$DATA/encryption.key" ]; then
    say "generating development secrets in .data/"
    head -c 32 /dev/urandom | base64 > "$DATA/encryption.key"
  fi
  if [ ! -f "$DATA/jwt-private.pem" ]; then
    command -v openssl >/dev/null || die "openssl not found (needed once to make the development JWT key pair)"
    openssl genpkey -algorithm ed25519 -out "$DATA/jwt-private.pem" 2>/dev/null
    openssl pkey -in "$DATA/jwt-private.pem" -pubout -out "$DATA/jwt-public.pem" 2>/dev/null
  fi
  chmod 600 "$DATA/encryption.key" "$DATA/jwt-private.pem"
  export DB_ENCRYPTION_KEY=${DB_ENCRYPTION_KEY:-$(cat "$DATA/encryption.key")}
  export JWT_PRIVATE_KEY=${JWT_PRIVATE_KEY:-$(cat "$DATA/jwt-private.pem")}
  export JWT_PUBLIC_KEYS=${JWT_PUBLIC_KEYS:-$(cat "$DATA/jwt-public.pem")}
}

ensure_tools() {
  local missing=()
  if [ -z "${CONTROL_DATABASE_URL:-}" ] && [ -z "$(pg_bindir)" ]; then missing+=(postgresql); fi
  command -v psql >/dev/null || missing+=(postgresql-client)
  if [ -z "${AMQP_URL+set}" ] && [ ! -x "$RABBITMQ_LIB/rabbitmq-server" ]; then missing+=(rabbitmq-server); fi
  command -v openssl >/dev/null || missing+=(openssl)
  command -v curl >/dev/null || missing+=(curl ca-certificates)
  command -v cc >/dev/null || missing+=(build-essential)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
}

wait_healthy() {
  local name=$1 url=$2 pid=$3
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || die "$name exited: see the lines above"
    if command -v curl >/dev/null; then
      curl -fsS "$url/health" >/dev/null 2>&1 && return
    elif port_open 127.0.0.1 "${url##*:}"; then
      return
    fi
    sleep 0.2
  done
  die "$name did not become healthy at $url"
}

export LOG_FORMAT=${LOG_FORMAT:-pretty} LOG_LEVEL=${LOG_LEVEL:-info}
export CONTROL_PORT=${CONTROL_PORT:-6500} APP_PORT=${APP_PORT:-6501}
export APP_BASE_DOMAIN=${APP_BASE_DOMAIN:-localhost}
for port in "$CONTROL_PORT" "$APP_PORT"; do
  port_open 127.0.0.1 "$port" && die "port $port is taken: stop what uses it, or set CONTROL_PORT/APP_PORT"
done

ensure_tools
[ -n "${CONTROL_DATABASE_URL:-}" ] || start_private_postgres
generate_secrets
[ -n "${SMTP_URL+set}" ] || start_private_mail
[ -n "${AMQP_URL+set}" ] || start_private_broker
export WEBHOOK_ALLOW_PRIVATE_TARGETS=${WEBHOOK_ALLOW_PRIVATE_TARGETS:-true}

say "building"
cargo build --quiet -p control-api -p app-api
build_web
[ -f web/dist/index.html ] && export WEB_DIR=${WEB_DIR:-$ROOT/web/dist}
# A tenant's web address, for both services: where the sign-up page sends a new organisation,
# and where the links in mail point.
[ -n "${APP_PUBLIC_URL:-}" ] || APP_PUBLIC_URL="http://{slug}.$APP_BASE_DOMAIN:$APP_PORT"
export APP_PUBLIC_URL

target=${CARGO_TARGET_DIR:-$ROOT/target}
# app-api gets the app plane's key, never the master key.
APP_PLANE_KEY=${APP_PLANE_KEY:-$("$target/debug/control-api" app-plane-key)}
LOGS=$DATA/logs
mkdir -p "$LOGS"
# What an operator command needs (create-platform-admin, migrate-tenants), for a later shell.
{
  printf 'export CONTROL_DATABASE_URL=%q TENANT_DATABASE_URL=%q\n' "$CONTROL_DATABASE_URL" "$TENANT_DATABASE_URL"
  printf 'export DB_ENCRYPTION_KEY=%q JWT_PRIVATE_KEY=%q\n' "$DB_ENCRYPTION_KEY" "$JWT_PRIVATE_KEY"
} > "$DATA/control.env"
chmod 600 "$DATA/control.env"

# app-api forwards the web app's sign-in calls from 127.0.0.1 with the client's address.
TRUSTED_PROXIES=${TRUSTED_PROXIES:-127.0.0.1,::1} \
  "$target/debug/control-api" serve > >(tee -a "$LOGS/control-api.log") 2>&1 & pids+=($!)
wait_healthy control-api "http://127.0.0.1:$CONTROL_PORT" "${pids[0]}"
CONTROL_API_URL=${CONTROL_API_URL:-http://127.0.0.1:$CONTROL_PORT}
env -u DB_ENCRYPTION_KEY -u JWT_PRIVATE_KEY APP_PLANE_KEY="$APP_PLANE_KEY" CONTROL_API_URL="$CONTROL_API_URL" \
  "$target/debug/app-api" serve \
  > >(tee -a "$LOGS/app-api.log") 2>&1 & pids+=($!)
wait_healthy app-api "http://127.0.0.1:$APP_PORT" "${pids[1]}"

mail_log=
if [ -n "$started_mail" ]; then
  mail_lines="mail         every mail the services send is caught here, none leaves the machine:
               web UI http://127.0.0.1:$MAIL_HTTP_PORT/
               IMAP 127.0.0.1:$MAIL_IMAP_PORT (no TLS): log in as the recipient's address, password $MAIL_DEV_PASSWORD"
  mail_log="  .data/mail/mail-devel.log"
elif [ -n "${SMTP_URL:-}" ]; then
  mail_lines="mail         sent to the SMTP_URL given"
else
  mail_lines="mail         none sent (SMTP_URL is empty): it waits in the services' tables"
fi
if [ -n "$started_broker" ]; then
  broker_lines="broker       a private RabbitMQ: $AMQP_URL (development credentials, usable as printed)
               order events: publish to the exchange orders_exchange (see docs/configuration.md)"
  broker_log="  .data/rabbitmq/log"
elif [ -n "${AMQP_URL:-}" ]; then
  broker_lines="broker       the AMQP_URL given"
  broker_log=
else
  broker_lines="broker       none (AMQP_URL is empty): notifications, mail about tickets, live updates,
               webhooks and order events are off; events wait in the outboxes"
  broker_log=
fi
cat >&2 <<MSG

  sign up      http://localhost:$CONTROL_PORT/
               each organisation's portal and console at http://{slug}.localhost:$APP_PORT/
  control-api  http://127.0.0.1:$CONTROL_PORT   docs: http://127.0.0.1:$CONTROL_PORT/docs/
  app-api      http://127.0.0.1:$APP_PORT   docs: http://127.0.0.1:$APP_PORT/docs/
               each organisation at http://{slug}.localhost:$APP_PORT (or the X-Tenant-Slug header)
  health, readiness, metrics: /health  /ready  /metrics
  $mail_lines
  $broker_lines
  logs:        .data/logs/control-api.log  .data/logs/app-api.log  .data/pg.log$mail_log$broker_log
  a platform operator:
    (. .data/control.env && $target/debug/control-api create-platform-admin --email you@example.org --password-stdin)
    then every organisation at http://localhost:$CONTROL_PORT/operators/tenants

  Ctrl-C stops everything.
MSG

# The README's quick start, as a user would type it; fails loudly on any unexpected answer.
quick_start() {
  local control="http://127.0.0.1:$CONTROL_PORT" app="http://127.0.0.1:$APP_PORT"
  local slug email body token status=
  slug="check-$(date +%s)-$$" email="owner-$$-$(date +%s)@acme.example"
  body=$(curl -fsS "$control/v1/tenants/signup" -H 'content-type: application/json' -d "{\"organization_name\":\"Acme\",\"slug\":\"$slug\",
    \"admin\":{\"email\":\"$email\",\"password\":\"a long passphrase\",\"firstname\":\"Ada\",\"lastname\":\"L\"}}")
  echo "$body" | grep -q '"status":"provisioning"' || die "signup: $body"
  for _ in $(seq 1 100); do
    status=$(curl -fsS "$control/v1/tenants/$slug/status")
    echo "$status" | grep -q '"active"' && break
    sleep 0.2
  done
  echo "$status" | grep -q '"active"' || die "the organisation did not become active: $status"
  token=$(curl -fsS "$control/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"tenant\":\"$slug\",\"email\":\"$email\",\"password\":\"a long passphrase\"}" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  body=$(curl -fsS "$app/v1/me" -H "x-tenant-slug: $slug" -H "authorization: Bearer $token")
  echo "$body" | grep -q '"role":"owner"' || die "me: $body"
  body=$(curl -fsS "$app/v1/tickets" -H "x-tenant-slug: $slug" -H "authorization: Bearer $token" \
    -H 'content-type: application/json' -d '{"subject":"Parcel not received","description":"Ordered on the 3rd.","category":"shipping"}')
  echo "$body" | grep -q '"ticket_number":"TKT-' || die "create a ticket: $body"
  body=$(curl -fsS "$app/v1/tickets?status=open&q=parcel" -H "x-tenant-slug: $slug" -H "authorization: Bearer $token")
  echo "$body" | grep -q 'Parcel not received' || die "search: $body"
  if [ -n "${WEB_DIR:-}" ]; then
    curl -fsS "$control/" | grep -qi '<!doctype html>' || die "the sign-up page is not served at $control/"
    curl -fsS "$app/" -H "host: $slug.$APP_BASE_DOMAIN:$APP_PORT" | grep -qi '<!doctype html>' \
      || die "the organisation's page is not served at http://$slug.$APP_BASE_DOMAIN:$APP_PORT/"
    curl -fsS -o /dev/null -D - "$app/v1/auth/login" -H "host: $slug.$APP_BASE_DOMAIN:$APP_PORT" -H 'content-type: application/json' \
      -d "{\"tenant\":\"$slug\",\"email\":\"$email\",\"password\":\"a long passphrase\"}" | grep -qi '^set-cookie: helpdeskly_refresh=' \
      || die "signing in on the organisation's host gave no refresh cookie"
  fi
  say "quick start: signup, login, me, a ticket and a search all answered as the README says"
  if [ -n "$started_mail" ] && [ -n "$started_broker" ]; then
    say "the first hour: an order event, an assignment, a reply (scripts/dev-check.py)"
    "$(dev_check_venv)/bin/python" scripts/dev-check.py --control "$control" --app "$app" --slug "$slug" \
      --owner-email "$email" --amqp "$AMQP_URL" --imap-port "$MAIL_IMAP_PORT" --mail-password "$MAIL_DEV_PASSWORD" \
      || die "the first hour's proof failed (the lines above say what did not arrive)"
  else
    say "the first hour's proof needs the private mail server and broker (SMTP_URL and AMQP_URL unset): skipped"
  fi
}

if [ -n "$check" ]; then
  quick_start
  exit 0
fi
wait -n "${pids[@]}" || true
say "a service stopped; shutting down the rest"
