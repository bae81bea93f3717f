//! Categories: how the help center's home groups its articles, named in each locale (English
//! always, French when given), in the order of `position`. Admins keep them; deleting one leaves
//! its articles without a category.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;
use uuid::Uuid;

use super::locale::Locale;

/// A tenant holds at most this many categories.
pub const MAX_PER_TENANT: i64 = 200;
pub const NAME_MAX_CHARS: usize = 100;

/// A category's name in each locale.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = HelpCategoryName)]
pub struct Name {
    /// 1 to 100 characters.
    pub en: String,
    /// 1 to 100 characters; null or absent: the English name is shown.
    #[serde(default)]
    pub fr: Option<String>,
}

impl Name {
    /// The name in `locale`, English when there is none.
    pub fn in_locale(&self, locale: Locale) -> &str {
        match locale {
            Locale::Fr => self.fr.as_deref().unwrap_or(&self.en),
            Locale::En => &self.en,
        }
    }
}

/// A category.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = HelpCategory)]
pub struct Category {
    pub id: Uuid,
    pub name: Name,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn name_part(field: &str, value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    let chars = value.chars().count();
    if chars == 0 || chars > NAME_MAX_CHARS || value.chars().any(char::is_control) {
        return Err(FieldError::new(field, "must be 1 to 100 characters, without control characters"));
    }
    Ok(value.to_owned())
}

/// `name` trimmed, or the errors of each part.
pub fn checked(name: &Name) -> Result<Name, Vec<FieldError>> {
    let en = name_part("name.en", &name.en);
    let fr = name.fr.as_deref().map(|fr| name_part("name.fr", fr)).transpose();
    match (en, fr) {
        (Ok(en), Ok(fr)) => Ok(Name { en, fr }),
        (en, fr) => Err(en.err().into_iter().chain(fr.err()).collect()),
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("there is no such category")
}

/// Every category, by position.
pub async fn all(conn: &mut PgConnection) -> sqlx::Result<Vec<Category>> {
    read(conn, None).await
}

async fn read(conn: &mut PgConnection, id: Option<Uuid>) -> sqlx::Result<Vec<Category>> {
    let rows = sqlx::query!(
        "SELECT id, name_en, name_fr, position, created_at, updated_at FROM help_categories
          WHERE $1::uuid IS NULL OR id = $1 ORDER BY position, id LIMIT $2",
        id,
        MAX_PER_TENANT,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Category {
            id: r.id,
            name: Name { en: r.name_en, fr: r.name_fr },
            position: r.position,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

/// Category `id`.
pub async fn get(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Category>> {
    Ok(read(conn, Some(id)).await?.pop())
}

/// An article's category must be one of the tenant's (422 on `category_id` otherwise).
pub async fn check(conn: &mut PgConnection, id: Option<Uuid>) -> ApiResult<()> {
    let Some(id) = id else { return Ok(()) };
    let exists = sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM help_categories WHERE id = $1) AS "exists!""#, id)
        .fetch_one(conn)
        .await?;
    if exists {
        return Ok(());
    }
    Err(ApiError::invalid(vec![FieldError::new("category_id", "is not a category of this help center")]))
}

/// Makes a category, within the tenant's limit.
pub async fn create(conn: &mut PgConnection, name: Name, position: i32) -> ApiResult<Category> {
    let name = checked(&name).map_err(ApiError::invalid)?;
    let mut tx = conn.begin().await?;
    // One writer at a time: the count holds.
    sqlx::query!("LOCK TABLE help_categories IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
    let count = sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM help_categories"#).fetch_one(&mut *tx).await?;
    if count >= MAX_PER_TENANT {
        return Err(ApiError::limit_reached("this help center holds 200 categories: delete one first"));
    }
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO help_categories (id, name_en, name_fr, position) VALUES ($1, $2, $3, $4)",
        id,
        name.en,
        name.fr,
        position,
    )
    .execute(&mut *tx)
    .await?;
    let created = get(&mut tx, id).await?.ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(created)
}

/// Changes category `id`: its name (whole) and position, each when given.
pub async fn change(
    conn: &mut PgConnection,
    id: Uuid,
    name: Option<Name>,
    position: Option<i32>,
) -> ApiResult<Category> {
    let name = name.as_ref().map(checked).transpose().map_err(ApiError::invalid)?;
    let (en, fr) = name.map_or((None, None), |n| (Some(n.en), Some(n.fr)));
    let updated = sqlx::query!(
        "UPDATE help_categories
            SET name_en = COALESCE($2, name_en), name_fr = CASE WHEN $3 THEN $4 ELSE name_fr END,
                position = COALESCE($5, position), updated_at = now()
          WHERE id = $1",
        id,
        en,
        fr.is_some(),
        fr.flatten(),
        position,
    )
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(not_found());
    }
    get(conn, id).await?.ok_or_else(not_found)
}

/// Deletes category `id`; its articles are left without one.
pub async fn remove(conn: &mut PgConnection, id: Uuid) -> ApiResult<()> {
    let deleted = sqlx::query!("DELETE FROM help_categories WHERE id = $1", id).execute(conn).await?;
    if deleted.rows_affected() == 0 {
        return Err(not_found());
    }
    Ok(())
}
