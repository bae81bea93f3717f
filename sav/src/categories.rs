//! The organisation's ticket categories (`/v1/categories`): a key tickets hold, a label in
//! English and French, a place in the list, and an archived flag. A new organisation starts with
//! the seed's eight (migration 0034); admins add, rename, reorder and archive them, each change
//! one transaction with its audit entry. A ticket's `category` stays a key: an unlisted one is
//! still accepted and an archived one stays on its tickets, filters and reports.

use base::FieldError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;

use super::tickets::fields::{Label, checked_label};
use super::users;
use crate::ids::UserId;

/// An organisation holds at most this many categories, archived ones included.
pub const MAX_PER_TENANT: i64 = 100;
/// The longest key, in characters.
pub const KEY_MAX_CHARS: usize = 64;

/// A ticket category.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TicketCategory)]
pub struct Category {
    /// `[a-z0-9][a-z0-9_-]{0,63}`; never changes.
    pub key: String,
    pub label: Label,
    /// Its place in the list (ties in key order).
    pub position: i32,
    /// Not offered for new tickets; kept on the tickets that hold it.
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A category to make.
#[derive(Debug, Clone)]
pub struct Draft {
    pub key: String,
    pub label: Label,
    /// Default: after the others.
    pub position: Option<i32>,
}

/// What a change names; absent parts stay.
#[derive(Debug, Clone, Default)]
pub struct Patch {
    pub label: Option<Label>,
    pub position: Option<i32>,
    pub archived: Option<bool>,
}

/// `key` if it is one: `[a-z0-9][a-z0-9_-]{0,63}`.
pub fn key(value: &str) -> Result<String, FieldError> {
    let mut bytes = value.bytes();
    let first = bytes.next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let rest = bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if first && rest && value.len() <= KEY_MAX_CHARS {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new("key", "must be 1 to 64 characters of a-z, 0-9, _ and -, starting with a letter or digit"))
    }
}

/// A position: 1 to 10,000.
fn position(value: i32) -> Result<i32, FieldError> {
    if (1..=10_000).contains(&value) { Ok(value) } else { Err(FieldError::new("position", "must be 1 to 10000")) }
}

struct Row {
    key: String,
    label_en: String,
    label_fr: Option<String>,
    position: i32,
    archived: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Row> for Category {
    fn from(row: Row) -> Self {
        Self {
            key: row.key,
            label: Label { en: row.label_en, fr: row.label_fr },
            position: row.position,
            archived: row.archived,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// The categories in their order; archived ones only when `archived` is asked.
pub async fn all(conn: &mut PgConnection, archived: bool) -> sqlx::Result<Vec<Category>> {
    let rows = sqlx::query_as!(
        Row,
        "SELECT key, label_en, label_fr, position, archived, created_at, updated_at
         FROM ticket_categories WHERE $1 OR NOT archived ORDER BY position, key",
        archived,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Category::from).collect())
}

async fn get(conn: &mut PgConnection, key: &str) -> sqlx::Result<Option<Category>> {
    let row = sqlx::query_as!(
        Row,
        "SELECT key, label_en, label_fr, position, archived, created_at, updated_at
         FROM ticket_categories WHERE key = $1",
        key,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Category::from))
}

/// Serialises the changes of categories in the transaction, so the count and the key checks hold.
async fn lock(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("LOCK TABLE ticket_categories IN SHARE ROW EXCLUSIVE MODE").execute(conn).await?;
    Ok(())
}

/// Makes a category for `admin`, within the limit and under a key of its own, with its audit
/// entry, in one transaction.
pub async fn create(conn: &mut PgConnection, admin: UserId, draft: Draft) -> Result<Category, Refused> {
    let mut errors = Vec::new();
    let key = key(&draft.key).map_err(|e| errors.push(e)).ok();
    let label = checked_label("label", &draft.label).map_err(|e| errors.push(e)).ok();
    let at = draft.position.map(|p| position(p).map_err(|e| errors.push(e)).ok());
    let (Some(key), Some(label)) = (key, label) else { return Err(Refused::Invalid(errors)) };
    if !errors.is_empty() {
        return Err(Refused::Invalid(errors));
    }
    let mut tx = conn.begin().await?;
    lock(&mut tx).await?;
    let (count, next) = sqlx::query!(
        r#"SELECT count(*) AS "count!", coalesce(max(position) + 1, 1) AS "next!" FROM ticket_categories"#
    )
    .fetch_one(&mut *tx)
    .await
    .map(|row| (row.count, row.next))?;
    if count >= MAX_PER_TENANT {
        return Err(Refused::LimitReached);
    }
    if get(&mut tx, &key).await?.is_some() {
        return Err(Refused::KeyTaken);
    }
    let row = sqlx::query_as!(
        Row,
        "INSERT INTO ticket_categories (key, label_en, label_fr, position) VALUES ($1, $2, $3, $4)
         RETURNING key, label_en, label_fr, position, archived, created_at, updated_at",
        key,
        label.en,
        label.fr,
        at.flatten().unwrap_or(next),
    )
    .fetch_one(&mut *tx)
    .await?;
    users::audit_setting(&mut tx, admin, "category_created", serde_json::json!({ "key": key })).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Changes category `key` by `patch`, with its audit entry, in one transaction.
pub async fn change(conn: &mut PgConnection, admin: UserId, key: &str, patch: Patch) -> Result<Category, Refused> {
    let mut errors = Vec::new();
    let label = patch.label.as_ref().map(|l| checked_label("label", l).map_err(|e| errors.push(e)).ok());
    let at = patch.position.map(|p| position(p).map_err(|e| errors.push(e)).ok());
    if !errors.is_empty() {
        return Err(Refused::Invalid(errors));
    }
    let label = label.flatten();
    let mut tx = conn.begin().await?;
    let row = sqlx::query_as!(
        Row,
        "UPDATE ticket_categories
            SET label_en = coalesce($2, label_en),
                label_fr = CASE WHEN $2::text IS NULL THEN label_fr ELSE $3 END,
                position = coalesce($4, position), archived = coalesce($5, archived), updated_at = now()
          WHERE key = $1
          RETURNING key, label_en, label_fr, position, archived, created_at, updated_at",
        key,
        label.as_ref().map(|l| l.en.as_str()),
        label.as_ref().and_then(|l| l.fr.as_deref()),
        at.flatten(),
        patch.archived,
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Refused::NotFound)?;
    users::audit_setting(&mut tx, admin, "category_updated", serde_json::json!({ "key": key })).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Why a category is not made, changed or deleted; the HTTP layer gives each its answer
/// (app-api's `refusals`).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// No category of this organisation has the key asked for.
    #[error("no such category")]
    NotFound,
    /// Another category has this key.
    #[error("another category has this key")]
    KeyTaken,
    /// The tenant holds `MAX_PER_TENANT` categories already.
    #[error("this organisation holds 100 categories: archive or rename one instead")]
    LimitReached,
    /// Fields that break the rules, each with why.
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_lower_case_words() {
        assert!(key("payment_failure").is_ok() && key("b2b-returns").is_ok() && key("7days").is_ok());
        for bad in ["", "Order", "-x", "a b", "é", &"k".repeat(65)] {
            assert!(key(bad).is_err(), "{bad:?}");
        }
        assert!(key(&"k".repeat(64)).is_ok());
        assert!(position(0).is_err() && position(10_001).is_err() && position(1).is_ok());
    }
}
