//! The performance report: over the tickets created in a range, per group (and per period of
//! creation), how many were created, resolved and reopened, how long the first response and the
//! resolution took (median and 90th percentile of the working minutes stored on each ticket,
//! `store::refresh_sla`), the share of decided tickets that met every SLA target, and the
//! average rating. One statement, computed by PostgreSQL (`percentile_cont`), exact.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{Connection as _, FromRow, PgConnection, Postgres, QueryBuilder};
use utoipa::ToSchema;

use super::range::{Grouping, Period, Range};
use crate::sav::tickets::badge;

/// The most rows one report answers (groups times periods).
pub const ROWS_MAX: usize = 10_000;

/// A median and a 90th percentile, in minutes (`None` without any value).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
pub struct Spread {
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

/// What the report tells of a set of tickets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Measures {
    pub created: i64,
    /// Of them, resolved now (resolved, or closed after a resolution).
    pub resolved: i64,
    /// Of them, reopened at least once.
    pub reopened: i64,
    /// From creation to the first public staff reply, in the working minutes of each ticket's
    /// policy.
    pub first_response_minutes: Spread,
    /// From creation to the last resolution, likewise.
    pub resolution_minutes: Spread,
    /// Of the tickets whose every target is decided (a target missed, or the ticket resolved or
    /// closed), the share with no target missed; `None` when none is decided.
    pub sla_met_ratio: Option<f64>,
    /// The average of each ticket's latest rating (1 to 5), over the rated ones.
    pub csat_average: Option<f64>,
}

/// One group, in one period when the report is split by period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PerformanceRow {
    /// The assignee's or team's id, the priority, tag or channel; `None` for the tickets with
    /// none (unassigned, of no team, without tags).
    pub key: Option<String>,
    /// The person's or team's name; the key itself for the others.
    pub label: Option<String>,
    /// The first day of the period (on the report's clock), when split by period.
    pub period_start: Option<NaiveDate>,
    #[serde(flatten)]
    pub measures: Measures,
}

/// `GET /v1/reports/performance`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub group_by: Grouping,
    pub period: Option<Period>,
    pub time_zone: String,
    /// Over every ticket of the range, each counted once.
    pub total: Measures,
    /// By period first, then by label.
    pub rows: Vec<PerformanceRow>,
}

/// The report over the tickets created in `range`, grouped by `grouping` and split by `period`,
/// as of `now`; `None` when it would have more than `ROWS_MAX` rows.
pub async fn report(
    conn: &mut PgConnection,
    range: &Range,
    grouping: Grouping,
    period: Option<Period>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<PerformanceReport>> {
    let mut tx = conn.begin().await?;
    // One plan's compilation cost more than the whole run in measurements (2.3 s of 3.4 s over
    // 100,000 tickets): these statements are read once, their work is the sorts.
    sqlx::query("SET LOCAL jit = off").execute(&mut *tx).await?;
    let mut rows = aggregate(&mut tx, range, Some((grouping, period)), now).await?;
    if rows.len() > ROWS_MAX {
        return Ok(None);
    }
    let total = aggregate(&mut tx, range, None, now).await?.pop().map(|row| row.measures).unwrap_or_default();
    tx.commit().await?;
    for row in &mut rows {
        row.label = row.label.take().or_else(|| row.key.clone());
    }
    Ok(Some(PerformanceReport {
        from: range.from,
        to: range.to,
        group_by: grouping,
        period,
        time_zone: range.time_zone.clone(),
        total,
        rows,
    }))
}

#[derive(FromRow)]
struct Aggregate {
    key: Option<String>,
    label: Option<String>,
    period_start: Option<NaiveDate>,
    created: i64,
    resolved: i64,
    reopened: i64,
    first_response_median: Option<f64>,
    first_response_p90: Option<f64>,
    resolution_median: Option<f64>,
    resolution_p90: Option<f64>,
    met: i64,
    decided: i64,
    csat: Option<f64>,
}

/// The rows of `split` (`None`: one row over every ticket of the range), at most `ROWS_MAX` + 1.
async fn aggregate(
    conn: &mut PgConnection,
    range: &Range,
    split: Option<(Grouping, Option<Period>)>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<PerformanceRow>> {
    let (key, label) = match split.map(|(grouping, _)| grouping) {
        None => ("NULL::text", "NULL::text"),
        Some(Grouping::Agent) => (
            "t.assigned_to::text",
            "(SELECT concat_ws(' ', u.firstname, u.lastname) FROM users u WHERE u.id = g.key::uuid)",
        ),
        Some(Grouping::Team) => ("t.team_id::text", "(SELECT tm.name FROM teams tm WHERE tm.id = g.key::uuid)"),
        Some(Grouping::Priority) => ("t.priority", "g.key"),
        Some(Grouping::Tag) => ("tag.name", "g.key"),
        Some(Grouping::Channel) => ("t.channel", "g.key"),
    };
    let mut query = QueryBuilder::<Postgres>::new("SELECT g.key, ");
    query.push(label).push(
        " AS label, g.period_start, g.created, g.resolved, g.reopened, g.first_response_median, g.first_response_p90,
            g.resolution_median, g.resolution_p90, g.met, g.decided, g.csat
         FROM (SELECT ",
    );
    query.push(key).push(" AS key, ");
    match split.and_then(|(_, period)| period) {
        Some(period) => query
            .push(format!("date_trunc('{}', t.created_at AT TIME ZONE ", period.as_str()))
            .push_bind(range.time_zone.clone())
            .push(")::date"),
        None => query.push("NULL::date"),
    };
    let sla = badge::Sql { now };
    query.push(
        " AS period_start,
            count(*) AS created,
            count(*) FILTER (WHERE t.resolved_at IS NOT NULL) AS resolved,
            count(*) FILTER (WHERE t.reopens > 0) AS reopened,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY t.first_response_business_seconds) / 60 AS first_response_median,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY t.first_response_business_seconds) / 60 AS first_response_p90,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY t.resolution_business_seconds) / 60 AS resolution_median,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY t.resolution_business_seconds) / 60 AS resolution_p90,
            count(*) FILTER (WHERE t.status IN ('resolved', 'closed') AND NOT ",
    );
    sla.push_breached(&mut query);
    query.push(") AS met, count(*) FILTER (WHERE t.status IN ('resolved', 'closed') OR ");
    sla.push_breached(&mut query);
    query.push(") AS decided, avg(r.rating)::float8 AS csat FROM support_tickets t");
    if matches!(split, Some((Grouping::Tag, _))) {
        // A ticket counts under each of its tags, and under none when it has none.
        query.push(
            " CROSS JOIN LATERAL unnest(CASE WHEN cardinality(t.tags) = 0 THEN ARRAY[NULL::text] ELSE t.tags END) AS tag (name)",
        );
    }
    query
        .push(
            // Each ticket's latest rating, joined by hash: cheaper than a probe per ticket.
            " LEFT JOIN (SELECT DISTINCT ON (s.ticket_id) s.ticket_id, s.rating FROM satisfaction_ratings s
                 ORDER BY s.ticket_id, s.resolved_at DESC) r ON r.ticket_id = t.id
              WHERE t.created_at >= ",
        )
        .push_bind(range.from)
        .push(" AND t.created_at < ")
        .push_bind(range.to)
        .push(" GROUP BY 1, 2) g ORDER BY g.period_start NULLS FIRST, 2 NULLS LAST, g.key LIMIT ")
        .push_bind(i64::try_from(ROWS_MAX).expect("a small number") + 1);
    let rows: Vec<Aggregate> = query.build_query_as().fetch_all(conn).await?;
    Ok(rows.into_iter().map(PerformanceRow::from).collect())
}

impl From<Aggregate> for PerformanceRow {
    fn from(row: Aggregate) -> Self {
        #[allow(clippy::cast_precision_loss, reason = "counts of tickets, far below 2^52")]
        let sla_met_ratio = (row.decided > 0).then(|| row.met as f64 / row.decided as f64);
        Self {
            key: row.key,
            label: row.label,
            period_start: row.period_start,
            measures: Measures {
                created: row.created,
                resolved: row.resolved,
                reopened: row.reopened,
                first_response_minutes: Spread { median: row.first_response_median, p90: row.first_response_p90 },
                resolution_minutes: Spread { median: row.resolution_median, p90: row.resolution_p90 },
                sla_met_ratio,
                csat_average: row.csat,
            },
        }
    }
}
