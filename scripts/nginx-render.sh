#!/usr/bin/env bash
# Renders the edge configuration (nginx/) into OUT_DIR, ready for
#
#   nginx -p OUT_DIR -c OUT_DIR/nginx.conf
#
# which keeps its pid, logs (OUT_DIR/logs) and temp files (OUT_DIR/tmp) inside OUT_DIR, so it runs
# unprivileged on any ports. nginx/templates/**.template get their ${VAR} placeholders filled by
# envsubst, as the official nginx image does, and only the variables listed here are touched
# (nginx's own $host, $request_id ... pass through); nginx/snippets/ is copied as is.
#
# Required: CONTROL_UPSTREAM (host:port), APP_UPSTREAM (host:port, or several separated by commas:
# app-api's replicas, which nginx balances and retries idempotent requests on), APP_BASE_DOMAIN (tenants at
# {slug}.APP_BASE_DOMAIN; the apex is the control host), TLS_CERT, TLS_KEY (PEM files, a
# certificate for APP_BASE_DOMAIN and *.APP_BASE_DOMAIN), WEB_ROOT (the web app's files).
# Optional: HTTP_PORT (80), HTTPS_PORT (443), PUBLIC_HTTPS_PORT (HTTPS_PORT: where clients reach
# HTTPS, which plain HTTP redirects to; another port when a container's is published as it),
# S3_UPSTREAM (host:port of the S3 server behind https://files.APP_BASE_DOMAIN, 127.0.0.1:9000),
# NGINX_VERSION (the version of the nginx that will run it, for the HTTP/2 syntax: `http2 on;`
# from 1.25.1, `listen ... ssl http2` before; by default `nginx -v`'s, else the newer syntax).
#
#   CONTROL_UPSTREAM=127.0.0.1:6500 APP_UPSTREAM=127.0.0.1:6501 APP_BASE_DOMAIN=helpdeskly.example \
#     TLS_CERT=/etc/ssl/helpdeskly.pem TLS_KEY=/etc/ssl/helpdeskly.key WEB_ROOT=/srv/web \
#     scripts/nginx-render.sh /etc/helpdeskly/nginx
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"

[ $# -eq 1 ] || die "usage: scripts/nginx-render.sh OUT_DIR"
command -v envsubst >/dev/null || apt_install gettext-base

export HTTP_PORT=${HTTP_PORT:-80} HTTPS_PORT=${HTTPS_PORT:-443} S3_UPSTREAM=${S3_UPSTREAM:-127.0.0.1:9000}
PUBLIC_HTTPS_PORT=${PUBLIC_HTTPS_PORT:-$HTTPS_PORT}
for var in CONTROL_UPSTREAM APP_UPSTREAM APP_BASE_DOMAIN TLS_CERT TLS_KEY WEB_ROOT; do
  [ -n "${!var:-}" ] || die "$var is not set (see scripts/nginx-render.sh)"
done
[[ $CONTROL_UPSTREAM =~ ^[^[:space:]/,]+:[0-9]+$ ]] || die "CONTROL_UPSTREAM must be host:port, not '$CONTROL_UPSTREAM'"
[[ $APP_UPSTREAM =~ ^[^[:space:]/,]+:[0-9]+(,[^[:space:]/,]+:[0-9]+)*$ ]] \
  || die "APP_UPSTREAM must be host:port, or several separated by commas, not '$APP_UPSTREAM'"
[[ $S3_UPSTREAM =~ ^[^[:space:]/,]+:[0-9]+$ ]] || die "S3_UPSTREAM must be host:port, not '$S3_UPSTREAM'"
for var in HTTP_PORT HTTPS_PORT PUBLIC_HTTPS_PORT; do
  [[ ${!var} =~ ^[0-9]+$ ]] || die "$var must be a port number, not '${!var}'"
done
[[ $APP_BASE_DOMAIN =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$ ]] \
  || die "APP_BASE_DOMAIN must be a lowercase domain name such as helpdeskly.example, not '$APP_BASE_DOMAIN'"
for var in TLS_CERT TLS_KEY WEB_ROOT; do
  [[ ${!var} = /* ]] || die "$var must be an absolute path"
done

# Derived: the domain as a regular expression (dots escaped), and the port as URLs spell it.
export APP_BASE_DOMAIN_RE=${APP_BASE_DOMAIN//./\\.}
# One server line for each app-api replica. A replica that fails a connection is left out for
# 5 s (fail_timeout), about the time a restarting one takes to listen again.
APP_SERVERS=
IFS=, read -ra app_upstreams <<<"$APP_UPSTREAM"
for upstream in "${app_upstreams[@]}"; do
  APP_SERVERS+="server $upstream max_fails=1 fail_timeout=5s; "
done
export APP_SERVERS
# HTTP/2 on the TLS listeners, in the syntax of the nginx that runs this configuration.
nginx_version=${NGINX_VERSION:-$( { nginx -v 2>&1 || true; } | sed -n 's|^nginx version: nginx/\([0-9.]*\).*|\1|p')}
if [ -n "$nginx_version" ] && [ "$(printf '%s\n' "$nginx_version" 1.25.1 | sort -V | head -n1)" != 1.25.1 ]; then
  export HTTP2_LISTEN=' http2' HTTP2_DIRECTIVE=''
else
  export HTTP2_LISTEN='' HTTP2_DIRECTIVE='http2 on;'
fi
if [ "$PUBLIC_HTTPS_PORT" = 443 ]; then export HTTPS_PORT_SUFFIX=; else export HTTPS_PORT_SUFFIX=:$PUBLIC_HTTPS_PORT; fi

# shellcheck disable=SC2016 # envsubst's list of variables, literal
vars='${CONTROL_UPSTREAM} ${APP_SERVERS} ${S3_UPSTREAM} ${APP_BASE_DOMAIN} ${APP_BASE_DOMAIN_RE} ${HTTP_PORT} ${HTTPS_PORT} ${HTTPS_PORT_SUFFIX} ${TLS_CERT} ${TLS_KEY} ${WEB_ROOT} ${HTTP2_LISTEN} ${HTTP2_DIRECTIVE}'
out=$1
mkdir -p "$out/logs" "$out/tmp" "$out/snippets"
cp "$ROOT"/nginx/snippets/* "$out/snippets/"
( cd "$ROOT/nginx/templates" && find . -name '*.template' ) | while read -r rel; do
  target=$out/${rel%.template}
  mkdir -p "$(dirname "$target")"
  envsubst "$vars" < "$ROOT/nginx/templates/$rel" > "$target"
done
# A placeholder left means a template names a variable this script does not know.
if grep -rnoE '\$\{[A-Z_]+\}' "$out" --include='*.conf' --include='*.map'; then
  die "unrendered placeholders above: add them to scripts/nginx-render.sh"
fi
echo "$out/nginx.conf"
