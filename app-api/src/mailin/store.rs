//! The tenant database's side of email in: the received mail (`inbound_emails`), the mailbox
//! (`email_channel`), and what threading looks up.

use chrono::{DateTime, Utc};
use sav::ids::{TicketId, UserId};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;

/// A received mail as listed to staff.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboundEmail {
    pub id: i64,
    /// `api` (posted) or `imap` (fetched).
    pub source: String,
    pub from_address: String,
    pub from_name: String,
    pub subject: String,
    pub received_at: DateTime<Utc>,
    /// `created`, `appended`, `quarantined`, `ignored`, `released`, `discarded` (or `received`
    /// while it is being read).
    pub outcome: String,
    /// Why it was quarantined or ignored.
    pub reason: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub ticket_id: Option<TicketId>,
    pub message_id: Option<i64>,
    pub size_bytes: i64,
    #[serde(skip)]
    pub blob_key: String,
    /// Who released it from the quarantine (or discarded it).
    #[serde(skip)]
    #[schema(value_type = Option<Uuid>)]
    pub settled_by: Option<UserId>,
}

/// A mail to record before it is read.
pub struct NewInbound<'a> {
    pub source: &'a str,
    pub blob_key: &'a str,
    pub size_bytes: i64,
    pub dedupe_key: &'a [u8],
    pub message_id_header: Option<&'a str>,
    pub from_address: &'a str,
    pub from_name: &'a str,
    pub subject: &'a str,
}

fn cut(value: &str, max: usize) -> String {
    value.chars().take(max).collect()
}

/// How long a try may read a mail before another may take it over (the mail is then taken to
/// have been left by a crash).
pub const READ_LEASE: std::time::Duration = std::time::Duration::from_secs(300);

/// Records a received mail, its reading leased to this try; `None` when a mail with its dedupe
/// key is already recorded.
pub async fn insert(conn: &mut PgConnection, new: &NewInbound<'_>) -> sqlx::Result<Option<InboundEmail>> {
    sqlx::query_as!(
        InboundEmail,
        r#"INSERT INTO inbound_emails (source, blob_key, size_bytes, dedupe_key, message_id_header, from_address,
                from_name, subject, read_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9))
         ON CONFLICT (tenant_id, dedupe_key) DO NOTHING
         RETURNING id, source, from_address, from_name, subject, received_at, outcome, reason, ticket_id AS "ticket_id: TicketId", message_id,
           size_bytes, blob_key, settled_by AS "settled_by: UserId""#,
        new.source,
        new.blob_key,
        new.size_bytes,
        new.dedupe_key,
        new.message_id_header.map(|id| cut(id, 998)),
        cut(new.from_address, 320),
        cut(new.from_name, 255),
        cut(new.subject, 998),
        READ_LEASE.as_secs_f64(),
    )
    .fetch_optional(conn)
    .await
}

/// The mail recorded with `dedupe_key`.
pub async fn by_dedupe_key(conn: &mut PgConnection, dedupe_key: &[u8]) -> sqlx::Result<Option<InboundEmail>> {
    sqlx::query_as!(
        InboundEmail,
        r#"SELECT id, source, from_address, from_name, subject, received_at, outcome, reason, ticket_id AS "ticket_id: TicketId", message_id,
           size_bytes, blob_key, settled_by AS "settled_by: UserId"
         FROM inbound_emails WHERE dedupe_key = $1"#,
        dedupe_key,
    )
    .fetch_optional(conn)
    .await
}

/// Mail `id`, locked until the transaction ends (at once outside one).
pub async fn get(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<InboundEmail>> {
    sqlx::query_as!(
        InboundEmail,
        r#"SELECT id, source, from_address, from_name, subject, received_at, outcome, reason, ticket_id AS "ticket_id: TicketId", message_id,
           size_bytes, blob_key, settled_by AS "settled_by: UserId"
         FROM inbound_emails WHERE id = $1 FOR UPDATE"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// Newest first, `limit` + 1 at most before `before`, quarantined only when `quarantined`.
pub async fn page(
    conn: &mut PgConnection,
    quarantined: bool,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<InboundEmail>> {
    sqlx::query_as!(
        InboundEmail,
        r#"SELECT id, source, from_address, from_name, subject, received_at, outcome, reason, ticket_id AS "ticket_id: TicketId", message_id,
           size_bytes, blob_key, settled_by AS "settled_by: UserId"
         FROM inbound_emails
         WHERE (NOT $1 OR outcome = 'quarantined') AND ($2::bigint IS NULL OR id < $2)
         ORDER BY id DESC LIMIT $3"#,
        quarantined,
        before,
        limit + 1,
    )
    .fetch_all(conn)
    .await
}

/// What became of mail `id`.
pub async fn settle(
    conn: &mut PgConnection,
    id: i64,
    outcome: &str,
    reason: Option<&str>,
    ticket_id: Option<TicketId>,
    message_id: Option<i64>,
    by: Option<UserId>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE inbound_emails SET outcome = $2, reason = $3, ticket_id = $4, message_id = $5, settled_at = now(),
           settled_by = $6
         WHERE id = $1",
        id,
        outcome,
        reason,
        ticket_id as _,
        message_id,
        by as _,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Claims up to `limit` mail left `received` by a crash (its reading's lease has run out, the
/// oldest first), leasing each one's reading to this try.
pub async fn claim_stranded(conn: &mut PgConnection, limit: i64) -> sqlx::Result<Vec<InboundEmail>> {
    sqlx::query_as!(
        InboundEmail,
        r#"WITH stranded AS (
             SELECT id FROM inbound_emails
             WHERE outcome = 'received' AND (read_until IS NULL OR read_until < now())
             ORDER BY read_until NULLS FIRST LIMIT $1 FOR UPDATE SKIP LOCKED)
         UPDATE inbound_emails e SET read_until = now() + make_interval(secs => $2)
         FROM stranded WHERE e.id = stranded.id
         RETURNING e.id, e.source, e.from_address, e.from_name, e.subject, e.received_at, e.outcome, e.reason,
           e.ticket_id AS "ticket_id: TicketId", e.message_id, e.size_bytes, e.blob_key, e.settled_by AS "settled_by: UserId""#,
        limit,
        READ_LEASE.as_secs_f64(),
    )
    .fetch_all(conn)
    .await
}

/// Takes the lease on reading mail `id`; `false` when it is settled or another try holds it.
pub async fn take(conn: &mut PgConnection, id: i64) -> sqlx::Result<bool> {
    sqlx::query!(
        "UPDATE inbound_emails SET read_until = now() + make_interval(secs => $2)
         WHERE id = $1 AND outcome = 'received' AND (read_until IS NULL OR read_until < now())",
        id,
        READ_LEASE.as_secs_f64(),
    )
    .execute(conn)
    .await
    .map(|done| done.rows_affected() == 1)
}

/// Whether an automatic reply about `ticket_id` was already recorded.
pub async fn auto_reply_recorded(conn: &mut PgConnection, ticket_id: TicketId) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM inbound_emails WHERE ticket_id = $1 AND reason = 'auto_reply') AS "found!""#,
        ticket_id as _,
    )
    .fetch_one(conn)
    .await
}

/// The ticket of the newest of `ids` that is one of our Message-IDs (a notification mail), or
/// the Message-ID of a mail received earlier.
pub async fn ticket_of_message_ids(conn: &mut PgConnection, ids: &[String]) -> sqlx::Result<Option<TicketId>> {
    if ids.is_empty() {
        return Ok(None);
    }
    sqlx::query_scalar!(
        r#"SELECT ticket_id AS "ticket_id!: TicketId" FROM (
               SELECT ticket_id, array_position($1::text[], message_id) AS rank FROM mail_deliveries
               WHERE message_id = ANY($1) AND ticket_id IS NOT NULL
               UNION ALL
               SELECT ticket_id, array_position($1::text[], message_id_header) FROM inbound_emails
               WHERE message_id_header = ANY($1) AND ticket_id IS NOT NULL) found
           ORDER BY rank LIMIT 1"#,
        ids,
    )
    .fetch_optional(conn)
    .await
}

/// Ticket `number` of customer `customer`.
pub async fn ticket_by_number(
    conn: &mut PgConnection,
    number: &str,
    customer: UserId,
) -> sqlx::Result<Option<TicketId>> {
    sqlx::query_scalar!(
        r#"SELECT id AS "id: TicketId" FROM support_tickets WHERE ticket_number = $1 AND user_id = $2"#,
        number,
        customer as _
    )
    .fetch_optional(conn)
    .await
}

/// A ticket's customer.
pub async fn customer_of_ticket(conn: &mut PgConnection, ticket_id: TicketId) -> sqlx::Result<Option<UserId>> {
    sqlx::query_scalar!(r#"SELECT user_id AS "user_id: UserId" FROM support_tickets WHERE id = $1"#, ticket_id as _)
        .fetch_optional(conn)
        .await
}

/// A member of the tenant by address (case-blind): id and role, active or not.
pub async fn member_by_address(conn: &mut PgConnection, address: &str) -> sqlx::Result<Option<(UserId, String, bool)>> {
    let row = sqlx::query!(
        "SELECT id, role, active FROM users WHERE lower(email) = lower($1) AND role <> 'integration'
         ORDER BY active DESC LIMIT 1",
        address,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (UserId(r.id), r.role, r.active)))
}

/// A bounce: the mail that bounced is failed, and the address suppressed for this tenant.
pub async fn record_bounce(
    conn: &mut PgConnection,
    failed: &[String],
    original: Option<&str>,
    detail: &str,
) -> sqlx::Result<()> {
    if let Some(original) = original {
        sqlx::query!(
            "UPDATE mail_deliveries SET status = 'failed', last_error = $2 WHERE message_id = $1 AND status <> 'failed'",
            original,
            detail,
        )
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query!(
        "INSERT INTO mail_suppressions (address, reason) SELECT lower(a), $2 FROM unnest($1::text[]) a
         ON CONFLICT (tenant_id, address) DO NOTHING",
        failed,
        detail,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// The mailbox, as stored.
#[derive(Debug, Clone)]
pub struct Channel {
    pub imap_url: String,
    pub username: String,
    pub password_sealed: Vec<u8>,
    pub folder: String,
    pub authserv_id: Option<String>,
    pub create_customers: bool,
    pub uid_validity: Option<i64>,
    pub last_uid: Option<i64>,
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn channel(conn: &mut PgConnection) -> sqlx::Result<Option<Channel>> {
    sqlx::query_as!(
        Channel,
        "SELECT imap_url, username, password_sealed, folder, authserv_id, create_customers, uid_validity, last_uid,
           last_fetch_at, last_error, created_at, updated_at
         FROM email_channel",
    )
    .fetch_optional(conn)
    .await
}

/// What a PUT sets.
pub struct ChannelSettings<'a> {
    pub imap_url: &'a str,
    pub username: &'a str,
    pub password_sealed: &'a [u8],
    pub folder: &'a str,
    pub authserv_id: Option<&'a str>,
    pub create_customers: bool,
}

/// Sets the mailbox; a new server, account or folder starts the fetch over.
pub async fn put_channel(conn: &mut PgConnection, settings: &ChannelSettings<'_>) -> sqlx::Result<Channel> {
    sqlx::query_as!(
        Channel,
        "INSERT INTO email_channel (imap_url, username, password_sealed, folder, authserv_id, create_customers)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id, singleton) DO UPDATE SET imap_url = EXCLUDED.imap_url, username = EXCLUDED.username,
           password_sealed = EXCLUDED.password_sealed, folder = EXCLUDED.folder, authserv_id = EXCLUDED.authserv_id,
           create_customers = EXCLUDED.create_customers, last_error = NULL, updated_at = now(),
           uid_validity = CASE WHEN (email_channel.imap_url, email_channel.username, email_channel.folder)
                = (EXCLUDED.imap_url, EXCLUDED.username, EXCLUDED.folder) THEN email_channel.uid_validity END,
           last_uid = CASE WHEN (email_channel.imap_url, email_channel.username, email_channel.folder)
                = (EXCLUDED.imap_url, EXCLUDED.username, EXCLUDED.folder) THEN email_channel.last_uid END
         RETURNING imap_url, username, password_sealed, folder, authserv_id, create_customers, uid_validity, last_uid,
           last_fetch_at, last_error, created_at, updated_at",
        settings.imap_url,
        settings.username,
        settings.password_sealed,
        settings.folder,
        settings.authserv_id,
        settings.create_customers,
    )
    .fetch_one(conn)
    .await
}

pub async fn delete_channel(conn: &mut PgConnection) -> sqlx::Result<bool> {
    Ok(sqlx::query!("DELETE FROM email_channel").execute(conn).await?.rows_affected() > 0)
}

/// Records a fetch: the folder's UIDVALIDITY and the last UID read, or the error.
pub async fn record_fetch(
    conn: &mut PgConnection,
    uid_validity: Option<i64>,
    last_uid: Option<i64>,
    error: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE email_channel SET last_fetch_at = now(), last_error = $3,
           uid_validity = coalesce($1, uid_validity), last_uid = coalesce($2, last_uid)",
        uid_validity,
        last_uid,
        error.map(|e| cut(e, 1000)),
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Whether unknown senders get a customer account (the mailbox's setting; yes without one).
pub async fn creates_customers(conn: &mut PgConnection) -> sqlx::Result<bool> {
    Ok(sqlx::query_scalar!("SELECT create_customers FROM email_channel").fetch_optional(conn).await?.unwrap_or(true))
}

/// The authserv-id trusted for mail fetched from the mailbox.
pub async fn mailbox_authserv_id(conn: &mut PgConnection) -> sqlx::Result<Option<String>> {
    Ok(sqlx::query_scalar!("SELECT authserv_id FROM email_channel").fetch_optional(conn).await?.flatten())
}
