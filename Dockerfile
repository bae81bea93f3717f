# syntax=docker/dockerfile:1
# Helpdeskly: one image holding both services, control-api and app-api.
#
#   docker build -t helpdeskly:$(git rev-parse --short=12 HEAD) .
#   docker run --env-file .env.prod helpdeskly:TAG control-api            # serve (default)
#   docker run --env-file .env.prod helpdeskly:TAG app-api worker
#
# Stages: `chef` (the toolchain and cargo-chef), `planner` (the recipe: manifests and Cargo.lock
# only), `builder` (dependencies cooked in their own layer, which stays cached until the recipe
# changes; then the sources), `runtime` (Debian slim, the two binaries, a non-root user).
# Nothing secret is read at build time: configuration is the environment at run time.

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=trixie

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
COPY --from=builder /out/control-api /out/app-api /usr/local/bin/
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
