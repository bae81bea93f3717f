//! control-api: tenants, identities, login and onboarding. `main.rs` parses the command
//! line; everything else is here so tests run the same code as the binary.
#![forbid(unsafe_code)]

pub mod config;
pub mod router;
mod routes;
pub mod state;

use std::net::SocketAddr;

pub use config::ControlConfig;
pub use router::build_router;
pub use state::AppState;

/// Why `serve` stopped before or while serving.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot set up clients: {0}")]
    Setup(String),
    #[error("cannot migrate the control database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("server failed: {0}")]
    Serve(std::io::Error),
}

/// `control-api serve`: migrate the control database, then serve until SIGTERM or SIGINT.
pub async fn serve(config: ControlConfig) -> Result<(), ServeError> {
    let state = AppState::new(config).map_err(ServeError::Setup)?;
    shared::migrations::CONTROL.run(&state.db).await?;
    let http = &state.config.http;
    let addr = SocketAddr::new(http.bind_addr, http.port);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
    let grace = http.shutdown_grace;
    tracing::info!(%addr, "control-api listening");
    shared::serve::serve(listener, build_router(state), shared::serve::shutdown_signal(), grace)
        .await
        .map_err(ServeError::Serve)
}
