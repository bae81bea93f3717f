//! `POST /v1/auth/register`: end users register themselves as customers of an active tenant.
//! An existing identity joins with its own password, but the answer never says whether that
//! password was right: 201 either way (only a right one joins), the check counts against the
//! login limiter like any other, and login is where the person finds out.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::auth::Role;
use shared::error::{ApiError, ApiResult};
use shared::http::JsonBody;
use shared::tenant::Slug;
use utoipa::ToSchema;

use crate::identity::audit::{self, Action};
use crate::identity::people::{NewPerson, check_person, insert_user};
use crate::identity::sessions::Origin;
use crate::identity::users::{self, UserStatus};
use crate::identity::{guard, memberships};
use crate::routes::auth::TenantRef;
use crate::state::AppState;
use crate::tenancy::jobs::{self, JobKind};
use crate::tenancy::tenants;

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

/// The same answer for every registration that passed its checks.
#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    pub tenant: TenantRef,
    /// The email, as given.
    pub email: String,
    /// Always `customer`.
    pub role: &'static str,
}

fn tenant_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "tenant_not_found", "no active tenant has this slug")
}

/// Register as a customer of a tenant, then sign in with /v1/auth/login.
#[utoipa::path(post, path = "/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered, or (for an email that has an account) joined if the password was that account's: sign in to continue", body = Registered),
        (status = 404, description = "`tenant_not_found`"),
        (status = 422, description = "`validation_failed`"),
        (status = 429, description = "`rate_limited`: too many failed attempts on this account or from this address, or too many registrations from this address"),
        (status = 503, description = "`server_busy`: see Retry-After"),
    ))]
pub async fn post_register(
    State(state): State<AppState>,
    origin: Origin,
    JsonBody(request): JsonBody<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<Registered>)> {
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
    if let (Some(limit), Some(ip)) = (&state.signups.registrations_per_ip, origin.ip) {
        let decision = state.signups.limiter.check(limit, format!("register:{ip}")).await;
        if !decision.allowed {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many registrations from this address; retry later",
            )
            .with_retry_after(decision.retry_after_secs.max(1)));
        }
    }
    let (tenant, existing) = {
        let mut conn = state.db.acquire().await?;
        let tenant = tenants::active_ref(&mut conn, slug.as_str()).await?.ok_or_else(tenant_not_found)?;
        (tenant, users::login_candidate(&mut conn, &person.email.normalized(), None).await?)
    };
    let answer = Registered { tenant: tenant.clone(), email: person.email.as_str().to_owned(), role: "customer" };

    let user_id = match existing {
        None => {
            let hash = state.guard.hash(person.password.clone()).await?;
            let mut tx = state.db.begin().await?;
            let user = insert_user(&mut tx, &person, &hash).await?;
            join(&mut tx, &tenant, user.id, &origin).await?;
            tx.commit().await?;
            return Ok((StatusCode::CREATED, Json(answer)));
        }
        Some(candidate) => {
            let subjects = guard::subjects(person.email.normalized(), origin.ip);
            let proven =
                state.guard.check_password(&subjects, person.password, Some(candidate.password_hash.clone())).await?;
            if !(proven && candidate.user_status == UserStatus::Active) {
                let mut conn = state.db.acquire().await?;
                let details = serde_json::json!({ "reason": "bad_credentials", "via": "registration" });
                audit::record(&mut conn, Action::LoginFailed, Some(candidate.user_id), None, &origin, details).await?;
                return Ok((StatusCode::CREATED, Json(answer)));
            }
            state.guard.proven(&subjects).await;
            candidate.user_id
        }
    };
    let mut tx = state.db.begin().await?;
    join(&mut tx, &tenant, user_id, &origin).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// Makes the user a customer of the tenant, unless they are a member already.
async fn join(tx: &mut sqlx::PgConnection, tenant: &TenantRef, user_id: uuid::Uuid, origin: &Origin) -> ApiResult<()> {
    if memberships::add(tx, user_id, tenant.id, Role::Customer).await? {
        jobs::enqueue(tx, tenant.id, JobKind::SyncMember(user_id)).await?;
        let details = serde_json::json!({ "role": "customer", "via": "registration" });
        audit::record(tx, Action::MemberJoined, Some(user_id), Some(tenant.id), origin, details).await?;
    }
    Ok(())
}
