//! The account mail table: a mail is written in the transaction that causes it (pending), then
//! claimed `FOR UPDATE SKIP LOCKED` by a sender, and marked sent, retried later, or failed. Its
//! bodies are emptied once it is done with: they carry the links' secrets.

use std::time::Duration;

use chrono::{DateTime, Utc};
use shared::work_queue::Backlog;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::compose::{Composed, Language};

/// What a mail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Invitation,
    PasswordReset,
    EmailVerification,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::PasswordReset => "password_reset",
            Self::EmailVerification => "email_verification",
        }
    }
}

/// A mail to write.
pub struct NewMail<'a> {
    pub kind: Kind,
    pub tenant_id: Uuid,
    pub address: &'a str,
    pub to_name: Option<String>,
    /// The sender's display name.
    pub from_name: &'a str,
    pub language: Language,
    pub composed: Composed,
}

/// Writes a pending mail in the caller's transaction; its `Message-ID` is `{id}@{reply_domain}`.
/// Wake the sender once the transaction commits.
pub async fn enqueue(conn: &mut PgConnection, mail: &NewMail<'_>, reply_domain: &str) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO account_mail (id, kind, tenant_id, address, to_name, from_name, language, subject, text, html, message_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        id,
        mail.kind.as_str(),
        mail.tenant_id,
        mail.address,
        mail.to_name.as_deref().filter(|name| !name.trim().is_empty()),
        mail.from_name,
        mail.language.as_str(),
        mail.composed.subject,
        mail.composed.text,
        mail.composed.html,
        format!("{id}@{reply_domain}"),
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// A mail due to be sent, claimed.
#[derive(Debug)]
pub struct Due {
    pub id: Uuid,
    pub kind: String,
    pub address: String,
    pub to_name: Option<String>,
    pub from_name: String,
    pub language: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

impl Due {
    /// The mail as `shared::mail` sends it (no unsubscribe link: account mail is not optional).
    pub fn outgoing(&self) -> shared::mail::Outgoing {
        shared::mail::Outgoing {
            to: self.address.clone(),
            to_name: self.to_name.clone(),
            from_name: self.from_name.clone(),
            subject: self.subject.clone(),
            text: self.text.clone(),
            html: self.html.clone(),
            language: self.language.clone(),
            message_id: self.message_id.clone(),
            ..shared::mail::Outgoing::default()
        }
    }
}

/// Claims the next due mail, locked until the caller's transaction ends (another sender skips
/// it; a crashed sender's lock goes with its connection).
pub async fn claim(conn: &mut PgConnection) -> sqlx::Result<Option<Due>> {
    sqlx::query_as!(
        Due,
        "SELECT id, kind, address, to_name, from_name, language, subject, text, html, message_id, attempts, created_at
         FROM account_mail
         WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at, id
         FOR UPDATE SKIP LOCKED
         LIMIT 1",
    )
    .fetch_optional(conn)
    .await
}

pub async fn mark_sent(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE account_mail SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL,
           text = '', html = ''
         WHERE id = $1",
        id,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// A refusal for now: try again at `at`.
pub async fn mark_retry(conn: &mut PgConnection, id: Uuid, at: DateTime<Utc>, error: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE account_mail SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id = $1",
        id,
        at,
        error,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// A final refusal, or retries run out.
pub async fn mark_failed(conn: &mut PgConnection, id: Uuid, error: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE account_mail SET status = 'failed', attempts = attempts + 1, last_error = $2, text = '', html = ''
         WHERE id = $1",
        id,
        error,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// The server could not be reached: the mail stays due, no attempt counted.
pub async fn note_unreachable(conn: &mut PgConnection, id: Uuid, error: &str) -> sqlx::Result<()> {
    sqlx::query!("UPDATE account_mail SET last_error = $2 WHERE id = $1", id, error).execute(conn).await.map(drop)
}

/// The mail waiting to be sent: how much, and since when.
pub async fn backlog(db: &PgPool) -> sqlx::Result<Backlog> {
    sqlx::query_as!(
        Backlog,
        r#"SELECT count(*) AS "depth!", min(created_at) AS oldest FROM account_mail WHERE status = 'pending'"#,
    )
    .fetch_one(db)
    .await
}

/// Deletes mail sent or given up more than `age` ago (what is left of it is its record, not
/// needed for long). Returns how many went.
pub async fn purge_done(db: &PgPool, age: Duration) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "DELETE FROM account_mail WHERE status <> 'pending' AND created_at < now() - make_interval(secs => $1)",
        age.as_secs_f64(),
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Deletes the mail addressed to a person being erased, in any case of the address.
pub async fn delete_to_address(conn: &mut PgConnection, email: &str) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM account_mail WHERE lower(address) = lower($1)", email).execute(conn).await.map(drop)
}

/// Deletes a deleted tenant's mail.
pub async fn delete_of_tenant(conn: &mut PgConnection, tenant_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM account_mail WHERE tenant_id = $1", tenant_id).execute(conn).await.map(drop)
}
