//! `GET /v1/auth/me/export`: the control plane's half of the right of access and portability
//! (GDPR art. 15 and 20), one JSON document to download about the caller's identity. The tenant
//! data lives in each tenant's database and is exported by app-api.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, header};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::error::{ApiError, ApiResult};
use utoipa::ToSchema;

use crate::identity::audit::Action;
use crate::identity::export::{self, ExportedAuditEntry, ExportedIdentity, ExportedMembership, ExportedSession};
use crate::routes::Actor;
use crate::state::AppState;

/// The most entries each list of an export holds. Beyond it the oldest are left out and the
/// list says `truncated`, so one document stays a size a server builds in memory and a person
/// can open.
pub const LIST_MAX: u32 = 10_000;

/// A list of the export, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportList<T> {
    pub data: Vec<T>,
    /// True when the oldest entries were left out: there were more than 10,000.
    pub truncated: bool,
}

impl<T> ExportList<T> {
    /// Keeps the first `max` of `rows` (newest first; one more than `max` tells that more exist).
    fn newest(mut rows: Vec<T>, max: u32) -> Self {
        let max = max as usize;
        let truncated = rows.len() > max;
        rows.truncate(max);
        Self { data: rows, truncated }
    }
}

/// Everything the control plane holds about the caller's identity. Never a password hash, TOTP
/// secret, recovery code or token (nor their digests).
#[derive(Debug, Serialize, ToSchema)]
pub struct ControlExport {
    pub exported_at: DateTime<Utc>,
    pub identity: ExportedIdentity,
    /// Every membership, deleted tenants included.
    pub memberships: ExportList<ExportedMembership>,
    /// Every session, ended and revoked ones included.
    pub sessions: ExportList<ExportedSession>,
    /// The audit entries made by the caller or about them (this export's own included).
    pub audit_log: ExportList<ExportedAuditEntry>,
}

/// Download what the control plane holds about you.
///
/// Identity, memberships, sessions and audit entries, read in one snapshot. Each list holds at
/// most the newest 10,000 entries and says `truncated` when older ones were left out. The export
/// is itself recorded in the audit log (`data_exported`).
#[utoipa::path(get, path = "/v1/auth/me/export", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "The export, as an attachment", body = ControlExport,
            headers(
                ("Content-Disposition" = String, description = "`attachment; filename=\"helpdeskly-export-<user id>.json\"`"),
                ("Cache-Control" = String, description = "`no-store`"),
            )),
        (status = 401, description = "`unauthorized` (no, forged or ended token; disabled account) or `token_expired`"),
    ))]
pub async fn get_export(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<([(HeaderName, HeaderValue); 2], Json<ControlExport>)> {
    let (claims, fetch) = (&actor.claims, i64::from(LIST_MAX) + 1);
    let mut tx = state.db.begin().await?;
    export::hold_snapshot(&mut tx).await?;
    let identity = export::identity(&mut tx, claims.sub)
        .await?
        .ok_or_else(|| ApiError::unauthorized("this account no longer exists or is disabled"))?;
    actor.record(&mut tx, Action::DataExported, serde_json::json!({})).await?;
    let memberships = export::memberships(&mut tx, claims.sub, fetch).await?;
    let sessions = export::sessions(&mut tx, claims.sub, fetch).await?;
    let audit_log = export::audit_entries(&mut tx, claims.sub, &identity.email, fetch).await?;
    tx.commit().await?;

    let disposition = format!("attachment; filename=\"helpdeskly-export-{}.json\"", claims.sub);
    let headers = [
        (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("a UUID is a header value")),
        // Personal data: no cache on the way may keep a copy.
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    let document = ControlExport {
        exported_at: Utc::now(),
        identity,
        memberships: ExportList::newest(memberships, LIST_MAX),
        sessions: ExportList::newest(sessions, LIST_MAX),
        audit_log: ExportList::newest(audit_log, LIST_MAX),
    };
    Ok((headers, Json(document)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_keep_the_newest_and_say_when_older_were_left_out() {
        let whole = ExportList::newest(vec![3, 2, 1], 3);
        assert_eq!((whole.data, whole.truncated), (vec![3, 2, 1], false));
        let cut = ExportList::newest(vec![4, 3, 2, 1], 3);
        assert_eq!((cut.data, cut.truncated), (vec![4, 3, 2], true));
        let empty = ExportList::<u8>::newest(vec![], 3);
        assert_eq!((empty.data.len(), empty.truncated), (0, false));
    }
}
