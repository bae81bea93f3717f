//! Tenants: signup, status, lifecycle, members and invitations. What the handlers share: the
//! tenant view, who may act on a tenant, and the change notification after a status change.

pub mod invitations;
pub mod lifecycle;
pub mod members;
pub mod signup;

use axum::http::StatusCode;
use shared::auth::{Claims, Role};
use shared::error::{ApiError, ApiResult};
use shared::tenant::{Slug, TenantStatus};
use sqlx::PgConnection;

use crate::identity::memberships;
use crate::tenancy::tenants;
pub use crate::tenancy::tenants::TenantView;

/// The slug in a path: malformed ones are simply not found.
pub fn path_slug(raw: &str) -> ApiResult<Slug> {
    Slug::parse_syntax(raw).map_err(|_| ApiError::not_found("no such tenant"))
}

pub async fn find(conn: &mut PgConnection, slug: &Slug) -> ApiResult<TenantView> {
    tenants::find_by_slug(conn, slug.as_str()).await?.ok_or_else(|| ApiError::not_found("no such tenant"))
}

/// What the caller may do on a tenant, read fresh from the database (a token's role may be
/// minutes old).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    PlatformAdmin,
    Owner,
    Admin,
    /// An agent or a customer of the tenant: knows it exists, may not manage it.
    Member,
    /// No member at all.
    Other,
}

/// Whether the tenant asks its owners and admins for a second factor.
fn requires_second_factor(tenant: &TenantView) -> bool {
    tenant.settings.get("require_2fa_for_admins").and_then(serde_json::Value::as_bool).unwrap_or(false)
}

/// The caller's standing on `tenant`. Platform operators act with a platform token (one issued
/// without a tenant); everyone else with a token issued for this tenant, and, where the tenant
/// requires 2FA for owners and admins, one whose session used the second factor. The role is
/// read from the database, so a demotion or removal takes effect at once.
pub async fn standing(conn: &mut PgConnection, claims: &Claims, tenant: &TenantView) -> ApiResult<Standing> {
    let caller = memberships::caller_role(conn, claims.sub, tenant.id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("this account no longer exists or is disabled"))?;
    if caller.is_platform_admin && claims.tid.is_none() && claims.role == Role::PlatformAdmin {
        return Ok(Standing::PlatformAdmin);
    }
    let standing = match caller.role {
        Some(Role::Owner) => Standing::Owner,
        Some(Role::Admin) => Standing::Admin,
        Some(Role::Agent | Role::Customer) => return Ok(Standing::Member),
        Some(Role::PlatformAdmin) | None => return Ok(Standing::Other),
    };
    if claims.tid != Some(tenant.id) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "tenant_mismatch",
            "this token was issued for another tenant: sign in to this one",
        ));
    }
    if requires_second_factor(tenant) && !claims.used_otp() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "mfa_required",
            "this organisation requires owners and admins to sign in with a second factor",
        ));
    }
    Ok(standing)
}

/// Tenants a caller cannot act on are reported as not found rather than forbidden when the
/// caller is no member at all, so slugs cannot be probed through these endpoints. A member
/// without the role is told it is forbidden: a caller acting for them (app-api) must not take
/// the refusal for a member already removed.
pub fn require(standing: Standing, allowed: &[Standing]) -> ApiResult<()> {
    if allowed.contains(&standing) {
        Ok(())
    } else if standing == Standing::Other {
        Err(ApiError::not_found("no such tenant"))
    } else {
        Err(ApiError::forbidden("your role does not allow this"))
    }
}

pub fn gone(status: TenantStatus) -> Option<ApiError> {
    status.is_gone().then(|| ApiError::new(StatusCode::GONE, "tenant_deleted", "this tenant is deleted"))
}
