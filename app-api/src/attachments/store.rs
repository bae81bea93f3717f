//! Attachments in the tenant database: the rows, the stored objects they share, the tenant's
//! storage use, the objects waiting for deletion from the store, and the access log.
//!
//! Counting: an upload that stores a new object claims its `stored_objects` row (locking it,
//! so two uploads of the same content take turns) and adds its size to `storage_usage` under
//! that row's lock, which is what makes the quota exact under concurrent uploads. Rows going
//! away are counted by the trigger of migration 0007, whatever deleted them (this module, an
//! erasure, a ticket deleted with its attachments).

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sav::ids::{TeamId, TicketId, UserId};
use serde::Serialize;
use sqlx::PgConnection;
use sqlx::types::ipnet::IpNet;
use utoipa::ToSchema;

/// An attachment row with what deciding who may see it needs.
#[derive(Debug, Clone)]
pub struct Found {
    pub attachment: Attachment,
    pub file_path: String,
    /// The ticket's customer, assignee and team, for the visibility rules.
    pub ticket_customer: UserId,
    pub ticket_assignee: Option<UserId>,
    pub ticket_team: Option<TeamId>,
    /// Whether the ticket's team is one of the viewer's.
    pub in_viewer_teams: bool,
    /// How the viewer reaches the ticket as a colleague (`Viewer::reaching`).
    pub colleague_may_comment: Option<bool>,
    pub ticket_closed: bool,
}

/// An attachment as the API shows it (without a link).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attachment {
    pub id: i64,
    #[schema(value_type = i64)]
    pub ticket_id: TicketId,
    /// The message it belongs to; none for a file of the ticket itself.
    pub message_id: Option<i64>,
    /// The name it was uploaded with (control characters removed).
    pub original_name: String,
    pub mime_type: String,
    pub file_size: i64,
    /// SHA-256 of the content, hex.
    pub sha256: Option<String>,
    /// Never shown to customers.
    pub is_internal: bool,
    #[schema(value_type = Option<Uuid>)]
    pub uploaded_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// What a new row holds.
pub struct NewAttachment<'a> {
    pub ticket_id: TicketId,
    pub message_id: Option<i64>,
    pub original_name: &'a str,
    pub filename: &'a str,
    pub file_path: &'a str,
    pub mime_type: &'a str,
    pub file_size: i64,
    pub sha256: &'a str,
    pub is_internal: bool,
    pub uploaded_by: UserId,
}

/// The tenant's storage.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Usage {
    pub bytes_used: i64,
    /// Stored objects (the same content in a ticket counts once).
    pub objects: i64,
    /// Attachment rows.
    pub attachments: i64,
}

/// One line of the access log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Access {
    #[serde(skip)]
    pub id: i64,
    #[schema(value_type = Uuid)]
    pub user_id: UserId,
    /// The client address as the service saw it (see `TRUSTED_PROXIES`).
    pub ip: Option<String>,
    pub accessed_at: DateTime<Utc>,
}

/// Attachment `id`, with its ticket's visibility facts for `viewer`.
pub async fn find(conn: &mut PgConnection, id: i64, viewer: UserId) -> sqlx::Result<Option<Found>> {
    let row = sqlx::query!(
        r#"SELECT a.id, a.ticket_id, a.message_id, a.original_name, a.mime_type, a.file_size, a.sha256,
                a.is_internal, a.uploaded_by, a.created_at, a.file_path,
                t.user_id AS ticket_customer, t.assigned_to AS ticket_assignee, t.status = 'closed' AS "ticket_closed!",
                t.team_id AS "ticket_team: TeamId",
                coalesce(t.team_id IN (SELECT m.team_id FROM team_members m WHERE m.user_id = $2), false)
                  AS "in_viewer_teams!",
                colleague_may_comment($2, t.user_id, t.organization_id) AS colleague_may_comment
           FROM ticket_attachments a JOIN support_tickets t ON t.id = a.ticket_id
           WHERE a.id = $1"#,
        id,
        viewer as _,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| Found {
        attachment: Attachment {
            id: row.id,
            ticket_id: TicketId(row.ticket_id),
            message_id: row.message_id,
            original_name: row.original_name,
            mime_type: row.mime_type,
            file_size: row.file_size,
            sha256: row.sha256,
            is_internal: row.is_internal,
            uploaded_by: row.uploaded_by.map(UserId),
            created_at: row.created_at,
        },
        file_path: row.file_path,
        ticket_customer: UserId(row.ticket_customer),
        ticket_assignee: row.ticket_assignee.map(UserId),
        ticket_team: row.ticket_team,
        in_viewer_teams: row.in_viewer_teams,
        colleague_may_comment: row.colleague_may_comment,
        ticket_closed: row.ticket_closed,
    }))
}

/// A page of the attachments of ticket `ticket_id` after id `after`, internal ones only if
/// `internal`: at most `limit`.
pub async fn page_of_ticket(
    conn: &mut PgConnection,
    ticket_id: TicketId,
    internal: bool,
    after: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<Attachment>> {
    sqlx::query_as!(
        Attachment,
        r#"SELECT id, ticket_id, message_id, original_name, mime_type, file_size, sha256, is_internal, uploaded_by AS "uploaded_by: UserId",
                created_at
           FROM ticket_attachments
           WHERE ticket_id = $1 AND ($2 OR NOT is_internal) AND id > coalesce($3::bigint, 0)
           ORDER BY id LIMIT $4"#,
        ticket_id as _,
        internal,
        after,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// Takes a share lock on ticket `ticket_id` until the transaction ends: uploads and deletions of
/// its files go side by side, while a change of the ticket (closing it) waits for them and they
/// for it. False when there is no such ticket.
pub async fn share_ticket(conn: &mut PgConnection, ticket_id: TicketId) -> sqlx::Result<bool> {
    let locked = sqlx::query_scalar!("SELECT id FROM support_tickets WHERE id = $1 FOR SHARE", ticket_id as _)
        .fetch_optional(conn)
        .await?;
    Ok(locked.is_some())
}

/// The class of the advisory locks on a ticket's files (the second key is the ticket's id).
const FILES_LOCK_CLASS: i32 = 0x6669_6c65; // "file"

/// Held until the transaction ends while an upload counts a ticket's files and adds one: uploads
/// to one ticket take turns there (beside the share lock, which lets them run together), so the
/// per-ticket limit holds exactly however many come at once.
pub async fn lock_files_of(conn: &mut PgConnection, ticket_id: TicketId) -> sqlx::Result<()> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "locked!" FROM (SELECT pg_advisory_xact_lock($1, ($2::bigint % 2147483647)::int4)) AS locked"#,
        FILES_LOCK_CLASS,
        ticket_id as _,
    )
    .fetch_one(conn)
    .await
    .map(drop)
}

/// How many attachments ticket `ticket_id` has.
pub async fn count_of_ticket(conn: &mut PgConnection, ticket_id: TicketId) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM ticket_attachments WHERE ticket_id = $1"#, ticket_id as _)
        .fetch_one(conn)
        .await
}

/// The sender and visibility of message `message_id` of ticket `ticket_id`.
pub async fn message_of_ticket(
    conn: &mut PgConnection,
    ticket_id: TicketId,
    message_id: i64,
) -> sqlx::Result<Option<(UserId, bool)>> {
    let row = sqlx::query!(
        "SELECT sender_id, is_internal FROM ticket_messages WHERE id = $1 AND ticket_id = $2",
        message_id,
        ticket_id as _,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (UserId(r.sender_id), r.is_internal)))
}

/// Claims the stored object at `file_path` for a new row, waiting for any other transaction
/// that holds it: true when the object is new (the caller stores it and counts it), false when
/// the content is already stored. A pending deletion of the object is called off, after any
/// deletion in progress has finished.
pub async fn claim_object(conn: &mut PgConnection, file_path: &str, byte_size: i64) -> sqlx::Result<bool> {
    let created = sqlx::query_scalar!(
        r#"INSERT INTO stored_objects (file_path, byte_size) VALUES ($1, $2)
           ON CONFLICT (tenant_id, file_path) DO UPDATE SET file_path = EXCLUDED.file_path
           RETURNING (xmax = 0) AS "created!""#,
        file_path,
        byte_size,
    )
    .fetch_one(&mut *conn)
    .await?;
    if created {
        sqlx::query!("DELETE FROM blob_deletions WHERE file_path = $1", file_path).execute(conn).await?;
    }
    Ok(created)
}

/// Adds a new object of `byte_size` bytes to the tenant's usage; the bytes used afterwards. The
/// usage row stays locked until the transaction ends, so uploads count one after the other.
pub async fn add_usage(conn: &mut PgConnection, byte_size: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "UPDATE storage_usage SET bytes_used = bytes_used + $1, objects = objects + 1 RETURNING bytes_used",
        byte_size,
    )
    .fetch_one(conn)
    .await
}

/// The tenant's storage use.
pub async fn usage(conn: &mut PgConnection) -> sqlx::Result<Usage> {
    sqlx::query_as!(
        Usage,
        r#"SELECT u.bytes_used, u.objects, (SELECT count(*) FROM ticket_attachments) AS "attachments!"
           FROM storage_usage u"#,
    )
    .fetch_one(conn)
    .await
}

pub async fn insert(conn: &mut PgConnection, new: &NewAttachment<'_>) -> sqlx::Result<Attachment> {
    sqlx::query_as!(
        Attachment,
        r#"INSERT INTO ticket_attachments (ticket_id, message_id, original_name, filename, file_path, mime_type,
                file_size, sha256, is_internal, uploaded_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           RETURNING id, ticket_id, message_id, original_name, mime_type, file_size, sha256, is_internal, uploaded_by AS "uploaded_by: UserId",
                created_at"#,
        new.ticket_id as _,
        new.message_id,
        new.original_name,
        new.filename,
        new.file_path,
        new.mime_type,
        new.file_size,
        new.sha256,
        new.is_internal,
        new.uploaded_by as _,
    )
    .fetch_one(conn)
    .await
}

/// Deletes attachment `id` (its object is queued for deletion when no other row names it).
pub async fn delete(conn: &mut PgConnection, id: i64) -> sqlx::Result<bool> {
    let deleted = sqlx::query!("DELETE FROM ticket_attachments WHERE id = $1", id).execute(conn).await?;
    Ok(deleted.rows_affected() == 1)
}

/// Records that `user_id` was handed a link to attachment `id`.
pub async fn log_access(conn: &mut PgConnection, id: i64, user_id: UserId, ip: Option<IpAddr>) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO attachment_access_log (attachment_id, user_id, ip) VALUES ($1, $2, $3)",
        id,
        user_id as _,
        ip.map(IpNet::from),
    )
    .execute(conn)
    .await
    .map(drop)
}

/// A page of the access log of attachment `id`, newest first, after position `after`.
pub async fn access_page(
    conn: &mut PgConnection,
    id: i64,
    after: Option<(DateTime<Utc>, i64)>,
    limit: i64,
) -> sqlx::Result<Vec<Access>> {
    let (after_at, after_id) = after.map_or((None, None), |(at, id)| (Some(at), Some(id)));
    sqlx::query_as!(
        Access,
        r#"SELECT id, user_id, host(ip) AS ip, accessed_at FROM attachment_access_log
           WHERE attachment_id = $1 AND ($2::timestamptz IS NULL OR (accessed_at, id) < ($2, $3))
           ORDER BY accessed_at DESC, id DESC LIMIT $4"#,
        id,
        after_at,
        after_id,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// Claims up to `limit` objects of the deletion list, the oldest first, locked until the
/// transaction ends: the caller deletes them from the store and takes them off the list
/// (`forget_deletions`) in the same transaction. An upload storing one of them again waits.
pub async fn claim_deletions(conn: &mut PgConnection, limit: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        "SELECT file_path FROM blob_deletions ORDER BY requested_at LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
    )
    .fetch_all(conn)
    .await
}

/// Takes `paths` off the deletion list (their objects are deleted).
pub async fn forget_deletions(conn: &mut PgConnection, paths: &[String]) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM blob_deletions WHERE file_path = ANY($1)", paths).execute(conn).await.map(drop)
}

/// Of `paths`, those a stored object row names, and those waiting for deletion.
pub async fn known_paths(conn: &mut PgConnection, paths: &[String]) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"SELECT file_path AS "file_path!" FROM stored_objects WHERE file_path = ANY($1)
           UNION SELECT file_path FROM blob_deletions WHERE file_path = ANY($1)"#,
        paths,
    )
    .fetch_all(conn)
    .await
}

/// A page of the stored-object rows in key order (bytewise, as S3 lists keys) after `after`,
/// with when each was created.
pub async fn objects_page(
    conn: &mut PgConnection,
    after: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<(String, DateTime<Utc>)>> {
    let rows = sqlx::query!(
        r#"SELECT file_path, created_at FROM stored_objects
           WHERE file_path COLLATE "C" > coalesce($1, '') COLLATE "C"
           ORDER BY file_path COLLATE "C" LIMIT $2"#,
        after,
        limit,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.file_path, r.created_at)).collect())
}

/// Deletes the rows naming `file_path` (an object lost from the store): ticket files and help
/// center images; how many went.
pub async fn delete_rows_of_object(conn: &mut PgConnection, file_path: &str) -> sqlx::Result<u64> {
    let files =
        sqlx::query!("DELETE FROM ticket_attachments WHERE file_path = $1", file_path).execute(&mut *conn).await?;
    let images = sqlx::query!("DELETE FROM help_images WHERE file_path = $1", file_path).execute(conn).await?;
    Ok(files.rows_affected() + images.rows_affected())
}
