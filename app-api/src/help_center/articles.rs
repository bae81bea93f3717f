//! Articles: written by staff in Markdown, one locale each, grouped with their translations (a
//! family holds at most one article per locale), drafts seen by staff alone. The HTML, text and
//! description are rendered once, on save (`markdown::render`); slugs are unique in the tenant.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;
use uuid::Uuid;

use super::categories;
use super::locale::Locale;
use super::markdown::{self, Rendered};
use sav::ids::UserId;

/// A tenant holds at most this many articles.
pub const MAX_PER_TENANT: i64 = 20_000;
pub const TITLE_MAX_CHARS: usize = 200;
/// An article's Markdown, at most.
pub const BODY_MAX_CHARS: usize = 100_000;

/// Whether readers see an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = HelpArticleStatus)]
pub enum Status {
    /// Staff alone see it.
    Draft,
    /// Anyone on the organisation's host reads it.
    Published,
}

impl Status {
    pub const ALL: [Self; 2] = [Self::Draft, Self::Published];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

shared::text_column!(Status, parse);

/// An article in its family: another locale's version of the same text.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = HelpTranslation)]
pub struct Translation {
    pub id: Uuid,
    pub locale: Locale,
    pub slug: String,
    pub title: String,
    pub status: Status,
}

/// An article, whole.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = HelpArticle)]
pub struct Article {
    pub id: Uuid,
    pub slug: String,
    pub locale: Locale,
    pub title: String,
    /// Its first words, at most 160 characters: what search engines show.
    pub description: String,
    /// The Markdown as written (staff alone get it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Sanitised HTML rendered from the Markdown.
    pub body_html: String,
    pub category_id: Option<Uuid>,
    pub status: Status,
    /// Its versions in the other locales (drafts only for staff).
    pub translations: Vec<Translation>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// An article in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = HelpArticleSummary)]
pub struct Summary {
    pub id: Uuid,
    pub slug: String,
    pub locale: Locale,
    pub title: String,
    pub description: String,
    pub category_id: Option<Uuid>,
    pub status: Status,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// A new article, as given.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewArticle)]
pub struct Draft {
    /// 1 to 200 characters.
    pub title: String,
    /// Markdown, at most 100,000 characters; rendered to sanitised HTML on save.
    pub body: String,
    pub locale: Locale,
    pub category_id: Option<Uuid>,
    pub status: Status,
    /// a-z, 0-9 and single hyphens, at most 100 characters, unique; absent: made from the title
    /// (numbered when taken).
    pub slug: Option<String>,
    /// The article this one translates: another locale of the same text.
    pub translation_of: Option<Uuid>,
}

/// What to change of an article; `None` keeps a field.
#[derive(Debug, Default)]
#[allow(clippy::option_option, reason = "absent keeps, null clears, a value sets")]
pub struct Patch {
    pub title: Option<String>,
    pub body: Option<String>,
    pub locale: Option<Locale>,
    pub category_id: Option<Option<Uuid>>,
    pub status: Option<Status>,
    pub slug: Option<String>,
}

/// The fields of an article that are checked and written together.
struct Written {
    title: String,
    body: String,
    rendered: Rendered,
    locale: Locale,
    category_id: Option<Uuid>,
    status: Status,
}

fn title(value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    let chars = value.chars().count();
    if chars == 0 || chars > TITLE_MAX_CHARS || value.chars().any(char::is_control) {
        return Err(FieldError::new("title", "must be 1 to 200 characters, without control characters"));
    }
    Ok(value.to_owned())
}

fn body(value: String) -> Result<String, FieldError> {
    if value.chars().count() > BODY_MAX_CHARS || value.contains('\0') {
        return Err(FieldError::new("body", "must be at most 100,000 characters of Markdown"));
    }
    Ok(value)
}

/// What saving `given` as an article's body would store as its HTML.
pub fn preview(given: String) -> Result<String, FieldError> {
    Ok(markdown::render(&body(given)?).html)
}

fn slug(value: &str) -> Result<String, FieldError> {
    if markdown::is_slug(value) {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new("slug", "must be 1 to 100 characters of a-z and 0-9, words joined by single hyphens"))
    }
}

/// `title`, `body` and `slug` checked, the body rendered; every wrong field named.
fn checked(
    given_title: &str,
    given_body: String,
    given_slug: Option<&str>,
) -> Result<(String, String, Rendered, Option<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = title(given_title).map_err(|e| errors.push(e)).ok();
    let body = body(given_body).map_err(|e| errors.push(e)).ok();
    let slug = given_slug.map(|s| slug(s).map_err(|e| errors.push(e)).ok());
    match (title, body, slug) {
        (Some(title), Some(body), slug) if errors.is_empty() => {
            let rendered = markdown::render(&body);
            Ok((title, body, rendered, slug.flatten()))
        }
        _ => Err(errors),
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("there is no such article")
}

fn slug_taken() -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "slug_taken", "another article has this slug")
        .with_field_errors(vec![FieldError::new("slug", "is another article's")])
}

/// Article `id` as a reader sees it: staff see drafts and the Markdown, others published
/// articles alone (a draft does not exist for them).
pub async fn get(conn: &mut PgConnection, id: Uuid, staff: bool) -> sqlx::Result<Option<Article>> {
    read(conn, Some(id), None, staff).await
}

/// The published article at `slug` (or a draft, for staff), as `get` reads it.
pub async fn by_slug(conn: &mut PgConnection, slug: &str, staff: bool) -> sqlx::Result<Option<Article>> {
    read(conn, None, Some(slug), staff).await
}

async fn read(
    conn: &mut PgConnection,
    id: Option<Uuid>,
    slug: Option<&str>,
    staff: bool,
) -> sqlx::Result<Option<Article>> {
    let row = sqlx::query!(
        r#"SELECT a.id, a.slug, a.locale AS "locale: Locale", a.title, a.description, a.body, a.body_html,
                  a.category_id, a.status AS "status: Status", a.created_at, a.updated_at, a.published_at,
                  COALESCE((SELECT jsonb_agg(jsonb_build_object('id', t.id, 'locale', t.locale, 'slug', t.slug,
                                                                'title', t.title, 'status', t.status)
                                             ORDER BY t.locale)
                              FROM help_articles t
                             WHERE t.family = a.family AND t.id <> a.id AND ($3 OR t.status = 'published')),
                           '[]') AS "translations!: sqlx::types::Json<Vec<Translation>>"
             FROM help_articles a
            WHERE (a.id = $1 OR a.slug = $2) AND ($3 OR a.status = 'published')"#,
        id,
        slug,
        staff,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Article {
        id: r.id,
        slug: r.slug,
        locale: r.locale,
        title: r.title,
        description: r.description,
        body: staff.then_some(r.body),
        body_html: r.body_html,
        category_id: r.category_id,
        status: r.status,
        translations: r.translations.0,
        created_at: r.created_at,
        updated_at: r.updated_at,
        published_at: r.published_at,
    }))
}

/// What a list asks for.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub locale: Option<Locale>,
    pub category_id: Option<Uuid>,
    /// `None`: published for readers, every status for staff.
    pub status: Option<Status>,
    /// Words the title holds, case and accents aside.
    pub title: Option<String>,
    pub staff: bool,
}

/// Where a list's page ends: the last article's update and id.
pub type Position = (DateTime<Utc>, Uuid);

/// A page of articles, last updated first, after `after`.
pub async fn page(
    conn: &mut PgConnection,
    filter: &Filter,
    after: Option<Position>,
    limit: i64,
) -> sqlx::Result<Vec<Summary>> {
    let status = if filter.staff { filter.status } else { Some(Status::Published) };
    let (after_at, after_id) = after.map_or((None, None), |(at, id)| (Some(at), Some(id)));
    sqlx::query_as!(
        Summary,
        r#"SELECT id, slug, locale AS "locale: Locale", title, description, category_id, status AS "status: Status",
                  updated_at, published_at
             FROM help_articles
            WHERE ($1::text IS NULL OR locale = $1) AND ($2::uuid IS NULL OR category_id = $2)
              AND ($3::text IS NULL OR status = $3)
              AND ($4::timestamptz IS NULL OR (updated_at, id) < ($4, $5))
              AND ($7::text IS NULL OR strpos(unaccent(lower(title)), unaccent(lower($7))) > 0)
            ORDER BY updated_at DESC, id DESC
            LIMIT $6"#,
        filter.locale.map(Locale::as_str),
        filter.category_id,
        status.map(Status::as_str),
        after_at,
        after_id,
        limit,
        filter.title,
    )
    .fetch_all(conn)
    .await
}

/// Writes a new article by `author`, within the tenant's limit, with a slug of its own: the
/// one given (409 `slug_taken` when another has it), else the title's, numbered when taken.
pub async fn create(conn: &mut PgConnection, author: UserId, draft: Draft) -> ApiResult<Article> {
    let (title, body, rendered, chosen_slug) =
        checked(&draft.title, draft.body, draft.slug.as_deref()).map_err(ApiError::invalid)?;
    let mut tx = conn.begin().await?;
    let count = sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM help_articles"#).fetch_one(&mut *tx).await?;
    if count >= MAX_PER_TENANT {
        return Err(ApiError::limit_reached("this organisation holds 20,000 articles: delete one first"));
    }
    let family = match draft.translation_of {
        None => Uuid::now_v7(),
        Some(of) => translated_family(&mut tx, of, draft.locale).await?,
    };
    categories::check(&mut tx, draft.category_id).await?;
    let id = Uuid::now_v7();
    let written =
        Written { title, body, rendered, locale: draft.locale, category_id: draft.category_id, status: draft.status };
    match chosen_slug {
        Some(slug) if !insert(&mut tx, id, family, &slug, &written, author).await? => return Err(slug_taken()),
        Some(_) => {}
        None => insert_with_free_slug(&mut tx, id, family, &written, author).await?,
    }
    let created = get(&mut tx, id, true).await?.ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(created)
}

/// The family of article `of`, which a new article in `locale` joins as its translation.
async fn translated_family(tx: &mut PgConnection, of: Uuid, locale: Locale) -> ApiResult<Uuid> {
    let refused = |why: &str| ApiError::invalid(vec![FieldError::new("translation_of", why)]);
    let Some(row) = sqlx::query!(
        r#"SELECT family, EXISTS (SELECT 1 FROM help_articles t WHERE t.family = a.family AND t.locale = $2) AS "taken!"
             FROM help_articles a WHERE id = $1 FOR UPDATE"#,
        of,
        locale.as_str(),
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Err(refused("is not an article of this help center"));
    };
    if row.taken {
        return Err(refused("already has a translation in this locale"));
    }
    Ok(row.family)
}

/// Inserts the article at `slug`; false when another has that slug.
async fn insert(
    tx: &mut PgConnection,
    id: Uuid,
    family: Uuid,
    slug: &str,
    article: &Written,
    author: UserId,
) -> sqlx::Result<bool> {
    let inserted = sqlx::query!(
        "INSERT INTO help_articles (id, family, locale, slug, title, description, body, body_html, body_text,
                                    category_id, status, author_id, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, CASE WHEN $11 = 'published' THEN now() END)
         ON CONFLICT (tenant_id, slug) DO NOTHING",
        id,
        family,
        article.locale.as_str(),
        slug,
        article.title,
        article.rendered.description,
        article.body,
        article.rendered.html,
        article.rendered.text,
        article.category_id,
        article.status.as_str(),
        author as _,
    )
    .execute(tx)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Inserts the article at the title's slug, or the first of `-2`, `-3`, ... that is free.
async fn insert_with_free_slug(
    tx: &mut PgConnection,
    id: Uuid,
    family: Uuid,
    article: &Written,
    author: UserId,
) -> ApiResult<()> {
    let base = markdown::slug_of(&article.title);
    // Articles made at once from one title take their numbers in turn: each waits here for the
    // one before it to commit, then finds its slug taken.
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtextextended('help_article_slug:' || $1, 0))", base)
        .execute(&mut *tx)
        .await?;
    let slug = free_slug(tx, &base).await?;
    if insert(tx, id, family, &slug, article, author).await? {
        return Ok(());
    }
    Err(ApiError::new(StatusCode::CONFLICT, "slug_taken", "another article was given this slug at once: try again"))
}

/// `base`, or `base-N` with the smallest N from 2 that no article holds.
async fn free_slug(tx: &mut PgConnection, base: &str) -> sqlx::Result<String> {
    let taken: Vec<String> = sqlx::query_scalar!(
        "SELECT slug FROM help_articles
          WHERE slug = $1 OR (slug LIKE $1 || '-%' AND substr(slug, char_length($1) + 2) ~ '^[0-9]+$')",
        base,
    )
    .fetch_all(tx)
    .await?;
    if !taken.iter().any(|s| s == base) {
        return Ok(base.to_owned());
    }
    let numbered = |n: usize| {
        let suffix = format!("-{n}");
        let room = markdown::SLUG_MAX_CHARS - suffix.len();
        format!("{}{suffix}", base[..base.len().min(room)].trim_end_matches('-'))
    };
    let free = (2..=taken.len() + 2).map(numbered).find(|s| !taken.contains(s));
    Ok(free.unwrap_or_else(|| numbered(taken.len() + 2)))
}

/// Changes article `id` by `patch`, checked as a whole: the Markdown rendered again when it
/// changed, `published_at` set when it is published (and cleared when it goes back to draft).
pub async fn change(conn: &mut PgConnection, id: Uuid, patch: Patch) -> ApiResult<Article> {
    let mut tx = conn.begin().await?;
    let Some(current) = sqlx::query!(
        r#"SELECT family, locale AS "locale: Locale", title, body, category_id, status AS "status: Status"
             FROM help_articles WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Err(not_found());
    };
    let (title, body, rendered, chosen_slug) = checked(
        patch.title.as_deref().unwrap_or(&current.title),
        patch.body.unwrap_or(current.body),
        patch.slug.as_deref(),
    )
    .map_err(ApiError::invalid)?;
    let locale = patch.locale.unwrap_or(current.locale);
    if locale != current.locale {
        let taken = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM help_articles WHERE family = $1 AND locale = $2) AS "taken!""#,
            current.family,
            locale.as_str(),
        )
        .fetch_one(&mut *tx)
        .await?;
        if taken {
            return Err(ApiError::invalid(vec![FieldError::new(
                "locale",
                "is the locale of this article's translation",
            )]));
        }
    }
    let category_id = patch.category_id.unwrap_or(current.category_id);
    categories::check(&mut tx, category_id).await?;
    let status = patch.status.unwrap_or(current.status);
    let updated = sqlx::query!(
        "UPDATE help_articles
            SET title = $2, body = $3, body_html = $4, body_text = $5, description = $6, locale = $7,
                category_id = $8, status = $9, slug = COALESCE($10, slug), updated_at = now(),
                published_at = CASE WHEN $9 = 'draft' THEN NULL ELSE COALESCE(published_at, now()) END
          WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM help_articles o WHERE o.slug = $10 AND o.id <> $1)",
        id,
        title,
        body,
        rendered.html,
        rendered.text,
        rendered.description,
        locale.as_str(),
        category_id,
        status.as_str(),
        chosen_slug,
    )
    .execute(&mut *tx)
    .await;
    match updated {
        Ok(done) if done.rows_affected() == 1 => {}
        Ok(_) => return Err(slug_taken()),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(slug_taken()),
        Err(e) => return Err(e.into()),
    }
    let changed = get(&mut tx, id, true).await?.ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(changed)
}

/// Deletes article `id` and what was counted of it; its translations stay.
pub async fn remove(conn: &mut PgConnection, id: Uuid) -> ApiResult<()> {
    let deleted = sqlx::query!("DELETE FROM help_articles WHERE id = $1", id).execute(conn).await?;
    if deleted.rows_affected() == 0 {
        return Err(not_found());
    }
    Ok(())
}
