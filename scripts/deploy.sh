#!/usr/bin/env bash
# Deploys this checkout with docker-compose.prod.yml on this host:
#
#   scripts/deploy.sh [--env-file FILE]                 # FILE: .env.prod
#   scripts/deploy.sh --env-file FILE --tag TAG --skip-build --skip-migrations   # (rollback.sh)
#
# 1. builds the image IMAGE:TAG, TAG the commit (git rev-parse --short=12 HEAD; the work tree
#    must be clean, so the tag names the code), unless it exists already;
# 2. starts (or updates) the stores and MinIO's bucket, and waits for their health checks;
# 3. runs the migrations once (`control-api migrate-tenants`: control migrations, then every
#    tenant database) and stops if any failed, before any service changes;
# 4. rolls the services one at a time: a container of the new image starts beside the old one,
#    its health check (GET /ready) must pass, nginx is reloaded to send to it, then the old one is
#    stopped (SIGTERM: it finishes its in-flight requests within SHUTDOWN_GRACE_SECONDS);
# 5. updates nginx and the monitoring, and records the tag in .data/deploy/history.
#
# Migrations follow expand -> backfill -> contract (docs/deploying.md): the running release
# keeps working while they run, and scripts/rollback.sh TAG goes back without touching the schema.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ENV_FILE=.env.prod
TAG=
BUILD=1
MIGRATE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) ENV_FILE=${2:?--env-file needs a file}; shift 2 ;;
    --tag) TAG=${2:?--tag needs a tag}; shift 2 ;;
    --skip-build) BUILD=; shift ;;
    --skip-migrations) MIGRATE=; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see scripts/deploy.sh --help)" ;;
  esac
done

[ -f "$ENV_FILE" ] || die "$ENV_FILE not found: copy .env.example and fill in its secrets"
command -v docker >/dev/null || die "docker is not installed"
if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null; then
  COMPOSE=(docker-compose)
else
  die "neither 'docker compose' nor docker-compose is installed"
fi
compose() { "${COMPOSE[@]}" --env-file "$ENV_FILE" -f docker-compose.prod.yml "$@"; }

# Read from the env file only what naming the image needs.
env_value() { sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1; }
IMAGE=${HELPDESKLY_IMAGE:-$(env_value HELPDESKLY_IMAGE)}
IMAGE=${IMAGE:-helpdeskly}
export HELPDESKLY_IMAGE=$IMAGE

if [ -z "$TAG" ]; then
  if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    die "the work tree has uncommitted changes: commit them, so the image's tag names its code"
  fi
  TAG=$(git rev-parse --short=12 HEAD)
fi
export HELPDESKLY_TAG=$TAG

# Both images of the release before anything rolls: the services', and the edge's (nginx with the
# web app), so a failed web build stops the deploy before it starts.
if [ -n "$BUILD" ] && ! docker image inspect "$IMAGE:$TAG" >/dev/null 2>&1; then
  say "building $IMAGE:$TAG"
  docker build --build-arg GIT_COMMIT="$(git rev-parse HEAD)" -t "$IMAGE:$TAG" .
fi
if [ -n "$BUILD" ] && ! docker image inspect "$IMAGE-web:$TAG" >/dev/null 2>&1; then
  say "building $IMAGE-web:$TAG"
  docker build --target web -t "$IMAGE-web:$TAG" .
fi
for image in "$IMAGE:$TAG" "$IMAGE-web:$TAG"; do
  docker image inspect "$image" >/dev/null 2>&1 || die "image $image not found"
done

# health CONTAINER: the health check's status, or the state for a container without one.
health() {
  docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$1"
}

# wait_healthy CONTAINER NAME: its health check passes (for the APIs: GET /ready), or, without a
# health check, it is still running 10 s after it started.
wait_healthy() {
  local id=$1 name=$2 status running=0
  for _ in $(seq 1 120); do
    status=$(health "$id")
    case "$status" in
      healthy) return 0 ;;
      running) running=$((running + 1)); [ "$running" -ge 5 ] && return 0 ;;
      unhealthy|exited|dead) break ;;
    esac
    sleep 2
  done
  docker logs --tail 50 "$id" >&2 || true
  die "$name ($id) is not healthy: $(health "$id")"
}

reload_nginx() {
  local id
  id=$(compose ps -q nginx)
  [ -n "$id" ] || return 0
  docker exec "$id" nginx -p /run/nginx -c /run/nginx/nginx.conf -s reload
}

# roll SERVICE: one container of the new image beside the old ones, healthy, then the old ones
# stopped. Stores and one-shot steps are not rolled: `compose up -d` recreates them.
roll() {
  local service=$1 id current
  local old=() new=()
  mapfile -t old < <(compose ps -q "$service")
  if [ ${#old[@]} -eq 0 ]; then
    say "$service: starting $IMAGE:$TAG"
    compose up -d --no-deps "$service"
    wait_healthy "$(compose ps -q "$service")" "$service"
    return
  fi
  current=$(docker inspect --format '{{.Config.Image}}' "${old[@]}" | sort -u | paste -sd ' ')
  if [ "$current" = "$IMAGE:$TAG" ] && [ "$(health "${old[0]}")" = healthy ]; then
    say "$service: already on $IMAGE:$TAG"
    return
  fi
  say "$service: $current -> $IMAGE:$TAG"
  compose up -d --no-deps --no-recreate --scale "$service=$((${#old[@]} + 1))" "$service"
  mapfile -t new < <(compose ps -q "$service" | grep -vxF -f <(printf '%s\n' "${old[@]}") || true)
  [ ${#new[@]} -gt 0 ] || die "$service: no new container started"
  for id in "${new[@]}"; do wait_healthy "$id" "$service"; done
  reload_nginx
  for id in "${old[@]}"; do
    # stop_grace_period (40 s) is above SHUTDOWN_GRACE_SECONDS (25 s): requests finish.
    docker stop --time 40 "$id" >/dev/null
    docker rm "$id" >/dev/null
  done
  compose up -d --no-deps --no-recreate --scale "$service=${#old[@]}" "$service"
  reload_nginx
}

say "stores: PostgreSQL, PgBouncer, Redis, RabbitMQ, MinIO"
STORES=(postgres pgbouncer redis rabbitmq minio)
compose up -d "${STORES[@]}"
for service in "${STORES[@]}"; do wait_healthy "$(compose ps -q "$service")" "$service"; done
compose run --rm minio-init >/dev/null

if [ -n "$MIGRATE" ]; then
  say "migrations: control-api migrate-tenants ($IMAGE:$TAG)"
  compose run --rm migrate || die "migrations failed: nothing was rolled; fix and rerun (it resumes)"
fi

for service in control-api control-api-worker app-api-worker app-api; do
  roll "$service"
done

say "the edge and the monitoring"
compose up -d --no-deps nginx prometheus alertmanager grafana postgres-exporter redis-exporter
wait_healthy "$(compose ps -q nginx)" nginx
reload_nginx

mkdir -p .data/deploy
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $TAG" >>.data/deploy/history
previous=$(awk -v tag="$TAG" '$2 != tag {t = $2} END {print t}' .data/deploy/history)
say "deployed $IMAGE:$TAG${previous:+ (previous: $previous; back with scripts/rollback.sh $previous)}"
