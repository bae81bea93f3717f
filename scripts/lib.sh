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
