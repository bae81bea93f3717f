//! Ticket merges in the tenant database: the sources' threads (messages with their attachments,
//! internal notes staying internal, and the thread's search words) move into the target, and
//! each source points at it (`merged_into`). The rules and the closing of the sources are the
//! merge endpoint's; it holds the transaction and the row locks.

use sqlx::PgConnection;

use crate::ids::TicketId;

/// What moved into the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    pub messages: i64,
    pub attachments: i64,
}

/// The words of a merged thread that join the target's search words, at most (a tsvector holds
/// at most 1 MB).
const MOVED_WORDS_MAX_CHARS: i32 = 200_000;

/// Moves the threads of `sources` into `target` and links them to it.
pub async fn move_threads(conn: &mut PgConnection, target: TicketId, sources: &[TicketId]) -> sqlx::Result<Moved> {
    // Messages keep their times, so the target's thread reads in time order with them.
    let messages = sqlx::query_scalar!(
        r#"WITH moved AS (
               UPDATE ticket_messages SET ticket_id = $1 WHERE ticket_id = ANY($2) RETURNING message, is_internal),
           words AS (
               SELECT count(*) AS moved,
                   strip(to_tsvector('simple', left(coalesce(string_agg(message, ' '), ''), $3))) AS staff,
                   strip(to_tsvector('simple',
                       left(coalesce(string_agg(message, ' ') FILTER (WHERE NOT is_internal), ''), $3))) AS public
               FROM moved)
           UPDATE support_tickets t SET
               thread_staff = CASE WHEN pg_column_size(t.thread_staff) > 512 * 1024 THEN t.thread_staff
                   ELSE strip(t.thread_staff || words.staff) END,
               thread_public = CASE WHEN pg_column_size(t.thread_public) > 512 * 1024 THEN t.thread_public
                   ELSE strip(t.thread_public || words.public) END
           FROM words WHERE t.id = $1
           RETURNING words.moved AS "moved!""#,
        target as _,
        sources as _,
        MOVED_WORDS_MAX_CHARS,
    )
    .fetch_one(&mut *conn)
    .await?;
    let attachments = sqlx::query!(
        "UPDATE ticket_attachments SET ticket_id = $1 WHERE ticket_id = ANY($2)",
        target as _,
        sources as _
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    // A source's thread, and so its words, are the target's now.
    sqlx::query!(
        "UPDATE support_tickets SET merged_into = $1, thread_staff = ''::tsvector, thread_public = ''::tsvector
         WHERE id = ANY($2)",
        target as _,
        sources as _
    )
    .execute(&mut *conn)
    .await?;
    Ok(Moved { messages, attachments: i64::try_from(attachments).unwrap_or(i64::MAX) })
}

/// The tickets merged into `target`, oldest first, and the one it was merged into.
pub async fn links(conn: &mut PgConnection, target: TicketId) -> sqlx::Result<(Vec<TicketId>, Option<TicketId>)> {
    let row = sqlx::query!(
        r#"SELECT ARRAY(SELECT s.id FROM support_tickets s WHERE s.merged_into = t.id ORDER BY s.id) AS "merged_from!",
               t.merged_into
           FROM support_tickets t WHERE t.id = $1"#,
        target as _,
    )
    .fetch_one(conn)
    .await?;
    Ok((row.merged_from.into_iter().map(TicketId).collect(), row.merged_into.map(TicketId)))
}
