//! Customer organisations: the companies a tenant's customers belong to (never the tenant
//! itself). Admins keep them (`create`, `change`, `remove`: each one transaction with its audit
//! entry) and their members (`put_member`, `remove_member`); a customer created in the tenant
//! joins the organisation holding their address's domain in the same statement (tenant
//! migration 0043's trigger), and a person with organisations has exactly one primary.
//!
//! Domains are checked here (`domain`): lower case, two labels or more, an internationalised
//! name in its `xn--` form, never a public mail provider's (`PUBLIC_MAIL_DOMAINS`). The key of
//! `organization_domains` keeps one holder per domain in a tenant under concurrent writes.

use std::collections::BTreeMap;

use base::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ids::{OrganizationId, UserId};
use crate::tickets::events::OrganizationNamed;
use crate::users;

pub const NAME_MAX_CHARS: usize = 200;
pub const NOTES_MAX_CHARS: usize = 10_000;
/// Domains one organisation holds at most.
pub const DOMAINS_MAX: usize = 20;
/// Organisations one person belongs to at most.
pub const MEMBERSHIPS_MAX: usize = 20;
/// External references one record carries at most, and their sizes.
pub const EXTERNAL_IDS_MAX: usize = 10;
const EXTERNAL_SOURCE_MAX_CHARS: usize = 32;
const EXTERNAL_ID_MAX_CHARS: usize = 255;

/// Public mail providers' domains: anyone may have an address there, so no organisation holds
/// one (`docs/features/organizations.md` lists them).
pub const PUBLIC_MAIL_DOMAINS: &[&str] = &[
    "aol.com",
    "free.fr",
    "gmail.com",
    "gmx.com",
    "gmx.de",
    "gmx.fr",
    "gmx.net",
    "googlemail.com",
    "hey.com",
    "hotmail.com",
    "hotmail.fr",
    "icloud.com",
    "laposte.net",
    "live.com",
    "live.fr",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "neuf.fr",
    "orange.fr",
    "outlook.com",
    "outlook.fr",
    "posteo.de",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "sfr.fr",
    "t-online.de",
    "tutanota.com",
    "wanadoo.fr",
    "web.de",
    "yahoo.co.uk",
    "yahoo.com",
    "yahoo.fr",
    "yandex.com",
    "yandex.ru",
    "zoho.com",
];

/// A customer organisation as staff read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Organization {
    #[schema(value_type = Uuid)]
    pub id: OrganizationId,
    pub name: String,
    /// The domains it holds, sorted.
    pub domains: Vec<String>,
    /// Its members read each other's tickets.
    pub shared_tickets: bool,
    /// Its members may also write on each other's tickets (with `shared_tickets`).
    pub shared_comments: bool,
    pub notes: String,
    /// `{SOURCE: "id"}`: where it comes from in other systems.
    #[schema(value_type = Object)]
    pub external_ids: serde_json::Value,
    pub member_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Organization {
    /// It, as its events name it.
    pub fn named(&self) -> OrganizationNamed {
        OrganizationNamed { id: self.id, name: self.name.clone(), domains: self.domains.clone() }
    }
}

/// What an organisation's page shows beside it; counted from the tickets, never kept.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OrganizationStats)]
pub struct Stats {
    pub members: i64,
    /// Tickets `open`, `in_progress` or `waiting_customer`.
    pub open_tickets: i64,
    /// The oldest of those; null when there is none.
    pub oldest_open_created_at: Option<DateTime<Utc>>,
    pub tickets_last_12_months: i64,
}

/// A member as the organisation's page lists them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OrganizationMember)]
pub struct Member {
    #[schema(value_type = Uuid)]
    pub user_id: UserId,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    pub role: Role,
    pub primary: bool,
    pub created_at: DateTime<Utc>,
}

/// One of a customer's organisations, as the customer reads it: never its domains or notes.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OrganizationMembership)]
pub struct Membership {
    #[schema(value_type = Uuid)]
    pub id: OrganizationId,
    pub name: String,
    pub role: Role,
    pub primary: bool,
    pub shared_tickets: bool,
    pub shared_comments: bool,
}

/// One of a customer's organisations as staff see it beside a ticket.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CustomerOrganization)]
pub struct Belonging {
    #[schema(value_type = Uuid)]
    pub id: OrganizationId,
    pub name: String,
    pub role: Role,
    pub primary: bool,
}

impl From<Membership> for Belonging {
    fn from(membership: Membership) -> Self {
        Self { id: membership.id, name: membership.name, role: membership.role, primary: membership.primary }
    }
}

/// A member's role in their organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = OrganizationRole)]
pub enum Role {
    /// Sees their own tickets, and the organisation's while it shares them.
    Member,
    /// Sees every ticket of the organisation.
    Manager,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Manager => "manager",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        match value {
            "member" => Some(Self::Member),
            "manager" => Some(Self::Manager),
            _ => None,
        }
    }
}

base::text_column!(Role, parse);

/// An organisation's fields, as given.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    pub name: String,
    pub domains: Vec<String>,
    pub shared_tickets: bool,
    pub shared_comments: bool,
    pub notes: String,
    pub external_ids: BTreeMap<String, String>,
}

/// What to change of an organisation; `None` keeps a field, `domains` replaces the list.
#[derive(Debug, Default)]
pub struct Patch {
    pub name: Option<String>,
    pub domains: Option<Vec<String>>,
    pub shared_tickets: Option<bool>,
    pub shared_comments: Option<bool>,
    pub notes: Option<String>,
    pub external_ids: Option<BTreeMap<String, String>>,
}

/// `value` as an organisation holds a domain: trimmed, lower case, an internationalised name in
/// its `xn--` form (UTS #46); or why it is not one an organisation may hold.
pub fn domain(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.contains('@') || value.contains('*') || value.chars().any(char::is_whitespace) {
        return Err(format!("{value:?} is not a domain: give the part after the @ alone, without wildcards"));
    }
    let ascii = idna::domain_to_ascii(value).map_err(|_| format!("{value:?} is not a domain name"))?;
    let ascii = ascii.trim_end_matches('.').to_owned();
    let labels: Vec<&str> = ascii.split('.').collect();
    let well_formed = labels.len() >= 2
        && ascii.len() <= 253
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if !well_formed {
        return Err(format!("{value:?} is not a domain name of two labels or more"));
    }
    if PUBLIC_MAIL_DOMAINS.contains(&ascii.as_str()) {
        return Err(format!("{ascii} is a public mail provider's: anyone may have an address there"));
    }
    Ok(ascii)
}

/// `ids` checked as a record's external references: at most ten, each source 1 to 32 lower-case
/// letters, digits, `_` or `-`, each id 1 to 255 characters.
pub fn external_ids(ids: &BTreeMap<String, String>) -> Result<(), FieldError> {
    let source_ok = |s: &str| {
        (1..=EXTERNAL_SOURCE_MAX_CHARS).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    };
    let id_ok =
        |id: &str| (1..=EXTERNAL_ID_MAX_CHARS).contains(&id.chars().count()) && !id.chars().any(char::is_control);
    if ids.len() > EXTERNAL_IDS_MAX || !ids.iter().all(|(source, id)| source_ok(source) && id_ok(id)) {
        return Err(FieldError::new(
            "external_ids",
            "must hold at most 10 references: a source of 1 to 32 lower-case letters, digits, _ or -, and an id of 1 to 255 characters",
        ));
    }
    Ok(())
}

/// `fields` with the name trimmed and the domains in their held form, sorted, without repeats;
/// or the errors of each field that is wrong in itself.
pub fn checked(mut fields: Fields) -> Result<Fields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = fields.name.trim().to_owned();
    fields.name = name;
    let name_chars = fields.name.chars().count();
    if name_chars == 0 || name_chars > NAME_MAX_CHARS || fields.name.chars().any(char::is_control) {
        errors.push(FieldError::new("name", "must be 1 to 200 characters, without control characters"));
    }
    if fields.notes.chars().count() > NOTES_MAX_CHARS || fields.notes.contains('\0') {
        errors.push(FieldError::new("notes", "must be at most 10,000 characters"));
    }
    if fields.domains.len() > DOMAINS_MAX {
        errors.push(FieldError::new("domains", "must hold at most 20 domains"));
    } else {
        let mut held = Vec::with_capacity(fields.domains.len());
        for given in &fields.domains {
            match domain(given) {
                Ok(domain) => held.push(domain),
                Err(why) => errors.push(FieldError::new("domains", why)),
            }
        }
        held.sort_unstable();
        held.dedup();
        fields.domains = held;
    }
    if let Err(error) = external_ids(&fields.external_ids) {
        errors.push(error);
    }
    if errors.is_empty() { Ok(fields) } else { Err(errors) }
}

/// Why an organisation or a membership is not made, changed or deleted; the HTTP layer gives
/// each its answer (app-api's `refusals`).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// No organisation has this id.
    #[error("no such organisation")]
    NotFound,
    /// No person of the tenant has this id, or they are not a member of the organisation.
    #[error("no such member")]
    NoSuchMember,
    /// Another organisation of the tenant has this name.
    #[error("another organisation has this name")]
    NameTaken,
    /// Another organisation of the tenant holds this domain.
    #[error("another organisation holds {0}")]
    DomainTaken(String),
    /// An SLA policy's conditions name the organisation.
    #[error("an SLA policy names this organisation: change the policy first")]
    InUse,
    /// The person belongs to `MEMBERSHIPS_MAX` organisations already.
    #[error("this person belongs to 20 organisations: remove one first")]
    LimitReached,
    /// Fields that break the rules, each with why.
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// How the list is narrowed.
#[derive(Debug, Default)]
pub struct Filter<'a> {
    /// The name contains it, ignoring case.
    pub name_contains: Option<&'a str>,
    /// It holds this domain (as `domain` gives it).
    pub domain: Option<&'a str>,
    /// It carries this reference: (source, id).
    pub external_id: Option<(&'a str, &'a str)>,
}

/// A place in the list: (lower-case name, id).
pub type Position = (String, OrganizationId);

impl Organization {
    pub fn position(&self) -> Position {
        (self.name.to_lowercase(), self.id)
    }
}

/// Up to `limit` organisations after `after`, by name, as `filter` narrows them.
pub async fn page(
    conn: &mut PgConnection,
    filter: &Filter<'_>,
    after: Option<Position>,
    limit: i64,
) -> sqlx::Result<Vec<Organization>> {
    let (after_name, after_id) = after.map_or((None, None), |(name, id)| (Some(name), Some(id)));
    let (source, external) = filter.external_id.map_or((None, None), |(source, id)| (Some(source), Some(id)));
    let pattern =
        filter.name_contains.map(|q| format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
    sqlx::query_as!(
        Organization,
        r#"SELECT o.id AS "id: OrganizationId", o.name,
                ARRAY(SELECT d.domain FROM organization_domains d WHERE d.organization_id = o.id ORDER BY d.domain) AS "domains!",
                o.shared_tickets, o.shared_comments, o.notes, o.external_ids,
                (SELECT count(*) FROM organization_members m WHERE m.organization_id = o.id) AS "member_count!",
                o.created_at, o.updated_at
           FROM organizations o
           WHERE ($1::text IS NULL OR (lower(o.name), o.id) > ($1, $2::uuid))
             AND ($3::text IS NULL OR o.name ILIKE $3)
             AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM organization_domains d WHERE d.organization_id = o.id AND d.domain = $4))
             AND ($5::text IS NULL OR o.external_ids ->> $5 = $6)
           ORDER BY lower(o.name), o.id
           LIMIT $7"#,
        after_name,
        after_id as _,
        pattern,
        filter.domain,
        source,
        external,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// Organisation `id`.
pub async fn get(conn: &mut PgConnection, id: OrganizationId) -> sqlx::Result<Option<Organization>> {
    sqlx::query_as!(
        Organization,
        r#"SELECT o.id AS "id: OrganizationId", o.name,
                ARRAY(SELECT d.domain FROM organization_domains d WHERE d.organization_id = o.id ORDER BY d.domain) AS "domains!",
                o.shared_tickets, o.shared_comments, o.notes, o.external_ids,
                (SELECT count(*) FROM organization_members m WHERE m.organization_id = o.id) AS "member_count!",
                o.created_at, o.updated_at
           FROM organizations o WHERE o.id = $1"#,
        id as _,
    )
    .fetch_optional(conn)
    .await
}

/// Organisation `id`'s statistics, counted now.
pub async fn stats(conn: &mut PgConnection, id: OrganizationId) -> sqlx::Result<Stats> {
    sqlx::query_as!(
        Stats,
        r#"SELECT (SELECT count(*) FROM organization_members WHERE organization_id = $1) AS "members!",
                  (SELECT count(*) FROM support_tickets
                   WHERE organization_id = $1 AND status IN ('open', 'in_progress', 'waiting_customer')) AS "open_tickets!",
                  (SELECT min(created_at) FROM support_tickets
                   WHERE organization_id = $1 AND status IN ('open', 'in_progress', 'waiting_customer')) AS oldest_open_created_at,
                  (SELECT count(*) FROM support_tickets
                   WHERE organization_id = $1 AND created_at >= now() - interval '12 months') AS "tickets_last_12_months!""#,
        id as _,
    )
    .fetch_one(conn)
    .await
}

/// Organisations are made and changed one at a time per tenant, so the names and the domains
/// hold under concurrent writes.
async fn lock_for_change(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("LOCK TABLE organizations IN SHARE ROW EXCLUSIVE MODE").execute(conn).await.map(drop)
}

async fn name_taken(conn: &mut PgConnection, name: &str, except: Option<OrganizationId>) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM organizations WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2) AS "taken!""#,
        name,
        except as _,
    )
    .fetch_one(conn)
    .await
}

/// The first of `domains` another organisation than `except` holds.
async fn domain_held(
    conn: &mut PgConnection,
    domains: &[String],
    except: Option<OrganizationId>,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "SELECT domain FROM organization_domains WHERE domain = ANY($1) AND organization_id IS DISTINCT FROM $2
         ORDER BY domain LIMIT 1",
        domains,
        except as _,
    )
    .fetch_optional(conn)
    .await
}

/// Organisation `id` becomes `fields` (made, or changed): its row and its domains.
async fn write(tx: &mut PgConnection, id: OrganizationId, fields: &Fields) -> Result<(), Refused> {
    if let Some(taken) = domain_held(tx, &fields.domains, Some(id)).await? {
        return Err(Refused::DomainTaken(taken));
    }
    let external_ids = serde_json::to_value(&fields.external_ids).expect("a map of strings");
    sqlx::query!(
        "INSERT INTO organizations (id, name, shared_tickets, shared_comments, notes, external_ids)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = EXCLUDED.name, shared_tickets = EXCLUDED.shared_tickets,
           shared_comments = EXCLUDED.shared_comments, notes = EXCLUDED.notes, external_ids = EXCLUDED.external_ids,
           updated_at = now()",
        id as _,
        fields.name,
        fields.shared_tickets,
        fields.shared_comments,
        fields.notes,
        external_ids,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "DELETE FROM organization_domains WHERE organization_id = $1 AND domain <> ALL($2)",
        id as _,
        &fields.domains,
    )
    .execute(&mut *tx)
    .await?;
    // Under `lock_for_change` no other write adds a domain meanwhile; the ones it holds already
    // stay as they are.
    sqlx::query!(
        "INSERT INTO organization_domains (domain, organization_id) SELECT unnest($2::text[]), $1
         ON CONFLICT (tenant_id, domain) DO NOTHING",
        id as _,
        &fields.domains,
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// Makes an organisation for `admin`, with its audit entry, in one transaction.
pub async fn create(conn: &mut PgConnection, admin: UserId, fields: Fields) -> Result<Organization, Refused> {
    let fields = checked(fields).map_err(Refused::Invalid)?;
    let mut tx = conn.begin().await?;
    lock_for_change(&mut tx).await?;
    if name_taken(&mut tx, &fields.name, None).await? {
        return Err(Refused::NameTaken);
    }
    let id = OrganizationId(Uuid::now_v7());
    write(&mut tx, id, &fields).await?;
    let details = serde_json::json!({ "organization_id": id, "name": fields.name, "domains": fields.domains });
    users::audit(&mut tx, admin, "organization_created", id.0, details).await?;
    let created = get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    tx.commit().await?;
    Ok(created)
}

/// Changes organisation `id` by `patch`, checked as a whole, with its audit entry, in one
/// transaction.
pub async fn change(
    conn: &mut PgConnection,
    admin: UserId,
    id: OrganizationId,
    patch: Patch,
) -> Result<Organization, Refused> {
    let mut tx = conn.begin().await?;
    lock_for_change(&mut tx).await?;
    let current = get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    let current_external: BTreeMap<String, String> =
        serde_json::from_value(current.external_ids.clone()).unwrap_or_default();
    let fields = Fields {
        name: patch.name.unwrap_or(current.name),
        domains: patch.domains.unwrap_or(current.domains),
        shared_tickets: patch.shared_tickets.unwrap_or(current.shared_tickets),
        shared_comments: patch.shared_comments.unwrap_or(current.shared_comments),
        notes: patch.notes.unwrap_or(current.notes),
        external_ids: patch.external_ids.unwrap_or(current_external),
    };
    let fields = checked(fields).map_err(Refused::Invalid)?;
    if name_taken(&mut tx, &fields.name, Some(id)).await? {
        return Err(Refused::NameTaken);
    }
    write(&mut tx, id, &fields).await?;
    let details = serde_json::json!({ "organization_id": id, "name": fields.name, "domains": fields.domains });
    users::audit(&mut tx, admin, "organization_changed", id.0, details).await?;
    let changed = get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    tx.commit().await?;
    Ok(changed)
}

/// Deletes organisation `id` with its audit entry: its memberships go (each person's oldest
/// remaining one becomes their primary), its people and tickets stay (the tickets without an
/// organisation). What it was. Refused while an SLA policy's conditions name it (409
/// `organization_in_use`), as a team is.
pub async fn remove(conn: &mut PgConnection, admin: UserId, id: OrganizationId) -> Result<Organization, Refused> {
    let mut tx = conn.begin().await?;
    let removed = get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    // The policies are replaced under a stronger lock: none can name it meanwhile.
    sqlx::query!("LOCK TABLE sla_policies IN SHARE MODE").execute(&mut *tx).await?;
    let named = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM sla_policies WHERE $1 = ANY (organization_ids)) AS "named!""#,
        id as _
    )
    .fetch_one(&mut *tx)
    .await?;
    if named {
        return Err(Refused::InUse);
    }
    sqlx::query!("DELETE FROM organizations WHERE id = $1", id as _).execute(&mut *tx).await?;
    let details = serde_json::json!({ "organization_id": id, "name": removed.name });
    users::audit(&mut tx, admin, "organization_deleted", id.0, details).await?;
    tx.commit().await?;
    Ok(removed)
}

/// A place in the members' list: (created at, user id).
pub type MemberPosition = (DateTime<Utc>, UserId);

impl Member {
    pub fn position(&self) -> MemberPosition {
        (self.created_at, self.user_id)
    }
}

/// Up to `limit` members of organisation `id` after `after`, in the order they joined.
pub async fn members(
    conn: &mut PgConnection,
    id: OrganizationId,
    after: Option<MemberPosition>,
    limit: i64,
) -> sqlx::Result<Vec<Member>> {
    let (after_at, after_user) = after.map_or((None, None), |(at, user)| (Some(at), Some(user)));
    sqlx::query_as!(
        Member,
        r#"SELECT m.user_id AS "user_id: UserId", u.email, u.firstname, u.lastname, m.role AS "role: Role",
                  m.is_primary AS "primary", m.created_at
           FROM organization_members m JOIN users u ON u.id = m.user_id
           WHERE m.organization_id = $1
             AND ($2::timestamptz IS NULL OR (m.created_at, m.user_id) > ($2, $3::uuid))
           ORDER BY m.created_at, m.user_id
           LIMIT $4"#,
        id as _,
        after_at,
        after_user as _,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// The organisations `user` belongs to, their primary first, then in the order they joined.
pub async fn of_person(conn: &mut PgConnection, user: UserId) -> sqlx::Result<Vec<Membership>> {
    sqlx::query_as!(
        Membership,
        r#"SELECT o.id AS "id: OrganizationId", o.name, m.role AS "role: Role", m.is_primary AS "primary",
                  o.shared_tickets, o.shared_comments
           FROM organization_members m JOIN organizations o ON o.id = m.organization_id
           WHERE m.user_id = $1
           ORDER BY m.is_primary DESC, m.created_at, o.id"#,
        user as _,
    )
    .fetch_all(conn)
    .await
}

/// The organisations whose every ticket `user` sees (`colleague_may_comment`): those they manage,
/// and those of theirs that share tickets.
pub async fn seen_by(conn: &mut PgConnection, user: UserId) -> sqlx::Result<Vec<OrganizationId>> {
    sqlx::query_scalar!(r#"SELECT organizations_seen_by($1) AS "ids!: Vec<OrganizationId>""#, user as _)
        .fetch_one(conn)
        .await
}

/// The one membership of a person a write asked for.
#[derive(Debug, Clone, Copy)]
pub struct MemberChange {
    /// `None`: a new member is a `member`, an existing one keeps theirs.
    pub role: Option<Role>,
    /// `true` makes it their primary; `false` or absent leaves the primary where it is.
    pub primary: bool,
}

/// Makes `user` a member of organisation `id`, or changes their membership, with its audit
/// entry: customers only, at most `MEMBERSHIPS_MAX` organisations each, their first one (or
/// one asked for) their primary.
pub async fn put_member(
    conn: &mut PgConnection,
    admin: UserId,
    id: OrganizationId,
    user: UserId,
    change: MemberChange,
) -> Result<Member, Refused> {
    let mut tx = conn.begin().await?;
    get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    // The person's memberships change one write at a time: the count and the primary hold.
    let role = sqlx::query_scalar!("SELECT role FROM users WHERE id = $1 AND active FOR UPDATE", user as _)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Refused::NoSuchMember)?;
    if role != "customer" {
        return Err(Refused::Invalid(vec![FieldError::new(
            "user_id",
            "is a staff member: only customers belong to customer organisations",
        )]));
    }
    let memberships = of_person(&mut tx, user).await?;
    let already = memberships.iter().any(|m| m.id == id);
    if !already && memberships.len() >= MEMBERSHIPS_MAX {
        return Err(Refused::LimitReached);
    }
    let primary = change.primary || memberships.is_empty();
    if primary {
        sqlx::query!(
            "UPDATE organization_members SET is_primary = false WHERE user_id = $1 AND is_primary AND organization_id <> $2",
            user as _,
            id as _,
        )
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query!(
        "INSERT INTO organization_members (organization_id, user_id, role, is_primary) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, organization_id, user_id) DO UPDATE
           SET role = COALESCE($5, organization_members.role), is_primary = organization_members.is_primary OR $4",
        id as _,
        user as _,
        change.role.unwrap_or(Role::Member).as_str(),
        primary,
        change.role.map(Role::as_str),
    )
    .execute(&mut *tx)
    .await?;
    let details =
        serde_json::json!({ "organization_id": id, "user_id": user, "role": change.role, "primary": primary });
    users::audit(&mut tx, admin, "organization_member_set", id.0, details).await?;
    let member = member(&mut tx, id, user).await?.ok_or(Refused::NoSuchMember)?;
    tx.commit().await?;
    Ok(member)
}

async fn member(conn: &mut PgConnection, id: OrganizationId, user: UserId) -> sqlx::Result<Option<Member>> {
    sqlx::query_as!(
        Member,
        r#"SELECT m.user_id AS "user_id: UserId", u.email, u.firstname, u.lastname, m.role AS "role: Role",
                  m.is_primary AS "primary", m.created_at
           FROM organization_members m JOIN users u ON u.id = m.user_id
           WHERE m.organization_id = $1 AND m.user_id = $2"#,
        id as _,
        user as _,
    )
    .fetch_optional(conn)
    .await
}

/// Ends `user`'s membership of organisation `id`, with its audit entry; their oldest remaining
/// one becomes their primary when this was it (migration 0043's trigger).
pub async fn remove_member(
    conn: &mut PgConnection,
    admin: UserId,
    id: OrganizationId,
    user: UserId,
) -> Result<(), Refused> {
    let mut tx = conn.begin().await?;
    get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    sqlx::query_scalar!("SELECT id FROM users WHERE id = $1 FOR UPDATE", user as _).fetch_optional(&mut *tx).await?;
    let removed = sqlx::query!(
        "DELETE FROM organization_members WHERE organization_id = $1 AND user_id = $2",
        id as _,
        user as _,
    )
    .execute(&mut *tx)
    .await?;
    if removed.rows_affected() == 0 {
        return Err(Refused::NoSuchMember);
    }
    let details = serde_json::json!({ "organization_id": id, "user_id": user });
    users::audit(&mut tx, admin, "organization_member_removed", id.0, details).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every membership of `user`, who is being erased (their tickets keep their organisation);
/// how many.
pub async fn forget(conn: &mut PgConnection, user: UserId) -> sqlx::Result<u64> {
    let ended = sqlx::query!("DELETE FROM organization_members WHERE user_id = $1", user as _).execute(conn).await?;
    Ok(ended.rows_affected())
}

/// Whether organisation `id` is this tenant's.
pub async fn exists(conn: &mut PgConnection, id: OrganizationId) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM organizations WHERE id = $1) AS "found!""#, id as _)
        .fetch_one(conn)
        .await
}

/// Whether `user` belongs to organisation `id`.
pub async fn belongs(conn: &mut PgConnection, user: UserId, id: OrganizationId) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM organization_members WHERE user_id = $1 AND organization_id = $2) AS "belongs!""#,
        user as _,
        id as _,
    )
    .fetch_one(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_held_lower_case_in_ascii_and_never_a_public_providers() {
        assert_eq!(domain("  Acme.COM ").unwrap(), "acme.com");
        assert_eq!(domain("eu.acme.com").unwrap(), "eu.acme.com");
        assert_eq!(domain("bücher.de").unwrap(), "xn--bcher-kva.de");
        for refused in ["acme", "jo@acme.com", "*.acme.com", "gmail.com", "GMAIL.com", "-acme.com", "ac me.com", ""] {
            assert!(domain(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn an_organisation_is_checked_field_by_field() {
        let fields = Fields {
            name: "  Acme  ".into(),
            domains: vec!["ACME.com".into(), "acme.com".into(), "acme.fr".into()],
            ..Fields::default()
        };
        let ok = checked(fields).unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.domains.as_slice()),
            ("Acme", ["acme.com".to_owned(), "acme.fr".to_owned()].as_slice())
        );
        let bad = Fields {
            name: " ".into(),
            domains: vec!["gmail.com".into()],
            notes: "x".repeat(10_001),
            external_ids: BTreeMap::from([("Zendesk".into(), "1".into())]),
            ..Fields::default()
        };
        let fields_of = |errors: Vec<FieldError>| errors.into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(fields_of(checked(bad).unwrap_err()), ["name", "notes", "domains", "external_ids"]);
        let many = Fields {
            name: "Many".into(),
            domains: (0..21).map(|n| format!("d{n}.com")).collect(),
            ..Fields::default()
        };
        assert_eq!(fields_of(checked(many).unwrap_err()), ["domains"]);
    }
}
