//! `/v1/schedules`: staff read the tenant's business hours, owners and admins keep them
//! (`sav::schedules`); working time under one is `sav::schedules::business`.

use axum::Json;
use axum::body::Body;
use axum::extract::Path;
use axum::http::StatusCode;
use chrono::Utc;
use sav::ids::ScheduleId;
use sav::schedules::calendar::{self, Skipped};
use sav::schedules::{self, Fields, Holiday, Interval, Patch, ScheduleView};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use shared::http::openapi::NotFound;
use utoipa::ToSchema;

use crate::access::{Access, Admins, Staff};
use crate::refusals::Answered as _;

/// The largest calendar file taken in.
const CALENDAR_MAX_BYTES: usize = 1024 * 1024;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSchedule {
    /// 1 to 100 characters, unique in the tenant whatever the case.
    pub name: String,
    /// An IANA time zone, such as `Europe/Paris`.
    pub time_zone: String,
    /// At most 70; those of one day may touch but not overlap.
    pub intervals: Vec<Interval>,
    /// At most 500, one per date.
    #[serde(default)]
    pub holidays: Vec<Holiday>,
}

/// The fields to change; absent ones stay; `intervals` and `holidays` are the whole lists.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleChange {
    pub name: Option<String>,
    pub time_zone: Option<String>,
    pub intervals: Option<Vec<Interval>>,
    pub holidays: Option<Vec<Holiday>>,
}

/// What an import added.
#[derive(Debug, Serialize, ToSchema)]
pub struct Imported {
    /// Holidays added (dates the schedule had already are kept as they were).
    pub imported: u64,
    /// Every event of the calendar not imported, and why.
    pub skipped: Vec<Skipped>,
}

/// The tenant's schedules, by name (staff).
#[utoipa::path(get, path = "/v1/schedules", tag = "business hours", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every schedule (at most 20)", body = Vec<ScheduleView>),
        Access<Staff>,
    ))]
pub async fn list_schedules(access: Access<Staff>) -> ApiResult<Json<Vec<ScheduleView>>> {
    let (_, mut db) = access.connect().await?;
    Ok(Json(schedules::all(&mut *db.begin().await?).await?))
}

/// Make a schedule (owners and admins).
#[utoipa::path(post, path = "/v1/schedules", tag = "business hours", security(("bearer" = [])), request_body = NewSchedule,
    responses(
        (status = 201, description = "The schedule", body = ScheduleView),
        Access<Admins>,
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        (status = 409, description = "`schedule_name_taken`"),
        (status = 422, description = "`validation_failed`: a name, an unknown time zone, an interval that is not HH:MM or ends before it starts, overlapping intervals, a holiday twice; `limit_reached`: the tenant holds 20 schedules"),
    ))]
pub async fn create_schedule(
    access: Access<Admins>,
    JsonBody(body): JsonBody<NewSchedule>,
) -> ApiResult<(StatusCode, Json<ScheduleView>)> {
    let fields =
        Fields { name: body.name, time_zone: body.time_zone, intervals: body.intervals, holidays: body.holidays };
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let created = schedules::create(&mut tx, admin.id, fields).await.answered()?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Change a schedule (owners and admins): clocks that start or resume afterwards count in it.
#[utoipa::path(patch, path = "/v1/schedules/{id}", tag = "business hours", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ScheduleChange,
    responses(
        (status = 200, description = "The schedule", body = ScheduleView),
        Access<Admins>,
        NotFound,
        (status = 409, description = "`schedule_name_taken`"),
    ))]
pub async fn patch_schedule(
    access: Access<Admins>,
    Path(id): Path<ScheduleId>,
    JsonBody(change): JsonBody<ScheduleChange>,
) -> ApiResult<Json<ScheduleView>> {
    let patch = Patch {
        name: change.name,
        time_zone: change.time_zone,
        intervals: change.intervals,
        holidays: change.holidays,
    };
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let changed = schedules::change(&mut tx, admin.id, id, patch).await.answered()?;
    tx.commit().await?;
    Ok(Json(changed))
}

/// Delete a schedule (owners and admins).
#[utoipa::path(delete, path = "/v1/schedules/{id}", tag = "business hours", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        Access<Admins>,
        NotFound,
        (status = 409, description = "`schedule_in_use`: an SLA policy counts its targets in it"),
    ))]
pub async fn delete_schedule(access: Access<Admins>, Path(id): Path<ScheduleId>) -> ApiResult<StatusCode> {
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    schedules::remove(&mut tx, admin.id, id).await.answered()?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add the holidays of an iCalendar file to a schedule (owners and admins): its all-day events,
/// a yearly rule expanded over this year and the next two.
#[utoipa::path(post, path = "/v1/schedules/{id}/holidays/import", tag = "business hours", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body(content = String, content_type = "text/calendar", description = "An iCalendar file (RFC 5545), at most 1 MiB"),
    responses(
        (status = 200, description = "What was added", body = Imported),
        Access<Admins>,
        NotFound,
        (status = 413, description = "`payload_too_large`: over 1 MiB"),
        (status = 415, description = "`unsupported_media_type`: not text/calendar"),
        (status = 422, description = "`validation_failed`: not an iCalendar file; `limit_reached`: the schedule would hold over 500 holidays"),
    ))]
pub async fn import_holidays(
    access: Access<Admins>,
    Path(id): Path<ScheduleId>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> ApiResult<Json<Imported>> {
    let calendar_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("text/calendar")));
    if !calendar_type {
        return Err(ApiError::unsupported_media_type("expected a body with Content-Type: text/calendar"));
    }
    let raw = axum::body::to_bytes(body, CALENDAR_MAX_BYTES)
        .await
        .map_err(|_| ApiError::payload_too_large(CALENDAR_MAX_BYTES))?;
    let not_a_calendar = |why: String| ApiError::invalid(vec![FieldError::new("body", why)]);
    let text = std::str::from_utf8(&raw).map_err(|_| not_a_calendar("must be UTF-8 text".into()))?;
    let found = calendar::holidays(text, Utc::now().date_naive()).map_err(|err| not_a_calendar(err.to_string()))?;
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let imported = schedules::import_holidays(&mut tx, admin.id, id, found.holidays).await.answered()?;
    tx.commit().await?;
    Ok(Json(Imported { imported, skipped: found.skipped }))
}
