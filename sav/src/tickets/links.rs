//! Linked tickets: a parent and its children (one outage, forty customers' tickets), or two
//! related tickets. One row per pair (`ticket_links`); each side reads the other's part from it.
//! Parents and children never make a cycle; a merged ticket takes no link.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;

use super::access::Scope;
use super::status::Status;
use crate::ids::{TicketId, UserId};

/// Links one ticket may have.
pub const MAX_PER_TICKET: i64 = 50;

/// What the other ticket of a link is to this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Parent,
    Child,
    Related,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Parent => "parent",
            Self::Child => "child",
            Self::Related => "related",
        }
    }

    /// What this ticket is to the other one.
    #[must_use]
    pub fn inverse(self) -> Self {
        match self {
            Self::Parent => Self::Child,
            Self::Child => Self::Parent,
            Self::Related => Self::Related,
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Parent, Self::Child, Self::Related].into_iter().find(|k| k.as_str() == value)
    }
}

base::text_column!(LinkKind, parse);

/// A linked ticket, as seen from the other one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Link {
    #[schema(value_type = i64)]
    pub ticket_id: TicketId,
    pub ticket_number: String,
    pub subject: String,
    pub status: Status,
    /// What this ticket is to the one whose links are listed.
    pub kind: LinkKind,
    pub created_at: DateTime<Utc>,
}

/// The tickets linked to `ticket_id` that `scope` lets its caller see, by id.
pub async fn list(conn: &mut PgConnection, ticket_id: TicketId, scope: Scope) -> sqlx::Result<Vec<Link>> {
    sqlx::query_as!(
        Link,
        r#"SELECT t.id AS ticket_id, t.ticket_number, t.subject, t.status AS "status: Status",
                  l.kind AS "kind!: LinkKind", l.created_at AS "created_at!"
           FROM (SELECT to_id AS other, CASE kind WHEN 'parent' THEN 'child' ELSE 'related' END AS kind, created_at
                 FROM ticket_links WHERE from_id = $1
                 UNION ALL
                 SELECT from_id, CASE kind WHEN 'parent' THEN 'parent' ELSE 'related' END, created_at
                 FROM ticket_links WHERE to_id = $1) l
           JOIN support_tickets t ON t.id = l.other
           WHERE ($2::uuid IS NULL OR t.user_id = $2 OR colleague_may_comment($2, t.user_id, t.organization_id) IS NOT NULL)
             AND ($3::uuid IS NULL OR t.assigned_to = $3)
             AND ($4::uuid IS NULL OR t.assigned_to = $4 OR t.team_id IN (SELECT m.team_id FROM team_members m WHERE m.user_id = $4)
                  OR (t.assigned_to IS NULL AND t.team_id IS NULL))
           ORDER BY t.id"#,
        ticket_id as _,
        scope.customer as _,
        scope.assigned_to as _,
        scope.teams_of as _,
    )
    .fetch_all(conn)
    .await
}

/// What `other` is to `ticket_id`, if they are linked.
pub async fn between(conn: &mut PgConnection, ticket_id: TicketId, other: TicketId) -> sqlx::Result<Option<LinkKind>> {
    let row = sqlx::query!(
        "SELECT from_id, kind FROM ticket_links
         WHERE least(from_id, to_id) = least($1::bigint, $2::bigint)
           AND greatest(from_id, to_id) = greatest($1::bigint, $2::bigint)",
        ticket_id as _,
        other as _,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| match (row.kind.as_str(), row.from_id == other.0) {
        ("parent", true) => LinkKind::Parent,
        ("parent", false) => LinkKind::Child,
        _ => LinkKind::Related,
    }))
}

/// How many links `ticket_id` has.
pub async fn count(conn: &mut PgConnection, ticket_id: TicketId) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM ticket_links WHERE from_id = $1 OR to_id = $1"#, ticket_id as _,)
        .fetch_one(conn)
        .await
}

/// The descendants a link may bring below a ticket: the cycle check walks them.
pub const MAX_DESCENDANTS: i64 = 5_000;

/// What making `parent` the parent of `child` would do to the tree of children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    Fine,
    /// `parent` is `child` or one of its descendants.
    Cycle,
    /// `child` has more than `MAX_DESCENDANTS` descendants (the walk stops there).
    TooDeep,
}

/// Walks `child`'s descendants, at most `MAX_DESCENDANTS` + 1 of them, looking for `parent`.
pub async fn nesting(conn: &mut PgConnection, parent: TicketId, child: TicketId) -> sqlx::Result<Nesting> {
    let row = sqlx::query!(
        r#"WITH RECURSIVE below (id) AS (
               SELECT $2::bigint
               UNION
               SELECT l.to_id FROM ticket_links l JOIN below b ON l.from_id = b.id WHERE l.kind = 'parent')
           SELECT coalesce(bool_or(id = $1), false) AS "cycle!", count(*) AS "walked!"
           FROM (SELECT id FROM below LIMIT $3::bigint + 2) walked"#,
        parent as _,
        child as _,
        MAX_DESCENDANTS,
    )
    .fetch_one(conn)
    .await?;
    Ok(if row.cycle {
        Nesting::Cycle
    } else if row.walked > MAX_DESCENDANTS + 1 {
        Nesting::TooDeep
    } else {
        Nesting::Fine
    })
}

/// Links `other` to `ticket_id` as `kind` (what `other` is to it); false when they are linked
/// already.
pub async fn insert(
    conn: &mut PgConnection,
    ticket_id: TicketId,
    other: TicketId,
    kind: LinkKind,
    by: Option<UserId>,
) -> sqlx::Result<bool> {
    let (from, to, stored) = match kind {
        LinkKind::Parent => (other, ticket_id, "parent"),
        LinkKind::Child => (ticket_id, other, "parent"),
        LinkKind::Related => (ticket_id.min(other), ticket_id.max(other), "related"),
    };
    let done = sqlx::query!(
        "INSERT INTO ticket_links (from_id, to_id, kind, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        from as _,
        to as _,
        stored,
        by as _,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Unlinks `ticket_id` and `other`; false when they were not linked.
pub async fn delete(conn: &mut PgConnection, ticket_id: TicketId, other: TicketId) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "DELETE FROM ticket_links WHERE (from_id, to_id) IN (($1::bigint, $2::bigint), ($2, $1))",
        ticket_id as _,
        other as _,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The children of `parent`, by id.
pub async fn children(conn: &mut PgConnection, parent: TicketId) -> sqlx::Result<Vec<TicketId>> {
    let children = sqlx::query_scalar!(
        "SELECT to_id FROM ticket_links WHERE from_id = $1 AND kind = 'parent' ORDER BY to_id",
        parent as _
    )
    .fetch_all(conn)
    .await?;
    Ok(children.into_iter().map(TicketId).collect())
}

/// The ticket `id` was merged into, if it was.
pub async fn merged_into(conn: &mut PgConnection, id: TicketId) -> sqlx::Result<Option<TicketId>> {
    Ok(sqlx::query_scalar!("SELECT merged_into FROM support_tickets WHERE id = $1", id as _)
        .fetch_optional(conn)
        .await?
        .flatten()
        .map(TicketId))
}
