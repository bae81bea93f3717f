//! app-api: the tenant plane. `main.rs` parses the command line; everything else is here so
//! tests run the same code as the binary.
#![forbid(unsafe_code)]

pub mod access;
pub mod attachments;
pub mod commands;
pub mod config;
pub mod context;
pub mod events;
pub mod help_center;
pub mod infra;
pub mod integrations;
pub mod live;
pub mod mailin;
pub mod notifications;
pub mod refusals;
pub mod router;
mod routes;
pub mod state;
pub mod tenancy;
pub mod turns;
pub mod worker;

use std::net::SocketAddr;

pub use config::AppConfig;
pub use router::build_router;
pub use state::AppState;

/// Why `serve` stopped before or while serving.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot start: {0}")]
    Start(#[from] state::StartError),
    #[error("cannot set up clients: {0}")]
    Setup(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("server failed: {0}")]
    Serve(std::io::Error),
}

/// `app-api serve`: serve (and run the background evictions, pool reaper and live updates' share
/// of the events, and the background work of `worker::Work` unless switched off) until SIGTERM or
/// SIGINT. Refuses to
/// start without `CONTROL_API_URL`: an erasure (a GDPR request) must be able to finish, so the
/// setting is found missing when the service starts, not when someone asks to be forgotten.
pub async fn serve(config: AppConfig) -> Result<(), ServeError> {
    if config.control_api_url.is_none() {
        return Err(ServeError::Setup(
            "CONTROL_API_URL is not set: erasures (DELETE /v1/users/{id}) need control-api to remove the membership"
                .into(),
        ));
    }
    let state = AppState::new(config).await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let background = tokio::spawn(state.clone().run_background(async {
        let _ = stopped.await;
    }));
    let http = &state.config.http;
    let addr = SocketAddr::new(http.bind_addr, http.port);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
    let options = shared::serve::ServeOptions::from_config(http);
    tracing::info!(%addr, "app-api listening");
    // Live streams end at the signal, not after the drain: their clients reconnect to another
    // replica at once, and the drain waits only for ordinary requests.
    let live = std::sync::Arc::clone(&state.live.hub);
    let signal = async move {
        shared::serve::shutdown_signal().await;
        live.close();
    };
    let served = shared::serve::serve(listener, build_router(state), signal, options).await;
    let _ = stop.send(());
    let _ = background.await;
    served.map_err(ServeError::Serve)
}

/// `app-api worker`: all the background work (`worker::Work::all`: the outbox relay, the
/// scheduled SAV jobs, the order events, notifications, webhooks and mailbox fetches, and the pool
/// reaper and tenant evictions they need), serving only `/health`, `/ready` and
/// `/metrics` on `APP_PORT`, until SIGTERM or SIGINT; the batches, visits and the message in
/// hand finish first.
pub async fn worker(config: AppConfig) -> Result<(), ServeError> {
    if config.amqp_url.is_none() {
        return Err(ServeError::Setup("the worker needs AMQP_URL: it relays events to RabbitMQ".into()));
    }
    let state = AppState::new(config).await?;
    let http = &state.config.http;
    let addr = SocketAddr::new(http.bind_addr, http.port);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
    let options = shared::serve::ServeOptions::from_config(http);
    let (stop, _) = tokio::sync::broadcast::channel::<()>(1);
    let reaper = tokio::spawn(state.tenancy.pools.clone().run_reaper(worker::pacing::wait(stop.subscribe())));
    let evictions = tokio::spawn(worker::evictions::listen(
        state.config.clone(),
        state.tenancy.clone(),
        state.gate.clone(),
        worker::pacing::wait(stop.subscribe()),
    ));
    let work = tokio::spawn(state.clone().run_work(worker::Work::all(), worker::pacing::wait(stop.subscribe())));
    tracing::info!(%addr, "app-api worker running (operations endpoints only)");
    let router = router::build_operations_router(state);
    let served = shared::serve::serve(listener, router, shared::serve::shutdown_signal(), options).await;
    let _ = stop.send(());
    let _ = tokio::join!(reaper, evictions, work);
    tracing::info!("app-api worker stopped");
    served.map_err(ServeError::Serve)
}

/// `app-api cleanup-orphans`: the orphan cleanup of every active tenant's attachments, now,
/// with `grace` (default `ORPHAN_GRACE_HOURS`); a dry run only reports.
pub async fn cleanup_orphans(
    config: AppConfig,
    grace: Option<std::time::Duration>,
    dry_run: bool,
) -> Result<worker::orphans::Report, ServeError> {
    let grace = grace.unwrap_or(config.attachments.orphan_grace);
    let state = AppState::new(config).await?;
    state.attachments.ensure_prepared().await.map_err(|e| ServeError::Setup(e.to_string()))?;
    worker::orphans::all_tenants(&state, grace, dry_run).await.map_err(ServeError::Setup)
}
