//! Liveness and readiness. `/health` says the process answers; `/ready` checks each dependency
//! (concurrently, each under a short timeout) and answers 503 when a required one is down.
//! Optional dependencies that are down make the service `degraded`, still ready.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

/// How long one dependency check may take.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DependencyStatus {
    Up,
    Down,
    NotConfigured,
}

/// The state of one dependency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DependencyReport {
    pub status: DependencyStatus,
    /// Whether the service is unready without it.
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// A short, non-sensitive reason when down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Figures some dependencies report (pool use, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadinessStatus {
    Ready,
    Degraded,
    NotReady,
}

/// The `/ready` body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Readiness {
    pub status: ReadinessStatus,
    pub dependencies: BTreeMap<&'static str, DependencyReport>,
}

impl Readiness {
    pub fn from_reports(reports: impl IntoIterator<Item = (&'static str, DependencyReport)>) -> Self {
        let dependencies: BTreeMap<_, _> = reports.into_iter().collect();
        let down = |required: bool| {
            dependencies.values().any(|d| d.required == required && d.status == DependencyStatus::Down)
        };
        let status = if down(true) {
            ReadinessStatus::NotReady
        } else if down(false) {
            ReadinessStatus::Degraded
        } else {
            ReadinessStatus::Ready
        };
        Self { status, dependencies }
    }
}

impl IntoResponse for Readiness {
    fn into_response(self) -> Response {
        let status =
            if self.status == ReadinessStatus::NotReady { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
        (status, Json(self)).into_response()
    }
}

/// Times a check and turns its outcome into a report. Failures are logged with their details;
/// the report only says what kind of failure it was.
pub fn check<F, E>(name: &str, required: bool, probe: F) -> impl Future<Output = DependencyReport>
where
    F: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    check_within(name, required, CHECK_TIMEOUT, probe)
}

/// `check` with `limit` in place of `CHECK_TIMEOUT` (a test's shorter one).
async fn check_within<F, E>(name: &str, required: bool, limit: Duration, probe: F) -> DependencyReport
where
    F: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let started = Instant::now();
    let (status, error) = match tokio::time::timeout(limit, probe).await {
        Ok(Ok(())) => (DependencyStatus::Up, None),
        Ok(Err(err)) => {
            tracing::warn!(dependency = name, error = %err, "readiness check failed");
            (DependencyStatus::Down, Some("unreachable".to_owned()))
        }
        Err(_) => {
            tracing::warn!(dependency = name, "readiness check timed out");
            (DependencyStatus::Down, Some("timed out".to_owned()))
        }
    };
    let latency_ms = u64::try_from(started.elapsed().as_millis()).ok();
    DependencyReport { status, required, latency_ms, error, detail: None }
}

pub fn not_configured(required: bool) -> DependencyReport {
    DependencyReport { status: DependencyStatus::NotConfigured, required, latency_ms: None, error: None, detail: None }
}

/// `SELECT 1` on a pool.
pub async fn check_postgres(name: &str, pool: &PgPool, required: bool) -> DependencyReport {
    check(name, required, async { sqlx::query("SELECT 1").execute(pool).await.map(drop) }).await
}

/// `PING` on an optional Redis pool.
pub async fn check_redis(redis: Option<&crate::redis::Redis>) -> DependencyReport {
    let Some(redis) = redis else {
        return not_configured(false);
    };
    check("redis", false, redis.ping()).await
}

/// The process's broker connection, when `AMQP_URL` is set (optional: events wait in the
/// outbox while the broker is away): up while it is open; when it is not, one attempt to open
/// it (the same connection publishers use, not one of the probe's own).
pub async fn check_amqp(broker: Option<&crate::amqp::Broker>) -> DependencyReport {
    let Some(broker) = broker else { return not_configured(false) };
    check("amqp", false, async { broker.connection().await.map(drop) }).await
}

/// The mail server, when `SMTP_URL` is set (optional: mail waits in its table while it is
/// away).
pub async fn check_mail(mailer: &crate::mail::Mailer) -> DependencyReport {
    if !mailer.is_configured() {
        return not_configured(false);
    }
    check("mail", false, mailer.check()).await
}

/// The process answers.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "The process is up", body = Object, example = json!({"status": "up"}))))]
pub async fn get_health() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "up"}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(status: DependencyStatus, required: bool) -> DependencyReport {
        DependencyReport { status, required, latency_ms: None, error: None, detail: None }
    }

    #[test]
    fn required_down_is_not_ready_optional_down_is_degraded() {
        let r = Readiness::from_reports([
            ("db", report(DependencyStatus::Down, true)),
            ("redis", report(DependencyStatus::Up, false)),
        ]);
        assert_eq!(r.status, ReadinessStatus::NotReady);
        let r = Readiness::from_reports([
            ("db", report(DependencyStatus::Up, true)),
            ("redis", report(DependencyStatus::Down, false)),
        ]);
        assert_eq!(r.status, ReadinessStatus::Degraded);
        let r = Readiness::from_reports([("db", report(DependencyStatus::Up, true)), ("redis", not_configured(false))]);
        assert_eq!(r.status, ReadinessStatus::Ready);
    }

    #[tokio::test]
    async fn slow_checks_time_out() {
        // On real time, with a limit shorter than CHECK_TIMEOUT: the probe never ends, so only
        // the limit can end the check, after it and well within the bound.
        let limit = Duration::from_millis(200);
        let started = Instant::now();
        let checked = tokio::time::timeout(
            Duration::from_millis(1500),
            check_within("slow", true, limit, std::future::pending::<Result<(), String>>()),
        )
        .await;
        let took = started.elapsed();
        let report = checked.expect("the limit ends a stuck check");
        assert!(took >= limit, "ended after {took:?}, before the {limit:?} limit");
        assert_eq!(report.status, DependencyStatus::Down);
        assert_eq!(report.error.as_deref(), Some("timed out"));
        assert!(report.latency_ms.is_some_and(|ms| ms >= 200), "{:?}", report.latency_ms);
    }
}
