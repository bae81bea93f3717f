//! `POST /v1/tenants/signup` and `GET /v1/tenants/{slug}/status`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use shared::tenant::{Slug, TenantStatus};
use utoipa::ToSchema;
use uuid::Uuid;

use super::TenantView;
use super::access::{find, path_slug};
use crate::identity::account_tokens::{self, Purpose};
use crate::identity::people::{NewPerson, check_person, name_errors};
use crate::identity::sessions::Origin;
use crate::identity::users::UserProfile;
use crate::routes::{Caller, within_limit};
use crate::state::AppState;
use crate::tenancy::signup::{self, NewOrganisation, Owner, SignupError};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    pub organization_name: String,
    /// 3 to 63 of `[a-z0-9-]`, no leading or trailing hyphen, not reserved.
    pub slug: String,
    /// The owner's new account. Omitted when the request carries an access token: the caller
    /// owns the new organisation with their existing account.
    #[serde(default)]
    pub admin: Option<NewPerson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignupTenant {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignupResponse {
    pub tenant: SignupTenant,
    pub user: UserProfile,
    /// Signs the owner in once the organisation is active (`POST /v1/auth/sign-in-token`): single
    /// use, valid 15 minutes.
    pub sign_in_token: String,
}

impl SignupRequest {
    /// The organisation this body asks for, owned by `caller` or by the new account in `admin`
    /// (exactly one of them), every field checked (422 with each field's error).
    fn checked(self, caller: Option<Caller>) -> ApiResult<NewOrganisation> {
        let mut errors = Vec::new();
        let slug = Slug::parse_new(&self.slug).map_err(|e| errors.push(FieldError::new("slug", e.to_string()))).ok();
        name_errors("organization_name", &self.organization_name, 200, &mut errors);
        let owner = match (caller, self.admin) {
            (None, Some(admin)) => check_person(admin, "admin.", &mut errors).map(Owner::New),
            (Some(Caller(claims)), None) => Some(Owner::Existing(claims.sub)),
            (None, None) => {
                errors.push(FieldError::new("admin", "is required without an access token"));
                None
            }
            (Some(_), Some(_)) => {
                errors.push(FieldError::new("admin", "must be omitted with an access token: you are the owner"));
                None
            }
        };
        let (Some(slug), Some(owner), true) = (slug, owner, errors.is_empty()) else {
            return Err(ApiError::invalid(errors));
        };
        Ok(NewOrganisation { slug, name: self.organization_name.trim().to_owned(), owner })
    }
}

/// Counts a sign-up against the caller's address, then against every address together.
async fn check_signup_budget(state: &AppState, ip: Option<std::net::IpAddr>) -> ApiResult<()> {
    let signups = &state.signups;
    let too_many = "too many organisations created; retry later";
    if let (Some(limit), Some(ip)) = (&signups.per_ip, ip) {
        within_limit(&signups.limiter, limit, format!("ip:{ip}"), too_many).await?;
    }
    if let Some(limit) = &signups.global {
        within_limit(&signups.limiter, limit, "all".to_owned(), too_many)
            .await
            .inspect_err(|_| tracing::warn!("the platform-wide sign-up limit is reached"))?;
    }
    Ok(())
}

/// Register an organisation: its owner account (or, with an access token, the caller), and its
/// database (provisioned in the background; poll the status).
#[utoipa::path(post, path = "/v1/tenants/signup", tag = "tenants", request_body = SignupRequest,
    security((), ("bearer" = [])),
    responses(
        (status = 202, description = "Accepted: the tenant is being provisioned; `sign_in_token` signs the owner in once it is active", body = SignupResponse),
        (status = 400, description = "`validation_failed`: unreadable body or unknown fields"),
        (status = 422, description = "`validation_failed`: bad slug, name, email or password; `admin` missing without a token or given with one"),
        (status = 429, description = "`rate_limited`: too many sign-ups from this address or in all; see Retry-After"),
        SignupError,
    ))]
pub async fn post_signup(
    State(state): State<AppState>,
    caller: Option<Caller>,
    origin: Origin,
    JsonBody(request): JsonBody<SignupRequest>,
) -> ApiResult<(StatusCode, Json<SignupResponse>)> {
    let organisation = request.checked(caller)?;
    check_signup_budget(&state, origin.ip).await?;
    let new_owner_hash = signup::new_owner_hash(&state.db, &state.guard, &organisation.owner).await?;
    let mut tx = state.db.begin().await?;
    let (tenant_id, user) = signup::create(&mut tx, &organisation, new_owner_hash).await?;
    let sign_in_token = account_tokens::issue(&mut tx, Purpose::SignIn, user.id, tenant_id).await?;
    tx.commit().await?;
    let NewOrganisation { slug, name, .. } = organisation;
    tracing::info!(tenant = %tenant_id, slug = slug.as_str(), "tenant signed up");
    let tenant =
        SignupTenant { id: tenant_id, slug: slug.as_str().to_owned(), name, status: TenantStatus::Provisioning };
    Ok((StatusCode::ACCEPTED, Json(SignupResponse { tenant, user, sign_in_token })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantStatusView {
    pub slug: String,
    /// The organisation's name, as its pages and mail show it.
    pub name: String,
    pub status: TenantStatus,
    /// The address of the tenant's web app (`APP_PUBLIC_URL`), where its people sign in; absent
    /// when the platform does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_url: Option<String>,
}

/// A tenant's status: poll after signup until `active`.
#[utoipa::path(get, path = "/v1/tenants/{slug}/status", tag = "tenants",
    params(("slug" = String, Path, description = "The tenant's slug")),
    responses(
        (status = 200, description = "The status", body = TenantStatusView),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn get_status(State(state): State<AppState>, Path(slug): Path<String>) -> ApiResult<Json<TenantStatusView>> {
    let slug = path_slug(&slug)?;
    let mut conn = state.db.acquire().await?;
    let tenant: TenantView = find(&mut conn, &slug).await?;
    let app_url = state.config.app_public_url.as_ref().map(|url| url.for_slug(&tenant.slug));
    Ok(Json(TenantStatusView { slug: tenant.slug, name: tenant.name, status: tenant.status, app_url }))
}
