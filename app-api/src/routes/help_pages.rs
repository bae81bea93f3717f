//! `/help/...`: the help center's public pages on the organisation's host, HTML rendered on the
//! server (`help_center::pages`) for readers and search engines; no sign-in, no script. Views
//! and votes count as through the API (`help_center::readers`).

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use shared::error::{ApiError, ApiResult};
use shared::http::{ClientIp, parse_list_query};
use uuid::Uuid;

use crate::access::Visitor;
use crate::config::AppConfig;
use crate::help_center::articles::{self, Filter, Status};
use crate::help_center::locale::Locale;
use crate::help_center::pages::{self, Site};
use crate::help_center::{HelpCenter, categories, readers, search};

/// The most articles a home or category page lists.
const LISTED_MAX: i64 = 1000;

fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers
        .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(shared::http::web::CONTENT_SECURITY_POLICY));
    response
}

/// The organisation's web address.
fn origin(config: &AppConfig, visitor: &Visitor) -> String {
    config.notifications.app_url(&visitor.tenant().slug, config.base_domain.as_ref())
}

fn not_found(config: &AppConfig, visitor: &Visitor, locale: Locale) -> Response {
    let origin = origin(config, visitor);
    html(StatusCode::NOT_FOUND, pages::not_found(&Site { origin: &origin, locale }))
}

/// `/help`: the home in the reader's language (French when their browser prefers it).
pub async fn help_root(headers: HeaderMap) -> Redirect {
    let prefers_french = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("fr"));
    Redirect::to(&pages::home_path(if prefers_french { Locale::Fr } else { Locale::En }))
}

/// The stylesheet of the pages.
pub async fn help_css() -> Response {
    let mut response = pages::STYLESHEET.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

/// `/help/{locale}`: every category with its articles.
pub async fn help_home(
    visitor: Visitor,
    State(config): State<Arc<AppConfig>>,
    Path(locale): Path<String>,
) -> ApiResult<Response> {
    let Some(locale) = Locale::parse(&locale) else { return Ok(not_found(&config, &visitor, Locale::En)) };
    let (_, mut db) = visitor.connect().await?;
    let mut tx = db.begin().await?;
    let categories = categories::all(&mut tx).await?;
    let filter = Filter { locale: Some(locale), status: Some(Status::Published), ..Filter::default() };
    let articles = articles::page(&mut tx, &filter, None, LISTED_MAX).await?;
    let origin = origin(&config, &visitor);
    Ok(html(StatusCode::OK, pages::home(&Site { origin: &origin, locale }, &categories, &articles)))
}

/// `/help/{locale}/categories/{id}`.
pub async fn help_category(
    visitor: Visitor,
    State(config): State<Arc<AppConfig>>,
    Path((locale, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let Some(locale) = Locale::parse(&locale) else { return Ok(not_found(&config, &visitor, Locale::En)) };
    let Ok(id) = id.parse::<Uuid>() else { return Ok(not_found(&config, &visitor, locale)) };
    let (_, mut db) = visitor.connect().await?;
    let mut tx = db.begin().await?;
    let Some(category) = categories::get(&mut tx, id).await? else { return Ok(not_found(&config, &visitor, locale)) };
    let filter =
        Filter { locale: Some(locale), category_id: Some(id), status: Some(Status::Published), ..Filter::default() };
    let articles = articles::page(&mut tx, &filter, None, LISTED_MAX).await?;
    let origin = origin(&config, &visitor);
    Ok(html(StatusCode::OK, pages::category(&Site { origin: &origin, locale }, &category, &articles)))
}

#[derive(Debug, Default, Deserialize)]
struct ArticleQuery {
    from: Option<String>,
    voted: Option<String>,
}

/// `/help/{locale}/articles/{slug}`: a published article (a view counted); at its own locale's
/// address when asked at the other's.
pub async fn help_article(
    visitor: Visitor,
    State(config): State<Arc<AppConfig>>,
    State(help): State<Arc<HelpCenter>>,
    Path((locale, slug)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let Some(locale) = Locale::parse(&locale) else { return Ok(not_found(&config, &visitor, Locale::En)) };
    let query: ArticleQuery = parse_list_query(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let (_, mut db) = visitor.connect().await?;
    let mut tx = db.begin().await?;
    let Some(article) = articles::by_slug(&mut tx, &slug, false).await? else {
        return Ok(not_found(&config, &visitor, locale));
    };
    if article.locale != locale {
        return Ok(Redirect::permanent(&pages::article_path(article.locale, &article.slug)).into_response());
    }
    let suggested = query.from.as_deref() == Some("suggestion");
    readers::viewed(&mut tx, article.id, suggested, None, Utc::now()).await?;
    let category = match article.category_id {
        Some(id) => categories::get(&mut tx, id).await?,
        None => None,
    };
    tx.commit().await?;
    help.metrics.viewed(suggested);
    let origin = origin(&config, &visitor);
    let voted = query.voted.is_some();
    Ok(html(StatusCode::OK, pages::article(&Site { origin: &origin, locale }, &article, category.as_ref(), voted)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VoteForm {
    helpful: String,
}

/// `POST /help/{locale}/articles/{slug}/feedback` (the page's form): the vote counted as
/// `POST /v1/kb/articles/{id}/feedback` counts it, then back to the article, thanked.
pub async fn help_feedback(
    visitor: Visitor,
    State(config): State<Arc<AppConfig>>,
    State(help): State<Arc<HelpCenter>>,
    ip: Option<Extension<ClientIp>>,
    Path((locale, slug)): Path<(String, String)>,
    body: String,
) -> ApiResult<Response> {
    let Some(locale) = Locale::parse(&locale) else { return Ok(not_found(&config, &visitor, Locale::En)) };
    let helpful = match parse_list_query::<VoteForm>(&body).map(|form| form.helpful) {
        Ok(answer) if answer == "yes" => true,
        Ok(answer) if answer == "no" => false,
        _ => return Err(ApiError::bad_request("the form's helpful must be yes or no")),
    };
    let (_, mut db) = visitor.connect().await?;
    let mut tx = db.begin().await?;
    let Some(article) = articles::by_slug(&mut tx, &slug, false).await? else {
        return Ok(not_found(&config, &visitor, locale));
    };
    let now = Utc::now();
    let voter = help.voter(visitor.tenant().id, None, ip.map(|Extension(ip)| ip.0), now.date_naive());
    let counted = readers::voted(&mut tx, article.id, &voter, helpful, now).await?;
    tx.commit().await?;
    help.metrics.voted(helpful, counted);
    let back = format!("{}?voted=1#feedback", pages::article_path(article.locale, &article.slug));
    Ok(Redirect::to(&back).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct SearchForm {
    q: Option<String>,
}

/// `/help/{locale}/search?q=`: every locale's articles, each in its language (a search that
/// finds nothing recorded for the team).
pub async fn help_search(
    visitor: Visitor,
    State(config): State<Arc<AppConfig>>,
    State(help): State<Arc<HelpCenter>>,
    Path(locale): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let Some(locale) = Locale::parse(&locale) else { return Ok(not_found(&config, &visitor, Locale::En)) };
    let form: SearchForm = parse_list_query(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let origin = origin(&config, &visitor);
    let site = Site { origin: &origin, locale };
    let Ok(q) = search::query(form.q.as_deref()) else {
        return Ok(Redirect::to(&pages::home_path(locale)).into_response());
    };
    let (_, mut db) = visitor.connect().await?;
    let mut tx = db.begin().await?;
    let hits = search::run(&mut tx, &q, None, 20).await?;
    help.metrics.searched(!hits.is_empty());
    if hits.is_empty() {
        readers::unanswered(&mut tx, &search::normalised(&q), None, Utc::now()).await?;
        tx.commit().await?;
    }
    Ok(html(StatusCode::OK, pages::results(&site, &q, &hits)))
}
