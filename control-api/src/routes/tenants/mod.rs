//! Tenants: signup, status, lifecycle, members and invitations. What the handlers share: the
//! tenant view, who may act on a tenant, and the change notification after a status change.

pub mod invitations;
pub mod lifecycle;
pub mod members;
pub mod signup;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::auth::Claims;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::tenant::Slug;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

/// A tenant as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct TenantView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    /// `provisioning`, `active`, `suspended`, `deleting`, `deleted` or `failed`.
    pub status: String,
    /// Tenant settings such as `require_2fa_for_admins`.
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const TENANT_COLUMNS: &str = "id, slug, name, status, settings, created_at, updated_at";

/// The slug in a path: malformed ones are simply not found.
pub fn path_slug(raw: &str) -> ApiResult<Slug> {
    Slug::parse_syntax(raw).map_err(|_| ApiError::not_found("no such tenant"))
}

pub async fn find(conn: &mut PgConnection, slug: &Slug) -> ApiResult<TenantView> {
    sqlx::query_as(format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE slug = $1").as_str())
        .bind(slug.as_str())
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| ApiError::not_found("no such tenant"))
}

/// What the caller may do on a tenant, read fresh from the database (a token's role may be
/// minutes old).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    PlatformAdmin,
    Owner,
    Admin,
    Other,
}

pub async fn standing(conn: &mut PgConnection, claims: &Claims, tenant_id: Uuid) -> ApiResult<Standing> {
    let (platform_admin, role): (bool, Option<String>) = sqlx::query_as(
        "SELECT u.is_platform_admin, m.role FROM users u
         LEFT JOIN memberships m ON m.user_id = u.id AND m.tenant_id = $2
         WHERE u.id = $1 AND u.status = 'active'",
    )
    .bind(claims.sub)
    .bind(tenant_id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| ApiError::unauthorized("this account no longer exists or is disabled"))?;
    Ok(match (platform_admin, role.as_deref()) {
        (true, _) => Standing::PlatformAdmin,
        (_, Some("owner")) => Standing::Owner,
        (_, Some("admin")) => Standing::Admin,
        _ => Standing::Other,
    })
}

/// Tenants a caller cannot act on are reported as not found rather than forbidden when the
/// caller is no member at all, so slugs cannot be probed through these endpoints.
pub fn require(standing: Standing, allowed: &[Standing]) -> ApiResult<()> {
    if allowed.contains(&standing) {
        Ok(())
    } else if standing == Standing::Other {
        Err(ApiError::not_found("no such tenant"))
    } else {
        Err(ApiError::forbidden("your role does not allow this"))
    }
}

pub fn name_errors(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) {
    let chars = value.trim().chars().count();
    if chars == 0 {
        errors.push(FieldError::new(field, "must not be empty"));
    } else if chars > max {
        errors.push(FieldError::new(field, format!("must be at most {max} characters")));
    } else if value.chars().any(char::is_control) {
        errors.push(FieldError::new(field, "must not contain control characters"));
    }
}

pub fn gone(status: &str) -> Option<ApiError> {
    matches!(status, "deleting" | "deleted")
        .then(|| ApiError::new(StatusCode::GONE, "tenant_deleted", "this tenant is deleted"))
}
