//! Satisfaction ratings (CSAT): once a ticket is resolved (or closed), its customer rates the
//! help 1 to 5 with an optional comment, in the portal or from the resolution mail's link. One
//! rating per resolution: a ticket reopened and resolved again may be rated again. A rating
//! names who had the ticket, for the admins' report by agent. A rating is recorded under its
//! ticket's lock, in a transaction of its own (`rate`, `rate_by_link`).

use base::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;

use super::tickets::access::Viewer;
use super::tickets::due;
use super::tickets::refusal::Refused as Refusal;
use super::tickets::status::Status;
use super::tickets::store::{self, Ticket};
use crate::ids::{TicketId, UserId};

pub const COMMENT_MAX_CHARS: usize = 2_000;

/// A customer's rating of one resolution.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rating {
    pub id: i64,
    #[schema(value_type = i64)]
    pub ticket_id: TicketId,
    /// 1 (poor) to 5 (excellent).
    pub rating: i16,
    pub comment: Option<String>,
    /// Who had the ticket.
    #[schema(value_type = Option<Uuid>)]
    pub agent_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// The resolution a rating of `ticket` is about: when it was resolved (or closed without being
/// resolved); `None` while it is being worked on.
pub fn resolution(ticket: &Ticket) -> Option<DateTime<Utc>> {
    match ticket.status {
        Status::Resolved | Status::Closed => ticket.resolved_at.or(ticket.closed_at),
        Status::Open | Status::InProgress | Status::WaitingCustomer => None,
    }
}

/// A rating from 1 to 5.
pub fn score(value: i64) -> Result<i16, FieldError> {
    match i16::try_from(value) {
        Ok(score @ 1..=5) => Ok(score),
        _ => Err(FieldError::new("rating", "must be a whole number from 1 to 5")),
    }
}

/// An optional comment: trimmed, empty is none, at most 2,000 characters.
pub fn comment(value: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if value.chars().count() > COMMENT_MAX_CHARS {
        return Err(FieldError::new("comment", format!("must be at most {COMMENT_MAX_CHARS} characters")));
    }
    Ok(Some(value.to_owned()))
}

/// The rating of `ticket_id`'s resolution `resolved_at`, if it was rated.
pub async fn of_resolution(
    conn: &mut PgConnection,
    ticket_id: TicketId,
    resolved_at: DateTime<Utc>,
) -> sqlx::Result<Option<Rating>> {
    sqlx::query_as!(
        Rating,
        r#"SELECT id, ticket_id, rating, comment, agent_id AS "agent_id: UserId", created_at FROM satisfaction_ratings
         WHERE ticket_id = $1 AND resolved_at = $2"#,
        ticket_id as _,
        resolved_at,
    )
    .fetch_optional(conn)
    .await
}

/// Records the rating of `ticket`'s resolution `resolved_at`; `None` when it was rated already.
pub async fn record(
    conn: &mut PgConnection,
    ticket: &Ticket,
    resolved_at: DateTime<Utc>,
    score: i16,
    comment: Option<&str>,
) -> sqlx::Result<Option<Rating>> {
    sqlx::query_as!(
        Rating,
        r#"INSERT INTO satisfaction_ratings (ticket_id, resolved_at, user_id, agent_id, rating, comment)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id, ticket_id, resolved_at) DO NOTHING
         RETURNING id, ticket_id, rating, comment, agent_id AS "agent_id: UserId", created_at"#,
        ticket.id as _,
        resolved_at,
        ticket.user_id as _,
        ticket.assigned_to as _,
        score,
        comment,
    )
    .fetch_optional(conn)
    .await
}

/// Adds `comment` to the rating of a resolution that has none yet; `None` when it has one (or
/// there is no rating).
pub async fn add_comment(
    conn: &mut PgConnection,
    ticket_id: TicketId,
    resolved_at: DateTime<Utc>,
    comment: &str,
) -> sqlx::Result<Option<Rating>> {
    sqlx::query_as!(
        Rating,
        r#"UPDATE satisfaction_ratings SET comment = $3
         WHERE ticket_id = $1 AND resolved_at = $2 AND comment IS NULL
         RETURNING id, ticket_id, rating, comment, agent_id AS "agent_id: UserId", created_at"#,
        ticket_id as _,
        resolved_at,
        comment,
    )
    .fetch_optional(conn)
    .await
}

/// Why a rating is not given; the HTTP layer gives each its answer (app-api's `refusals`).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// Someone other than the ticket's customer rates it.
    #[error("only the ticket's customer rates it")]
    NotCustomer,
    /// The ticket is not resolved or closed, or was reopened since the link's mail.
    #[error("{0}")]
    NotResolved(&'static str),
    /// This resolution has its rating (and, from a link, its comment).
    #[error("this resolution was rated already")]
    AlreadyRated,
    /// A rating link forged, used on another organisation's host, or naming a ticket that is
    /// gone.
    #[error("this rating link is not valid")]
    InvalidLink,
    /// The ticket is not one the caller sees.
    #[error(transparent)]
    Ticket(#[from] Refusal),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Whether `viewer` may rate `ticket` now (its customer, resolved or closed, this resolution not
/// rated yet), and this resolution's rating.
pub async fn standing(
    conn: &mut PgConnection,
    viewer: Viewer,
    ticket: &Ticket,
) -> sqlx::Result<(bool, Option<Rating>)> {
    let Some(resolved_at) = resolution(ticket) else { return Ok((false, None)) };
    let rating = of_resolution(conn, ticket.id, resolved_at).await?;
    Ok((rating.is_none() && viewer.id == ticket.user_id, rating))
}

/// Rates ticket `id` for `user_id`, who must be its customer, once per resolution.
pub async fn rate(
    conn: &mut PgConnection,
    user_id: UserId,
    id: TicketId,
    score: i16,
    comment: Option<&str>,
) -> Result<Rating, Refused> {
    let mut tx = conn.begin().await?;
    // Locked: a reopening waits, or is seen.
    let (viewer, ticket) = store::visible(&mut tx, user_id, id, true).await?;
    if viewer.id != ticket.user_id {
        return Err(Refused::NotCustomer);
    }
    let resolved_at =
        resolution(&ticket).ok_or(Refused::NotResolved("a ticket is rated once it is resolved or closed"))?;
    let rating = record(&mut tx, &ticket, resolved_at, score, comment).await?.ok_or(Refused::AlreadyRated)?;
    tx.commit().await?;
    Ok(rating)
}

/// The resolution a rating link asks about, as the signed link says (app-api's
/// `notifications::links::Rating` signs and reads the link; the domain only checks that the
/// ticket is still resolved at that instant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AskedResolution {
    pub ticket_id: TicketId,
    /// The resolution asked about, in microseconds since the epoch (as the database keeps it).
    pub resolved_at: i64,
}

/// The ticket `link` names, locked for the transaction, and the resolution it asks about, which
/// must still be the ticket's.
async fn linked(tx: &mut PgConnection, link: AskedResolution) -> Result<(Ticket, DateTime<Utc>), Refused> {
    let ticket = due::lock(tx, link.ticket_id).await?.ok_or(Refused::InvalidLink)?;
    let resolved_at = resolution(&ticket)
        .filter(|at| at.timestamp_micros() == link.resolved_at)
        .ok_or(Refused::NotResolved("this request was reopened since this mail: it is rated once resolved again"))?;
    Ok((ticket, resolved_at))
}

/// The ticket a rating link is about, and the rating given, if any.
pub async fn by_link(conn: &mut PgConnection, link: AskedResolution) -> Result<(Ticket, Option<Rating>), Refused> {
    let mut tx = conn.begin().await?;
    let (ticket, resolved_at) = linked(&mut tx, link).await?;
    let rating = of_resolution(&mut tx, ticket.id, resolved_at).await?;
    tx.commit().await?;
    Ok((ticket, rating))
}

/// What a rating from a link did.
#[derive(Debug)]
pub enum LinkRated {
    /// The link's rating, recorded now.
    Recorded(Rating),
    /// The comment was added to the rating the link recorded before.
    Commented(Rating),
}

/// Rates from a link: the link records one rating; it may come back once with a comment while
/// that rating has none (the first rating stands).
pub async fn rate_by_link(
    conn: &mut PgConnection,
    link: AskedResolution,
    score: i16,
    comment: Option<String>,
) -> Result<LinkRated, Refused> {
    let mut tx = conn.begin().await?;
    let (ticket, resolved_at) = linked(&mut tx, link).await?;
    if let Some(rating) = record(&mut tx, &ticket, resolved_at, score, comment.as_deref()).await? {
        tx.commit().await?;
        return Ok(LinkRated::Recorded(rating));
    }
    let commented = match comment {
        Some(comment) => add_comment(&mut tx, ticket.id, resolved_at, &comment).await?,
        None => None,
    };
    let rating = commented.ok_or(Refused::AlreadyRated)?;
    tx.commit().await?;
    Ok(LinkRated::Commented(rating))
}

/// The periods a report groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    #[default]
    Week,
    Month,
}

impl Period {
    fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }
}

/// The ratings of a span of time.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    /// The mean of every rating; none without ratings.
    pub average: Option<f64>,
    pub count: i64,
    pub by_agent: Vec<AgentScore>,
    pub by_period: Vec<PeriodScore>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentScore {
    /// None: ratings of tickets nobody had.
    #[schema(value_type = Option<Uuid>)]
    pub agent_id: Option<UserId>,
    /// Their first and last names (empty for nobody).
    pub name: String,
    pub average: f64,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodScore {
    /// The period's first instant (UTC; weeks start on Monday).
    pub start: DateTime<Utc>,
    pub average: f64,
    pub count: i64,
}

/// The ratings given in `[from, to)`, overall, by agent (best first) and by period (in order).
pub async fn report(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    period: Period,
) -> sqlx::Result<Report> {
    let overall = sqlx::query!(
        r#"SELECT avg(rating)::float8 AS average, count(*) AS "count!"
           FROM satisfaction_ratings WHERE created_at >= $1 AND created_at < $2"#,
        from,
        to,
    )
    .fetch_one(&mut *conn)
    .await?;
    let by_agent = sqlx::query_as!(
        AgentScore,
        r#"SELECT r.agent_id AS "agent_id: UserId", coalesce(trim(u.firstname || ' ' || u.lastname), '') AS "name!",
                  avg(r.rating)::float8 AS "average!", count(*) AS "count!"
           FROM satisfaction_ratings r LEFT JOIN users u ON u.id = r.agent_id
           WHERE r.created_at >= $1 AND r.created_at < $2
           GROUP BY r.agent_id, u.firstname, u.lastname
           ORDER BY 3 DESC, 4 DESC, 2"#,
        from,
        to,
    )
    .fetch_all(&mut *conn)
    .await?;
    let by_period = sqlx::query_as!(
        PeriodScore,
        r#"SELECT date_trunc($3, created_at, 'UTC') AS "start!", avg(rating)::float8 AS "average!",
                  count(*) AS "count!"
           FROM satisfaction_ratings WHERE created_at >= $1 AND created_at < $2
           GROUP BY 1 ORDER BY 1"#,
        from,
        to,
        period.as_str(),
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Report { average: overall.average, count: overall.count, by_agent, by_period })
}

/// A customer's ratings, for the panel beside a thread.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct History {
    pub average: Option<f64>,
    pub count: i64,
    /// The latest ten.
    pub recent: Vec<RecentRating>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecentRating {
    #[schema(value_type = i64)]
    pub ticket_id: TicketId,
    pub ticket_number: String,
    pub rating: i16,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn history(conn: &mut PgConnection, customer: UserId) -> sqlx::Result<History> {
    let overall = sqlx::query!(
        r#"SELECT avg(rating)::float8 AS average, count(*) AS "count!" FROM satisfaction_ratings WHERE user_id = $1"#,
        customer as _,
    )
    .fetch_one(&mut *conn)
    .await?;
    let recent = sqlx::query_as!(
        RecentRating,
        "SELECT r.ticket_id, t.ticket_number, r.rating, r.comment, r.created_at
         FROM satisfaction_ratings r JOIN support_tickets t ON t.id = r.ticket_id
         WHERE r.user_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT 10",
        customer as _,
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(History { average: overall.average, count: overall.count, recent })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_and_comments_are_checked() {
        assert_eq!(score(1).unwrap(), 1);
        assert_eq!(score(5).unwrap(), 5);
        for bad in [0, 6, -1, i64::MAX] {
            assert!(score(bad).is_err(), "{bad}");
        }
        assert_eq!(comment(None).unwrap(), None);
        assert_eq!(comment(Some("   ")).unwrap(), None);
        assert_eq!(comment(Some(" Quick and kind. ")).unwrap().as_deref(), Some("Quick and kind."));
        assert!(comment(Some(&"é".repeat(COMMENT_MAX_CHARS + 1))).is_err());
        assert!(comment(Some(&"é".repeat(COMMENT_MAX_CHARS))).is_ok());
    }
}
