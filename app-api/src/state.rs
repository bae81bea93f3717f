//! The state every handler shares: one cheap-to-clone handle on the process's clients.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use shared::metrics::Metrics;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::config::AppConfig;

#[derive(Clone)]
pub struct AppState(Arc<App>);

pub struct App {
    pub config: AppConfig,
    /// The control database, read for tenant resolution.
    pub control_db: PgPool,
    pub redis: Option<deadpool_redis::Pool>,
    pub metrics: Metrics,
}

impl AppState {
    /// Builds the clients. Nothing connects yet: pools connect on first use.
    pub fn new(config: AppConfig) -> Result<Self, String> {
        let control_db = PgPoolOptions::new()
            .max_connections(config.control_db_max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with(config.control_db.connect_options());
        let redis = config.redis_url.as_ref().map(|url| shared::redis::pool(url, 32)).transpose()?;
        Ok(Self(Arc::new(App { config, control_db, redis, metrics: Metrics::new() })))
    }
}

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}

impl FromRef<AppState> for Metrics {
    fn from_ref(state: &AppState) -> Metrics {
        state.metrics.clone()
    }
}
