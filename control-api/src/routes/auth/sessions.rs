//! The caller's sessions: `GET /v1/auth/sessions`, `DELETE /v1/auth/sessions/{id}` and
//! `POST /v1/auth/logout-all`. Ending a session ends its access tokens on both planes at once.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use shared::error::{ApiError, ApiResult};
use shared::http::{Page, PageParams};
use uuid::Uuid;

use crate::identity::audit::Action;
use crate::identity::sessions::{self, Scope, SessionView};
use crate::routes::{Actor, Caller};
use crate::state::AppState;
use crate::tenancy::jobs;

/// The caller's open sessions, newest first, across every tenant.
#[utoipa::path(get, path = "/v1/auth/sessions", tag = "auth", params(PageParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of sessions; `current` marks the one asking", body = Page<SessionView>),
        (status = 422, description = "`validation_failed`: bad limit or cursor"),
    ))]
pub async fn list_sessions(
    State(state): State<AppState>,
    Caller(claims): Caller,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<SessionView>>> {
    let rows =
        async |before, limit| sessions::list_open(&mut *state.db.acquire().await?, claims.sub, before, limit).await;
    let mut page = page.fetch(rows, |s| s.id).await?;
    for row in &mut page.data {
        row.current = row.id == claims.sid;
    }
    Ok(Json(page))
}

/// End one of the caller's sessions (another device, or this one).
#[utoipa::path(delete, path = "/v1/auth/sessions/{id}", tag = "auth", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        (status = 204, description = "Ended: its refresh and access tokens stop working"),
        (status = 404, description = "`not_found`: no open session of yours has this id"),
    ))]
pub async fn delete_session(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    let revoked = sessions::revoke_user(&mut tx, actor.claims.sub, Scope::One(id), "revoked_by_user").await?;
    if revoked.is_empty() {
        return Err(ApiError::not_found("no open session of yours has this id"));
    }
    let details = serde_json::json!({ "session_id": id });
    actor.record(&mut tx, Action::SessionRevoked, details).await?;
    tx.commit().await?;
    state.notifier.sessions_revoked(&revoked).await;
    Ok(StatusCode::NO_CONTENT)
}

/// End every session of the caller, this one included.
#[utoipa::path(post, path = "/v1/auth/logout-all", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 204, description = "Every session ended"),
    ))]
pub async fn post_logout_all(State(state): State<AppState>, actor: Actor) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    let revoked = sessions::revoke_user(&mut tx, actor.claims.sub, Scope::All, "logout_all").await?;
    let details = serde_json::json!({ "sessions": revoked.len() });
    actor.record(&mut tx, Action::LogoutAll, details).await?;
    // Nobody is left signed in to take tickets.
    jobs::enqueue_sign_out(&mut tx, actor.claims.sub).await?;
    tx.commit().await?;
    state.notifier.sessions_revoked(&revoked).await;
    Ok(StatusCode::NO_CONTENT)
}
