//! Satisfaction ratings (`crate::sav::satisfaction`): the ticket's customer rates a resolution
//! in the portal (`/v1/tickets/{id}/satisfaction`) or, without signing in, from the resolution
//! mail's signed link (`/v1/satisfaction`); admins read the report (`/v1/reports/satisfaction`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use sqlx::{Connection as _, PgConnection};
use utoipa::{IntoParams, ToSchema};

use crate::context::{Access, Admins, TenantContext, TenantDb};
use crate::notifications::links;
use crate::sav::satisfaction::{self, Period, Rating, Report};
use crate::sav::tickets::due;
use crate::sav::tickets::store::{self, Ticket};
use crate::state::AppState;
use crate::tenancy::pools::TenantConnection;

/// What the ticket's page shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSatisfaction {
    /// Whether the caller may rate the ticket now: its customer, resolved or closed, this
    /// resolution not rated yet.
    pub rateable: bool,
    /// This resolution's rating.
    pub rating: Option<Rating>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRating {
    /// 1 (poor) to 5 (excellent).
    pub rating: i64,
    /// At most 2,000 characters.
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRating {
    /// From the resolution mail's link.
    pub token: String,
    pub rating: i64,
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenParams {
    /// From the resolution mail's link.
    pub token: String,
}

/// What a rating link is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkedTicket {
    pub ticket_number: String,
    pub subject: String,
    /// The rating already given, if any.
    pub rating: Option<Rating>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// Default: 30 days before `to`.
    pub from: Option<DateTime<Utc>>,
    /// Default: now.
    pub to: Option<DateTime<Utc>>,
    /// `day`, `week` (default) or `month`.
    #[param(inline)]
    pub period: Option<Period>,
}

/// The longest span a report covers.
const REPORT_MAX_DAYS: i64 = 366;

fn already_rated() -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "already_rated", "this resolution was rated already")
}

fn checked(rating: i64, comment: Option<&str>) -> ApiResult<(i16, Option<String>)> {
    match (satisfaction::score(rating), satisfaction::comment(comment)) {
        (Ok(score), Ok(comment)) => Ok((score, comment)),
        (score, comment) => Err(ApiError::invalid(score.err().into_iter().chain(comment.err()).collect())),
    }
}

/// A ticket's rating (its customer and staff).
#[utoipa::path(get, path = "/v1/tickets/{id}/satisfaction", tag = "satisfaction", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Whether the caller may rate it, and this resolution's rating", body = TicketSatisfaction),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn get_ticket_satisfaction(
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
) -> ApiResult<Json<TicketSatisfaction>> {
    let mut db = tenant_db.connect().await?;
    let (viewer, ticket) = store::visible(&mut db, context.user_id, id, false).await?;
    let Some(resolved_at) = satisfaction::resolution(&ticket) else {
        return Ok(Json(TicketSatisfaction { rateable: false, rating: None }));
    };
    let rating = satisfaction::of_resolution(&mut db, ticket.id, resolved_at).await?;
    Ok(Json(TicketSatisfaction { rateable: rating.is_none() && viewer.id == ticket.user_id, rating }))
}

/// Rate a resolved or closed ticket (its customer), once per resolution.
#[utoipa::path(post, path = "/v1/tickets/{id}/satisfaction", tag = "satisfaction", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = NewRating,
    responses(
        (status = 201, description = "Recorded", body = Rating),
        (status = 403, description = "`forbidden`: only the ticket's customer rates it"),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`not_resolved`, or `already_rated`: this resolution has its rating"),
        (status = 422, description = "`validation_failed`: a rating outside 1..5, a comment over 2,000 characters"),
    ))]
pub async fn rate_ticket(
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<NewRating>,
) -> ApiResult<(StatusCode, Json<Rating>)> {
    let (score, comment) = checked(body.rating, body.comment.as_deref())?;
    let mut db = tenant_db.connect().await?;
    let mut tx = db.begin().await?;
    // Locked: a reopening waits, or is seen.
    let (viewer, ticket) = store::visible(&mut tx, context.user_id, id, true).await?;
    if viewer.id != ticket.user_id {
        return Err(ApiError::forbidden("only the ticket's customer rates it"));
    }
    let resolved_at = satisfaction::resolution(&ticket).ok_or_else(|| {
        ApiError::new(StatusCode::CONFLICT, "not_resolved", "a ticket is rated once it is resolved or closed")
    })?;
    let rating = satisfaction::record(&mut tx, &ticket, resolved_at, score, comment.as_deref())
        .await?
        .ok_or_else(already_rated)?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(rating)))
}

fn invalid_link() -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_token", "this rating link is not valid")
}

/// What a rating link says, and a connection to its tenant's database (400 `invalid_token`
/// for a forged link, or one used on another organisation's host).
async fn link_of(state: &AppState, headers: &HeaderMap, token: &str) -> ApiResult<(links::Rating, TenantConnection)> {
    let link = links::Rating::read(&state.config.keys.mail_links, token).ok_or_else(invalid_link)?;
    let tenant = super::linked_tenant(state, headers, link.tenant_id).await?.ok_or_else(invalid_link)?;
    Ok((link, state.pools.acquire(&tenant).await?))
}

/// The ticket `link` names, locked for the transaction, and the resolution it asks about, which
/// must still be the ticket's.
async fn linked(tx: &mut PgConnection, link: links::Rating) -> ApiResult<(Ticket, DateTime<Utc>)> {
    let ticket = due::lock(tx, link.ticket_id).await?.ok_or_else(invalid_link)?;
    let resolved_at =
        satisfaction::resolution(&ticket).filter(|at| at.timestamp_micros() == link.resolved_at).ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "not_resolved",
                "this request was reopened since this mail: it is rated once resolved again",
            )
        })?;
    Ok((ticket, resolved_at))
}

/// What a rating link is about (no sign-in: the link is the proof).
#[utoipa::path(get, path = "/v1/satisfaction", tag = "satisfaction", params(TokenParams),
    responses(
        (status = 200, description = "The ticket and its rating, if given", body = LinkedTicket),
        (status = 400, description = "`invalid_token`"),
        (status = 409, description = "`not_resolved`: reopened since the mail"),
    ))]
pub async fn get_rating_link(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<TokenParams>,
) -> ApiResult<Json<LinkedTicket>> {
    let (link, mut db) = link_of(&state, &headers, &params.token).await?;
    let mut tx = db.begin().await?;
    let (ticket, resolved_at) = linked(&mut tx, link).await?;
    let rating = satisfaction::of_resolution(&mut tx, ticket.id, resolved_at).await?;
    tx.commit().await?;
    Ok(Json(LinkedTicket { ticket_number: ticket.ticket_number, subject: ticket.subject, rating }))
}

/// Rate from the resolution mail's link (no sign-in). The link records one rating; it may come
/// back once with a comment while that rating has none (the first rating stands).
#[utoipa::path(post, path = "/v1/satisfaction", tag = "satisfaction", request_body = LinkRating,
    responses(
        (status = 201, description = "Recorded", body = Rating),
        (status = 200, description = "The comment was added to the rating this link recorded", body = Rating),
        (status = 400, description = "`invalid_token`"),
        (status = 409, description = "`already_rated`, or `not_resolved`: reopened since the mail"),
        (status = 422, description = "`validation_failed`"),
    ))]
pub async fn post_rating_link(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<LinkRating>,
) -> ApiResult<(StatusCode, Json<Rating>)> {
    let (score, comment) = checked(body.rating, body.comment.as_deref())?;
    let (link, mut db) = link_of(&state, &headers, &body.token).await?;
    let mut tx = db.begin().await?;
    let (ticket, resolved_at) = linked(&mut tx, link).await?;
    if let Some(rating) = satisfaction::record(&mut tx, &ticket, resolved_at, score, comment.as_deref()).await? {
        tx.commit().await?;
        return Ok((StatusCode::CREATED, Json(rating)));
    }
    let commented = match comment {
        Some(comment) => satisfaction::add_comment(&mut tx, ticket.id, resolved_at, &comment).await?,
        None => None,
    };
    let rating = commented.ok_or_else(already_rated)?;
    tx.commit().await?;
    Ok((StatusCode::OK, Json(rating)))
}

/// Satisfaction by period and by agent (owners and admins).
#[utoipa::path(get, path = "/v1/reports/satisfaction", tag = "reports", security(("bearer" = [])), params(ReportParams),
    responses(
        (status = 200, description = "The ratings given in [from, to)", body = Report),
        (status = 403, description = "`forbidden`: owners and admins only"),
        (status = 422, description = "`validation_failed`: `from` not before `to`, or a span over 366 days"),
    ))]
pub async fn get_satisfaction_report(
    access: Access<Admins>,
    Query(params): Query<ReportParams>,
) -> ApiResult<Json<Report>> {
    let to = params.to.unwrap_or_else(Utc::now);
    // At the edge of the calendar there is no month before: refused below as an empty span.
    let from = params.from.unwrap_or_else(|| to.checked_sub_signed(Duration::days(30)).unwrap_or(to));
    if from >= to || to - from > Duration::days(REPORT_MAX_DAYS) {
        return Err(ApiError::invalid(vec![FieldError::new(
            "from",
            format!("must be before `to`, and at most {REPORT_MAX_DAYS} days before it"),
        )]));
    }
    let (_, mut db) = access.connect().await?;
    Ok(Json(satisfaction::report(&mut db, from, to, params.period.unwrap_or_default()).await?))
}
