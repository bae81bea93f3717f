//! The tenants repository, as the API reads and changes them: by slug, listing, name and
//! settings, status changes, sign-up. (Provisioning's own reads and writes of the placement
//! columns are in `provision`.)

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::tenant::TenantStatus;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

/// A tenant as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TenantView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    /// Tenant settings such as `require_2fa_for_admins`.
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    /// IANA (`UTC` by default): where its days begin and end.
    pub time_zone: String,
    /// `en` (the default) or `fr`.
    pub default_locale: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub use shared::tenant::TenantRef;

// Every query returning a `TenantView` selects the same columns (the macros take literal SQL
// only): id, slug, name, status, settings, time_zone, default_locale, created_at, updated_at.

pub async fn find_by_slug(conn: &mut PgConnection, slug: &str) -> sqlx::Result<Option<TenantView>> {
    sqlx::query_as!(
        TenantView,
        r#"SELECT id, slug, name, status AS "status: TenantStatus", settings, time_zone, default_locale, created_at, updated_at
           FROM tenants WHERE slug = $1 AND slug_released_at IS NULL"#,
        slug,
    )
    .fetch_optional(conn)
    .await
}

/// The tenant with this id, locked until the transaction ends (`FOR UPDATE`).
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<TenantView>> {
    sqlx::query_as!(
        TenantView,
        r#"SELECT id, slug, name, status AS "status: TenantStatus", settings, time_zone, default_locale, created_at, updated_at
           FROM tenants WHERE id = $1 FOR UPDATE"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// What a change of a tenant names; absent parts stay.
#[derive(Debug, Default)]
pub struct Change<'a> {
    pub name: Option<&'a str>,
    /// Merged into its settings (keys set to null are left as they are).
    pub settings: Option<serde_json::Value>,
    pub time_zone: Option<&'a str>,
    pub default_locale: Option<&'a str>,
}

/// Changes a tenant by `change`.
pub async fn update(conn: &mut PgConnection, id: Uuid, change: Change<'_>) -> sqlx::Result<TenantView> {
    sqlx::query_as!(
        TenantView,
        r#"UPDATE tenants SET name = COALESCE($2, name),
             settings = settings || COALESCE(jsonb_strip_nulls($3), '{}'::jsonb),
             time_zone = COALESCE($4, time_zone), default_locale = COALESCE($5, default_locale), updated_at = now()
           WHERE id = $1
           RETURNING id, slug, name, status AS "status: TenantStatus", settings, time_zone, default_locale, created_at, updated_at"#,
        id,
        change.name,
        change.settings,
        change.time_zone,
        change.default_locale,
    )
    .fetch_one(conn)
    .await
}

/// Moves a tenant from `from` to `to`; `None` when it was not in `from`.
pub async fn transition(
    conn: &mut PgConnection,
    id: Uuid,
    from: TenantStatus,
    to: TenantStatus,
) -> sqlx::Result<Option<TenantView>> {
    sqlx::query_as!(
        TenantView,
        r#"UPDATE tenants SET status = $3, updated_at = now() WHERE id = $1 AND status = $2
           RETURNING id, slug, name, status AS "status: TenantStatus", settings, time_zone, default_locale, created_at, updated_at"#,
        id,
        from.as_str(),
        to.as_str(),
    )
    .fetch_optional(conn)
    .await
}

/// Marks a tenant `deleting`, whatever its status.
pub async fn mark_deleting(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<TenantView> {
    sqlx::query_as!(
        TenantView,
        r#"UPDATE tenants SET status = 'deleting', updated_at = now() WHERE id = $1
           RETURNING id, slug, name, status AS "status: TenantStatus", settings, time_zone, default_locale, created_at, updated_at"#,
        id,
    )
    .fetch_one(conn)
    .await
}

pub async fn tenant_ref(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<TenantRef> {
    sqlx::query_as!(TenantRef, "SELECT id, slug, name FROM tenants WHERE id = $1", id).fetch_one(conn).await
}

/// The active tenant with this slug.
pub async fn active_ref(conn: &mut PgConnection, slug: &str) -> sqlx::Result<Option<TenantRef>> {
    sqlx::query_as!(TenantRef, "SELECT id, slug, name FROM tenants WHERE slug = $1 AND status = 'active'", slug)
        .fetch_optional(conn)
        .await
}

/// How long a deleted tenant's slug stays its own.
pub const SLUG_RESERVED_DAYS: i32 = 30;

/// Lets a deleted tenant's slug go when its 30 days are over, so that a new tenant may take it;
/// the deleted tenant's row stays. Returns when the slug becomes free if it is still reserved.
pub async fn release_slug(conn: &mut PgConnection, slug: &str) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query!(
        "UPDATE tenants SET slug_released_at = now()
         WHERE slug = $1 AND slug_released_at IS NULL AND status = 'deleted'
           AND deleted_at <= now() - make_interval(days => $2::int)",
        slug,
        SLUG_RESERVED_DAYS,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar!(
        r#"SELECT deleted_at + make_interval(days => $2::int) AS "free_from!"
           FROM tenants WHERE slug = $1 AND slug_released_at IS NULL AND status = 'deleted' AND deleted_at IS NOT NULL"#,
        slug,
        SLUG_RESERVED_DAYS,
    )
    .fetch_optional(conn)
    .await
}

/// A new tenant, `provisioning`. A taken slug violates `tenants_slug_key`.
pub async fn insert(conn: &mut PgConnection, id: Uuid, slug: &str, name: &str) -> sqlx::Result<()> {
    sqlx::query!("INSERT INTO tenants (id, slug, name, status) VALUES ($1, $2, $3, 'provisioning')", id, slug, name)
        .execute(conn)
        .await
        .map(drop)
}
