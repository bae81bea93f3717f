# syntax=docker/dockerfile:1
# Helpdeskly: one image holding both services, control-api and app-api (the default target), and
# one holding the web app for nginx (target `web`).
#
#   docker build -t helpdeskly:$(git rev-parse --short=12 HEAD) .
#   docker build --target web -t helpdeskly-web:$(git rev-parse --short=12 HEAD) .
#   docker run --env-file .env.prod helpdeskly:TAG control-api            # serve (default)
#   docker run --env-file .env.prod helpdeskly:TAG app-api worker
#
# Stages: `chef` (the toolchain and cargo-chef), `planner` (the recipe: manifests and Cargo.lock
# only), `builder` (dependencies cooked in their own layer, which stays cached until the recipe
# changes; then the sources), `web-build` (web/'s dependencies from its lockfile in their own
# layer, then `npm run build`), `web` (nginx with the built app in /srv/web, the WEB_ROOT of
# docker-compose.prod.yml's edge and the files k8s/base/web.yaml serves), `runtime` (Debian slim,
# the two binaries, a non-root user). Nothing secret is read at build time: configuration is the
# environment at run time.
#
# Where no Rust or Node image can be pulled, the binaries and the web build can come from the
# machine instead (`prebuilt`: a context holding prebuilt/control-api, prebuilt/app-api and
# prebuilt/web/, built against a glibc no newer than trixie's); the stages that run are the same:
#   docker build --build-arg BINARIES=prebuilt --build-arg WEB_FILES=prebuilt ... CONTEXT
# scripts/container-check.sh builds both images this way and runs them.

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=trixie
ARG NODE_VERSION=20
ARG NGINX_VERSION=1.28
# The stages the runtime and web images take their files from: built here, or `prebuilt`.
ARG BINARIES=builder
ARG WEB_FILES=web-build

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS chef
# A version requirement rather than an exact pin: cargo-chef only shapes the dependency layer.
RUN cargo install cargo-chef --locked --version ^0.1
WORKDIR /src

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /src/recipe.json recipe.json
# .cargo/config.toml sets SQLX_OFFLINE=true: the query macros read each crate's committed .sqlx/
# data, so neither this step nor the next needs a database.
COPY .cargo .cargo
RUN cargo chef cook --release --locked --recipe-path recipe.json -p control-api -p app-api
COPY . .
RUN cargo build --release --locked -p control-api -p app-api \
    && install -D -m 0755 -t /out target/release/control-api target/release/app-api

FROM node:${NODE_VERSION}-bookworm-slim AS web-build
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
# A checkout's own node_modules (built for its machine) and dist stay out.
COPY --exclude=node_modules --exclude=dist web/ ./
RUN npm run build

FROM scratch AS prebuilt
COPY prebuilt/control-api prebuilt/app-api /out/
COPY prebuilt/web/ /web/dist/

FROM ${BINARIES} AS binaries
FROM ${WEB_FILES} AS web-files

FROM nginx:${NGINX_VERSION}-bookworm AS web
COPY --from=web-files /web/dist /srv/web
# The web app alone, for Kubernetes (nginx/web/nginx.conf); the compose edge renders nginx/ itself.
COPY nginx/web/nginx.conf /etc/helpdeskly/web/
COPY nginx/snippets/mime.conf nginx/snippets/headers-common.conf nginx/snippets/edge-errors.conf \
     nginx/snippets/web-app.conf /etc/helpdeskly/web/snippets/
COPY nginx/templates/snippets/headers-web.conf.template /etc/helpdeskly/web/snippets/headers-web.conf
# A placeholder in the template would reach nginx as an unknown variable: the build stops here.
# The check runs with the map of $files_origin that k8s/base/web.yaml writes at start (here empty).
# It leaves its pid file and temporary folders in /tmp, root's: gone again, or an unprivileged
# nginx given a /tmp that starts with the image's (podman's tmpfs) could not write its pid.
# hadolint ignore=SC2016
RUN test -f /srv/web/index.html \
    && printf 'map $host $files_origin { default ""; }\n' >/tmp/files-origin.conf \
    && nginx -t -q -c /etc/helpdeskly/web/nginx.conf \
    && rm -rf /tmp/files-origin.conf /tmp/nginx.pid /tmp/client_body /tmp/proxy /tmp/fastcgi /tmp/uwsgi /tmp/scgi
ARG GIT_COMMIT=unknown
LABEL org.opencontainers.image.title="helpdeskly-web" \
      org.opencontainers.image.description="Helpdeskly web app, served by nginx" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.revision="${GIT_COMMIT}"

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# ca-certificates: TLS to PostgreSQL, S3 and the JWKS URL. postgresql-client: pg_dump and
# pg_restore for `control-api backup` and `restore-tenant` (Debian trixie: PostgreSQL 17, which
# dumps servers up to 17). curl: the HEALTHCHECK and scripts/deploy.sh's /ready checks. tini:
# PID 1 that forwards SIGTERM, so both services drain in-flight requests on a stop. Versions
# are Debian's current ones for the release (security updates), not pinned.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl postgresql-client tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 helpdeskly \
    && useradd --system --uid 10001 --gid helpdeskly --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin helpdeskly
COPY --from=binaries /out/control-api /out/app-api /usr/local/bin/
ARG GIT_COMMIT=unknown
LABEL org.opencontainers.image.title="helpdeskly" \
      org.opencontainers.image.description="Helpdeskly control-api and app-api" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.revision="${GIT_COMMIT}"
ENV LOG_FORMAT=json \
    BIND_ADDR=0.0.0.0
# Uploads are spooled to the temporary directory with S3 (UPLOAD_SPOOL_DIR): give it a volume or
# an emptyDir with a read-only root filesystem.
WORKDIR /tmp
USER 10001:10001
EXPOSE 6500 6501
# Whichever service the container runs answers /health on its port; the probe asks both.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["sh", "-c", "curl -fsS --max-time 2 http://127.0.0.1:${CONTROL_PORT:-6500}/health >/dev/null || curl -fsS --max-time 2 http://127.0.0.1:${APP_PORT:-6501}/health >/dev/null"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["control-api"]
