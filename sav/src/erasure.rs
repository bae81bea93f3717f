//! A customer's erasure in the tenant database (GDPR article 17): `erase_customer` checks who it
//! applies to and erases them in one transaction (`erase`, also usable in the caller's own).
//!
//! What goes: their name and email (the mirror row keeps a pseudonym, so tickets keep an
//! author), the subject, description, metadata and search words of their tickets, the text of
//! every message they wrote, their attachments, their order references, the reasons they gave
//! in ticket histories, the subjects and reasons in their tickets' outbox events, their
//! idempotency keys, and every notification (in the app and by mail, sent or waiting, theirs and
//! the staff's about their tickets, which quote them), with their notification settings and
//! any suppression of their address, and their address among the reports' digest's recipients.
//!
//! What stays, for the organisation's statistics and its own records: each ticket's number,
//! status, priority, category, SLA times and history of moves (who and when, by id), the staff's
//! replies and internal notes (the organisation's record of what it answered), and the audit
//! entries about them (ids only).

use base::FieldError;
use base::Role;
use sha2::{Digest as _, Sha256};
use sqlx::{Connection as _, PgConnection};
use uuid::Uuid;

use crate::ids::UserId;
use crate::reports::digest;
use crate::tickets::participants;
use crate::users::Refused;

/// What replaces erased text.
pub const ERASED: &str = "[erased]";
/// The pseudonym's email domain (`.invalid` never resolves).
const ERASED_DOMAIN: &str = "@erased.invalid";

/// The pseudonym of `user_id` in `tenant_id`: the same every time, so erasing twice answers the
/// same, and meaningless outside this tenant.
pub fn pseudonym(tenant_id: Uuid, user_id: UserId) -> String {
    let digest = Sha256::digest([tenant_id.as_bytes().as_slice(), user_id.0.as_bytes().as_slice()].concat());
    format!("erased-{}", &hex::encode(digest)[..16])
}

/// What an erasure changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Erased {
    pub tickets: u64,
    pub messages: u64,
    pub attachments: u64,
    pub order_references: u64,
    pub events: u64,
    /// Their customer organisations' memberships, ended.
    pub memberships: u64,
}

/// Erases `user_id` (a customer, locked by the caller) under `pseudonym`, and records it in the
/// audit log as done by `admin`, without the erased data.
pub async fn erase(tx: &mut PgConnection, admin: UserId, user_id: UserId, pseudonym: &str) -> sqlx::Result<Erased> {
    forget_notifications(tx, user_id).await?;
    // Where they were copied on someone else's ticket: they leave it, and their address leaves
    // the changes that named it (history and events).
    let address = sqlx::query_scalar!("SELECT lower(email) AS \"email!\" FROM users WHERE id = $1", user_id as _)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(address) = &address {
        participants::forget(tx, address, user_id).await?;
        digest::forget(tx, address).await?;
        sqlx::query!(
            "UPDATE ticket_history SET changes = replace(changes::text, to_json($1::text)::text, to_json($2::text)::text)::jsonb
             WHERE changes ?| ARRAY['cc', 'followers'] AND strpos(changes::text, to_json($1::text)::text) > 0",
            address,
            ERASED,
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "UPDATE outbox SET payload = replace(payload::text, to_json($1::text)::text, to_json($2::text)::text)::jsonb
             WHERE payload->'data'->'changes' ?| ARRAY['cc', 'followers']
               AND strpos(payload::text, to_json($1::text)::text) > 0",
            address,
            ERASED,
        )
        .execute(&mut *tx)
        .await?;
    }
    let email = format!("{pseudonym}{ERASED_DOMAIN}");
    sqlx::query!(
        "UPDATE users SET email = $2, firstname = $3, lastname = '', vip = false, active = false, updated_at = now()
         WHERE id = $1",
        user_id as _,
        email,
        pseudonym,
    )
    .execute(&mut *tx)
    .await?;
    let tickets = sqlx::query!(
        "UPDATE support_tickets SET subject = $2, description = '', metadata = '{}',
            thread_public = ''::tsvector, thread_staff = ''::tsvector
         WHERE user_id = $1",
        user_id as _,
        ERASED,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let messages = sqlx::query!("UPDATE ticket_messages SET message = $2 WHERE sender_id = $1", user_id as _, ERASED)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    // The rows go here; their objects are queued (migration 0007's trigger) and deleted after commit.
    let attachments = sqlx::query!("DELETE FROM ticket_attachments WHERE uploaded_by = $1", user_id as _)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query!("UPDATE ticket_history SET reason = NULL WHERE actor_id = $1 AND reason IS NOT NULL", user_id as _)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "UPDATE ticket_history SET changes = changes - 'subject' - 'metadata'
         WHERE ticket_id IN (SELECT id FROM support_tickets WHERE user_id = $1) AND changes ?| ARRAY['subject', 'metadata']",
        user_id as _,
    )
    .execute(&mut *tx)
    .await?;
    // Their ratings stay in the averages; what they wrote goes.
    sqlx::query!(
        "UPDATE satisfaction_ratings SET comment = NULL WHERE user_id = $1 AND comment IS NOT NULL",
        user_id as _
    )
    .execute(&mut *tx)
    .await?;
    let order_references = sqlx::query!("DELETE FROM order_refs WHERE user_id = $1", user_id as _)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    // Events about their tickets, published or waiting: the subject and the reasons go.
    let events = sqlx::query!(
        r#"UPDATE outbox SET payload = jsonb_set(
               CASE WHEN payload->'data'->>'reason' IS NULL THEN payload
                    ELSE jsonb_set(payload, '{data,reason}', 'null'::jsonb) END,
               '{data,subject}', to_jsonb($2::text), false)
           WHERE payload->'data'->>'user_id' = $1::text
             AND (payload->'data' ? 'subject' OR payload->'data'->>'reason' IS NOT NULL)"#,
        user_id.to_string(),
        ERASED,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query!("DELETE FROM idempotent_requests WHERE user_id = $1", user_id as _).execute(&mut *tx).await?;
    let memberships = crate::organizations::forget(tx, user_id).await?;
    let erased = Erased { tickets, messages, attachments, order_references, events, memberships };
    sqlx::query!(
        "INSERT INTO audit_log (actor_id, action, subject_id, details) VALUES ($1, 'user.erased', $2, $3)",
        admin as _,
        user_id as _,
        serde_json::to_value(erased).expect("counts serialise"),
    )
    .execute(&mut *tx)
    .await?;
    Ok(erased)
}

/// Removes everything notifications hold of `user_id`: their bell,
/// their settings, a suppression of their address, and every notification and mail about their
/// tickets, to anyone (they quote the customer's subject and words).
async fn forget_notifications(conn: &mut PgConnection, user_id: UserId) -> sqlx::Result<()> {
    sqlx::query!(
        "WITH theirs AS (SELECT id FROM support_tickets WHERE user_id = $1),
              suppressions AS (
                DELETE FROM mail_suppressions WHERE address = (SELECT lower(email) FROM users WHERE id = $1)),
              deliveries AS (
                DELETE FROM mail_deliveries WHERE user_id = $1 OR ticket_id IN (SELECT id FROM theirs)
                  OR address = (SELECT lower(email) FROM users WHERE id = $1)),
              bell AS (DELETE FROM notifications WHERE user_id = $1 OR ticket_id IN (SELECT id FROM theirs)),
              settings AS (DELETE FROM notification_settings WHERE user_id = $1)
         DELETE FROM notification_languages WHERE user_id = $1",
        user_id as _
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Erases customer `user_id` of `tenant_id` for `admin`, in one transaction: their pseudonym and
/// what the erasure changed (what the first one did, when they were erased already: the same
/// answer for a repeated request). 404 for someone who was never a member, 422 for staff.
pub async fn erase_customer(
    conn: &mut PgConnection,
    admin: UserId,
    tenant_id: Uuid,
    user_id: UserId,
) -> Result<(String, Erased), Refused> {
    let mut tx = conn.begin().await?;
    let person = person_for_update(&mut tx, user_id).await?;
    let person = person.ok_or(Refused::NotMember)?;
    if person.role != Role::Customer {
        return Err(Refused::Invalid(vec![FieldError::new(
            "id",
            "erasure applies to customers; staff leave through the members screen",
        )]));
    }
    let pseudonym = pseudonym(tenant_id, user_id);
    let erased = if is_erased(&person.email, &pseudonym) {
        first_erasure(&mut tx, user_id).await?.unwrap_or_default()
    } else {
        erase(&mut tx, admin, user_id, &pseudonym).await?
    };
    tx.commit().await?;
    Ok((pseudonym, erased))
}

/// A member as an erasure finds them, locked: their role and whether they were erased already.
#[derive(Debug, Clone)]
pub struct Person {
    pub role: Role,
    pub email: String,
}

/// Member `user_id` (active or not), locked for the erasure.
pub async fn person_for_update(tx: &mut PgConnection, user_id: UserId) -> sqlx::Result<Option<Person>> {
    sqlx::query_as!(
        Person,
        r#"SELECT role AS "role: base::Role", email FROM users WHERE id = $1 FOR UPDATE"#,
        user_id as _
    )
    .fetch_optional(tx)
    .await
}

/// What the first erasure of `user_id` changed, as its audit entry says.
pub async fn first_erasure(tx: &mut PgConnection, user_id: UserId) -> sqlx::Result<Option<Erased>> {
    let details = sqlx::query_scalar!(
        "SELECT details FROM audit_log WHERE action = 'user.erased' AND subject_id = $1 ORDER BY id LIMIT 1",
        user_id as _
    )
    .fetch_optional(tx)
    .await?;
    Ok(details.and_then(|d| serde_json::from_value(d).ok()))
}

/// Whether `email` is the pseudonym's: the member was erased already.
pub fn is_erased(email: &str, pseudonym: &str) -> bool {
    email.strip_suffix(ERASED_DOMAIN) == Some(pseudonym)
}
