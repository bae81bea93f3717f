//! Counts summed from the tallies (`ticket_tallies`, migration 0020) rather than counted over the
//! tickets: how many tickets hold each combination of status, priority, team, assignee and
//! category, once for the tickets and once for each tag. The database keeps the rows with every
//! change of a ticket (triggers: no write path can miss them); this module reads them and folds
//! them.
//!
//! - A view whose filter names only those properties and one tag at most, to hold or not
//!   (`countable`), is counted from the tallies, every such view of a request in one scan; any
//!   other view (a field, a customer, words, the SLA, several tags) is counted over the tickets,
//!   as the list finds them (`listing::counts`).
//! - `GET /v1/tags` sums the tags' rows.
//! - What a staff member sees is the list's rule (`Viewer::push_visibility`) over the same
//!   columns; customers are never counted here.
//! - Each change adds rows (-1 for what the ticket was, +1 for what it is). A read that finds
//!   more such rows than folded ones (and `FOLD_SLACK` more) asks for a `fold`, which replaces
//!   the rows of each combination by their sum.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder};

use super::access::Viewer;
use super::badge;
use super::listing::{self, Filter, SlaFilter};
use crate::ids::ViewId;

/// Rows of changes a read tolerates beyond the folded ones before it asks for a fold.
const FOLD_SLACK: i64 = 2_000;

/// One fold at a time per tenant database (a constant: advisory locks are per database).
const FOLD_LOCK: i64 = 0x7461_6c6c_6965; // "tallie"

/// A tag and how many of the caller's visible tickets hold it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TagCount {
    pub name: String,
    pub count: i64,
}

/// Counts, and whether the tallies they were read from want folding.
#[derive(Debug, Default)]
pub struct Counted<T> {
    pub counts: T,
    pub fold_wanted: bool,
}

/// How the tallies count a filter: the rows of its tags, and whether the SLA badge says breached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally<'f> {
    pub tags: Tags<'f>,
    /// Only the tickets the badge calls breached: the rows whose breach is kept, and the running
    /// clocks past due that the jobs have not recorded yet (counted over the tickets, on the
    /// partial indexes of the due times).
    pub breached: bool,
}

/// The rows of one tag (`""`: the tickets themselves), or the tickets' rows less those of one tag
/// (`no_tag`: every ticket is in the first once and, holding the tag, in the second once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tags<'f> {
    With(&'f str),
    Without(&'f str),
}

/// How the tallies count `filter`, or `None` when it names anything they do not hold.
pub fn countable<'f>(filter: &'f Filter<'_>) -> Option<Tally<'f>> {
    // Every field named: a filter added to the list is counted here only once it is thought of.
    let Filter {
        statuses: _,
        priorities: _,
        assigned_to: _,
        unassigned: _,
        team: _,
        organization,
        category: _,
        channel,
        tags_all,
        tags_any,
        tags_none,
        fields,
        user_id,
        order_id,
        q,
        sla,
        order: _,
        after: _,
        limit: _,
    } = filter;
    if !fields.is_empty()
        || user_id.is_some()
        || order_id.is_some()
        || q.is_some()
        || channel.is_some()
        || organization.is_some()
    {
        return None;
    }
    let tags = match (tags_all.as_slice(), tags_any.as_slice(), tags_none.as_slice()) {
        ([], [], []) => Tags::With(""),
        ([tag], [], []) | ([], [tag], []) => Tags::With(tag),
        ([all], [any], []) if all == any => Tags::With(all),
        ([], [], [tag]) => Tags::Without(tag),
        _ => return None,
    };
    match sla {
        None => Some(Tally { tags, breached: false }),
        // The unrecorded part is counted over the tickets, without their tags.
        Some(SlaFilter::Breached) if tags == Tags::With("") => Some(Tally { tags, breached: true }),
        Some(_) => None,
    }
}

/// How many tickets `viewer` may see match each of `filters` at `now`, exactly, as `(id, count)`:
/// the `countable` ones summed from the tallies in one scan (staff only), the others counted
/// over the tickets in one more statement.
pub async fn view_counts(
    conn: &mut PgConnection,
    viewer: Viewer,
    filters: &[(ViewId, Filter<'_>)],
    now: DateTime<Utc>,
) -> sqlx::Result<Counted<Vec<(ViewId, i64)>>> {
    let (mut summed, mut rest) = (Vec::new(), Vec::new());
    for (id, filter) in filters {
        match countable(filter).filter(|_| viewer.is_staff()) {
            Some(tally) => summed.push((*id, filter, tally)),
            None => rest.push((*id, filter)),
        }
    }
    let mut found = summed_counts(conn, viewer, &summed, now).await?;
    found.counts.extend(listing::counts(conn, viewer, &rest, now).await?);
    Ok(found)
}

/// The tallies' sums for `filters` (each with how it is counted), in one scan of the rows
/// `viewer` may see.
async fn summed_counts(
    conn: &mut PgConnection,
    viewer: Viewer,
    filters: &[(ViewId, &Filter<'_>, Tally<'_>)],
    now: DateTime<Utc>,
) -> sqlx::Result<Counted<Vec<(ViewId, i64)>>> {
    if filters.is_empty() {
        return Ok(Counted::default());
    }
    let mut query = QueryBuilder::<Postgres>::new("SELECT ARRAY[");
    for (n, (_, filter, tally)) in filters.iter().enumerate() {
        if n > 0 {
            query.push(", ");
        }
        match tally.tags {
            Tags::With(tag) => push_sum(&mut query, tag, tally.breached, filter),
            Tags::Without(tag) => {
                push_sum(&mut query, "", tally.breached, filter);
                query.push(" - ");
                push_sum(&mut query, tag, tally.breached, filter);
            }
        }
        if tally.breached {
            query.push(" + (SELECT count(*) FROM support_tickets t WHERE true");
            viewer.push_visibility(&mut query);
            listing::push_properties(&mut query, filter);
            query.push(" AND ");
            badge::Sql { now }.push_breached_unkept(&mut query);
            query.push(")");
        }
    }
    query.push(
        "]::bigint[], count(*) FILTER (WHERE NOT t.folded), count(*) FILTER (WHERE t.folded)
         FROM ticket_tallies t WHERE true",
    );
    viewer.push_visibility(&mut query);
    let (sums, changes, folded): (Vec<i64>, i64, i64) = query.build_query_as().fetch_one(conn).await?;
    Ok(Counted {
        counts: filters.iter().map(|(id, ..)| *id).zip(sums).collect(),
        fold_wanted: changes > folded + FOLD_SLACK,
    })
}

/// The sum of the rows of `tag` that `filter`'s properties select (with a breach kept, when
/// `breached`), as an expression.
fn push_sum<'a>(query: &mut QueryBuilder<'a, Postgres>, tag: &str, breached: bool, filter: &Filter<'a>) {
    query.push("coalesce(sum(t.n) FILTER (WHERE t.tag = ").push_bind(tag.to_owned());
    if breached {
        query.push(" AND t.breached");
    }
    listing::push_properties(query, filter);
    query.push("), 0)");
}

/// The tags on the tickets `viewer` (staff) may see, of every status, most used first (then by
/// name), at most `limit`; with `prefix`, only the tags starting with it.
pub async fn tag_counts(
    conn: &mut PgConnection,
    viewer: Viewer,
    prefix: Option<&str>,
    limit: i64,
) -> sqlx::Result<Counted<Vec<TagCount>>> {
    let scope = viewer.scope();
    // The rows of changes and of folds are counted over every tag seen, before the limit.
    let rows = sqlx::query!(
        r#"SELECT t.tag AS "name!", sum(t.n)::bigint AS "count!",
                  (sum(count(*) FILTER (WHERE NOT t.folded)) OVER ())::bigint AS "changes!",
                  (sum(count(*) FILTER (WHERE t.folded)) OVER ())::bigint AS "folded!"
           FROM ticket_tallies t
           WHERE t.tag <> ''
             AND ($4::uuid IS NULL OR t.assigned_to = $4)
             AND ($1::uuid IS NULL OR t.assigned_to = $1 OR t.team_id IN (SELECT m.team_id FROM team_members m WHERE m.user_id = $1)
                  OR (t.assigned_to IS NULL AND t.team_id IS NULL))
             AND ($2::text IS NULL OR starts_with(t.tag, $2))
           GROUP BY t.tag HAVING sum(t.n) > 0
           ORDER BY sum(t.n) DESC, t.tag LIMIT $3"#,
        scope.teams_of as _,
        prefix,
        limit,
        scope.assigned_to as _,
    )
    .fetch_all(&mut *conn)
    .await?;
    let (changes, folded) = rows.first().map_or((0, 0), |row| (row.changes, row.folded));
    let counts = rows.into_iter().map(|row| TagCount { name: row.name, count: row.count }).collect();
    Ok(Counted { counts, fold_wanted: changes > folded + FOLD_SLACK })
}

/// Replaces the rows of each combination by their sum (dropping the ones that came to nothing),
/// unless another fold is under way. True when this one folded. Exact whatever is being written
/// meanwhile: the rows deleted are the ones summed, and a change committing during the fold
/// keeps its own rows.
pub async fn fold(conn: &mut PgConnection) -> sqlx::Result<bool> {
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let locked = sqlx::query_scalar!(r#"SELECT pg_try_advisory_xact_lock($1) AS "locked!""#, FOLD_LOCK)
        .fetch_one(&mut *tx)
        .await?;
    if locked {
        sqlx::query!(
            "WITH gone AS (DELETE FROM ticket_tallies
                 RETURNING tag, status, priority, team_id, assigned_to, category, breached, n)
             INSERT INTO ticket_tallies (tag, status, priority, team_id, assigned_to, category, breached, n, folded)
             SELECT tag, status, priority, team_id, assigned_to, category, breached, sum(n)::bigint, true FROM gone
             GROUP BY tag, status, priority, team_id, assigned_to, category, breached HAVING sum(n) <> 0"
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(locked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(all: &[&str], any: &[&str], none: &[&str]) -> Filter<'static> {
        let owned = |tags: &[&str]| tags.iter().map(|t| (*t).to_owned()).collect();
        Filter { tags_all: owned(all), tags_any: owned(any), tags_none: owned(none), ..Filter::default() }
    }

    #[test]
    fn the_tallies_count_the_properties_one_tag_held_or_not_and_breaches() {
        let with = |tag| Some(Tally { tags: Tags::With(tag), breached: false });
        assert_eq!(countable(&Filter::default()), with(""));
        assert_eq!(countable(&tags(&["refund"], &[], &[])), with("refund"));
        assert_eq!(countable(&tags(&[], &["refund"], &[])), with("refund"));
        assert_eq!(countable(&tags(&["refund"], &["refund"], &[])), with("refund"));
        assert_eq!(
            countable(&tags(&[], &[], &["refund"])),
            Some(Tally { tags: Tags::Without("refund"), breached: false })
        );
        for (all, any, none) in [
            (&["refund", "vip"][..], &[][..], &[][..]),
            (&[], &["refund", "vip"], &[]),
            (&["refund"], &["vip"], &[]),
            (&["refund"], &[], &["vip"]),
            (&[], &[], &["refund", "vip"]),
        ] {
            assert_eq!(countable(&tags(all, any, none)), None, "{all:?} {any:?} {none:?}");
        }
        let words =
            Filter { q: Some("colis"), statuses: vec![super::super::status::Status::Open], ..Filter::default() };
        assert_eq!(countable(&words), None);
        let breached = Filter { sla: Some(SlaFilter::Breached), ..Filter::default() };
        assert_eq!(countable(&breached), Some(Tally { tags: Tags::With(""), breached: true }));
        let tagged_breaches = Filter { sla: Some(SlaFilter::Breached), ..tags(&["refund"], &[], &[]) };
        assert_eq!(countable(&tagged_breaches), None);
        let at_risk = Filter { sla: Some(SlaFilter::AtRisk), ..Filter::default() };
        assert_eq!(countable(&at_risk), None);
    }
}
