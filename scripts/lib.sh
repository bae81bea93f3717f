# shellcheck shell=bash
# Helpers for the scripts in this folder; sourced, not run.

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# port_open HOST PORT: whether something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# as_root CMD...: runs CMD as root (directly, or through sudo).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=
# apt_install PKG...: installs Debian packages, updating the lists once.
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: install $* yourself"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# pg_owner, pg_as_owner CMD...: PostgreSQL refuses to run as root, so a private cluster belongs
# to an ordinary user then (postgres when it exists), and its programs run as that user.
pg_owner() {
  if [ "$(id -u)" != 0 ]; then id -un
  elif id postgres >/dev/null 2>&1; then echo postgres
  else echo nobody
  fi
}
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$(pg_owner)" -- "$@"; else "$@"; fi
}

# pg_bindir: the directory holding initdb/pg_ctl (PATH first, then Debian's layout).
pg_bindir() {
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return
  fi
  local dir
  # shellcheck disable=SC2012 # Debian's version folders (15, 17 ...), sorted by version
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

# ensure_edge_tools [PKG...]: what running nginx/'s configuration beside the services needs
# (nginx, envsubst, openssl, psql), and the Debian packages PKG..., installed with apt-get in one
# go when any is missing; nginx's /usr/sbin goes on PATH.
ensure_edge_tools() {
  local missing=("$@")
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v envsubst >/dev/null || missing+=(gettext-base)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v psql >/dev/null || missing+=(postgresql-client)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
  export PATH=$PATH:/usr/sbin
}

# imap_login_ok HOST PORT USER PASSWORD: whether the IMAP server there accepts that login.
imap_login_ok() (
  exec 3<>"/dev/tcp/$1/$2" 2>/dev/null || exit 1
  local line user=${3//\\/\\\\} password=${4//\\/\\\\}
  user=${user//\"/\\\"} password=${password//\"/\\\"}
  IFS= read -r -t 5 line <&3 || exit 1   # the greeting
  printf 'h1 LOGIN "%s" "%s"\r\nh2 LOGOUT\r\n' "$user" "$password" >&3
  while IFS= read -r -t 5 line <&3; do
    case $line in
      "h1 OK"*) exit 0 ;;
      "h1 "*) exit 1 ;;
    esac
  done
  exit 1
)

S3S_FS_VERSION=0.14.1
# ensure_s3s_fs: s3s-fs, an S3 server on a folder that checks request signatures (the tests' S3),
# installed with cargo when missing.
ensure_s3s_fs() {
  if ! s3s-fs --version 2>/dev/null | grep -q " $S3S_FS_VERSION\$"; then
    say "installing s3s-fs $S3S_FS_VERSION (an S3 server for the tests)"
    cargo install s3s-fs --version "$S3S_FS_VERSION" --features binary --locked
  fi
}

# pip_venv DIR WHAT PIP_ARGS...: makes DIR a virtual environment holding what `pip install
# PIP_ARGS` installs (pinned packages, or -r a pinned file) unless it already does, saying WHAT
# it is for; prints DIR. The marker is written once pip has finished: a half-made environment is
# made again.
pip_venv() {
  local venv=$1 what=$2
  shift 2
  if [ ! -f "$venv/.installed" ]; then
    say "installing $* ($what) into $venv"
    command -v python3 >/dev/null || apt_install python3
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$venv"; }
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
    touch "$venv/.installed"
  fi
  echo "$venv"
}

SYSTESTS_REQUIREMENTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/systests/requirements.txt
# requirement_pin PACKAGE: the version systests/requirements.txt pins PACKAGE to.
requirement_pin() {
  local version
  version=$(sed -n "s/^$1==\([^ ]*\).*/\1/p" "$SYSTESTS_REQUIREMENTS")
  [ -n "$version" ] || die "systests/requirements.txt pins no $1"
  echo "$version"
}

# systests_venv: prints the virtual environment of the system tests, holding every package of
# systests/requirements.txt (pinned), made with pip when missing; named by the file's checksum,
# so a changed file makes a new one.
systests_venv() {
  local sum
  sum=$(sha256sum "$SYSTESTS_REQUIREMENTS" | cut -c1-12)
  pip_venv "${SYSTESTS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/helpdeskly/systests-$sum}" \
    "the system tests' packages" -r "$SYSTESTS_REQUIREMENTS"
}

# run_systests PYTEST_ARGS...: pytest over the system tests (systests/, its fixtures in
# conftest.py) with the Python of systests_venv; fails when a test fails or none ran. The tests'
# own fixtures start what they need; the caller installs the programs (nginx, Prometheus...).
run_systests() {
  local venv
  venv=$(systests_venv)
  PYTHONDONTWRITEBYTECODE=1 PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 "$venv/bin/python" -m pytest -c systests/pytest.ini "$@"
}

# What each system test suite needs beside its Python packages, installed when missing (the
# suites start their own services from these programs):
# prepare_edge: nginx and its tools (ensure_edge_tools), s3s-fs.
prepare_edge() {
  # shellcheck disable=SC2119 # no packages beyond the edge's own
  ensure_edge_tools
  ensure_s3s_fs
}

# prepare_chaos: nginx's tools, PostgreSQL's server programs, redis-server; the local RabbitMQ
# must be listening and its programs installed (scripts/test.sh does both).
prepare_chaos() {
  local servers=()
  [ -n "$(pg_bindir)" ] || servers+=(postgresql)
  command -v redis-server >/dev/null || servers+=(redis-server)
  ensure_edge_tools "${servers[@]}"
  port_open 127.0.0.1 5672 || die "RabbitMQ does not listen on 127.0.0.1:5672 (scripts/test.sh starts it)"
  # The clusters' run starts three nodes of its own from RabbitMQ's programs.
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || die "RabbitMQ's programs are not installed (scripts/test.sh)"
}

# prepare_monitoring: Prometheus (promtool included), psql.
prepare_monitoring() {
  local missing=()
  command -v prometheus >/dev/null || missing+=(prometheus)
  command -v psql >/dev/null || missing+=(postgresql-client)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
}

# prepare_fuzz: psql (Schemathesis is in systests/requirements.txt).
prepare_fuzz() {
  command -v psql >/dev/null || apt_install postgresql-client
}

# prepare_web_e2e: Debian's Chromium as its headless shell (the same engine without a browser's
# windows and their pages: a fifth less CPU than headless Chromium for the same tests), Node.js,
# e2e/'s packages (type-checked), the OpenID Provider of the single sign-on test
# (testkit/oidc-provider's packages), and the test mail server (TEST_SMTP_URL, TEST_IMAP_ADDR,
# TEST_MAIL_PASSWORD) started when its SMTP port is closed.
prepare_web_e2e() {
  local missing=()
  [ -x /usr/bin/chromium-headless-shell ] || missing+=(chromium-headless-shell)
  command -v npm >/dev/null || missing+=(nodejs npm)
  command -v psql >/dev/null || missing+=(postgresql-client)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
  if [ ! -f e2e/node_modules/.package-lock.json ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
    say "installing the end-to-end test packages"
    (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
  (cd e2e && npx tsc --noEmit) || die "the end-to-end tests do not type-check"
  # The OpenID Provider the single sign-on test starts (e2e/tests/oidc.ts).
  if [ ! -f testkit/oidc-provider/node_modules/.package-lock.json ] ||
    [ testkit/oidc-provider/package-lock.json -nt testkit/oidc-provider/node_modules/.package-lock.json ]; then
    say "installing the OpenID Provider of the single sign-on tests"
    (cd testkit/oidc-provider && npm ci --no-audit --no-fund --loglevel=error)
  fi
  export TEST_SMTP_URL=${TEST_SMTP_URL:-smtp://127.0.0.1:2525}
  export TEST_IMAP_ADDR=${TEST_IMAP_ADDR:-127.0.0.1:2143}
  export TEST_MAIL_PASSWORD=${TEST_MAIL_PASSWORD:-helpdeskly-test}
  local smtp=${TEST_SMTP_URL#smtp://}
  smtp=${smtp%%[/?]*}
  [ "${TEST_IMAP_ADDR%:*}" = "${smtp%:*}" ] || die "TEST_SMTP_URL and TEST_IMAP_ADDR must name the same host (one mail server)"
  ensure_mail_catcher "${smtp%:*}" "${smtp##*:}" "${TEST_IMAP_ADDR##*:}" "${TEST_MAIL_HTTP_PORT:-2080}" "$TEST_MAIL_PASSWORD" \
    "${TMPDIR:-/tmp}/helpdeskly-test-services/mail"
}

# mail_devel_venv: prints the virtual environment holding mail-devel alone (below), at the
# version systests/requirements.txt pins, installed with pip when missing. Scripts that start
# and stop a private mail server of their own run "$(mail_devel_venv)/bin/python" -m mail_devel.
mail_devel_venv() {
  local version
  version=$(requirement_pin mail-devel)
  pip_venv "${MAIL_DEVEL_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/helpdeskly/mail-devel-$version}" \
    "a mail server for development and tests" "mail-devel==$version"
}

# webhook_receiver_venv: prints the virtual environment holding standardwebhooks alone (PyPI, at
# the version systests/requirements.txt pins), an implementation of Standard Webhooks of its own
# that systests/webhook_receiver.py checks the platform's webhook signatures with, installed
# with pip when missing. testkit's webhooks module runs systests/webhook_receiver.py with
# "$WEBHOOK_RECEIVER_VENV/bin/python".
webhook_receiver_venv() {
  local version
  version=$(requirement_pin standardwebhooks)
  pip_venv "${WEBHOOK_RECEIVER_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/helpdeskly/standardwebhooks-$version}" \
    "the webhook tests' signature check" "standardwebhooks==$version"
}

# dev_check_venv: prints the virtual environment holding pika alone (PyPI, at the version
# systests/requirements.txt pins), with which scripts/dev-check.py publishes an order event on the
# broker scripts/dev.sh started.
dev_check_venv() {
  local version
  version=$(requirement_pin pika)
  pip_venv "${DEV_CHECK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/helpdeskly/pika-$version}" \
    "the development install's check" "pika==$version"
}

# ensure_mail_catcher HOST SMTP_PORT IMAP_PORT HTTP_PORT PASSWORD DIR: a mail server for
# development and tests, mail-devel from PyPI (pinned): an in-memory SMTP sink, an IMAP server
# and a small web UI on HTTP_PORT. In its multi-user mode every recipient address has a mailbox
# of its own, logged into over IMAP with the address and PASSWORD. Installed with pip into a
# virtual environment of its own when missing; started when nothing listens on SMTP_PORT,
# detached (nohup) with DIR as its working directory (it must outlive the caller: not a CI
# clone), logging to DIR/mail-devel.log, its pid in DIR/mail-devel.pid. Then both ports are
# awaited, and PASSWORD is tried with an IMAP login, so that another server holding the ports is
# named here rather than failing every reader of the mail later.
ensure_mail_catcher() {
  local host=$1 smtp=$2 imap=$3 http=$4 password=$5 dir=$6
  local venv
  venv=$(mail_devel_venv)
  if ! port_open "$host" "$smtp"; then
    say "starting mail-devel: SMTP $host:$smtp, IMAP $host:$imap, web UI http://$host:$http/"
    mkdir -p "$dir"
    # The password from the environment rather than the command line, which any local user reads.
    # (The cd on a line of its own: `cd && cmd &` would put the whole list, not cmd, behind $!.)
    (
      cd "$dir" || exit 1
      MAIL_PASSWORD=$password nohup "$venv/bin/python" -m mail_devel --host "$host" --multi-user \
        --smtp-port "$smtp" --imap-port "$imap" --http-port "$http" </dev/null >"$dir/mail-devel.log" 2>&1 &
      echo $! >"$dir/mail-devel.pid"
    )
  fi
  local _
  for _ in $(seq 1 80); do
    if port_open "$host" "$smtp" && port_open "$host" "$imap"; then
      imap_login_ok "$host" "$imap" "probe@helpdeskly.test" "$password" && return
      die "the IMAP server on $host:$imap refuses the password it was given: another mail server holds these ports (stop it, or give its password)"
    fi
    sleep 0.25
  done
  die "mail-devel does not listen on $host:$smtp (SMTP) and $host:$imap (IMAP) (see $dir/mail-devel.log)"
}

# build_web: the web app (web/) with its packages installed, built when anything it is built
# from is newer than the last build (web/dist: both services serve it, the web image holds it).
build_web() {
  [ -f web/package.json ] || return 0
  if ! command -v npm >/dev/null; then
    say "installing Node.js and npm"
    apt_install nodejs npm
  fi
  if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    say "installing the web app's packages"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
  if [ ! -f web/dist/index.html ] || [ -n "$(find web/src web/api web/index.html web/package-lock.json web/vite.config.* \
       -newer web/dist/index.html -print -quit 2>/dev/null)" ]; then
    say "building the web app"
    (cd web && npm run --silent build >/dev/null) || die "the web app did not build: run (cd web && npm run build)"
  fi
}

# The container runtime of scripts/container-check.sh: Debian's podman with runc (crun refuses
# hybrid cgroups), the vfs storage driver and a store of its own (systests/containers.py's
# PODMAN), debootstrap for the base image, docker-compose to render the compose file.
CONTAINER_STORE=${CONTAINER_STORE:-${XDG_CACHE_HOME:-$HOME/.cache}/helpdeskly/containers/storage}
CONTAINER_RUNROOT=${CONTAINER_RUNROOT:-/run/helpdeskly-containers}
export CONTAINER_STORE CONTAINER_RUNROOT
# The sandbox's own limits, which runc may not raise (systests/containers.py's LIMITS).
CONTAINER_LIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
container_podman() {
  podman --root "$CONTAINER_STORE" --runroot "$CONTAINER_RUNROOT" --storage-driver vfs --runtime runc "$@"
}

# ensure_base_image: debian:trixie-slim in the containers' store, made by debootstrap of Debian's
# minbase from its package mirror (DEBIAN_MIRROR overrides it) and imported, once: no registry is
# reachable here. Its root is 0755, and one made before that was ensured is made again.
ensure_base_image() {
  if container_podman image exists debian:trixie-slim &&
    [ "$(container_podman run --rm "${CONTAINER_LIMITS[@]}" --network none debian:trixie-slim stat -c %a /)" != 755 ]; then
    say "the base image's root is not 0755: making it again"
    container_podman rmi --force debian:trixie-slim >/dev/null
  fi
  if ! container_podman image exists debian:trixie-slim; then
    local root
    root=$(mktemp -d "${TMPDIR:-/tmp}/helpdeskly-debootstrap.XXXXXX")
    # mktemp made it 0700, and the archive's "." becomes the image's root: every user of the
    # images built on it (10001, 101) must be able to enter it.
    chmod 0755 "$root"
    say "making the base image debian:trixie-slim (debootstrap --variant=minbase trixie)"
    debootstrap --variant=minbase trixie "$root" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
      >"$root.log" 2>&1 || die "debootstrap failed (see $root.log)"
    tar -C "$root" -c . | container_podman import --change 'CMD ["bash"]' - localhost/debian:trixie-slim >/dev/null
    rm -rf "$root" "$root.log"
  fi
}

# prepare_containers: podman, runc, debootstrap, docker-compose, openssl and s3s-fs installed;
# the base image in the store (ensure_base_image); control-api and app-api built (CONTAINER_PROFILE:
# debug unless told release) and the web app built, for the Dockerfile's `prebuilt` stage.
prepare_containers() {
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v runc >/dev/null || missing+=(runc)
  command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v openssl >/dev/null || missing+=(openssl)
  # podman's bridge networks: the CNI plugins and iptables.
  [ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
  command -v iptables >/dev/null || [ -x /usr/sbin/iptables ] || missing+=(iptables)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
  export PATH=$PATH:/usr/sbin
  ensure_s3s_fs
  ensure_base_image
  local profile=${CONTAINER_PROFILE:-debug} flags=()
  [ "$profile" = release ] && flags+=(--release)
  say "building control-api and app-api ($profile) and the web app for the images"
  cargo build --locked "${flags[@]}" -p control-api -p app-api
  build_web
}

# The run's steps (scripts/test.sh): `step NAME BUDGET CMD...` says NAME, runs CMD and notes its
# wall time against BUDGET seconds, saying so at once when it took more than 1.5 times that, and
# the CPU time of the processes it waited for (both cores busy for the whole step: twice its wall
# time); `install_step NAME BUDGET CMD...` is the same for what a new machine installs (a budget
# of its own, apart from the run's). `beside NAME BUDGET CMD...` starts a step in the background,
# its output kept apart, while the next steps go on; `joined` waits for every step started
# beside, shows their output and fails when one failed. `step_table` prints every step so far with
# its budget and times, the one that failed marked, and the totals: scripts/test.sh prints it when
# it ends, passed or failed, and writes it to artifacts/steps.txt.
STEP_ROWS=()
STEP_NAME=
STEPS_STARTED=
BESIDE=()
BESIDE_STARTED=0
step() { run_step run "$@"; }
install_step() { run_step install "$@"; }

# waited_cpu: WAITED_CPU set to the CPU seconds, times 100, of the processes this shell (or
# subshell) has waited for so far.
waited_cpu() {
  local stat
  read -r -a stat <"/proc/$BASHPID/stat"
  WAITED_CPU=$((stat[15] + stat[16]))
}

run_step() {
  waited_cpu
  STEP_KIND=$1 STEP_NAME=$2 STEP_BUDGET=$3 STEP_STARTED=$EPOCHREALTIME STEP_CPU=$WAITED_CPU
  [ -n "$STEPS_STARTED" ] || STEPS_STARTED=$EPOCHREALTIME
  shift 3
  say "$STEP_NAME"
  "$@"
  step_noted ""
}

# step_noted MARK: the running step's row, its time so far, MARK after it ("failed", or none).
step_noted() {
  [ -n "$STEP_NAME" ] || return 0
  local took cpu
  took=$(awk -v a="$STEP_STARTED" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
  waited_cpu
  cpu=$(((WAITED_CPU - STEP_CPU + 50) / 100))
  local mark=$1
  if [ "$took" -gt $((STEP_BUDGET * 3 / 2)) ]; then
    say "over budget: \"$STEP_NAME\" took ${took} s, its budget is ${STEP_BUDGET} s"
    mark="${mark:+$mark, }over 1.5x its budget"
  fi
  STEP_ROWS+=("$STEP_KIND|$STEP_NAME|$STEP_BUDGET|$took|$cpu|$mark")
  STEP_NAME=
}

# beside NAME BUDGET CMD...: the step run in the background, its output in artifacts/steps/.
beside() {
  local name=$1 log
  mkdir -p artifacts/steps
  BESIDE_STARTED=$((BESIDE_STARTED + 1))
  log="artifacts/steps/beside-$BESIDE_STARTED.log"
  [ -n "$STEPS_STARTED" ] || STEPS_STARTED=$EPOCHREALTIME
  say "$name: started beside the next steps (its output when it ends, and in $log)"
  (
    trap 'step_noted failed; row=${STEP_ROWS[-1]} mark=${STEP_ROWS[-1]##*|}
      printf "%s|%s\n" "${row%|*}" "${mark:+$mark, }beside" >"$log.row"' EXIT
    run_step run "$@"
  ) >"$log" 2>&1 &
  BESIDE+=("$!:$log")
}

# joined: every step started beside waited for, its output shown and its row noted; returns 1,
# naming them, when one of them failed.
joined() {
  local entry pid log failed=()
  for entry in "${BESIDE[@]}"; do
    pid=${entry%%:*} log=${entry#*:}
    if ! wait "$pid"; then failed+=("$(head -1 "$log.row" | cut -d'|' -f2)"); fi
    cat "$log" >&2
    STEP_ROWS+=("$(cat "$log.row")")
  done
  BESIDE=()
  [ ${#failed[@]} -eq 0 ] || { say "failed beside the other steps: ${failed[*]}"; return 1; }
}

# step_table: the steps so far, one a line: name, budget, wall and CPU time, marks; then the
# totals of the installs and of the run (the run's wall time too, steps beside others counted
# once).
step_table() {
  local row kind name budget took cpu mark wall
  local -A budgets=([install]=0 [run]=0) total=([install]=0 [run]=0)
  printf '\n%-66s %8s %8s %8s\n' "step" "budget" "took" "cpu"
  for row in "${STEP_ROWS[@]}"; do
    IFS='|' read -r kind name budget took cpu mark <<<"$row"
    printf '%-66s %6s s %6s s %6s s%s\n' "$name" "$budget" "$took" "$cpu" "${mark:+  <- $mark}"
    budgets[$kind]=$((budgets[$kind] + budget)) total[$kind]=$((total[$kind] + took))
  done
  for kind in install run; do
    took=${total[$kind]}
    printf '%-66s %6s s %6s s  (%d:%02d)\n' "$([ $kind = run ] && echo "the steps, one after the other" || echo "the installs")" \
      "${budgets[$kind]}" "$took" $((took / 60)) $((took % 60))
  done
  if [ -n "$STEPS_STARTED" ]; then
    wall=$(awk -v a="$STEPS_STARTED" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
    printf '%-66s %8s %6s s  (%d:%02d)\n' "all, as it ran (installs included)" "" "$wall" $((wall / 60)) $((wall % 60))
  fi
}
