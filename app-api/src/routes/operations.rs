//! Operational endpoints specific to app-api (health and metrics come from `shared`).

use axum::extract::State;
use shared::readiness::{
    DependencyReport, DependencyStatus, Readiness, check_amqp, check_postgres, check_redis, not_configured,
};

use crate::state::AppState;

/// Readiness: the control database (tenant resolution) is required; Redis is optional (rate
/// limits and caches fall back to process memory); the tenant pools report their use of the
/// connection budget, and count as down while every budgeted connection is busy; the outbox
/// relay, when it runs here, is up while its broker channel is open (optional: events wait in
/// the outboxes meanwhile); the blob store and clamd are optional too (uploads wait for them).
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses(
        (status = 200, description = "Ready (possibly degraded)", body = Readiness),
        (status = 503, description = "A required dependency is down", body = Readiness),
    ))]
pub async fn get_ready(State(state): State<AppState>) -> Readiness {
    let (db, redis, amqp) = tokio::join!(
        check_postgres("control_db", &state.tenancy.control_db, true),
        check_redis(state.redis.as_ref()),
        check_amqp(state.broker.as_deref())
    );
    let (pools, open, idle) = state.tenancy.pools.state();
    let budget = state.tenancy.pools.limits().total;
    let saturated = open >= budget && idle == 0;
    let tenant_pools = DependencyReport {
        status: if saturated { DependencyStatus::Down } else { DependencyStatus::Up },
        required: false,
        latency_ms: None,
        error: saturated.then(|| "every budgeted connection is busy".to_owned()),
        detail: Some(serde_json::json!({
            "pools": pools, "connections_open": open, "connections_idle": idle, "budget": budget,
            "budget_configured": state.tenancy.budget.configured, "budget_limited_by": state.tenancy.budget.limited_by,
            "clusters_without_known_limits": state.tenancy.budget.unknown,
        })),
    };
    let (blob_store, clamav, mail) =
        tokio::join!(blob_store(&state), clamav(&state), shared::readiness::check_mail(&state.mail.mailer));
    Readiness::from_reports([
        ("control_db", db),
        ("redis", redis),
        ("amqp", amqp),
        ("tenant_pools", tenant_pools),
        ("outbox_relay", relay(&state)),
        ("blob_store", blob_store),
        ("clamav", clamav),
        ("mail", mail),
    ])
}

/// The blob store answers and takes the credentials (optional: only attachments need it). A
/// store that was down at start gets its bucket made here once it answers.
async fn blob_store(state: &AppState) -> DependencyReport {
    let files = &state.attachments;
    let started = std::time::Instant::now();
    let probe = async {
        files.ensure_prepared().await?;
        files.store.check().await
    };
    let outcome = tokio::time::timeout(shared::readiness::CHECK_TIMEOUT, probe).await;
    let error = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness: the blob store is down");
            Some(err.reason().to_owned())
        }
        Err(_) => Some("timed out".to_owned()),
    };
    DependencyReport {
        status: if error.is_none() { DependencyStatus::Up } else { DependencyStatus::Down },
        required: false,
        latency_ms: u64::try_from(started.elapsed().as_millis()).ok(),
        error,
        detail: Some(serde_json::json!({ "kind": files.store.kind() })),
    }
}

/// clamd answers `PING`, when `CLAMAV_ADDR` is set (optional: while it is down, uploads are
/// refused and everything else works).
async fn clamav(state: &AppState) -> DependencyReport {
    let Some(scanner) = state.attachments.scanner.as_ref() else { return not_configured(false) };
    shared::readiness::check("clamav", false, scanner.ping()).await
}

fn relay(state: &AppState) -> DependencyReport {
    let Some(outlet) = state.events.outlet.as_ref().filter(|o| o.is_running()) else {
        return not_configured(false);
    };
    let connected = outlet.is_connected();
    DependencyReport {
        status: if connected { DependencyStatus::Up } else { DependencyStatus::Down },
        required: false,
        latency_ms: None,
        error: (!connected).then(|| "not connected to the broker".to_owned()),
        detail: Some(
            serde_json::json!({ "exchange": outlet.exchange(), "tenants_queued": state.events.hints.relay_queue.len() }),
        ),
    }
}
