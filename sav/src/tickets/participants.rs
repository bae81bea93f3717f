//! The people of a ticket besides its customer and assignee: the addresses copied on its
//! conversation (`cc`), who get its public staff replies by mail and whose answers join it, and
//! the staff who follow it (`follower`), who are told what its assignee is told. At most
//! `MAX_PER_TICKET`; one row per address, kept lower-case.

use base::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::PgConnection;
use utoipa::ToSchema;

use super::lifecycle::{self, Acting};
use super::store::Ticket;
use crate::ids::{TicketId, UserId};
use crate::users;

/// Participants one ticket may have.
pub const MAX_PER_TICKET: i64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ParticipantKind)]
pub enum Kind {
    /// Copied on the conversation: public staff replies by mail, answers by mail join it.
    Cc,
    /// A staff member told what the assignee is told.
    Follower,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cc => "cc",
            Self::Follower => "follower",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Cc, Self::Follower].into_iter().find(|k| k.as_str() == value)
    }
}

base::text_column!(Kind, parse);

/// A participant, as the API shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Participant {
    pub id: i64,
    #[serde(skip)]
    #[schema(value_type = i64)]
    pub ticket_id: TicketId,
    pub email: String,
    pub name: String,
    /// Their account here, when they have one.
    #[schema(value_type = Option<Uuid>)]
    pub user_id: Option<UserId>,
    pub kind: Kind,
    pub created_at: DateTime<Utc>,
}

/// A participant to add: a checked, lower-case address.
#[derive(Debug, Clone)]
pub struct NewParticipant {
    pub email: String,
    pub name: String,
    pub user_id: Option<UserId>,
    pub kind: Kind,
    pub added_by: Option<UserId>,
}

/// The participants of `ticket_id`, oldest first; only the copied ones unless `followers`.
pub async fn list(conn: &mut PgConnection, ticket_id: TicketId, followers: bool) -> sqlx::Result<Vec<Participant>> {
    sqlx::query_as!(
        Participant,
        r#"SELECT id, ticket_id, email, name, user_id AS "user_id: UserId", kind AS "kind: Kind", created_at
           FROM ticket_participants WHERE ticket_id = $1 AND ($2 OR kind = 'cc') ORDER BY id"#,
        ticket_id as _,
        followers,
    )
    .fetch_all(conn)
    .await
}

/// Participant `id` of `ticket_id`.
pub async fn get(conn: &mut PgConnection, ticket_id: TicketId, id: i64) -> sqlx::Result<Option<Participant>> {
    sqlx::query_as!(
        Participant,
        r#"SELECT id, ticket_id, email, name, user_id AS "user_id: UserId", kind AS "kind: Kind", created_at
           FROM ticket_participants WHERE ticket_id = $1 AND id = $2"#,
        ticket_id as _,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// Participant `id`, whatever their ticket (a mail's link names them alone).
pub async fn by_id(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Participant>> {
    sqlx::query_as!(
        Participant,
        r#"SELECT id, ticket_id, email, name, user_id AS "user_id: UserId", kind AS "kind: Kind", created_at
           FROM ticket_participants WHERE id = $1"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// The participant of `ticket_id` with address `email` (any case).
pub async fn by_address(
    conn: &mut PgConnection,
    ticket_id: TicketId,
    email: &str,
) -> sqlx::Result<Option<Participant>> {
    sqlx::query_as!(
        Participant,
        r#"SELECT id, ticket_id, email, name, user_id AS "user_id: UserId", kind AS "kind: Kind", created_at
           FROM ticket_participants WHERE ticket_id = $1 AND email = lower($2)"#,
        ticket_id as _,
        email,
    )
    .fetch_optional(conn)
    .await
}

/// Adds `new` to `ticket_id` (locked by the caller): `Ok(None)` when its address is there
/// already.
pub async fn insert(
    conn: &mut PgConnection,
    ticket_id: TicketId,
    new: &NewParticipant,
) -> sqlx::Result<Option<Participant>> {
    sqlx::query_as!(
        Participant,
        r#"INSERT INTO ticket_participants (ticket_id, kind, email, name, user_id, added_by)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (tenant_id, ticket_id, email) DO NOTHING
           RETURNING id, ticket_id, email, name, user_id AS "user_id: UserId", kind AS "kind: Kind", created_at"#,
        ticket_id as _,
        new.kind.as_str(),
        new.email,
        new.name,
        new.user_id as _,
        new.added_by as _,
    )
    .fetch_optional(conn)
    .await
}

/// How many participants `ticket_id` has.
pub async fn count(conn: &mut PgConnection, ticket_id: TicketId) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM ticket_participants WHERE ticket_id = $1"#, ticket_id as _)
        .fetch_one(conn)
        .await
}

/// Removes participant `id` of `ticket_id`; the row removed.
pub async fn delete(conn: &mut PgConnection, ticket_id: TicketId, id: i64) -> sqlx::Result<Option<Participant>> {
    sqlx::query_as!(
        Participant,
        r#"DELETE FROM ticket_participants WHERE ticket_id = $1 AND id = $2
           RETURNING id, ticket_id, email, name, user_id AS "user_id: UserId", kind AS "kind: Kind", created_at"#,
        ticket_id as _,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// The contact a copied participant's first mail made them.
pub async fn set_user(conn: &mut PgConnection, id: i64, user_id: UserId) -> sqlx::Result<()> {
    sqlx::query!("UPDATE ticket_participants SET user_id = $2 WHERE id = $1 AND user_id IS NULL", id, user_id as _)
        .execute(conn)
        .await
        .map(drop)
}

/// The active member with address `email` (any case), and their role.
pub async fn member(conn: &mut PgConnection, email: &str) -> sqlx::Result<Option<(UserId, Role)>> {
    let row = sqlx::query!(
        r#"SELECT id AS "id: UserId", role AS "role: Role" FROM users WHERE lower(email) = lower($1) AND active AND role <> 'integration'
           LIMIT 1"#,
        email,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.id, r.role)))
}

/// The active staff who follow `ticket_id`.
pub async fn followers(conn: &mut PgConnection, ticket_id: TicketId) -> sqlx::Result<Vec<UserId>> {
    sqlx::query_scalar!(
        r#"SELECT p.user_id AS "user_id!: UserId" FROM ticket_participants p JOIN users u ON u.id = p.user_id
           WHERE p.ticket_id = $1 AND p.kind = 'follower' AND u.active AND u.role IN ('owner', 'admin', 'agent')
           ORDER BY p.id"#,
        ticket_id as _,
    )
    .fetch_all(conn)
    .await
}

/// The addresses of a ticket's participants, for what a change records (`{"cc": [before,
/// after]}`).
pub fn addresses(participants: &[Participant], kind: Kind) -> Vec<&str> {
    participants.iter().filter(|p| p.kind == kind).map(|p| p.email.as_str()).collect()
}

/// Forgets `email` wherever it is a participant (erasure): the rows go, and with them the
/// address.
pub async fn forget(conn: &mut PgConnection, email: &str, user_id: UserId) -> sqlx::Result<u64> {
    Ok(sqlx::query!("DELETE FROM ticket_participants WHERE email = lower($1) OR user_id = $2", email, user_id as _)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Participations a person's data export lists (the newest).
pub const EXPORTED_MAX: i64 = 5000;

/// Where `user_id` or `email` is a participant: the tickets, for a person's data export (the
/// newest `EXPORTED_MAX`, oldest first).
pub async fn of_person(
    conn: &mut PgConnection,
    user_id: UserId,
    email: &str,
) -> sqlx::Result<Vec<PersonParticipation>> {
    sqlx::query_as!(
        PersonParticipation,
        r#"SELECT t.ticket_number, t.subject, p.kind AS "kind: Kind", p.email, p.name, p.created_at
           FROM ticket_participants p JOIN support_tickets t ON t.id = p.ticket_id
           WHERE p.id IN (SELECT id FROM ticket_participants WHERE user_id = $1 OR email = lower($2)
                          ORDER BY id DESC LIMIT $3)
           ORDER BY p.id"#,
        user_id as _,
        email,
        EXPORTED_MAX,
    )
    .fetch_all(conn)
    .await
}

/// A person's participation in a ticket, as their data export shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonParticipation {
    pub ticket_number: String,
    pub subject: String,
    pub kind: Kind,
    pub email: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// `{"cc": [before, after]}` or `{"followers": [...]}`: a change of who is on the ticket.
pub fn changed(kind: Kind, before: &[Participant], after: &[Participant]) -> serde_json::Value {
    let key = match kind {
        Kind::Cc => "cc",
        Kind::Follower => "followers",
    };
    json!({ key: [addresses(before, kind), addresses(after, kind)] })
}

/// The people a new mail copied, added to the ticket it opened (`ticket`, just inserted) as
/// `cc` participants, but its customer: recorded as one change of the opening's actor.
pub async fn copy_on_opening(
    tx: &mut PgConnection,
    ticket: &mut Ticket,
    copied: Vec<(String, String)>,
    acting: Acting,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<lifecycle::Applied>> {
    let customer = users::active(tx, ticket.user_id).await?.map(|c| c.email.to_lowercase());
    let mut added = Vec::new();
    for (email, name) in copied.into_iter().take(usize::try_from(MAX_PER_TICKET).unwrap_or(20)) {
        if customer.as_deref() == Some(email.as_str()) {
            continue;
        }
        let user_id = member(tx, &email).await?.map(|(user, _)| user);
        let new = NewParticipant { email, name, user_id, kind: Kind::Cc, added_by: None };
        added.extend(insert(tx, ticket.id, &new).await?);
    }
    if added.is_empty() {
        return Ok(None);
    }
    let changes = changed(Kind::Cc, &[], &added);
    Ok(Some(lifecycle::noted(ticket, changes, None, acting, now)))
}
