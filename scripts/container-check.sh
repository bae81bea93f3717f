#!/usr/bin/env bash
# The deployment run in containers (systests/test_containers.py): the project's two images built
# from the Dockerfile's `runtime` and `web` stages (with the binaries and the web app built here:
# the `prebuilt` stage), and docker-compose.prod.yml's PostgreSQL, PgBouncer, Redis, RabbitMQ, object
# store, migrate run, control-api, its worker, app-api, its worker and nginx started with podman,
# each with the compose file's settings (environment, user, read-only root, tmpfs, health check,
# grace period, networks); then the first organisation through nginx's HTTPS port (sign-up,
# provisioning, a customer verified by mail, a ticket, a reply mailed and streamed), the k8s
# migration Job's and backup CronJob's commands as their manifests run them, the web image as
# k8s runs it, and SIGTERM: each service drains and exits 0 within its grace period. Prints each
# image's size and each service's time to healthy (also in artifacts/containers.json).
#
# No registry is reachable here: the base image is made by debootstrap from Debian's package
# mirror (once; kept in the store), and the backing services and nginx are stand-ins built on it
# from Debian's packages (systests/containers/). Installs what it lacks (prepare_containers in
# scripts/lib.sh). Runs as root (podman's bridge networks). Arguments go to pytest.
#
#   scripts/container-check.sh
#   CONTAINER_PROFILE=release scripts/container-check.sh     # the images with release binaries
#   KEEP_CONTAINERS=1 scripts/container-check.sh             # leave them running to look at
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
[ "$(id -u)" = 0 ] || die "scripts/container-check.sh runs as root (podman's bridge networks and uid mapping)"
prepare_containers
run_systests systests/test_containers.py "$@"
