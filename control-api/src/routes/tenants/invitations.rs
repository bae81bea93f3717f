//! Invitations: an owner or admin invites an email with a role, and the invitation link is
//! mailed to it; the invitee accepts as a new user (password and names) or, already having an
//! account, with their access token.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::auth::Role;
use shared::crypto::random_token;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::{JsonBody, Page, PageParams, RawBody, parse_json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Live, Managers, TenantAccess};
use crate::identity::audit::Action;
use crate::identity::email::Email;
use crate::identity::invitations::{self, NewInvitation, OpenInvitation};
use crate::identity::mail::{self, compose::Language};
use crate::identity::password::Busy;
use crate::identity::people::NewPerson;
use crate::identity::sessions::Origin;
use crate::identity::users::{self, UserProfile};
use crate::routes::Caller;
use crate::routes::auth::TenantRef;
use crate::state::AppState;
use crate::tenancy::joining::{self, AcceptError, Invitee};

/// How long an invitation can be accepted.
pub const INVITATION_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    pub email: String,
    /// `admin`, `agent` or `customer`.
    pub role: String,
    /// The language of the invitation mail: `en` (default) or `fr`.
    #[serde(default)]
    pub language: Language,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationCreated {
    /// The invitation's secret, shown this once; the link carrying it is mailed to the invitee.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Invite someone into the tenant.
#[utoipa::path(post, path = "/v1/tenants/{slug}/invitations", tag = "tenants", params(("slug" = String, Path)),
    request_body = InvitationRequest, security(("bearer" = [])),
    responses(
        TenantAccess<Live<Managers>>,
        (status = 201, description = "Created; the link `{APP_PUBLIC_URL}/invite/{token}` is mailed to the invitee, signed with the organisation's name", body = InvitationCreated),
        (status = 422, description = "`validation_failed`: bad email or role"),
    ))]
pub async fn post_invitation(
    State(state): State<AppState>,
    access: TenantAccess<Live<Managers>>,
    JsonBody(request): JsonBody<InvitationRequest>,
) -> ApiResult<(StatusCode, Json<InvitationCreated>)> {
    let mut errors = Vec::new();
    let email = Email::parse(&request.email).map_err(|e| errors.push(FieldError::new("email", e))).ok();
    let role = Role::from_db(&request.role).filter(|role| matches!(role, Role::Admin | Role::Agent | Role::Customer));
    if role.is_none() {
        errors.push(FieldError::new("role", "must be admin, agent or customer (owners are promoted from members)"));
    }
    let (Some(email), Some(role), true) = (email, role, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let claims = &access.claims;
    let mut tx = state.db.begin().await?;
    let tenant = access.lock(&mut tx).await?;
    let token = random_token();
    let expires_at = Utc::now() + chrono::Duration::from_std(INVITATION_TTL).expect("small duration");
    let invitation = NewInvitation {
        token: &token,
        tenant_id: tenant.id,
        email: email.as_str(),
        role,
        invited_by: claims.sub,
        expires_at,
    };
    invitations::create(&mut tx, &invitation).await?;
    let inviter = users::profile(&mut tx, claims.sub)
        .await?
        .ok_or_else(|| ApiError::unauthorized("this account no longer exists or is disabled"))?;
    let tenant_ref = TenantRef { id: tenant.id, slug: tenant.slug.clone(), name: tenant.name.clone() };
    let mail = mail::Invitation {
        token: &token,
        email: email.as_str(),
        role: role.as_str(),
        tenant: &tenant_ref,
        inviter: &inviter,
        expires_at,
        language: request.language,
    };
    let mail_id = state.mail.invitation(&mut tx, &mail).await?;
    let details = serde_json::json!({ "email": email.as_str(), "role": request.role, "mail_id": mail_id });
    access.record(&mut tx, Action::InvitationCreated, details).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok((StatusCode::CREATED, Json(InvitationCreated { token, expires_at })))
}

/// The invitations not accepted yet (expired ones included, marked), oldest first. Their tokens
/// are never shown again.
#[utoipa::path(get, path = "/v1/tenants/{slug}/invitations", tag = "tenants", params(("slug" = String, Path), PageParams),
    security(("bearer" = [])),
    responses(
        TenantAccess<Managers>,
        (status = 200, description = "A page of open invitations", body = Page<OpenInvitation>),
    ))]
pub async fn list_invitations(
    State(state): State<AppState>,
    access: TenantAccess<Managers>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<OpenInvitation>>> {
    let rows = async |after, limit| {
        invitations::page_open_of_tenant(&mut *state.db.acquire().await?, access.tenant.id, after, limit).await
    };
    Ok(Json(page.fetch(rows, |i| (i.created_at, i.id)).await?))
}

/// The invitation a path names, beside the tenant's `{slug}`: any text, so that a malformed id
/// is not found like an unknown one.
#[derive(Debug, Deserialize)]
pub struct InvitationPath {
    id: String,
}

/// Revoke an invitation not accepted yet: its link stops working.
#[utoipa::path(delete, path = "/v1/tenants/{slug}/invitations/{id}", tag = "tenants",
    params(("slug" = String, Path), ("id" = Uuid, Path)), security(("bearer" = [])),
    responses(
        TenantAccess<Managers>,
        (status = 204, description = "Revoked"),
        (status = 404, description = "`not_found`: no such open invitation in this tenant"),
    ))]
pub async fn delete_invitation(
    State(state): State<AppState>,
    access: TenantAccess<Managers>,
    Path(InvitationPath { id }): Path<InvitationPath>,
) -> ApiResult<StatusCode> {
    let tenant = &access.tenant;
    let not_found = || ApiError::not_found("no open invitation with this id in this tenant");
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let mut tx = state.db.begin().await?;
    let email = invitations::revoke(&mut tx, tenant.id, id).await?.ok_or_else(not_found)?;
    let details = serde_json::json!({ "invitation_id": id, "email": email });
    access.record(&mut tx, Action::InvitationRevoked, details).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new user joining through an invitation: the email is the invitation's.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Newcomer {
    pub password: String,
    pub firstname: String,
    pub lastname: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Joined {
    pub tenant: TenantRef,
    pub user: UserProfile,
    pub role: String,
}

/// A new user's fields, checked against the invitation's email, and their password hashed
/// before the transaction opens.
async fn newcomer(state: &AppState, token: &str, body: &[u8]) -> ApiResult<Invitee> {
    let Newcomer { password, firstname, lastname } = parse_json(body)?;
    let invitation = {
        let mut conn = state.db.acquire().await?;
        invitations::find_open(&mut conn, token).await?.ok_or(AcceptError::NotFound)?
    };
    let email = invitation.email;
    let person = NewPerson { email, password, firstname, lastname }.checked().map_err(ApiError::invalid)?;
    let password_hash = state.guard.hash(person.password.clone()).await?;
    Ok(Invitee::Newcomer { person, password_hash })
}

/// Join a tenant: as a new user (`{password, firstname, lastname}`), or with a bearer token as
/// the existing user the invitation's email belongs to.
#[utoipa::path(post, path = "/v1/invitations/{token}/accept", tag = "tenants", params(("token" = String, Path)),
    security((), ("bearer" = [])),
    request_body(content = Option<Newcomer>, description = "For a new user: password, firstname, lastname (the email is the invitation's); nothing with a bearer token"),
    responses(
        (status = 200, description = "Joined", body = Joined),
        (status = 422, description = "`validation_failed`"),
        AcceptError,
        Busy,
    ))]
pub async fn post_accept(
    State(state): State<AppState>,
    caller: Option<Caller>,
    origin: Origin,
    Path(token): Path<String>,
    RawBody(body): RawBody,
) -> ApiResult<Json<Joined>> {
    if token.len() > 128 {
        return Err(AcceptError::NotFound.into());
    }
    let invitee = match caller {
        Some(Caller(claims)) => Invitee::Caller(claims.sub),
        None => newcomer(&state, &token, &body).await?,
    };
    let mut tx = state.db.begin().await?;
    let accepted = joining::accept(&mut tx, &token, invitee, &origin).await?;
    tx.commit().await?;
    Ok(Json(Joined { tenant: accepted.tenant, user: accepted.user, role: accepted.role.as_str().to_owned() }))
}
