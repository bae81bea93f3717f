//! What readers do with the help center, counted for the team: views (by anyone but staff),
//! views from the new-ticket form's suggestions, helpful votes (once per article a day for each
//! person or address), and searches that found nothing; by UTC day. `report` sums them over a
//! range with the deflections: suggested views by a signed-in customer that no ticket of theirs
//! followed within 30 minutes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::locale::Locale;
use sav::ids::UserId;

/// A suggested view that no ticket follows within this long is a deflection.
pub const DEFLECTION_MINUTES: i32 = 30;
/// The most distinct unanswered searches recorded a day (bots and typing are bounded).
const UNANSWERED_A_DAY_MAX: i64 = 1000;
/// Suggested views are kept this long (the reports' longest span, and a month more).
const SUGGESTED_VIEWS_KEPT_DAYS: i32 = 400;
/// The most articles and searches a report lists.
pub const REPORT_ROWS_MAX: i64 = 1000;

/// Counts a view of `article` today, and, when it came from a suggestion, a suggested view
/// (remembered with the customer who opened it, when signed in, for the deflections).
pub async fn viewed(
    conn: &mut PgConnection,
    article: Uuid,
    suggested: bool,
    customer: Option<UserId>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "WITH old AS (
           DELETE FROM help_suggested_views
            WHERE $3::uuid IS NOT NULL AND at < $5::timestamptz - make_interval(days => $6)
         ), remembered AS (
           INSERT INTO help_suggested_views (article_id, user_id, at)
           SELECT $1, $3, $5 WHERE $2 AND $3::uuid IS NOT NULL
         )
         INSERT INTO help_article_days (article_id, day, views, suggested_views) VALUES ($1, $4, 1, $2::int)
         ON CONFLICT (tenant_id, article_id, day) DO UPDATE
            SET views = help_article_days.views + 1,
                suggested_views = help_article_days.suggested_views + EXCLUDED.suggested_views",
        article,
        suggested,
        customer as _,
        now.date_naive(),
        now,
        SUGGESTED_VIEWS_KEPT_DAYS,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Counts `voter`'s vote on published `article` if they did not vote on it today; false when
/// it was not counted (a repeat, or no such article). Earlier days' voters of the article are
/// forgotten on the way.
pub async fn voted(
    conn: &mut PgConnection,
    article: Uuid,
    voter: &str,
    helpful: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let counted = sqlx::query_scalar!(
        r#"WITH old AS (
             DELETE FROM help_votes WHERE article_id = $1 AND day < $3
           ), fresh AS (
             INSERT INTO help_votes (article_id, voter, day)
             SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM help_articles WHERE id = $1 AND status = 'published')
             ON CONFLICT DO NOTHING RETURNING 1
           )
           INSERT INTO help_article_days (article_id, day, helpful, not_helpful)
           SELECT $1, $3, $4::boolean::int, (NOT $4::boolean)::int FROM fresh
           ON CONFLICT (tenant_id, article_id, day) DO UPDATE
              SET helpful = help_article_days.helpful + EXCLUDED.helpful,
                  not_helpful = help_article_days.not_helpful + EXCLUDED.not_helpful
           RETURNING 1 AS "one!""#,
        article,
        voter,
        now.date_naive(),
        helpful,
    )
    .fetch_optional(conn)
    .await?;
    Ok(counted.is_some())
}

/// Counts a search for `query` (normalised) in `locale` (`None`: every locale) that found
/// nothing, within the day's bound of distinct searches.
pub async fn unanswered(
    conn: &mut PgConnection,
    query: &str,
    locale: Option<Locale>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO help_unanswered_searches (query, locale, day)
         SELECT $1, $2, $3
          WHERE EXISTS (SELECT 1 FROM help_unanswered_searches WHERE day = $3 AND query = $1 AND locale = $2)
             OR (SELECT count(*) FROM help_unanswered_searches WHERE day = $3) < $4
         ON CONFLICT (tenant_id, day, query, locale) DO UPDATE SET count = help_unanswered_searches.count + 1",
        query,
        locale.map_or("any", Locale::as_str),
        now.date_naive(),
        UNANSWERED_A_DAY_MAX,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// The UTC days that `[from, to)` touches, as `[first, end)`: counters kept by day are summed
/// over every day the range reaches into (a range ending at midnight east of UTC ends during a
/// UTC day, which counts).
fn days(from: DateTime<Utc>, to: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    let first = from.date_naive();
    if to <= from {
        return (first, first);
    }
    let last = (to - chrono::Duration::nanoseconds(1)).date_naive();
    (first, last.succ_opt().unwrap_or(last))
}

/// An article's readers over a report's range.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = HelpArticleReport)]
pub struct ArticleReport {
    pub id: Uuid,
    pub slug: String,
    pub locale: Locale,
    pub title: String,
    pub views: i64,
    pub helpful: i64,
    pub not_helpful: i64,
    pub suggested_views: i64,
    pub deflections: i64,
}

/// A search that found nothing, and how often it was made.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = HelpUnansweredSearch)]
pub struct Unanswered {
    pub query: String,
    /// `en`, `fr`, or `any` (searched without a locale).
    pub locale: String,
    pub count: i64,
}

/// The articles read in `[from, to)` (their counters over the UTC days the range touches,
/// `days`; suggested views and deflections to the instant), most viewed first.
pub async fn articles(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<ArticleReport>> {
    let (first_day, end_day) = days(from, to);
    sqlx::query_as!(
        ArticleReport,
        r#"WITH days AS (
             SELECT article_id, sum(views) AS views, sum(helpful) AS helpful, sum(not_helpful) AS not_helpful,
                    sum(suggested_views) AS suggested_views
               FROM help_article_days WHERE day >= $1 AND day < $2 GROUP BY article_id
           ), deflected AS (
             SELECT s.article_id, count(*) AS deflections
               FROM help_suggested_views s JOIN users u ON u.id = s.user_id AND u.role = 'customer'
              WHERE s.at >= $3 AND s.at < $4 AND s.at + make_interval(mins => $5) <= $6
                AND NOT EXISTS (SELECT 1 FROM support_tickets t
                                 WHERE t.user_id = s.user_id AND t.created_at >= s.at
                                   AND t.created_at < s.at + make_interval(mins => $5))
              GROUP BY s.article_id
           )
           SELECT a.id, a.slug, a.locale AS "locale: Locale", a.title,
                  COALESCE(d.views, 0)::bigint AS "views!", COALESCE(d.helpful, 0)::bigint AS "helpful!",
                  COALESCE(d.not_helpful, 0)::bigint AS "not_helpful!",
                  COALESCE(d.suggested_views, 0)::bigint AS "suggested_views!",
                  COALESCE(f.deflections, 0)::bigint AS "deflections!"
             FROM help_articles a
             LEFT JOIN days d ON d.article_id = a.id
             LEFT JOIN deflected f ON f.article_id = a.id
            WHERE d.article_id IS NOT NULL OR f.article_id IS NOT NULL
            ORDER BY COALESCE(d.views, 0) DESC, a.id
            LIMIT $7"#,
        first_day,
        end_day,
        from,
        to,
        DEFLECTION_MINUTES,
        now,
        REPORT_ROWS_MAX,
    )
    .fetch_all(conn)
    .await
}

/// The searches that found nothing on the UTC days `[from, to)` touches (`days`), most made
/// first.
pub async fn unanswered_searches(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<Unanswered>> {
    let (first_day, end_day) = days(from, to);
    sqlx::query_as!(
        Unanswered,
        r#"SELECT query, locale, sum(count)::bigint AS "count!"
             FROM help_unanswered_searches WHERE day >= $1 AND day < $2
            GROUP BY query, locale ORDER BY 3 DESC, query, locale LIMIT $3"#,
        first_day,
        end_day,
        REPORT_ROWS_MAX,
    )
    .fetch_all(conn)
    .await
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_range_counts_every_utc_day_it_reaches_into() {
        // Paris's 27th and 28th: from the 26th 23:00 UTC to the 28th 23:00 UTC.
        let paris = days(at("2026-11-27T00:00:00+01:00"), at("2026-11-29T00:00:00+01:00"));
        assert_eq!(paris, (day("2026-11-26"), day("2026-11-29")));
        // Midnight UTC to midnight UTC: exactly those days.
        let utc = days(
            Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap(),
        );
        assert_eq!(utc, (day("2026-11-27"), day("2026-11-28")));
        // New York's 27th ends on the 28th at 05:00 UTC.
        let west = days(at("2026-11-27T00:00:00-05:00"), at("2026-11-28T00:00:00-05:00"));
        assert_eq!(west, (day("2026-11-27"), day("2026-11-29")));
        let empty = days(at("2026-11-27T10:00:00Z"), at("2026-11-27T10:00:00Z"));
        assert_eq!(empty.0, empty.1);
    }
}
