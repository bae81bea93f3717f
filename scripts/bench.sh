#!/usr/bin/env bash
# Benchmarks (see BENCHMARKS.md). Builds the release benchmark binary and runs it against the
# local PostgreSQL (TEST_DATABASE_URL, as the tests) and, for the app plane, pgbench as the
# reference. Everything the runs create is dropped at the end.
#
#   scripts/bench.sh                  # all of them
#   scripts/bench.sh signup --count 50
#   scripts/bench.sh migrate-tenants --tenants 200 --concurrency 4
#   scripts/bench.sh app-me --concurrency 32 --seconds 10 --budget 60 --most-tenants 1000
#   scripts/bench.sh tickets --tickets 100000 --concurrency 32 --seconds 10
#   scripts/bench.sh tickets --seconds 5 --columns   # the ticket read's statement without each web part, pgbench
#   scripts/bench.sh backup --tenants 200 --tickets 100000
#   scripts/bench.sh attachments --files-per-client 5   # on TEST_S3_ENDPOINT (scripts/test.sh starts it)
#   scripts/bench.sh hash-flood       # control-api's memory under a password flood (systests/hash_flood.py)
#   scripts/bench.sh mail --rate 20 --seconds 300   # notification mail through app-api worker (mail-devel, as the tests)
#   scripts/bench.sh live --frames 1000 --rate 20 --idle 10000   # the live stream, two replicas
#   scripts/bench.sh webhooks --tickets 500 --burst 1000   # commit to first attempt; a slow receiver beside a fast one
#   scripts/bench.sh mail-in --customers 50 --mails 2000 --clients 8   # corpus parse rate; posted mail to visible message
#   scripts/bench.sh macros --tickets 1000 --concurrency 8   # a macro applied against the same message posted alone
#   scripts/bench.sh routing --tickets 1000 --queue 2000 --concurrency 8   # creation into a routed team against none; decisions with 50 agents
#   scripts/bench.sh rules --tickets 1000 --seeded 100000 --due 1000 --concurrency 8   # creation and a reply with 0/50/200 rules; time rules' timers due among 100,000
#   scripts/bench.sh participants --tickets 200 --reads 4000 --descendants 1000 --links 100 --resolves 20   # the answer with 20 copied against none; a link over 1,000 below the child; a parent resolved with 0/10/50 children
#   scripts/bench.sh reports --csv-tickets 1000000 --tickets 100000   # the tickets CSV of 1,000,000 (first byte, rows/s, memory); the performance report of 100,000 by each grouping
#   scripts/bench.sh help-center --articles 10000 --searches 500 --pages 4000   # search p50/p99 over 10,000 articles; a public article page against /health
#   scripts/bench.sh zipf --tenants 1000 --largest 3000 --concurrency 32 --seconds 10 --placement pooled   # many tenants on skewed traffic (or dedicated)
#   scripts/bench.sh isolation --tickets 100000 --concurrency 8   # a pooled tenant's reads beside a neighbour's CSV exports
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

export TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
psql "$TEST_DATABASE_URL" -Atqc 'SELECT 1' >/dev/null 2>&1 || die "PostgreSQL does not accept $TEST_DATABASE_URL (scripts/test.sh starts it)"

if [ "${1:-}" = hash-flood ]; then
  # The process under a flood, as it runs: control-api's debug build on a PostgreSQL of its own.
  say "building control-api"
  cargo build --quiet --locked -p control-api
  PYTHONDONTWRITEBYTECODE=1 exec python3 -m systests.hash_flood
fi

# The HTTP load of the app-plane and live runs comes from wrk, in its own process.
command -v wrk >/dev/null || { say "installing wrk"; apt_install wrk; }

say "building the benchmarks (release), and app-api for the runs that start its worker"
cargo build --release --locked -p bench -p app-api
bench=${CARGO_TARGET_DIR:-target}/release/helpdeskly-bench

say "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(lscpu | sed -n 's/^Model name:\s*//p')"
if [ $# -gt 0 ]; then
  exec "$bench" "$@"
fi
"$bench" signup --count 50
"$bench" migrate-tenants --tenants 200 --concurrency 4
"$bench" app-me --concurrency 32 --seconds 10 --budget 60 --most-tenants 1000
"$bench" tickets --tickets 100000 --concurrency 32 --seconds 10
"$bench" attachments --files-per-client 5
"$bench" backup --tenants 200 --tickets 100000
"$bench" mail --rate 20 --seconds 300
"$bench" live --frames 1000 --rate 20 --idle 10000
"$bench" webhooks --tickets 500 --burst 1000
"$bench" mail-in --customers 50 --mails 2000 --clients 8
"$bench" macros --tickets 1000 --concurrency 8
"$bench" routing --tickets 1000 --queue 2000 --concurrency 8
"$bench" reports --csv-tickets 1000000 --tickets 100000
"$bench" help-center --articles 10000 --searches 500 --pages 4000
"$bench" zipf --tenants 1000 --largest 3000 --concurrency 32 --seconds 10
"$bench" isolation --tickets 100000 --concurrency 8
