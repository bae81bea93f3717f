//! control-api: tenants, identities, login and onboarding. `main.rs` parses the command
//! line; everything else is here so tests run the same code as the binary.
#![forbid(unsafe_code)]

pub mod config;
pub mod identity;
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

/// Why `create-platform-admin` failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("invalid --email: {0}")]
    Email(&'static str),
    #[error("invalid password: {0}")]
    Password(&'static str),
    #[error("cannot migrate the control database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// `control-api create-platform-admin`: creates a platform operator, or grants the role to an
/// existing identity (its password is then left as it is). Returns the user id.
pub async fn create_platform_admin(
    config: ControlConfig,
    email: &str,
    password: String,
) -> Result<uuid::Uuid, AdminError> {
    let email = identity::email::Email::parse(email).map_err(AdminError::Email)?;
    identity::password::check_policy(&password, email.as_str()).map_err(AdminError::Password)?;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(config.control_db.connect_options())
        .await?;
    shared::migrations::CONTROL.run(&pool).await?;
    let hash = identity::password::hash(password).await;
    let mut conn = pool.acquire().await?;
    Ok(identity::users::ensure_platform_admin(&mut conn, email.as_str(), &hash).await?)
}

/// `control-api serve`: migrate the control database, then serve until SIGTERM or SIGINT.
pub async fn serve(config: ControlConfig) -> Result<(), ServeError> {
    let state = AppState::new(config).map_err(ServeError::Setup)?;
    shared::migrations::CONTROL.run(&state.db).await?;
    identity::password::warm_up();
    let http = &state.config.http;
    let addr = SocketAddr::new(http.bind_addr, http.port);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
    let grace = http.shutdown_grace;
    tracing::info!(%addr, "control-api listening");
    shared::serve::serve(listener, build_router(state), shared::serve::shutdown_signal(), grace)
        .await
        .map_err(ServeError::Serve)
}
