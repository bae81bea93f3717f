//! Sessions ended on the control plane, as the tenant plane catches up with them.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// A revoked session and when it was revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevokedSession {
    pub id: Uuid,
    pub revoked_at: DateTime<Utc>,
}

/// Sessions revoked after `since`, or, without it, over the last `horizon_secs` seconds; oldest
/// first, at most 100,000.
pub async fn revoked_since(
    db: impl PgExecutor<'_>,
    since: Option<DateTime<Utc>>,
    horizon_secs: f64,
) -> sqlx::Result<Vec<RevokedSession>> {
    sqlx::query_as!(
        RevokedSession,
        r#"SELECT id, revoked_at AS "revoked_at!" FROM sessions
           WHERE revoked_at > COALESCE($1, now() - make_interval(secs => $2))
           ORDER BY revoked_at LIMIT 100000"#,
        since,
        horizon_secs,
    )
    .fetch_all(db)
    .await
}
