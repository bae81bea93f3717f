//! What the tenant database holds about one person, read for their data export (GDPR articles
//! 15 and 20): their row, their order references, the audit entries about them or by them,
//! their tickets page by page with the public messages and the attachments of those messages,
//! and the public messages they wrote on other people's tickets. Internal notes and their
//! attachments are never read here; other people appear only as ids.

use base::Role;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::ids::{OrganizationId, TeamId, TicketId, UserId};
use crate::tickets::events::SenderType;
use crate::tickets::priority::Priority;
use crate::tickets::status::Status;
use crate::users::Me;

/// Audit entries an export holds at most (the newest).
pub const AUDIT_MAX: i64 = 10_000;

/// The person's row: as the tenant knows a member, and whether they still are one.
#[derive(Debug, Serialize)]
pub struct Profile {
    #[serde(flatten)]
    pub member: Me,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn profile(conn: &mut PgConnection, person: UserId) -> sqlx::Result<Option<Profile>> {
    let row = sqlx::query!(
        r#"SELECT id, email, firstname, lastname, role AS "role: Role", vip, available, active, created_at, updated_at,
                  person_organizations(id) AS "organization_ids!: Vec<OrganizationId>",
                  person_primary_organization(id) AS "primary_organization_id: OrganizationId"
           FROM users WHERE id = $1"#,
        person as _,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Profile {
        member: Me {
            id: UserId(r.id),
            email: r.email,
            firstname: r.firstname,
            lastname: r.lastname,
            role: r.role,
            vip: r.vip,
            available: r.available,
            organization_ids: r.organization_ids,
            primary_organization_id: r.primary_organization_id,
        },
        active: r.active,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }))
}

#[derive(Debug, Serialize)]
pub struct OrderReference {
    pub order_id: i64,
    pub total_cents: i64,
    pub currency: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn orders(conn: &mut PgConnection, person: UserId) -> sqlx::Result<Vec<OrderReference>> {
    sqlx::query_as!(
        OrderReference,
        "SELECT order_id, total_cents, currency, status, created_at, updated_at
         FROM order_refs WHERE user_id = $1 ORDER BY order_id",
        person as _,
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, Serialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// Who acted (an id: the person, or someone acting about them).
    pub actor_id: Uuid,
    pub action: String,
    pub subject_id: Option<Uuid>,
    pub details: serde_json::Value,
}

/// A rating the person gave.
#[derive(Debug, Serialize)]
pub struct GivenRating {
    pub ticket_number: String,
    pub rating: i16,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The satisfaction ratings the person gave, oldest first.
pub async fn ratings(conn: &mut PgConnection, person: UserId) -> sqlx::Result<Vec<GivenRating>> {
    sqlx::query_as!(
        GivenRating,
        "SELECT t.ticket_number, r.rating, r.comment, r.created_at
         FROM satisfaction_ratings r JOIN support_tickets t ON t.id = r.ticket_id
         WHERE r.user_id = $1 ORDER BY r.created_at, r.id",
        person as _,
    )
    .fetch_all(conn)
    .await
}

/// The newest `AUDIT_MAX` entries by or about the person, oldest first.
pub async fn audit(conn: &mut PgConnection, person: UserId) -> sqlx::Result<Vec<AuditEntry>> {
    sqlx::query_as!(
        AuditEntry,
        "SELECT at, actor_id, action, subject_id, details FROM (
             SELECT id, at, actor_id, action, subject_id, details FROM audit_log
             WHERE subject_id = $1 OR actor_id = $1 ORDER BY id DESC LIMIT $2
         ) AS newest ORDER BY id",
        person as _,
        AUDIT_MAX,
    )
    .fetch_all(conn)
    .await
}

/// One of the person's tickets, with its public thread.
#[derive(Debug, Serialize)]
pub struct ExportTicket {
    pub id: TicketId,
    pub ticket_number: String,
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub status: Status,
    pub category: Option<String>,
    pub order_id: Option<i64>,
    pub metadata: serde_json::Value,
    pub team_id: Option<TeamId>,
    /// Its customer organisation.
    pub organization_id: Option<OrganizationId>,
    pub tags: Vec<String>,
    /// The custom fields visible to customers (the others are the team's own, as internal notes
    /// are).
    pub fields: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub merged_into: Option<TicketId>,
    pub messages: Vec<ExportMessage>,
}

/// A public message, with when its recipients read it.
#[derive(Debug, Serialize)]
pub struct ExportMessage {
    pub id: i64,
    pub ticket_id: TicketId,
    /// Whether the person wrote it.
    pub mine: bool,
    pub sender_type: SenderType,
    pub message: String,
    pub created_at: DateTime<Utc>,
    /// When the other side first read it.
    pub read_at: Option<DateTime<Utc>>,
    pub attachments: Vec<ExportAttachment>,
}

/// An attachment's metadata (the file stays in storage).
#[derive(Debug, Serialize)]
pub struct ExportAttachment {
    pub id: i64,
    pub message_id: Option<i64>,
    pub original_name: String,
    pub mime_type: String,
    pub file_size: i64,
    pub created_at: DateTime<Utc>,
}

/// The person's tickets after ticket `after`, `limit` at most, oldest first, each with its
/// public messages and their attachments (three statements, whatever the page's size).
pub async fn tickets_page(
    conn: &mut PgConnection,
    person: UserId,
    after: TicketId,
    limit: i64,
) -> sqlx::Result<Vec<ExportTicket>> {
    let tickets = sqlx::query!(
        r#"SELECT id AS "id: TicketId", ticket_number, subject, description, priority AS "priority: Priority", status AS "status: Status",
               category, order_id, metadata, team_id AS "team_id: TeamId",
               organization_id AS "organization_id: OrganizationId", tags,
               (SELECT coalesce(jsonb_object_agg(v.key, v.value), '{}') FROM jsonb_each(t.fields) AS v
                JOIN ticket_fields f ON f.key = v.key AND f.visible_to_customer) AS "fields!",
               created_at, updated_at, resolved_at, closed_at, merged_into AS "merged_into: TicketId"
           FROM support_tickets t WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3"#,
        person as _,
        after as _,
        limit,
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<TicketId> = tickets.iter().map(|t| t.id).collect();
    let mut messages = public_messages(conn, person, &ids).await?.into_iter().peekable();
    let mut page = Vec::with_capacity(tickets.len());
    for t in tickets {
        let mut thread = Vec::new();
        while let Some(message) = messages.next_if(|m| m.ticket_id == t.id) {
            thread.push(message);
        }
        page.push(ExportTicket {
            id: t.id,
            ticket_number: t.ticket_number,
            subject: t.subject,
            description: t.description,
            priority: t.priority,
            status: t.status,
            category: t.category,
            order_id: t.order_id,
            metadata: t.metadata,
            team_id: t.team_id,
            organization_id: t.organization_id,
            tags: t.tags,
            fields: t.fields,
            created_at: t.created_at,
            updated_at: t.updated_at,
            resolved_at: t.resolved_at,
            closed_at: t.closed_at,
            merged_into: t.merged_into,
            messages: thread,
        });
    }
    Ok(page)
}

/// The public messages of `tickets`, by ticket then time, with their attachments.
async fn public_messages(
    conn: &mut PgConnection,
    person: UserId,
    tickets: &[TicketId],
) -> sqlx::Result<Vec<ExportMessage>> {
    let rows = sqlx::query!(
        r#"SELECT m.id, m.ticket_id, m.sender_id = $1 AS "mine!", m.sender_type AS "sender_type: SenderType",
               m.message, m.created_at, m.read_at
           FROM ticket_messages m WHERE m.ticket_id = ANY($2) AND NOT m.is_internal
           ORDER BY m.ticket_id, m.created_at, m.id"#,
        person as _,
        tickets as _,
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
    let mut attachments = sqlx::query_as!(
        ExportAttachment,
        "SELECT id, message_id, original_name, mime_type, file_size, created_at
         FROM ticket_attachments WHERE message_id = ANY($1) ORDER BY message_id, id",
        &ids,
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .peekable();
    Ok(rows
        .into_iter()
        .map(|m| {
            let mut files = Vec::new();
            while let Some(file) = attachments.next_if(|a| a.message_id == Some(m.id)) {
                files.push(file);
            }
            ExportMessage {
                id: m.id,
                ticket_id: TicketId(m.ticket_id),
                mine: m.mine,
                sender_type: m.sender_type,
                message: m.message,
                created_at: m.created_at,
                read_at: m.read_at,
                attachments: files,
            }
        })
        .collect())
}

/// A public message the person wrote on someone else's ticket.
#[derive(Debug, Serialize)]
pub struct WrittenMessage {
    pub id: i64,
    pub ticket_number: String,
    pub message: String,
    pub created_at: DateTime<Utc>,
}

/// The person's public messages on tickets not theirs after message `after`, oldest first.
pub async fn written_page(
    conn: &mut PgConnection,
    person: UserId,
    after: i64,
    limit: i64,
) -> sqlx::Result<Vec<WrittenMessage>> {
    sqlx::query_as!(
        WrittenMessage,
        "SELECT m.id, t.ticket_number, m.message, m.created_at
         FROM ticket_messages m JOIN support_tickets t ON t.id = m.ticket_id
         WHERE m.sender_id = $1 AND NOT m.is_internal AND t.user_id <> $1 AND m.id > $2
         ORDER BY m.id LIMIT $3",
        person as _,
        after,
        limit,
    )
    .fetch_all(conn)
    .await
}
