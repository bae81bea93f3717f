//! control-api: tenants, identities, login and onboarding. `main.rs` parses the command
//! line; everything else is here so tests run the same code as the binary.
#![forbid(unsafe_code)]

pub mod config;
pub mod identity;
pub mod router;
mod routes;
pub mod schema;
pub mod state;
pub mod tenancy;

use std::net::SocketAddr;

pub use config::ControlConfig;
pub use router::build_router;
pub use state::{AppState, StartError};

/// Why `serve` stopped before or while serving.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Setup(#[from] StartError),
    #[error("cannot migrate the control database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot prepare the tenant clusters: {0}")]
    Tenancy(#[from] tenancy::provision::ProvisionError),
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
    let pool = shared::primary::pool(&config.control_db, sqlx::postgres::PgPoolOptions::new().max_connections(1));
    crate::schema::CONTROL.run(&pool).await?;
    let hash = identity::password::hash(password).await;
    let mut conn = pool.acquire().await?;
    Ok(identity::users::ensure_platform_admin(&mut conn, email.as_str(), &hash).await?)
}

/// What `serve` and `worker` do first: migrate the control database, register
/// `TENANT_DATABASE_URL` as the default cluster, and bring the tenant templates up to date.
pub async fn prepare(state: &AppState) -> Result<(), ServeError> {
    crate::schema::CONTROL.run(&state.db).await?;
    let config = &state.config;
    tenancy::clusters::register_default(&state.db, &config.keys.cluster_admin_url, &config.tenant_db)
        .await
        .map_err(|e| ServeError::Tenancy(e.into()))?;
    let provisioner = &state.worker.provisioner;
    let clusters = tenancy::clusters::active(&state.db).await.map_err(|e| ServeError::Tenancy(e.into()))?;
    for id in clusters {
        let cluster = provisioner.cluster(id).await?;
        tenancy::template::ensure_current(&state.db, &cluster, &config.tenancy.template_database, provisioner.migrator)
            .await
            .map_err(|e| ServeError::Tenancy(e.into()))?;
        learn_limits(state, &cluster).await?;
    }
    Ok(())
}

/// Reads and records `cluster`'s connection limits (app-api fits its budget under them), and
/// says what control-api itself may hold there.
async fn learn_limits(state: &AppState, cluster: &tenancy::clusters::Cluster) -> Result<(), ServeError> {
    let mut admin = state.worker.provisioner.admin_connection(cluster).await?;
    let (max_connections, reserved) = tenancy::clusters::record_limits(&state.db, &mut admin, cluster.id)
        .await
        .map_err(|e| ServeError::Tenancy(e.into()))?;
    tracing::info!(
        cluster = %cluster.name,
        max_connections,
        reserved,
        control_pool = state.config.control_db_max_connections,
        "cluster connection limits read: app-api fits its tenant connection budget under them \
         (APP_REPLICAS, APP_CONNECTION_SHARE_PERCENT)"
    );
    Ok(())
}

/// Resolves once the sending half of `stop` is dropped: how `serve` and `worker` stop their
/// background tasks together.
async fn stopped(mut stop: tokio::sync::watch::Receiver<()>) {
    while stop.changed().await.is_ok() {}
}

/// `control-api serve`: prepare, then serve and run the provisioning worker and the account
/// mail sender until SIGTERM or SIGINT.
pub async fn serve(config: ControlConfig) -> Result<(), ServeError> {
    let state = AppState::new(config)?;
    prepare(&state).await?;
    identity::password::warm_up();
    let http = &state.config.http;
    let addr = SocketAddr::new(http.bind_addr, http.port);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
    let options = shared::serve::ServeOptions::from_config(http);
    tracing::info!(%addr, "control-api listening");
    let (stop_worker, worker_stopped) = tokio::sync::watch::channel(());
    let worker = tokio::spawn(state.worker.clone().run(stopped(worker_stopped.clone())));
    let mail = tokio::spawn(state.mail.sender.clone().run(stopped(worker_stopped)));
    let served = shared::serve::serve(listener, build_router(state), shared::serve::shutdown_signal(), options).await;
    drop(stop_worker);
    let _ = tokio::join!(worker, mail);
    served.map_err(ServeError::Serve)
}

/// Why `migrate-tenants` failed as a whole (per-tenant failures are in its report).
#[derive(Debug, thiserror::Error)]
pub enum MigrateTenantsError {
    #[error(transparent)]
    Setup(#[from] StartError),
    #[error(transparent)]
    Prepare(#[from] ServeError),
    #[error(transparent)]
    Run(#[from] tenancy::provision::ProvisionError),
}

/// `control-api migrate-tenants`: see [`tenancy::migrate`].
pub async fn migrate_tenants(
    config: ControlConfig,
    options: &tenancy::migrate::MigrateOptions,
    on_total: impl FnOnce(usize),
    on_tenant: impl FnMut(&tenancy::migrate::TenantOutcome),
) -> Result<tenancy::migrate::MigrateReport, MigrateTenantsError> {
    let state = AppState::new(config)?;
    crate::schema::CONTROL.run(&state.db).await.map_err(ServeError::from)?;
    Ok(tenancy::migrate::migrate_tenants(&state.worker.provisioner, options, on_total, on_tenant).await?)
}

/// `control-api backup`: see [`tenancy::backup`]. The manifest, and the tenants that failed.
pub async fn backup(
    config: ControlConfig,
    options: &tenancy::backup::BackupOptions,
    on_total: impl FnOnce(usize),
    on_tenant: impl FnMut(&tenancy::backup::BackupOutcome),
) -> Result<(tenancy::backup::Manifest, Vec<(String, String)>), tenancy::backup::BackupError> {
    let control_url = config.control_db.expose().to_owned();
    let state = AppState::new(config).map_err(|e| tenancy::backup::BackupError::Setup(e.into()))?;
    let control_version = tenancy::template::latest_version(&crate::schema::CONTROL);
    tenancy::backup::backup(&state.worker.provisioner, &control_url, control_version, options, on_total, on_tenant)
        .await
}

/// `control-api restore-tenant`: see [`tenancy::backup::restore_tenant`].
pub async fn restore_tenant(
    config: ControlConfig,
    from: &std::path::Path,
    slug: &str,
) -> Result<tenancy::backup::Restored, tenancy::backup::BackupError> {
    let state = AppState::new(config).map_err(|e| tenancy::backup::BackupError::Setup(e.into()))?;
    tenancy::backup::restore_tenant(&state.worker.provisioner, &state.notifier, from, slug).await
}

/// `control-api add-cluster`: registers (or updates) PostgreSQL cluster `name`, reached with
/// `admin_url`, for new tenants (placed on the active cluster with the fewest tenants), and
/// makes its tenant template at once; its id. The name `default` is `TENANT_DATABASE_URL`'s.
pub async fn add_cluster(
    config: ControlConfig,
    name: &str,
    admin_url: &shared::config::DatabaseUrl,
    max_tenants: Option<i32>,
) -> Result<uuid::Uuid, ServeError> {
    let state = AppState::new(config)?;
    crate::schema::CONTROL.run(&state.db).await?;
    let key = &state.config.keys.cluster_admin_url;
    let id = tenancy::clusters::register(&state.db, key, name, admin_url, max_tenants)
        .await
        .map_err(|e| ServeError::Tenancy(e.into()))?;
    let provisioner = &state.worker.provisioner;
    let cluster = provisioner.cluster(id).await?;
    tenancy::template::ensure_current(
        &state.db,
        &cluster,
        &state.config.tenancy.template_database,
        provisioner.migrator,
    )
    .await
    .map_err(|e| ServeError::Tenancy(e.into()))?;
    learn_limits(&state, &cluster).await?;
    Ok(id)
}

/// `control-api list-clusters`: every cluster with its tenant count.
pub async fn list_clusters(config: ControlConfig) -> Result<Vec<tenancy::clusters::Summary>, ServeError> {
    let state = AppState::new(config)?;
    crate::schema::CONTROL.run(&state.db).await?;
    tenancy::clusters::summaries(&state.db).await.map_err(|e| ServeError::Tenancy(e.into()))
}

/// `control-api worker`: the provisioning worker and the account mail sender alone, serving
/// only `/health`, `/ready` and `/metrics` on `CONTROL_PORT` (for probes and Prometheus), until SIGTERM or SIGINT; the job in
/// hand finishes first.
pub async fn worker(config: ControlConfig) -> Result<(), ServeError> {
    let state = AppState::new(config)?;
    prepare(&state).await?;
    let http = &state.config.http;
    let addr = SocketAddr::new(http.bind_addr, http.port);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
    let options = shared::serve::ServeOptions::from_config(http);
    tracing::info!(%addr, "control-api worker running (operations endpoints only)");
    let (stop_worker, worker_stopped) = tokio::sync::watch::channel(());
    let worker = tokio::spawn(state.worker.clone().run(stopped(worker_stopped.clone())));
    let mail = tokio::spawn(state.mail.sender.clone().run(stopped(worker_stopped)));
    let router = router::build_operations_router(state);
    let served = shared::serve::serve(listener, router, shared::serve::shutdown_signal(), options).await;
    drop(stop_worker);
    let _ = tokio::join!(worker, mail);
    served.map_err(ServeError::Serve)
}
