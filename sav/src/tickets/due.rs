//! What the scheduled jobs read and write in a tenant database: the tenant's next due time, its
//! due tickets, and the breaches recorded on them. Each read is the head of a partial index
//! (migration 0005), so its cost follows the due tickets, not the tickets; the indexes' conditions
//! are `badge::outstanding` in SQL, and `Due::holds` checks a ticket by that rule itself.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::badge::{self, Target};
use super::events::SlaType;
use super::messages::Channel;
use super::priority::Priority;
use super::status::Status;
use super::store::{self, Ticket};
use crate::ids::TicketId;

/// What is due on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Due {
    /// Its response target passed without a first public reply.
    Response,
    /// Its resolution target passed while it was open or in progress.
    Resolution,
    /// A next-response round's target passed without a public staff reply.
    NextResponse,
    /// It waited for the customer, or stayed resolved, past its policy's delay.
    AutoClose,
}

impl Due {
    pub const ALL: [Self; 4] = [Self::Response, Self::Resolution, Self::NextResponse, Self::AutoClose];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Response => "response",
            Self::Resolution => "resolution",
            Self::NextResponse => "next_response",
            Self::AutoClose => "auto_close",
        }
    }

    /// The target missed, when it is one (not the auto-close).
    pub fn missed(self) -> Option<SlaType> {
        match self {
            Self::Response => Some(SlaType::Response),
            Self::Resolution => Some(SlaType::Resolution),
            Self::NextResponse => Some(SlaType::NextResponse),
            Self::AutoClose => None,
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == value)
    }

    /// Whether it is still due on `ticket` (as locked) at `now`: a target outstanding by the
    /// badge's rule (`badge::outstanding`) and due, or the auto-close time passed.
    pub fn holds(self, ticket: &Ticket, now: DateTime<Utc>) -> bool {
        let reached = |target| badge::outstanding(ticket, target).is_some_and(|due| due <= now);
        match self {
            Self::Response => reached(Target::Response),
            Self::Resolution => reached(Target::Resolution),
            Self::NextResponse => reached(Target::NextResponse),
            Self::AutoClose => {
                matches!(ticket.status, Status::WaitingCustomer | Status::Resolved)
                    && ticket.auto_close_at.is_some_and(|at| at <= now)
            }
        }
    }
}

base::text_column!(Due, parse);

/// The earliest time anything is due in this tenant, if anything can come due
/// (`tenant_next_due()`, tenant migration 0042): four probes of the heads of the partial indexes,
/// the first team's queue to hand out (`sav::routing`) and the first time rule's timer
/// (`sav::rules`).
pub async fn next(conn: &mut PgConnection) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar!("SELECT tenant_next_due() AS next").fetch_one(conn).await
}

/// The tenant's waiting tickets as operators see them: how many wait in routed teams, since
/// when the oldest has, and since when the oldest of a team where nobody is available has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Waiting {
    pub tickets: i64,
    pub oldest: Option<DateTime<Utc>>,
    pub oldest_unstaffed: Option<DateTime<Utc>>,
}

/// What the jobs' sweep reads of one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    pub tenant: Uuid,
    /// `next`.
    pub next_due: Option<DateTime<Utc>>,
    /// The tickets waiting in routed teams, the oldest's wait and the oldest's of a team where
    /// nobody is available (`waiting`).
    pub waiting_tickets: i64,
    pub oldest_waiting: Option<DateTime<Utc>>,
    pub oldest_unstaffed: Option<DateTime<Utc>>,
    /// Whether mail a crash left half read waits to be read again (the mail intake's).
    pub stranded_mail: bool,
}

impl Backlog {
    pub fn waiting(&self) -> Waiting {
        Waiting { tickets: self.waiting_tickets, oldest: self.oldest_waiting, oldest_unstaffed: self.oldest_unstaffed }
    }
}

/// Each of `tenants`' `Backlog`, in a transaction naming none (`sav_backlogs`, tenant migration
/// 0042).
pub async fn backlogs(conn: &mut PgConnection, tenants: &[Uuid]) -> sqlx::Result<Vec<Backlog>> {
    sqlx::query_as!(
        Backlog,
        r#"SELECT tenant AS "tenant!", next_due, waiting AS "waiting_tickets!", oldest_waiting, oldest_unstaffed,
                  stranded_mail AS "stranded_mail!"
           FROM sav_backlogs($1)"#,
        tenants,
    )
    .fetch_all(conn)
    .await
}

/// Up to `limit` of what is due at `now`, soonest first: (ticket, what).
pub async fn list(conn: &mut PgConnection, now: DateTime<Utc>, limit: i64) -> sqlx::Result<Vec<(TicketId, Due)>> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", due AS "due!: Due" FROM (
             (SELECT id, 'response' AS due, response_due_at AS at FROM support_tickets
              WHERE status IN ('open', 'in_progress') AND first_response_at IS NULL AND response_breached_at IS NULL
                AND response_due_at <= $1 ORDER BY response_due_at LIMIT $2)
             UNION ALL
             (SELECT id, 'resolution', resolution_due_at FROM support_tickets
              WHERE status IN ('open', 'in_progress') AND resolution_breached_at IS NULL
                AND resolution_due_at <= $1 ORDER BY resolution_due_at LIMIT $2)
             UNION ALL
             (SELECT id, 'next_response', next_response_due_at FROM support_tickets
              WHERE status IN ('open', 'in_progress') AND next_response_due_at IS NOT NULL AND next_response_breached_at IS NULL
                AND next_response_due_at <= $1 ORDER BY next_response_due_at LIMIT $2)
             UNION ALL
             (SELECT id, 'auto_close', auto_close_at FROM support_tickets
              WHERE auto_close_at <= $1 ORDER BY auto_close_at LIMIT $2)
           ) AS due ORDER BY at, id LIMIT $2"#,
        now,
        limit,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|row| (TicketId(row.id), row.due)).collect())
}

/// Ticket `id`, locked for the rest of the transaction.
pub async fn lock(conn: &mut PgConnection, id: TicketId) -> sqlx::Result<Option<Ticket>> {
    let row = store::ticket_sql!(query "SELECT ", " FROM support_tickets t WHERE t.id = $1 FOR UPDATE", id.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|row| store::ticket_of!(row)))
}

/// Held while a job writes the tenant's next due time to the control database, so that writers
/// of one tenant take turns and the last one read the newest state. (A constant: each tenant
/// has a database of its own, and advisory locks are per database.)
const SCHEDULE_LOCK: i64 = 0x0000_736c_6164_7565; // "sladue"

/// Takes the schedule lock for the rest of the transaction `tx`, waiting for it.
pub async fn lock_schedule(tx: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "locked!" FROM (SELECT pg_advisory_xact_lock($1)) AS locked"#,
        SCHEDULE_LOCK
    )
    .fetch_one(tx)
    .await
    .map(drop)
}
