//! `POST /v1/auth/password`: change one's password. The current one is checked through the
//! login limiter; every other session ends.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use utoipa::ToSchema;

use super::step_up;
use crate::identity::audit::Action;
use crate::identity::password::Busy;
use crate::identity::sessions::{self, Scope};
use crate::identity::{password, users};
use crate::routes::Actor;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// 12 to 128 characters, not the email address.
    pub new_password: String,
}

/// Change the password.
#[utoipa::path(post, path = "/v1/auth/password", tag = "auth", request_body = PasswordChange, security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed; every other session of the caller ended"),
        (status = 422, description = "`validation_failed`: wrong current password, or the new one breaks the policy"),
        (status = 429, description = "`rate_limited`: too many wrong passwords"),
        Busy,
    ))]
pub async fn post_password(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(change): JsonBody<PasswordChange>,
) -> ApiResult<StatusCode> {
    let claims = &actor.claims;
    let email = users::email(&mut *state.db.acquire().await?, claims.sub)
        .await?
        .ok_or_else(|| ApiError::unauthorized("this account no longer exists"))?;
    if let Err(problem) = password::check_policy(&change.new_password, &email) {
        return Err(ApiError::invalid(vec![FieldError::new("new_password", problem)]));
    }
    if change.new_password == change.current_password {
        return Err(ApiError::invalid(vec![FieldError::new("new_password", "must differ from the current one")]));
    }
    step_up(&state, claims.sub, "current_password", change.current_password, &actor.origin).await?;
    let hash = state.guard.hash(change.new_password).await?;
    let mut tx = state.db.begin().await?;
    users::set_password(&mut tx, claims.sub, &hash).await?;
    let revoked = sessions::revoke_user(&mut tx, claims.sub, Scope::AllBut(claims.sid), "password_changed").await?;
    let details = serde_json::json!({ "sessions_ended": revoked.len() });
    actor.record(&mut tx, Action::PasswordChanged, details).await?;
    tx.commit().await?;
    state.notifier.sessions_revoked(&revoked).await;
    Ok(StatusCode::NO_CONTENT)
}
