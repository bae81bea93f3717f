//! `/v1/kb/...`: the help center's API on the organisation's host. Anyone reads the published
//! articles and categories, searches and votes, signed in or not (`Visitor`); agents and admins
//! write articles, admins keep categories; `GET /v1/reports/help-center` tells admins what
//! readers did (`crate::help_center`).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use sav::reports::range::Range;
use sav::tickets::access::Viewer;
use serde::{Deserialize, Serialize};
use shared::auth::Role;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::openapi::NotFound;
use shared::http::{ClientIp, JsonBody, Page, PageParams, invalid_query, one_of, parse_list_query};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::nullable;
use crate::access::{Access, Admins, Admitted, Staff, Visitor};
use crate::help_center::HelpCenter;
use crate::help_center::articles::{self, Article, Draft, Filter, Patch, Status, Summary};
use crate::help_center::categories::{self, Category, Name};
use crate::help_center::locale::Locale;
use crate::help_center::readers::{self, ArticleReport, Unanswered};
use crate::help_center::search::{self, Hit};

const LOCALES: [(&str, Locale); 2] = [("en", Locale::En), ("fr", Locale::Fr)];
const STATUSES: [(&str, Status); 2] = [("draft", Status::Draft), ("published", Status::Published)];

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    /// `en` or `fr`.
    pub locale: Option<String>,
    pub category_id: Option<Uuid>,
    /// Words the title holds (case and accents aside); `GET /v1/kb/search` ranks by content.
    pub q: Option<String>,
    /// `draft` or `published` (staff; others see published articles alone).
    pub status: Option<String>,
    /// 1 to 100, default 50.
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// The help center's articles, last updated first: published ones for anyone on the
/// organisation's host, drafts too for staff.
#[utoipa::path(get, path = "/v1/kb/articles", tag = "help center", params(ArticleQuery),
    responses(
        (status = 200, description = "A page of articles", body = Page<Summary>),
        (status = 400, description = "`validation_failed`: an unknown parameter, locale or status, `q` over 200 characters"),
        (status = 422, description = "`validation_failed`: a `limit` out of 1..=100, a `cursor` this list did not give"),
    ))]
pub async fn list_articles(visitor: Visitor, RawQuery(query): RawQuery) -> ApiResult<Json<Page<Summary>>> {
    let query: ArticleQuery = parse_list_query(query.as_deref().unwrap_or_default())?;
    let locale = one_of("locale", query.locale.as_deref(), &LOCALES)?;
    let status = one_of("status", query.status.as_deref(), &STATUSES)?;
    let title = match query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) if q.chars().count() > search::QUERY_MAX_CHARS => {
            return Err(invalid_query(vec![FieldError::new("q", "must be at most 200 characters")]));
        }
        q => q.map(str::to_owned),
    };
    let page = PageParams { limit: query.limit, cursor: query.cursor };
    let (viewer, mut db) = visitor.connect().await?;
    let filter =
        Filter { locale, category_id: query.category_id, status, title, staff: viewer.is_some_and(Viewer::is_staff) };
    let rows = async |after, limit| -> ApiResult<_> {
        Ok(articles::page(&mut *db.begin().await?, &filter, after, limit).await?)
    };
    Ok(Json(page.fetch(rows, |a: &Summary| (a.updated_at, a.id)).await?))
}

/// Write an article (agents and admins).
#[utoipa::path(post, path = "/v1/kb/articles", tag = "help center", security(("bearer" = [])), request_body = Draft,
    responses(
        (status = 201, description = "The article, with its slug", body = Article),
        Access<Staff>,
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        (status = 409, description = "`slug_taken`"),
        (status = 422, description = "`validation_failed`: title, body, slug, an unknown `category_id`, a `translation_of` that is no article or has this locale already; `limit_reached`: the help center holds 20,000 articles"),
    ))]
pub async fn create_article(
    Admitted { viewer: author, mut db, .. }: Admitted<Staff>,
    JsonBody(draft): JsonBody<Draft>,
) -> ApiResult<(StatusCode, Json<Article>)> {
    let mut tx = db.begin().await?;
    let article = articles::create(&mut tx, author.id, draft).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(article)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleRead {
    /// `suggestion`: opened from the new-ticket form's suggestions (counted for deflections).
    pub from: Option<String>,
}

/// An article: published ones for anyone, drafts for staff (404 for others). A read by anyone
/// but staff counts as a view.
#[utoipa::path(get, path = "/v1/kb/articles/{id}", tag = "help center", params(("id" = Uuid, Path), ArticleRead),
    responses(
        (status = 200, description = "The article", body = Article),
        NotFound,
        (status = 400, description = "`validation_failed`: an unknown parameter or `from`"),
    ))]
pub async fn get_article(
    visitor: Visitor,
    State(help): State<Arc<HelpCenter>>,
    Path(id): Path<Uuid>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Article>> {
    let query: ArticleRead = parse_list_query(query.as_deref().unwrap_or_default())?;
    let suggested = one_of("from", query.from.as_deref(), &[("suggestion", ())])?.is_some();
    let (viewer, mut db) = visitor.connect().await?;
    let staff = viewer.is_some_and(Viewer::is_staff);
    let mut tx = db.begin().await?;
    let article =
        articles::get(&mut tx, id, staff).await?.ok_or_else(|| ApiError::not_found("there is no such article"))?;
    if !staff {
        let customer = viewer.filter(|v| v.role == Role::Customer).map(|v| v.id);
        readers::viewed(&mut tx, article.id, suggested, customer, Utc::now()).await?;
        tx.commit().await?;
        help.metrics.viewed(suggested);
    }
    Ok(Json(article))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(clippy::option_option, reason = "absent keeps, null clears, a value sets")]
pub struct ArticleChange {
    pub title: Option<String>,
    pub body: Option<String>,
    pub locale: Option<Locale>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub category_id: Option<Option<Uuid>>,
    pub status: Option<Status>,
    pub slug: Option<String>,
}

/// Change an article (agents and admins): the Markdown is rendered again; publishing sets
/// `published_at`, going back to draft clears it.
#[utoipa::path(patch, path = "/v1/kb/articles/{id}", tag = "help center", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ArticleChange,
    responses(
        (status = 200, description = "The article", body = Article),
        Access<Staff>,
        NotFound,
        (status = 409, description = "`slug_taken`"),
        (status = 422, description = "`validation_failed`: title, body, slug, an unknown `category_id`, the locale of its translation"),
    ))]
pub async fn patch_article(
    Admitted { mut db, .. }: Admitted<Staff>,
    Path(id): Path<Uuid>,
    JsonBody(change): JsonBody<ArticleChange>,
) -> ApiResult<Json<Article>> {
    let patch = Patch {
        title: change.title,
        body: change.body,
        locale: change.locale,
        category_id: change.category_id,
        status: change.status,
        slug: change.slug,
    };
    let mut tx = db.begin().await?;
    let article = articles::change(&mut tx, id, patch).await?;
    tx.commit().await?;
    Ok(Json(article))
}

/// Delete an article (agents and admins); its translations stay.
#[utoipa::path(delete, path = "/v1/kb/articles/{id}", tag = "help center", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), Access<Staff>, NotFound))]
pub async fn delete_article(Admitted { mut db, .. }: Admitted<Staff>, Path(id): Path<Uuid>) -> ApiResult<StatusCode> {
    let mut tx = db.begin().await?;
    articles::remove(&mut tx, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The categories, by position (anyone).
#[utoipa::path(get, path = "/v1/kb/categories", tag = "help center",
    responses((status = 200, description = "Every category (at most 200)", body = Vec<Category>)))]
pub async fn list_categories(visitor: Visitor) -> ApiResult<Json<Vec<Category>>> {
    let (_, mut db) = visitor.connect().await?;
    Ok(Json(categories::all(&mut *db.begin().await?).await?))
}

/// One category (anyone).
#[utoipa::path(get, path = "/v1/kb/categories/{id}", tag = "help center", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The category", body = Category), NotFound))]
pub async fn get_category(visitor: Visitor, Path(id): Path<Uuid>) -> ApiResult<Json<Category>> {
    let (_, mut db) = visitor.connect().await?;
    let category = categories::get(&mut *db.begin().await?, id).await?;
    Ok(Json(category.ok_or_else(|| ApiError::not_found(format!("there is no category {id}")))?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCategory {
    pub name: Name,
    /// Where it is listed (ascending); 0 by default.
    #[serde(default)]
    pub position: i32,
}

/// Make a category (owners and admins).
#[utoipa::path(post, path = "/v1/kb/categories", tag = "help center", security(("bearer" = [])), request_body = NewCategory,
    responses(
        (status = 201, description = "The category", body = Category),
        Access<Admins>,
        (status = 422, description = "`validation_failed`: `name.en`, `name.fr`; `limit_reached`: the help center holds 200 categories"),
    ))]
pub async fn create_category(
    Admitted { mut db, .. }: Admitted<Admins>,
    JsonBody(body): JsonBody<NewCategory>,
) -> ApiResult<(StatusCode, Json<Category>)> {
    let mut tx = db.begin().await?;
    let category = categories::create(&mut tx, body.name, body.position).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(category)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryChange {
    /// The whole name (an absent `fr` removes the French one).
    pub name: Option<Name>,
    pub position: Option<i32>,
}

/// Change a category (owners and admins).
#[utoipa::path(patch, path = "/v1/kb/categories/{id}", tag = "help center", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = CategoryChange,
    responses(
        (status = 200, description = "The category", body = Category),
        Access<Admins>,
        NotFound,
    ))]
pub async fn patch_category(
    Admitted { mut db, .. }: Admitted<Admins>,
    Path(id): Path<Uuid>,
    JsonBody(change): JsonBody<CategoryChange>,
) -> ApiResult<Json<Category>> {
    let mut tx = db.begin().await?;
    let category = categories::change(&mut tx, id, change.name, change.position).await?;
    tx.commit().await?;
    Ok(Json(category))
}

/// Delete a category (owners and admins): its articles are left without one.
#[utoipa::path(delete, path = "/v1/kb/categories/{id}", tag = "help center", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), Access<Admins>, NotFound))]
pub async fn delete_category(Admitted { mut db, .. }: Admitted<Admins>, Path(id): Path<Uuid>) -> ApiResult<StatusCode> {
    let mut tx = db.begin().await?;
    categories::remove(&mut tx, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// 1 to 200 characters: words (all of them, or any when no article has them all),
    /// `"a phrase"`, `-word` to leave out.
    pub q: Option<String>,
    /// `en` or `fr`; absent: every locale, each in its own language.
    pub locale: Option<String>,
    /// 1 to 50, default 10.
    pub limit: Option<i64>,
}

/// What a search found.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = HelpSearch)]
pub struct Found {
    pub data: Vec<Hit>,
}

/// Search the published articles (anyone): stemmed in each article's language, accents folded,
/// title matches first, with highlighted snippets. A search by anyone but staff that finds
/// nothing is recorded for the team's report.
#[utoipa::path(get, path = "/v1/kb/search", tag = "help center", params(SearchQuery),
    responses(
        (status = 200, description = "The best matches first", body = Found),
        (status = 400, description = "`validation_failed`: an unknown parameter or locale, a limit out of 1..=50"),
        (status = 422, description = "`validation_failed`: `q` missing, blank or over 200 characters"),
    ))]
pub async fn search_articles(
    visitor: Visitor,
    State(help): State<Arc<HelpCenter>>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Found>> {
    let query: SearchQuery = parse_list_query(query.as_deref().unwrap_or_default())?;
    let locale = one_of("locale", query.locale.as_deref(), &LOCALES)?;
    let limit = query.limit.unwrap_or(10);
    if !(1..=search::LIMIT_MAX).contains(&limit) {
        return Err(invalid_query(vec![FieldError::new("limit", "must be between 1 and 50")]));
    }
    let q = search::query(query.q.as_deref()).map_err(|e| ApiError::invalid(vec![e]))?;
    let (viewer, mut db) = visitor.connect().await?;
    let mut tx = db.begin().await?;
    let hits = search::run(&mut tx, &q, locale, limit).await?;
    if !viewer.is_some_and(Viewer::is_staff) {
        help.metrics.searched(!hits.is_empty());
        if hits.is_empty() {
            readers::unanswered(&mut tx, &search::normalised(&q), locale, Utc::now()).await?;
            tx.commit().await?;
        }
    }
    Ok(Json(Found { data: hits }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    pub helpful: bool,
}

/// Whether a vote was counted.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = HelpFeedbackAnswer)]
pub struct Counted {
    /// False for a repeat the same day (by the same person, or the same address when not signed
    /// in) and for staff.
    pub counted: bool,
}

/// Say whether a published article helped (anyone): once per article a day for each person, or
/// each address when not signed in; a repeat answers 200 and counts nothing, and so does staff's.
#[utoipa::path(post, path = "/v1/kb/articles/{id}/feedback", tag = "help center",
    params(("id" = Uuid, Path)), request_body = Feedback,
    responses(
        (status = 200, description = "Taken", body = Counted),
        NotFound,
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
    ))]
pub async fn post_feedback(
    visitor: Visitor,
    State(help): State<Arc<HelpCenter>>,
    ip: Option<Extension<ClientIp>>,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<Feedback>,
) -> ApiResult<Json<Counted>> {
    let (viewer, mut db) = visitor.connect().await?;
    let mut tx = db.begin().await?;
    if viewer.is_some_and(Viewer::is_staff) {
        articles::get(&mut tx, id, true).await?.ok_or_else(|| ApiError::not_found("there is no such article"))?;
        return Ok(Json(Counted { counted: false }));
    }
    let now = Utc::now();
    let voter = help.voter(visitor.tenant().id, viewer.map(|v| v.id), ip.map(|Extension(ip)| ip.0), now.date_naive());
    let counted = readers::voted(&mut tx, id, &voter, body.helpful, now).await?;
    if !counted && articles::get(&mut tx, id, false).await?.is_none() {
        return Err(ApiError::not_found("there is no such article"));
    }
    tx.commit().await?;
    help.metrics.voted(body.helpful, counted);
    Ok(Json(Counted { counted }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HelpReportQuery {
    /// RFC 3339, or a date (midnight in `time_zone`). Without `from` and `to`: the last 30 days.
    pub from: Option<String>,
    /// Exclusive; at most 366 days after `from`.
    pub to: Option<String>,
    /// The IANA zone of dates; `UTC` by default.
    pub time_zone: Option<String>,
}

/// What readers did with the help center over a range.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpCenterReport {
    /// The range the report covers (the last 30 days when none was asked for).
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The articles read in the range, most viewed first (at most 1,000): views and votes by
    /// the UTC days the range covers, suggested views and deflections to the instant (a
    /// deflection: a suggested view by a signed-in customer that no ticket of theirs followed
    /// within 30 minutes; counted once those minutes have passed).
    pub articles: Vec<ArticleReport>,
    /// Searches by customers and visitors that found nothing, most made first (at most 1,000).
    pub unanswered_searches: Vec<Unanswered>,
}

/// The help center's readers over a range (owners and admins).
#[utoipa::path(get, path = "/v1/reports/help-center", tag = "reports", security(("bearer" = [])), params(HelpReportQuery),
    responses(
        (status = 200, description = "The report", body = HelpCenterReport),
        Access<Admins>,
        (status = 400, description = "`validation_failed`: an unknown parameter"),
        (status = 422, description = "`validation_failed`: one of `from` and `to` without the other, one unreadable, `from` after `to`, a span over 366 days, an unknown `time_zone`"),
    ))]
pub async fn get_help_center_report(
    access: Access<Admins>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<HelpCenterReport>> {
    // Who may read it is settled before the query is read.
    let (_, mut db) = access.connect().await?;
    let query: HelpReportQuery = parse_list_query(query.as_deref().unwrap_or_default())?;
    let now = Utc::now();
    let (from, to) = if query.from.is_none() && query.to.is_none() {
        sav::reports::range::zone_field(query.time_zone.as_deref()).map_err(|e| ApiError::invalid(vec![e]))?;
        (now - chrono::Duration::days(DEFAULT_REPORT_DAYS), now)
    } else {
        let range = Range::parse(query.from.as_deref(), query.to.as_deref(), query.time_zone.as_deref())
            .map_err(ApiError::invalid)?;
        (range.from, range.to)
    };
    let mut tx = db.begin().await?;
    let articles = readers::articles(&mut tx, from, to, now).await?;
    let unanswered_searches = readers::unanswered_searches(&mut tx, from, to).await?;
    Ok(Json(HelpCenterReport { from, to, articles, unanswered_searches }))
}

/// The days the help center report covers when no range is asked for.
const DEFAULT_REPORT_DAYS: i64 = 30;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// Markdown, at most 100,000 characters.
    pub body: String,
}

/// Markdown as an article would show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    /// The sanitised HTML saving this body would store.
    pub body_html: String,
}

/// Render Markdown as saving an article renders it, writing nothing (agents and admins): the
/// editor's preview.
#[utoipa::path(post, path = "/v1/kb/preview", tag = "help center", security(("bearer" = [])), request_body = PreviewRequest,
    responses(
        (status = 200, description = "The HTML", body = Preview),
        Access<Staff>,
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        (status = 422, description = "`validation_failed`: `body` over 100,000 characters"),
    ))]
pub async fn preview_article(_: Admitted<Staff>, JsonBody(body): JsonBody<PreviewRequest>) -> ApiResult<Json<Preview>> {
    let html = articles::preview(body.body).map_err(|e| ApiError::invalid(vec![e]))?;
    Ok(Json(Preview { body_html: html }))
}
