//! The tenant database's side of notifications: what the worker reads to decide (the ticket,
//! its people, their settings), the rows it writes (the bell, mail deliveries), what senders
//! claim and settle, and what the routes read and change.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::auth::Role;
use shared::work_queue::Backlog;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::render::Rendered;
use super::{Channel, Kind, Language, default_enabled};
use sav::ids::{TicketId, UserId};

shared::text_column!(Kind, parse);
shared::text_column!(Channel, parse);

/// The ticket an event is about, as it is now.
#[derive(Debug, Clone)]
pub struct TicketFacts {
    pub id: TicketId,
    pub ticket_number: String,
    pub subject: String,
    pub user_id: UserId,
    pub assigned_to: Option<UserId>,
    /// While it is resolved: since when (the resolution its customer is asked to rate).
    pub resolved_at: Option<DateTime<Utc>>,
}

pub async fn ticket(conn: &mut PgConnection, id: TicketId) -> sqlx::Result<Option<TicketFacts>> {
    sqlx::query_as!(
        TicketFacts,
        r#"SELECT id, ticket_number, subject, user_id, assigned_to AS "assigned_to: UserId",
                CASE WHEN status = 'resolved' THEN resolved_at END AS resolved_at
         FROM support_tickets WHERE id = $1"#,
        id as _
    )
    .fetch_optional(conn)
    .await
}

/// The active owners and admins.
pub async fn managers(conn: &mut PgConnection) -> sqlx::Result<Vec<UserId>> {
    sqlx::query_scalar!(
        r#"SELECT id AS "id: UserId" FROM users WHERE active AND role IN ('owner', 'admin') ORDER BY id"#
    )
    .fetch_all(conn)
    .await
}

/// A possible recipient.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub id: UserId,
    pub email: String,
    pub firstname: String,
    pub role: Role,
    pub email_verified: bool,
    pub language: Option<Language>,
    /// The kinds and channels the person chose, over the role's defaults.
    pub choices: Vec<(Channel, Kind, bool)>,
    pub suppressed: bool,
}

impl Recipient {
    pub fn wants(&self, channel: Channel, kind: Kind) -> bool {
        self.choices
            .iter()
            .find(|(c, k, _)| *c == channel && *k == kind)
            .map_or_else(|| default_enabled(self.role, channel, kind), |(_, _, enabled)| *enabled)
    }
}

/// The active members among `ids`, with their settings.
pub async fn recipients(conn: &mut PgConnection, ids: &[UserId]) -> sqlx::Result<Vec<Recipient>> {
    let people = sqlx::query!(
        r#"SELECT u.id, u.email, u.firstname, u.role AS "role: Role", u.email_verified,
                  l.language AS "language?: Language",
                  EXISTS (SELECT 1 FROM mail_suppressions s WHERE s.address = lower(u.email)) AS "suppressed!"
           FROM users u LEFT JOIN notification_languages l ON l.user_id = u.id
           WHERE u.id = ANY($1) AND u.active"#,
        ids as _
    )
    .fetch_all(&mut *conn)
    .await?;
    let choices = sqlx::query!(
        r#"SELECT user_id, channel AS "channel: Channel", kind AS "kind: Kind", enabled
           FROM notification_settings WHERE user_id = ANY($1)"#,
        ids as _
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut by_person: HashMap<UserId, Vec<(Channel, Kind, bool)>> = HashMap::new();
    for row in choices {
        by_person.entry(UserId(row.user_id)).or_default().push((row.channel, row.kind, row.enabled));
    }
    Ok(people
        .into_iter()
        .map(|p| Recipient {
            choices: by_person.remove(&UserId(p.id)).unwrap_or_default(),
            id: UserId(p.id),
            email: p.email,
            firstname: p.firstname,
            role: p.role,
            email_verified: p.email_verified,
            language: p.language,
            suppressed: p.suppressed,
        })
        .collect())
}

/// A message of the thread, for the mail that tells of it.
#[derive(Debug, Clone)]
pub struct MessageFacts {
    pub author: String,
    pub html: String,
    pub is_internal: bool,
}

pub async fn message(conn: &mut PgConnection, ticket_id: TicketId, id: i64) -> sqlx::Result<Option<MessageFacts>> {
    sqlx::query_as!(
        MessageFacts,
        r#"SELECT trim(coalesce(u.firstname, '') || ' ' || coalesce(u.lastname, '')) AS "author!", m.message AS html, m.is_internal
           FROM ticket_messages m LEFT JOIN users u ON u.id = m.sender_id
           WHERE m.id = $1 AND m.ticket_id = $2"#,
        id,
        ticket_id as _
    )
    .fetch_optional(conn)
    .await
}

/// The Message-IDs of the newest `keep` mails already written about `ticket_id` to `address`,
/// oldest first: the conversation a new mail joins (its `References` keeps the ticket's root and
/// the newest of these, so a long conversation costs no more than a short one).
pub async fn conversation(
    conn: &mut PgConnection,
    ticket_id: TicketId,
    address: &str,
    keep: i64,
) -> sqlx::Result<Vec<String>> {
    let mut newest = sqlx::query_scalar!(
        "SELECT message_id FROM mail_deliveries WHERE ticket_id = $1 AND address = $2 ORDER BY id DESC LIMIT $3",
        ticket_id as _,
        address,
        keep
    )
    .fetch_all(conn)
    .await?;
    newest.reverse();
    Ok(newest)
}

/// One entry of the bell, its id; `None` when the event already wrote it (a redelivery).
pub async fn insert_in_app(
    conn: &mut PgConnection,
    event_id: Uuid,
    user_id: UserId,
    kind: Kind,
    ticket_id: Option<TicketId>,
    title: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "INSERT INTO notifications (event_id, user_id, kind, ticket_id, title) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, event_id, user_id) DO NOTHING RETURNING id",
        event_id,
        user_id as _,
        kind.as_str(),
        ticket_id as _,
        title
    )
    .fetch_optional(conn)
    .await
}

/// A mail to send, written out.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub event_id: Uuid,
    /// None for an address that is nobody's here (a rule's mail to an address).
    pub user_id: Option<UserId>,
    pub kind: Kind,
    /// None for a notice about the organisation.
    pub ticket_id: Option<TicketId>,
    pub address: &'a str,
    pub language: Language,
    pub message_id: &'a str,
    pub in_reply_to: Option<&'a str>,
    pub refs: &'a [String],
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    /// None for a notice nobody turns off.
    pub unsubscribe_url: Option<&'a str>,
    /// None where no answer is read (a notice).
    pub reply_to: Option<&'a str>,
    /// The others on the conversation, shown in `Cc:` (each gets a mail of their own).
    pub cc: &'a [String],
    /// Written as `suppressed` (never sent) when the address bounced for good.
    pub suppressed: bool,
    /// When the event's change committed: the mail's age, and its 72 hours, count from there.
    pub occurred_at: DateTime<Utc>,
}

impl<'a> NewMail<'a> {
    /// A mail about no ticket and to nobody's account, that starts no conversation: no reply
    /// address, no threading, no leave link, never suppressed. The other fields are set on the
    /// answer where a mail is more than that.
    #[must_use]
    pub fn standalone(
        event_id: Uuid,
        kind: Kind,
        address: &'a str,
        language: Language,
        message_id: &'a str,
        rendered: &'a Rendered,
        occurred_at: DateTime<Utc>,
    ) -> Self {
        Self {
            event_id,
            user_id: None,
            kind,
            ticket_id: None,
            address,
            language,
            message_id,
            in_reply_to: None,
            refs: &[],
            subject: &rendered.subject,
            text: &rendered.text,
            html: &rendered.html,
            unsubscribe_url: None,
            reply_to: None,
            cc: &[],
            suppressed: false,
            occurred_at,
        }
    }

    /// The mail joined to a conversation: answers to `reply_to` come back to it, it follows the
    /// newest of `refs`, `unsubscribe_url` leaves it, and `cc` are shown copied.
    #[must_use]
    pub fn in_conversation(
        self,
        refs: &'a [String],
        reply_to: &'a str,
        unsubscribe_url: &'a str,
        cc: &'a [String],
    ) -> Self {
        Self {
            in_reply_to: refs.last().map(String::as_str),
            refs,
            reply_to: Some(reply_to),
            unsubscribe_url: Some(unsubscribe_url),
            cc,
            ..self
        }
    }
}

/// Writes a delivery; false when the event already wrote it (a redelivery).
pub async fn insert_mail(conn: &mut PgConnection, mail: &NewMail<'_>) -> sqlx::Result<bool> {
    let status = if mail.suppressed { "suppressed" } else { "pending" };
    let done = sqlx::query!(
        "INSERT INTO mail_deliveries (event_id, user_id, kind, ticket_id, address, language, message_id, in_reply_to,
                                      refs, subject, text_body, html_body, unsubscribe_url, reply_to, status, created_at, cc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         ON CONFLICT DO NOTHING",
        mail.event_id,
        mail.user_id as _,
        mail.kind.as_str(),
        mail.ticket_id as _,
        mail.address,
        mail.language.as_str(),
        mail.message_id,
        mail.in_reply_to,
        mail.refs,
        mail.subject,
        mail.text,
        mail.html,
        mail.unsubscribe_url,
        mail.reply_to,
        status,
        mail.occurred_at,
        mail.cc,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Of `addresses`, those this organisation should not mail: an auto-submitted mail (an
/// auto-reply, a bounce's kin) came from them, or they bounced for good.
pub async fn unmailable(conn: &mut PgConnection, addresses: &[String]) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"SELECT a AS "address!" FROM unnest($1::text[]) AS a
           WHERE EXISTS (SELECT 1 FROM inbound_emails i WHERE i.reason = 'auto_reply' AND lower(i.from_address) = lower(a))
              OR EXISTS (SELECT 1 FROM mail_suppressions s WHERE s.address = lower(a))"#,
        addresses,
    )
    .fetch_all(conn)
    .await
}

/// A delivery claimed by a sender.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: i64,
    pub kind: String,
    pub address: String,
    pub language: String,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub refs: Vec<String>,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub unsubscribe_url: Option<String>,
    pub reply_to: Option<String>,
    pub cc: Vec<String>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

/// The oldest due delivery whose conversation has no earlier mail waiting (mail about a ticket
/// leaves in order), locked for the rest of the transaction; other senders skip it.
pub async fn claim_due(conn: &mut PgConnection) -> sqlx::Result<Option<Due>> {
    sqlx::query_as!(
        Due,
        r#"SELECT d.id, d.kind, d.address, d.language, d.message_id, d.in_reply_to, d.refs, d.subject, d.text_body,
                  d.html_body, d.unsubscribe_url, d.reply_to, d.cc, d.attempts, d.created_at
           FROM mail_deliveries d
           WHERE d.status = 'pending' AND d.next_attempt_at <= now()
             AND NOT EXISTS (SELECT 1 FROM mail_deliveries e
                             WHERE e.ticket_id = d.ticket_id AND e.address = d.address AND e.id < d.id
                               AND e.status = 'pending')
           ORDER BY d.next_attempt_at, d.id
           LIMIT 1
           FOR UPDATE OF d SKIP LOCKED"#
    )
    .fetch_optional(conn)
    .await
}

pub async fn mark_sent(conn: &mut PgConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE mail_deliveries SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1",
        id
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Another attempt at `next_attempt_at`.
pub async fn mark_retry(
    conn: &mut PgConnection,
    id: i64,
    next_attempt_at: DateTime<Utc>,
    error: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE mail_deliveries SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id = $1",
        id,
        next_attempt_at,
        error
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Given up: refused for good, or retried past the limit. A refused address is suppressed for
/// the tenant when `suppress`.
pub async fn mark_failed(conn: &mut PgConnection, id: i64, error: &str, suppress: Option<&str>) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE mail_deliveries SET status = 'failed', attempts = attempts + 1, last_error = $2 WHERE id = $1",
        id,
        error
    )
    .execute(&mut *conn)
    .await?;
    if let Some(address) = suppress {
        sqlx::query!(
            "INSERT INTO mail_suppressions (address, reason) VALUES (lower($1), $2) ON CONFLICT (tenant_id, address) DO NOTHING",
            address,
            error
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Mail waiting in one tenant: how many, and since when.
#[derive(Debug, Clone, Copy)]
pub struct MailBacklog {
    pub tenant: Uuid,
    pub depth: i64,
    pub oldest: Option<DateTime<Utc>>,
}

impl MailBacklog {
    pub fn waiting(&self) -> Backlog {
        Backlog { depth: self.depth, oldest: self.oldest }
    }
}

/// Mail waiting in each of `tenants` (`mail_backlogs`, tenant migration 0042, in a transaction
/// naming none).
pub async fn backlogs(conn: &mut PgConnection, tenants: &[Uuid]) -> sqlx::Result<Vec<MailBacklog>> {
    sqlx::query_as!(
        MailBacklog,
        r#"SELECT tenant AS "tenant!", depth AS "depth!", oldest FROM mail_backlogs($1)"#,
        tenants,
    )
    .fetch_all(conn)
    .await
}

/// One entry of the bell.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    pub kind: Kind,
    #[schema(value_type = Option<i64>)]
    pub ticket_id: Option<TicketId>,
    pub title: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A page of the person's notifications, newest first, after the entry `before` (exclusive).
pub async fn page(
    conn: &mut PgConnection,
    user_id: UserId,
    unread_only: bool,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<Notification>> {
    sqlx::query_as!(
        Notification,
        r#"SELECT id, kind AS "kind: Kind", ticket_id AS "ticket_id: TicketId", title, created_at, read_at FROM notifications
           WHERE user_id = $1 AND ($2 = false OR read_at IS NULL) AND ($3::bigint IS NULL OR id < $3)
           ORDER BY id DESC LIMIT $4"#,
        user_id as _,
        unread_only,
        before,
        limit
    )
    .fetch_all(conn)
    .await
}

pub async fn unread_count(conn: &mut PgConnection, user_id: UserId) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM notifications WHERE user_id = $1 AND read_at IS NULL"#,
        user_id as _
    )
    .fetch_one(conn)
    .await
}

/// Marks the person's notifications `ids` read (every one with `None`); others' are untouched.
pub async fn mark_read(conn: &mut PgConnection, user_id: UserId, ids: Option<&[i64]>) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "UPDATE notifications SET read_at = now()
         WHERE user_id = $1 AND read_at IS NULL AND ($2::bigint[] IS NULL OR id = ANY($2))",
        user_id as _,
        ids as Option<&[i64]>
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// A person's preferences, every kind on both channels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Preferences {
    #[schema(value_type = BTreeMap<String, bool>)]
    pub email: BTreeMap<Kind, bool>,
    #[schema(value_type = BTreeMap<String, bool>)]
    pub in_app: BTreeMap<Kind, bool>,
    /// The language of the mail the person receives.
    pub language: Language,
}

/// The preferences of an active member (`None`: not one).
pub async fn preferences(conn: &mut PgConnection, user_id: UserId) -> sqlx::Result<Option<Preferences>> {
    let Some(person) = recipients(conn, &[user_id]).await?.pop() else { return Ok(None) };
    let of = |channel| Kind::ALL.into_iter().map(|kind| (kind, person.wants(channel, kind))).collect();
    Ok(Some(Preferences {
        email: of(Channel::Email),
        in_app: of(Channel::InApp),
        language: person.language.unwrap_or_default(),
    }))
}

/// Stores the whole of `preferences` for `user_id`.
pub async fn set_preferences(conn: &mut PgConnection, user_id: UserId, preferences: &Preferences) -> sqlx::Result<()> {
    let mut channels = Vec::new();
    let mut kinds = Vec::new();
    let mut enabled = Vec::new();
    for (channel, choices) in [(Channel::Email, &preferences.email), (Channel::InApp, &preferences.in_app)] {
        for (kind, on) in choices {
            channels.push(channel.as_str());
            kinds.push(kind.as_str());
            enabled.push(*on);
        }
    }
    sqlx::query!(
        "INSERT INTO notification_settings (user_id, channel, kind, enabled)
         SELECT $1, c, k, e FROM unnest($2::text[], $3::text[], $4::bool[]) AS s(c, k, e)
         ON CONFLICT (tenant_id, user_id, channel, kind) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()",
        user_id as _,
        &channels as &[&str],
        &kinds as &[&str],
        &enabled,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO notification_languages (user_id, language) VALUES ($1, $2)
         ON CONFLICT (tenant_id, user_id) DO UPDATE SET language = EXCLUDED.language, updated_at = now()",
        user_id as _,
        preferences.language.as_str()
    )
    .execute(conn)
    .await
    .map(drop)
}

/// What `replace_preferences` found.
#[derive(Debug)]
pub enum Replaced {
    /// The settings now.
    Now(Preferences),
    /// The person is not an active member: nothing was written.
    NotMember,
    /// The person left while their settings were written.
    Left,
}

/// Replaces a member's settings, and reads them back.
pub async fn replace_preferences(
    conn: &mut PgConnection,
    user_id: UserId,
    wanted: &Preferences,
) -> sqlx::Result<Replaced> {
    if preferences(conn, user_id).await?.is_none() {
        return Ok(Replaced::NotMember);
    }
    set_preferences(conn, user_id, wanted).await?;
    Ok(preferences(conn, user_id).await?.map_or(Replaced::Left, Replaced::Now))
}

/// Turns one kind of mail off for `user_id` (the one-click unsubscribe); false when the person
/// is not an active member.
pub async fn unsubscribe(conn: &mut PgConnection, user_id: UserId, kind: Kind) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "INSERT INTO notification_settings (user_id, channel, kind, enabled)
         SELECT id, 'email', $2, false FROM users WHERE id = $1 AND active
         ON CONFLICT (tenant_id, user_id, channel, kind) DO UPDATE SET enabled = false, updated_at = now()",
        user_id as _,
        kind.as_str()
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
