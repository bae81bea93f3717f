//! The tenant's `users` mirror (members as control-api last told this tenant: role, VIP flag,
//! whether still active) and the tenant's audit log of changes made to them here.

use base::FieldError;
use base::Role;
use serde::Serialize;
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ids::{OrganizationId, UserId};
use crate::ticket_settings::AgentAccess;

/// A member as this tenant knows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    #[schema(value_type = Uuid)]
    pub id: UserId,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    /// `owner`, `admin`, `agent` or `customer`.
    pub role: Role,
    pub vip: bool,
    /// Whether they take tickets now (staff; `PUT /v1/me/availability`).
    pub available: bool,
    /// The customer organisations they belong to, their primary first.
    #[schema(value_type = Vec<Uuid>)]
    pub organization_ids: Vec<OrganizationId>,
    /// Null without any.
    #[schema(value_type = Option<Uuid>)]
    pub primary_organization_id: Option<OrganizationId>,
}

/// The role of an active member (`None`: not a member, or no longer).
pub async fn active_role(conn: &mut PgConnection, id: UserId) -> sqlx::Result<Option<Role>> {
    sqlx::query_scalar!(r#"SELECT role AS "role: Role" FROM users WHERE id = $1 AND active"#, id as _)
        .fetch_optional(conn)
        .await
}

/// `id`'s role while an active member, and the organisation's agent access (`ticket_settings`),
/// in one statement.
pub async fn active_role_and_access(conn: &mut PgConnection, id: UserId) -> sqlx::Result<(Option<Role>, AgentAccess)> {
    let row = sqlx::query!(
        r#"SELECT (SELECT role FROM users WHERE id = $1 AND active) AS "role: Role",
                  s.agent_ticket_access AS "access: AgentAccess"
           FROM ticket_settings s"#,
        id as _
    )
    .fetch_one(conn)
    .await?;
    Ok((row.role, row.access))
}

/// Whether `id` is someone a ticket may be given to: an active agent, admin or owner.
pub async fn assignable(conn: &mut PgConnection, id: UserId) -> sqlx::Result<bool> {
    Ok(matches!(active_role(conn, id).await?, Some(Role::Owner | Role::Admin | Role::Agent)))
}

/// How `id` is named to others: their first and last names (empty when unknown).
pub async fn display_name(conn: &mut PgConnection, id: UserId) -> sqlx::Result<String> {
    let name = sqlx::query_scalar!(
        r#"SELECT trim(firstname || ' ' || lastname) AS "name!" FROM users WHERE id = $1"#,
        id as _
    )
    .fetch_optional(conn)
    .await?;
    Ok(name.unwrap_or_default())
}

/// An active member.
pub async fn active(conn: &mut PgConnection, id: UserId) -> sqlx::Result<Option<Me>> {
    sqlx::query_as!(
        Me,
        r#"SELECT id, email, firstname, lastname, role AS "role: Role", vip, available,
                  person_organizations(id) AS "organization_ids!: Vec<OrganizationId>",
                  person_primary_organization(id) AS "primary_organization_id: OrganizationId"
           FROM users WHERE id = $1 AND active"#,
        id as _,
    )
    .fetch_optional(conn)
    .await
}

/// An active member's role and VIP flag.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub role: Role,
    pub vip: bool,
}

/// The role and VIP flag of an active member.
pub async fn standing(conn: &mut PgConnection, id: UserId) -> sqlx::Result<Option<Standing>> {
    sqlx::query_as!(Standing, r#"SELECT role AS "role: Role", vip FROM users WHERE id = $1 AND active"#, id as _)
        .fetch_optional(conn)
        .await
}

/// `standing`, locking the member's row for a change.
pub async fn standing_for_update(conn: &mut PgConnection, id: UserId) -> sqlx::Result<Option<Standing>> {
    sqlx::query_as!(
        Standing,
        r#"SELECT role AS "role: Role", vip FROM users WHERE id = $1 AND active FOR UPDATE"#,
        id as _
    )
    .fetch_optional(conn)
    .await
}

/// Sets a member's VIP flag (`updated_at` moves only if it changes).
pub async fn set_vip(conn: &mut PgConnection, id: UserId, vip: bool) -> sqlx::Result<Me> {
    sqlx::query_as!(
        Me,
        r#"UPDATE users SET vip = $2, updated_at = CASE WHEN vip = $2 THEN updated_at ELSE now() END WHERE id = $1
           RETURNING id, email, firstname, lastname, role AS "role: Role", vip, available,
             person_organizations(id) AS "organization_ids!: Vec<OrganizationId>",
             person_primary_organization(id) AS "primary_organization_id: OrganizationId""#,
        id as _,
        vip,
    )
    .fetch_one(conn)
    .await
}

/// Why a change to a member, or their erasure (`sav::erasure`), is refused; the HTTP layer gives
/// each its answer (app-api's `refusals`).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// No member of the tenant has this id.
    #[error("no member of this tenant has this id")]
    NotMember,
    /// Fields that break the rules, each with why (a customer's flag asked of staff, say).
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Sets customer `id`'s VIP flag for `admin`, with its audit entry when it changes, in one
/// transaction: 404 for no active member, 422 for staff.
pub async fn set_customer_vip(conn: &mut PgConnection, admin: UserId, id: UserId, vip: bool) -> Result<Me, Refused> {
    let mut tx = conn.begin().await?;
    let current = standing_for_update(&mut tx, id).await?;
    let current = current.ok_or(Refused::NotMember)?;
    if current.role != Role::Customer {
        return Err(Refused::Invalid(vec![FieldError::new("vip", "applies to customers only")]));
    }
    let user = set_vip(&mut tx, id, vip).await?;
    if current.vip != vip {
        audit_vip_change(&mut tx, admin, id, current.vip, vip).await?;
    }
    tx.commit().await?;
    Ok(user)
}

/// Writes a change of `subject`'s VIP flag by `actor` to the audit log.
pub async fn audit_vip_change(
    conn: &mut PgConnection,
    actor: UserId,
    subject: UserId,
    was: bool,
    now: bool,
) -> sqlx::Result<()> {
    audit(conn, actor, "vip_changed", subject.0, serde_json::json!({ "vip": [was, now] })).await
}

/// Writes an entry of the tenant's audit log: `actor` did `action` to `subject`.
pub async fn audit(
    conn: &mut PgConnection,
    actor: UserId,
    action: &str,
    subject: Uuid,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO audit_log (actor_id, action, subject_id, details) VALUES ($1, $2, $3, $4)",
        actor as _,
        action,
        subject as _,
        details,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Writes an entry of the tenant's audit log about its settings (no one subject): `actor` did
/// `action`, `details` naming what.
pub async fn audit_setting(
    conn: &mut PgConnection,
    actor: UserId,
    action: &str,
    details: serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query!("INSERT INTO audit_log (actor_id, action, details) VALUES ($1, $2, $3)", actor as _, action, details)
        .execute(conn)
        .await
        .map(drop)
}

/// A member of the support team, as colleagues see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffMember {
    #[schema(value_type = Uuid)]
    pub id: UserId,
    pub firstname: String,
    pub lastname: String,
    pub email: String,
    /// `owner`, `admin` or `agent`.
    pub role: Role,
    /// Whether they take tickets now.
    pub available: bool,
}

/// A page of the tenant's active staff, by id.
pub async fn staff_page(conn: &mut PgConnection, after: Option<UserId>, limit: i64) -> sqlx::Result<Vec<StaffMember>> {
    sqlx::query_as!(
        StaffMember,
        r#"SELECT id, firstname, lastname, email, role AS "role: Role", available FROM users
           WHERE active AND role IN ('owner', 'admin', 'agent') AND ($1::uuid IS NULL OR id > $1)
           ORDER BY id LIMIT $2"#,
        after as _,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// A member of the tenant as staff read them one at a time (`GET /v1/users/{id}`): what they
/// read of themselves, and where they come from besides.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = UserDetail)]
pub struct Detail {
    #[serde(flatten)]
    pub member: Me,
    /// `{SOURCE: "id"}`: where they come from in other systems.
    #[schema(value_type = Object)]
    pub external_ids: serde_json::Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Active member `id`, as staff read them.
pub async fn detail(conn: &mut PgConnection, id: UserId) -> sqlx::Result<Option<Detail>> {
    let row = sqlx::query!(
        r#"SELECT id AS "id: UserId", email, firstname, lastname, role AS "role: Role", vip, available,
                  person_organizations(id) AS "organization_ids!: Vec<OrganizationId>",
                  person_primary_organization(id) AS "primary_organization_id: OrganizationId",
                  external_ids, created_at
           FROM users WHERE id = $1 AND active"#,
        id as _,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| Detail {
        member: Me {
            id: row.id,
            email: row.email,
            firstname: row.firstname,
            lastname: row.lastname,
            role: row.role,
            vip: row.vip,
            available: row.available,
            organization_ids: row.organization_ids,
            primary_organization_id: row.primary_organization_id,
        },
        external_ids: row.external_ids,
        created_at: row.created_at,
    }))
}

/// A member of the organisation, as staff look them up (`GET /v1/users`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = User)]
pub struct Person {
    #[schema(value_type = Uuid)]
    pub id: UserId,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    /// `owner`, `admin`, `agent` or `customer`.
    pub role: Role,
    pub vip: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The name the list is ordered by, as the database lowers it.
    #[serde(skip)]
    pub sort_name: String,
}

impl Person {
    /// Where it stands in the list by name (`people_page`).
    pub fn position(&self) -> (String, UserId) {
        (self.sort_name.clone(), self.id)
    }
}

/// Which members a look-up lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Customers,
    Staff,
}

/// A page of the organisation's active members (not API keys) by name, then id: those of `kind`
/// (any when `None`) whose name or address contains `q` (ignoring case), after `after`.
pub async fn people_page(
    conn: &mut PgConnection,
    kind: Option<Kind>,
    q: Option<&str>,
    after: Option<(String, UserId)>,
    limit: i64,
) -> sqlx::Result<Vec<Person>> {
    let (after_name, after_id) = after.unzip();
    let pattern = q.map(|q| format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
    sqlx::query_as!(
        Person,
        r#"SELECT id, email, firstname, lastname, role AS "role: Role", vip, created_at,
                  lower(firstname || ' ' || lastname) AS "sort_name!"
           FROM users
           WHERE active AND role <> 'integration'
             AND CASE $1::text WHEN 'customers' THEN role = 'customer' WHEN 'staff' THEN role <> 'customer' ELSE true END
             AND ($2::text IS NULL OR firstname || ' ' || lastname ILIKE $2 OR email ILIKE $2)
             AND ($3::text IS NULL OR (lower(firstname || ' ' || lastname), id) > ($3, $4::uuid))
           ORDER BY lower(firstname || ' ' || lastname), id LIMIT $5"#,
        kind.map(|k| match k {
            Kind::Customers => "customers",
            Kind::Staff => "staff",
        }),
        pattern,
        after_name,
        after_id as _,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// The customer of a ticket, as the ticket shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Customer {
    #[schema(value_type = Uuid)]
    pub id: UserId,
    pub firstname: String,
    pub lastname: String,
    pub email: String,
    pub vip: bool,
}

/// Someone of the support team by name only (what a customer may learn of who handles them).
#[derive(Debug, Serialize, ToSchema)]
pub struct Colleague {
    #[schema(value_type = Uuid)]
    pub id: UserId,
    pub firstname: String,
    pub lastname: String,
}
