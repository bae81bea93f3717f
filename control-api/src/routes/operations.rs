//! Operational endpoints specific to control-api (health and metrics come from `shared`).

use axum::extract::State;
use shared::readiness::{Readiness, check_amqp, check_mail, check_postgres, check_redis};

use crate::state::AppState;

/// Readiness: the control database is required; Redis, RabbitMQ and the mail server are
/// optional (account mail waits while the mail server is away).
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses(
        (status = 200, description = "Ready (possibly degraded)", body = Readiness),
        (status = 503, description = "A required dependency is down", body = Readiness),
    ))]
pub async fn get_ready(State(state): State<AppState>) -> Readiness {
    let (db, redis, amqp, mail) = tokio::join!(
        check_postgres("control_db", &state.db, true),
        check_redis(state.redis.as_ref()),
        check_amqp(state.broker.as_deref()),
        check_mail(state.mail.sender.mailer()),
    );
    Readiness::from_reports([("control_db", db), ("redis", redis), ("amqp", amqp), ("mail", mail)])
}
