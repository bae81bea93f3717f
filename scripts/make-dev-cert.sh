#!/usr/bin/env bash
# A self-signed wildcard certificate for development and tests: DOMAIN and *.DOMAIN, ECDSA
# P-256, 30 days. Writes OUT_DIR/cert.pem and OUT_DIR/key.pem; clients trust cert.pem itself
# (curl --cacert). Production certificates come from a CA (a DNS-01 wildcard).
#
#   scripts/make-dev-cert.sh OUT_DIR [DOMAIN]     # DOMAIN: helpdeskly.localhost
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] || die "usage: scripts/make-dev-cert.sh OUT_DIR [DOMAIN]"
out=$1 domain=${2:-helpdeskly.localhost}
command -v openssl >/dev/null || apt_install openssl
mkdir -p "$out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
  -keyout "$out/key.pem" -out "$out/cert.pem" -subj "/CN=*.$domain" \
  -addext "subjectAltName=DNS:$domain,DNS:*.$domain" \
  -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
  -addext "keyUsage=critical,digitalSignature,keyCertSign" \
  -addext "extendedKeyUsage=serverAuth" 2>/dev/null
chmod 600 "$out/key.pem"
echo "$out/cert.pem"
