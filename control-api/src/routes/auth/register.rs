//! `POST /v1/auth/register`: end users register themselves as customers of an active tenant.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::error::{ApiError, ApiResult};
use shared::http::JsonBody;
use shared::tenant::Slug;
use utoipa::ToSchema;

use crate::identity::audit::{self, Action};
use crate::identity::sessions::Origin;
use crate::routes::auth::TenantRef;
use crate::routes::tenants::invitations::Joined;
use crate::routes::tenants::signup::{NewPerson, check_person, identity_for, materialize};
use crate::state::AppState;
use crate::tenancy::jobs::{self, JobKind};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// The tenant's slug.
    pub tenant: String,
    pub email: String,
    pub password: String,
    pub firstname: String,
    pub lastname: String,
}

fn tenant_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "tenant_not_found", "no active tenant has this slug")
}

/// Register as a customer of a tenant. An existing account joins with its own password.
#[utoipa::path(post, path = "/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered: sign in with /v1/auth/login", body = Joined),
        (status = 404, description = "`tenant_not_found`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: already a member, or the email belongs to an account whose password was not given", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`", body = shared::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_register(
    State(state): State<AppState>,
    origin: Origin,
    JsonBody(request): JsonBody<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<Joined>)> {
    let slug = Slug::parse_syntax(&request.tenant).map_err(|_| tenant_not_found())?;
    let mut errors = Vec::new();
    let person = NewPerson {
        email: request.email,
        password: request.password,
        firstname: request.firstname,
        lastname: request.lastname,
    };
    let person =
        check_person(person, "", &mut errors).filter(|_| errors.is_empty()).ok_or_else(|| ApiError::invalid(errors))?;
    let tenant: TenantRef = sqlx::query_as("SELECT id, slug, name FROM tenants WHERE slug = $1 AND status = 'active'")
        .bind(slug.as_str())
        .fetch_optional(&state.db)
        .await?
        .ok_or_else(tenant_not_found)?;
    let identity = identity_for(&state, &person).await?;

    let mut tx = state.db.begin().await?;
    let user = materialize(&mut tx, identity, &person).await?;
    let inserted = sqlx::query(
        "INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, 'customer') ON CONFLICT DO NOTHING",
    )
    .bind(user.id)
    .bind(tenant.id)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(ApiError::conflict("you are already a member of this tenant"));
    }
    jobs::enqueue(&mut tx, tenant.id, JobKind::SyncMember(user.id)).await?;
    let details = serde_json::json!({ "role": "customer", "via": "registration" });
    audit::record(&mut tx, Action::MemberJoined, Some(user.id), Some(tenant.id), &origin, details).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Joined { tenant, user, role: "customer".into() })))
}
