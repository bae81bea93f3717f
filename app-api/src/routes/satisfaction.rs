//! Satisfaction ratings (`sav::satisfaction`): the ticket's customer rates a resolution
//! in the portal (`/v1/tickets/{id}/satisfaction`) or, without signing in, from the resolution
//! mail's signed link (`/v1/satisfaction`); admins read the report (`/v1/reports/satisfaction`).

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use sav::ids::TicketId;
use sav::satisfaction::{self, LinkRated, Period, Rating, Refused, Report};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use shared::http::openapi::NotFound;
use utoipa::{IntoParams, ToSchema};

use crate::access::{Access, Admins, Members, Scoped};
use crate::notifications::links::Rating as RatingLink;
use crate::refusals::Answered as _;
use crate::routes::mail_links::MailLinks;

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
        NotFound,
    ))]
pub async fn get_ticket_satisfaction(
    access: Access<Members>,
    Path(id): Path<TicketId>,
) -> ApiResult<Json<TicketSatisfaction>> {
    let Scoped { viewer, item: ticket, mut db } = access.ticket(id).await?;
    let (rateable, rating) = satisfaction::standing(&mut *db.begin().await?, viewer, &ticket).await?;
    Ok(Json(TicketSatisfaction { rateable, rating }))
}

/// Rate a resolved or closed ticket (its customer), once per resolution.
#[utoipa::path(post, path = "/v1/tickets/{id}/satisfaction", tag = "satisfaction", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = NewRating,
    responses(
        (status = 201, description = "Recorded", body = Rating),
        (status = 403, description = "`forbidden`: only the ticket's customer rates it"),
        NotFound,
        (status = 409, description = "`not_resolved`, or `already_rated`: this resolution has its rating"),
        (status = 422, description = "`validation_failed`: a rating outside 1..5, a comment over 2,000 characters"),
    ))]
pub async fn rate_ticket(
    access: Access<Members>,
    Path(id): Path<TicketId>,
    JsonBody(body): JsonBody<NewRating>,
) -> ApiResult<(StatusCode, Json<Rating>)> {
    let (score, comment) = checked(body.rating, body.comment.as_deref())?;
    let mut db = access.db().connect().await?;
    let mut tx = db.begin().await?;
    let rating = satisfaction::rate(&mut tx, access.user_id(), id, score, comment.as_deref()).await.answered()?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(rating)))
}

/// What a rating link is about (no sign-in: the link is the proof).
#[utoipa::path(get, path = "/v1/satisfaction", tag = "satisfaction", params(TokenParams),
    responses(
        (status = 200, description = "The ticket and its rating, if given", body = LinkedTicket),
        MailLinks,
        (status = 409, description = "`not_resolved`: reopened since the mail"),
    ))]
pub async fn get_rating_link(links: MailLinks, Query(params): Query<TokenParams>) -> ApiResult<Json<LinkedTicket>> {
    let (link, mut db) = links.open::<RatingLink>(&params.token).await?.ok_or(Refused::InvalidLink).answered()?;
    let (ticket, rating) = satisfaction::by_link(&mut *db.begin().await?, link.asked()).await.answered()?;
    Ok(Json(LinkedTicket { ticket_number: ticket.ticket_number, subject: ticket.subject, rating }))
}

/// Rate from the resolution mail's link (no sign-in). The link records one rating; it may come
/// back once with a comment while that rating has none (the first rating stands).
#[utoipa::path(post, path = "/v1/satisfaction", tag = "satisfaction", request_body = LinkRating,
    responses(
        (status = 201, description = "Recorded", body = Rating),
        (status = 200, description = "The comment was added to the rating this link recorded", body = Rating),
        MailLinks,
        (status = 409, description = "`already_rated`, or `not_resolved`: reopened since the mail"),
    ))]
pub async fn post_rating_link(
    links: MailLinks,
    JsonBody(body): JsonBody<LinkRating>,
) -> ApiResult<(StatusCode, Json<Rating>)> {
    let (score, comment) = checked(body.rating, body.comment.as_deref())?;
    let (link, mut db) = links.open::<RatingLink>(&body.token).await?.ok_or(Refused::InvalidLink).answered()?;
    let mut tx = db.begin().await?;
    let rated = satisfaction::rate_by_link(&mut tx, link.asked(), score, comment).await.answered()?;
    tx.commit().await?;
    Ok(match rated {
        LinkRated::Recorded(rating) => (StatusCode::CREATED, Json(rating)),
        LinkRated::Commented(rating) => (StatusCode::OK, Json(rating)),
    })
}

/// Satisfaction by period and by agent (owners and admins).
#[utoipa::path(get, path = "/v1/reports/satisfaction", tag = "reports", security(("bearer" = [])), params(ReportParams),
    responses(
        (status = 200, description = "The ratings given in [from, to)", body = Report),
        Access<Admins>,
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
    Ok(Json(satisfaction::report(&mut *db.begin().await?, from, to, params.period.unwrap_or_default()).await?))
}
