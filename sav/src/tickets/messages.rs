//! A ticket's thread in the tenant database: its messages (internal notes among them) with their
//! attachments, in pages, and when the receiving side read them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use sqlx::types::Json;
use utoipa::ToSchema;

use super::events::SenderType;
use crate::ids::{TicketId, UserId};

/// A file attached to a message or a ticket (`GET /v1/attachments/{id}` gives its link).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttachmentSummary {
    pub id: i64,
    pub original_name: String,
    pub mime_type: String,
    pub file_size: i64,
    pub created_at: DateTime<Utc>,
    /// Decides who is shown the file; a message's files share its visibility.
    #[serde(default, skip_serializing)]
    #[schema(ignore)]
    pub is_internal: bool,
}

/// Where a ticket or a message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Channel {
    /// The web app (or any person's own client of the API).
    Web,
    /// A mail (email in): `inbound_email_id` names the original.
    Email,
    /// An integration's API key.
    Api,
    /// Staff took it on the phone (or at the counter) for the customer.
    Phone,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Email => "email",
            Self::Api => "api",
            Self::Phone => "phone",
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[allow(clippy::struct_field_names, reason = "the contract names the text `message`")]
pub struct Message {
    pub id: i64,
    #[schema(value_type = i64)]
    pub ticket_id: TicketId,
    #[schema(value_type = Uuid)]
    pub sender_id: UserId,
    pub sender_type: SenderType,
    /// Sanitised HTML.
    pub message: String,
    pub is_internal: bool,
    pub channel: Channel,
    /// The received mail this message was read from (staff download its original from
    /// `/v1/inbound/emails/{id}/raw`).
    pub inbound_email_id: Option<i64>,
    /// When the receiving side first read it.
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub attachments: Vec<AttachmentSummary>,
}

/// A message as read, its attachments still as the JSON array the query builds.
struct Row {
    id: i64,
    ticket_id: TicketId,
    sender_id: UserId,
    sender_type: SenderType,
    message: String,
    is_internal: bool,
    channel: Channel,
    inbound_email_id: Option<i64>,
    read_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    attachments: Json<Vec<AttachmentSummary>>,
}

impl From<Row> for Message {
    fn from(row: Row) -> Self {
        Self {
            id: row.id,
            ticket_id: row.ticket_id,
            sender_id: row.sender_id,
            sender_type: row.sender_type,
            message: row.message,
            is_internal: row.is_internal,
            channel: row.channel,
            inbound_email_id: row.inbound_email_id,
            read_at: row.read_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            attachments: row.attachments.0,
        }
    }
}

/// The thread of a ticket after position `after` (`created_at`, `id`), oldest first, internal
/// notes only if `internal`: at most `limit` + 1, the last one telling that there is a next page.
pub async fn page(
    conn: &mut PgConnection,
    ticket_id: TicketId,
    internal: bool,
    after: Option<(DateTime<Utc>, i64)>,
    limit: u32,
) -> sqlx::Result<Vec<Message>> {
    let (after_at, after_id) = after.map_or((None, None), |(at, id)| (Some(at), Some(id)));
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT m.id, m.ticket_id, m.sender_id, m.sender_type AS "sender_type: SenderType", m.message,
                m.is_internal, m.channel AS "channel: Channel", m.inbound_email_id, m.read_at, m.created_at, m.updated_at,
                (SELECT coalesce(json_agg(json_build_object('id', a.id, 'original_name', a.original_name,
                        'mime_type', a.mime_type, 'file_size', a.file_size, 'created_at', a.created_at)
                        ORDER BY a.id), '[]')
                    FROM ticket_attachments a WHERE a.message_id = m.id)
                  AS "attachments!: Json<Vec<AttachmentSummary>>"
           FROM ticket_messages m
           WHERE m.ticket_id = $1 AND ($2 OR NOT m.is_internal)
             AND ($3::timestamptz IS NULL OR (m.created_at, m.id) > ($3, $4))
           ORDER BY m.created_at, m.id LIMIT $5"#,
        ticket_id as _,
        internal,
        after_at,
        after_id,
        i64::from(limit) + 1,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Message::from).collect())
}

/// Marks the public messages from `sender` among `messages` (of ticket `ticket_id`) read, now,
/// where they are not yet. The ticket's row is locked first, as every change to a ticket's
/// thread does (the unread counts on it move with the messages, migration 0009): a merge
/// running beside this cannot deadlock with it.
pub async fn mark_read(
    conn: &mut PgConnection,
    ticket_id: TicketId,
    sender: SenderType,
    messages: &mut [Message],
) -> sqlx::Result<bool> {
    let unread: Vec<i64> = messages
        .iter()
        .filter(|m| m.read_at.is_none() && !m.is_internal && m.sender_type == sender)
        .map(|m| m.id)
        .collect();
    if unread.is_empty() {
        return Ok(false);
    }
    let marked = sqlx::query!(
        r#"UPDATE ticket_messages SET read_at = $2
           WHERE id = ANY($1) AND read_at IS NULL
             AND ticket_id = (SELECT id FROM support_tickets WHERE id = $3 FOR NO KEY UPDATE)
           RETURNING id, read_at AS "read_at!""#,
        &unread,
        Utc::now(),
        ticket_id as _,
    )
    .fetch_all(conn)
    .await?;
    let any = !marked.is_empty();
    for row in marked {
        if let Some(message) = messages.iter_mut().find(|m| m.id == row.id) {
            message.read_at = Some(row.read_at);
        }
    }
    Ok(any)
}

/// Attaches the caller's files `ids`, uploaded to ticket `ticket_id` and not yet part of a
/// message, to message `message_id`; the ids attached. Files keep their visibility, which must
/// be the message's.
pub async fn attach(
    conn: &mut PgConnection,
    ids: &[i64],
    ticket_id: TicketId,
    message_id: i64,
    uploader: UserId,
    is_internal: bool,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        "UPDATE ticket_attachments SET message_id = $3, updated_at = now()
         WHERE id = ANY($1) AND ticket_id = $2 AND message_id IS NULL AND uploaded_by = $4 AND is_internal = $5
         RETURNING id",
        ids,
        ticket_id as _,
        message_id,
        uploader as _,
        is_internal,
    )
    .fetch_all(conn)
    .await
}

/// The attachments of message `message_id`, oldest first.
pub async fn attachments_of(conn: &mut PgConnection, message_id: i64) -> sqlx::Result<Vec<AttachmentSummary>> {
    sqlx::query_as!(
        AttachmentSummary,
        "SELECT id, original_name, mime_type, file_size, created_at, is_internal FROM ticket_attachments
         WHERE message_id = $1 ORDER BY id",
        message_id,
    )
    .fetch_all(conn)
    .await
}

/// What a new message is made of.
pub struct NewMessage<'a> {
    pub ticket_id: TicketId,
    pub sender_id: UserId,
    pub sender_type: SenderType,
    /// Sanitised HTML.
    pub text: &'a str,
    pub is_internal: bool,
    pub channel: Channel,
    pub inbound_email_id: Option<i64>,
    pub at: DateTime<Utc>,
}

/// Adds a message (without attachments) to a thread.
pub async fn insert(conn: &mut PgConnection, new: &NewMessage<'_>) -> sqlx::Result<Message> {
    sqlx::query_as!(
        Row,
        r#"INSERT INTO ticket_messages (ticket_id, sender_id, sender_type, message, is_internal, channel,
                inbound_email_id, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
           RETURNING id, ticket_id, sender_id, sender_type AS "sender_type: SenderType", message, is_internal,
             channel AS "channel: Channel", inbound_email_id, read_at, created_at, updated_at,
             '[]'::json AS "attachments!: Json<Vec<AttachmentSummary>>""#,
        new.ticket_id as _,
        new.sender_id as _,
        new.sender_type.as_str(),
        new.text,
        new.is_internal,
        new.channel.as_str(),
        new.inbound_email_id,
        new.at,
    )
    .fetch_one(conn)
    .await
    .map(Message::from)
}

/// A message to split off into a ticket of its own.
pub struct ToSplit {
    pub sender_id: UserId,
    pub from_staff: bool,
    /// Sanitised HTML.
    pub text: String,
    pub channel: String,
}

/// Message `message_id` of ticket `ticket_id` (locked by the ticket's lock), public ones only.
pub async fn to_split(conn: &mut PgConnection, ticket_id: TicketId, message_id: i64) -> sqlx::Result<Option<ToSplit>> {
    sqlx::query_as!(
        ToSplit,
        r#"SELECT sender_id, sender_type = 'agent' AS "from_staff!", message AS text, channel
           FROM ticket_messages WHERE ticket_id = $1 AND id = $2 AND NOT is_internal"#,
        ticket_id as _,
        message_id,
    )
    .fetch_optional(conn)
    .await
}

/// Moves message `message_id`'s files to ticket `to` (as that ticket's own), then removes the
/// message from its thread: it became ticket `to`.
pub async fn move_files_and_drop(conn: &mut PgConnection, message_id: i64, to: TicketId) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE ticket_attachments SET ticket_id = $2, message_id = NULL WHERE message_id = $1",
        message_id,
        to as _
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM ticket_messages WHERE id = $1", message_id).execute(conn).await.map(drop)
}
