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
use crate::tickets::badge;

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
    // 100,000 tickets): this statement is read once, its work is the sorts. They, and the
    // tickets' measures read once, stay in memory up to about 300,000 tickets.
    sqlx::query("SET LOCAL jit = off").execute(&mut *tx).await?;
    sqlx::query("SET LOCAL work_mem = '32MB'").execute(&mut *tx).await?;
    let mut rows = aggregate(&mut tx, range, grouping, period, now).await?;
    tx.commit().await?;
    // The total comes first (`aggregate`).
    let total =
        if rows.first().is_some_and(|row| row.total) { rows.remove(0).row.measures } else { Measures::default() };
    if rows.len() > ROWS_MAX {
        return Ok(None);
    }
    let rows = rows
        .into_iter()
        .map(|Counted { mut row, .. }| {
            row.label = row.label.take().or_else(|| row.key.clone());
            row
        })
        .collect();
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
    total: bool,
}

/// A row of `aggregate`: one group's, or the total's.
struct Counted {
    row: PerformanceRow,
    total: bool,
}

/// The measures over every ticket of the range first, then those of each group (and period), at
/// most `ROWS_MAX` + 1 of them. One statement: each ticket's measures are read once into a
/// narrow set (`base`), which both the groups and the total count.
async fn aggregate(
    conn: &mut PgConnection,
    range: &Range,
    grouping: Grouping,
    period: Option<Period>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Counted>> {
    // The keys are sorted as they are stored (a uuid, or bytes): cheaper than by the collation.
    let (key, label) = match grouping {
        Grouping::Agent => {
            ("t.assigned_to", "(SELECT concat_ws(' ', u.firstname, u.lastname) FROM users u WHERE u.id = g.key)")
        }
        Grouping::Team => ("t.team_id", "(SELECT tm.name FROM teams tm WHERE tm.id = g.key)"),
        Grouping::Organization => ("t.organization_id", "(SELECT o.name FROM organizations o WHERE o.id = g.key)"),
        Grouping::Priority => (r#"t.priority COLLATE "C""#, "g.key::text"),
        Grouping::Tag => ("t.tags", "g.key::text"),
        Grouping::Channel => (r#"t.channel COLLATE "C""#, "g.key::text"),
    };
    let mut query = QueryBuilder::<Postgres>::new("WITH base AS MATERIALIZED (SELECT ");
    query.push(key).push(" AS key, ");
    match period {
        Some(period) => query
            .push(format!("date_trunc('{}', t.created_at AT TIME ZONE ", period.as_str()))
            .push_bind(range.time_zone.clone())
            .push(")::date"),
        None => query.push("NULL::date"),
    };
    query.push(
        " AS period_start, t.resolved_at IS NOT NULL AS resolved, t.reopens > 0 AS reopened,
            t.first_response_business_seconds AS first_response, t.resolution_business_seconds AS resolution,
            t.status IN ('resolved', 'closed') AS finished, ",
    );
    badge::Sql { now }.push_breached(&mut query);
    query
        .push(
            // Each ticket's latest rating, joined by hash: cheaper than a probe per ticket.
            " AS breached, r.rating
             FROM support_tickets t
             LEFT JOIN (SELECT DISTINCT ON (s.ticket_id) s.ticket_id, s.rating FROM satisfaction_ratings s
                        ORDER BY s.ticket_id, s.resolved_at DESC) r ON r.ticket_id = t.id
             WHERE t.created_at >= ",
        )
        .push_bind(range.from)
        .push(" AND t.created_at < ")
        .push_bind(range.to)
        .push("), grouped AS (SELECT ");
    if matches!(grouping, Grouping::Tag) {
        // A ticket counts under each of its tags, and under none when it has none.
        query.push(r#"tag.name COLLATE "C" AS key, b.period_start, "#).push(MEASURES).push(
            ", false AS total FROM base b
             CROSS JOIN LATERAL unnest(CASE WHEN cardinality(b.key) = 0 THEN ARRAY[NULL::text] ELSE b.key END)
                 AS tag (name)
             GROUP BY 1, 2",
        );
    } else {
        query.push("b.key, b.period_start, ").push(MEASURES).push(", false AS total FROM base b GROUP BY 1, 2");
    }
    query
        .push(" UNION ALL SELECT NULL, NULL, ")
        .push(MEASURES)
        .push(", true FROM base b) SELECT g.key::text AS key, ")
        .push(label)
        .push(
            " AS label, g.period_start, g.created, g.resolved, g.reopened, g.first_response_median,
                g.first_response_p90, g.resolution_median, g.resolution_p90, g.met, g.decided, g.csat, g.total
             FROM grouped g ORDER BY g.total DESC, g.period_start NULLS FIRST, 2 NULLS LAST, 1 LIMIT ",
        )
        .push_bind(i64::try_from(ROWS_MAX).expect("a small number") + 2);
    let rows: Vec<Aggregate> = query.build_query_as().fetch_all(conn).await?;
    Ok(rows.into_iter().map(Counted::from).collect())
}

/// The measures of a set of `base`'s rows `b`.
const MEASURES: &str = "count(*) AS created, count(*) FILTER (WHERE b.resolved) AS resolved,
    count(*) FILTER (WHERE b.reopened) AS reopened,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY b.first_response) / 60 AS first_response_median,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY b.first_response) / 60 AS first_response_p90,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY b.resolution) / 60 AS resolution_median,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY b.resolution) / 60 AS resolution_p90,
    count(*) FILTER (WHERE b.finished AND NOT b.breached) AS met,
    count(*) FILTER (WHERE b.finished OR b.breached) AS decided, avg(b.rating)::float8 AS csat";

impl From<Aggregate> for Counted {
    fn from(row: Aggregate) -> Self {
        #[allow(clippy::cast_precision_loss, reason = "counts of tickets, far below 2^52")]
        let sla_met_ratio = (row.decided > 0).then(|| row.met as f64 / row.decided as f64);
        let measures = Measures {
            created: row.created,
            resolved: row.resolved,
            reopened: row.reopened,
            first_response_minutes: Spread { median: row.first_response_median, p90: row.first_response_p90 },
            resolution_minutes: Spread { median: row.resolution_median, p90: row.resolution_p90 },
            sla_met_ratio,
            csat_average: row.csat,
        };
        Self {
            row: PerformanceRow { key: row.key, label: row.label, period_start: row.period_start, measures },
            total: row.total,
        }
    }
}
