//! Reports: the dashboards (`GET /v1/sla/summary` for staff over the tickets each may see,
//! `GET /v1/agents/workload` for admins), and for admins the performance report
//! (`GET /v1/reports/performance`), every ticket of a range as CSV
//! (`GET /v1/reports/tickets.csv`, streamed), and the digest's settings
//! (`GET`/`PUT /v1/reports/digest`).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use control_schema::schedule::{self, Work};
use sav::reports::dashboard::{self, AgentLoad, SlaSummary};
use sav::reports::digest::{self, Digest, DigestSettings, Stored};
use sav::reports::performance::{self, PerformanceReport};
use sav::reports::range::{Grouping, Period, Range};
use sav::reports::tickets_csv::{self, Writer};
use sav::tickets::access::Viewer;
use sav::tickets::fields::{self, Condition, Field};
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::{JsonBody, Page, PageParams, invalid_query, parse_list_query};
use tokio::sync::mpsc;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::access::{Access, Admins, Staff};
use crate::refusals::Answered as _;
use crate::routes::tickets::list::TicketFilter;
use crate::tenancy::Tenancy;
use crate::tenancy::pools::TenantConnection;

/// Where the SLA stands over the tickets the caller may see.
#[utoipa::path(get, path = "/v1/sla/summary", tag = "reports", security(("bearer" = [])),
    responses(
        (status = 200, description = "The summary", body = SlaSummary),
        Access<Staff>,
    ))]
pub async fn get_sla_summary(access: Access<Staff>) -> ApiResult<Json<SlaSummary>> {
    let (viewer, mut db) = access.connect().await?;
    Ok(Json(dashboard::sla_summary(&mut *db.begin().await?, viewer, Utc::now()).await?))
}

/// Tickets assigned to each staff member, by status (owners and admins).
#[utoipa::path(get, path = "/v1/agents/workload", tag = "reports", security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "One row per active staff member", body = Page<AgentLoad>),
        Access<Admins>,
    ))]
pub async fn get_workload(access: Access<Admins>, Query(page): Query<PageParams>) -> ApiResult<Json<Page<AgentLoad>>> {
    let rows = async |after, limit| -> ApiResult<_> {
        let (_, mut db) = access.connect().await?;
        Ok(dashboard::workload(&mut *db.begin().await?, after, limit).await?)
    };
    Ok(Json(page.fetch(rows, |a| a.user_id).await?))
}

/// The performance report's parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PerformanceQuery {
    /// The first instant of creation counted: RFC 3339, or a date (midnight in `time_zone`).
    pub from: Option<String>,
    /// The end of the range, exclusive; at most 366 days after `from`.
    pub to: Option<String>,
    /// `agent` (the current assignee), `team`, `priority`, `tag` or `channel`.
    pub group_by: Option<String>,
    /// `day`, `week` (Monday to Sunday) or `month`: each group split by period of creation.
    pub period: Option<String>,
    /// The IANA zone of the dates and periods; `UTC` by default.
    pub time_zone: Option<String>,
}

/// Response and resolution times, resolutions, reopenings, SLA and satisfaction of the tickets
/// created in a range, by group and period (owners and admins).
#[utoipa::path(get, path = "/v1/reports/performance", tag = "reports", security(("bearer" = [])), params(PerformanceQuery),
    responses(
        (status = 200, description = "The report", body = PerformanceReport),
        Access<Admins>,
        (status = 400, description = "`validation_failed`: an unknown parameter"),
        (status = 422, description = "`validation_failed`: `from` or `to` missing or unreadable, `from` after `to`, a span over 366 days, an unknown `group_by`, `period` or `time_zone`, or more than 10,000 rows (on `period`)"),
    ))]
pub async fn get_performance(access: Access<Admins>, RawQuery(query): RawQuery) -> ApiResult<Json<PerformanceReport>> {
    let query: PerformanceQuery = parse_list_query(query.as_deref().unwrap_or_default())?;
    let range = Range::parse(query.from.as_deref(), query.to.as_deref(), query.time_zone.as_deref());
    let grouping = Grouping::parse(query.group_by.as_deref());
    let period = Period::parse(query.period.as_deref());
    let (range, grouping, period) = match (range, grouping, period) {
        (Ok(range), Ok(grouping), Ok(period)) => (range, grouping, period),
        (range, grouping, period) => {
            let mut errors = range.err().unwrap_or_default();
            errors.extend(grouping.err());
            errors.extend(period.err());
            return Err(ApiError::invalid(errors));
        }
    };
    let (_, mut db) = access.connect().await?;
    let mut tx = db.begin_report().await?;
    let report = performance::report(&mut tx, &range, grouping, period, Utc::now()).await?.ok_or_else(|| {
        let message = "the report would have more than 10,000 rows: narrow the range or choose a longer period";
        ApiError::invalid(vec![FieldError::new("period", message)])
    })?;
    tx.rollback().await?;
    Ok(Json(report))
}

/// CSV downloads one tenant may run at once on one replica (each holds a connection).
const EXPORTS_PER_TENANT: usize = 2;

/// The CSV downloads running on this replica, by tenant.
static EXPORTS: LazyLock<Mutex<HashMap<Uuid, usize>>> = LazyLock::new(Mutex::default);

/// A running download of a tenant's, counted until it is dropped.
struct ExportSlot(Uuid);

impl ExportSlot {
    fn take(tenant: Uuid) -> Option<Self> {
        let mut running = EXPORTS.lock().expect("never poisoned");
        let count = running.entry(tenant).or_default();
        (*count < EXPORTS_PER_TENANT).then(|| {
            *count += 1;
            Self(tenant)
        })
    }
}

impl Drop for ExportSlot {
    fn drop(&mut self) {
        let mut running = EXPORTS.lock().expect("never poisoned");
        if let Some(count) = running.get_mut(&self.0) {
            *count -= 1;
            if *count == 0 {
                running.remove(&self.0);
            }
        }
    }
}

/// Parameters of the list that a report does not take.
const NOT_FILTERS: [&str; 3] = ["limit", "cursor", "sort"];

/// Every ticket created in a range (and matching any `GET /v1/tickets` filter) as RFC 4180 CSV,
/// oldest first, streamed (owners and admins).
#[utoipa::path(get, path = "/v1/reports/tickets.csv", tag = "reports", security(("bearer" = [])),
    params(
        ("from" = String, Query, description = "The first instant of creation: RFC 3339, or a date (midnight in `time_zone`)"),
        ("to" = String, Query, description = "The end, exclusive; at most 366 days after `from`"),
        ("time_zone" = Option<String>, Query, description = "The IANA zone of the dates; `UTC` by default"),
        TicketFilter,
    ),
    responses(
        (status = 200, description = "The tickets: a header row (`number`, `subject`, `status`, `priority`, `team`, `assignee`, `customer_email`, `organization` (the name of its customer organisation), `tags`, `field.KEY` for each custom field, `created_at`, `first_response_at`, `resolved_at`, `closed_at`, `first_response_minutes`, `first_response_business_minutes`, `resolution_minutes`, `resolution_business_minutes`, `sla_met`, `csat`), then a row per ticket", content_type = "text/csv"),
        Access<Admins>,
        (status = 400, description = "`validation_failed`: an unknown parameter or value, or one of the list's paging parameters (`limit`, `cursor`, `sort`)"),
        (status = 422, description = "`validation_failed`: `from` or `to` missing or unreadable, `from` after `to`, a span over 366 days, an unknown `time_zone`, a bad filter"),
        (status = 429, description = "`rate_limited`: two downloads of this organisation are running; `Retry-After` says when to try again"),
    ))]
pub async fn get_tickets_csv(access: Access<Admins>, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let (bounds, rest) = split_range(&query.unwrap_or_default())?;
    let filter = TicketFilter::parse(&rest)?;
    filter.checked()?;
    let bound = |name: &str| bounds.get(name).map(String::as_str);
    let range = Range::parse(bound("from"), bound("to"), bound("time_zone")).map_err(ApiError::invalid)?;
    let tenant = access.tenant();
    let slot = ExportSlot::take(tenant.id).ok_or_else(|| {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "two downloads of this organisation are running")
            .with_retry_after(5)
    })?;
    let (viewer, mut db) = access.connect().await?;
    let (conditions, columns) = {
        let mut tx = db.begin().await?;
        (fields::resolve(&mut tx, viewer, &filter.custom).await.answered()?, fields::all(&mut tx).await?)
    };
    let name = format!("tickets-{}-{}.csv", range.date_of(range.from), range.date_of(range.to));
    let (sender, mut receiver) = mpsc::channel::<Chunk>(2);
    let export = Export { viewer, range, filter, conditions, columns, now: Utc::now() };
    tokio::spawn(write_csv(db, export, sender, slot));
    let chunks = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    let mut response = Response::new(Body::from_stream(chunks));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let disposition = format!("attachment; filename=\"{name}\"");
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("a plain file name"));
    Ok(response)
}

/// `query` (without its `?`) as the range's parameters and the list's filters; the list's
/// paging parameters are a 400 naming them.
fn split_range(query: &str) -> ApiResult<(HashMap<String, String>, String)> {
    let mut bounds = HashMap::new();
    let mut filters = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "from" | "to" | "time_zone" => {
                bounds.insert(name.into_owned(), value.into_owned());
            }
            other if NOT_FILTERS.contains(&other) => {
                return Err(invalid_query(vec![FieldError::new(other, "a report takes every ticket of its range")]));
            }
            _ => {
                filters.append_pair(&name, &value);
            }
        }
    }
    Ok((bounds, filters.finish()))
}

type Chunk = Result<Bytes, std::io::Error>;

/// What the CSV's writer reads.
struct Export {
    viewer: Viewer,
    range: Range,
    filter: TicketFilter,
    conditions: Vec<Condition>,
    columns: Vec<Field>,
    now: DateTime<Utc>,
}

/// Sends the header row at once, then the tickets a batch at a time from a cursor, at the
/// exports' pace (`REPORT_EXPORT_ROWS_PER_SECOND`); stops when the client goes. A failure cuts the response (the client sees a truncated download, never a
/// complete-looking one).
async fn write_csv(mut db: TenantConnection, export: Export, out: mpsc::Sender<Chunk>, _slot: ExportSlot) {
    let mut writer = Writer::new(&export.columns);
    writer.header();
    if out.send(Ok(Bytes::from(writer.take()))).await.is_err() {
        return;
    }
    let pace = db.export_pace();
    let written = async {
        let mut tx = db.begin_report().await?;
        let mut filter =
            export.filter.checked().map_err(|_| sqlx::Error::Protocol("a filter checked before".into()))?;
        filter.fields = export.conditions;
        tickets_csv::open(&mut tx, export.viewer, &export.range, &filter, export.now).await?;
        let (started, mut written) = (tokio::time::Instant::now(), 0_u64);
        loop {
            let lines = tickets_csv::next(&mut tx).await?;
            if lines.is_empty() {
                break;
            }
            for line in &lines {
                writer.line(line);
            }
            if out.send(Ok(Bytes::from(writer.take()))).await.is_err() {
                break;
            }
            // At its pace: the next batch no sooner than its rows are due.
            written += lines.len() as u64;
            if let Some(pace) = pace {
                #[allow(clippy::cast_precision_loss, reason = "rows")]
                let due = Duration::from_secs_f64(written as f64 / f64::from(pace));
                tokio::time::sleep_until(started + due).await;
            }
        }
        tx.rollback().await
    };
    if let Err(err) = written.await {
        tracing::warn!(error = %err, "tickets CSV cut short");
        let _ = out.send(Err(std::io::Error::other("the report could not be completed"))).await;
    }
}

/// The digest's settings, and when it is next sent (owners and admins).
#[utoipa::path(get, path = "/v1/reports/digest", tag = "reports", security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings (off, Monday 8:00 UTC, nobody, until saved)", body = Digest),
        Access<Admins>,
    ))]
pub async fn get_digest(access: Access<Admins>) -> ApiResult<Json<Digest>> {
    let (_, mut db) = access.connect().await?;
    let stored = digest::read(&mut *db.begin().await?, false).await?.unwrap_or_else(Stored::unset);
    Ok(Json(stored.view(Utc::now())))
}

/// Set the digest: a summary of the period just ended, mailed at an hour of a time zone, daily
/// or weekly, exactly once per period; saved during its hour, this period's digest goes at once
/// (owners and admins).
#[utoipa::path(put, path = "/v1/reports/digest", tag = "reports", security(("bearer" = [])), request_body = DigestSettings,
    responses(
        (status = 200, description = "The settings, and when the digest is next sent", body = Digest),
        Access<Admins>,
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type, unknown frequency or weekday"),
        (status = 422, description = "`validation_failed`: `hour` out of 0..23, an unknown `time_zone`, more than 20 `recipients`, a bad address (`recipients[N]`), no recipient for a digest that is on"),
    ))]
pub async fn put_digest(
    State(tenancy): State<Arc<Tenancy>>,
    access: Access<Admins>,
    JsonBody(settings): JsonBody<DigestSettings>,
) -> ApiResult<Json<Digest>> {
    let settings = settings.checked().map_err(ApiError::invalid)?;
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let saved = digest::save(&mut tx, admin.id, settings, Utc::now()).await?;
    tx.commit().await?;
    schedule::set_due(&tenancy.control_db, Work::Digest, access.tenant().id, saved.next_send_at).await?;
    Ok(Json(saved))
}
