//! `POST /v1/tickets/bulk/status`: one status for up to 100 tickets, each through the same
//! state machine and rules as `POST /v1/tickets/{id}/status`, in a transaction of its own: a
//! ticket that cannot move never undoes the others, and the answer says, per ticket, what
//! happened. Staff only. Retried with the same `Idempotency-Key`, it answers the same without
//! acting again.

use std::collections::HashSet;

use axum::Json;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use sav::tickets::change::Change;
use sav::tickets::content;
use sav::tickets::status::Status;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError, Problem};
use shared::http::JsonBody;
use utoipa::ToSchema;

use crate::access::{Access, Staff};
use crate::commands::TicketWriter;
use crate::infra::idempotency::{self, Claim, Keyed};
use sav::ids::TicketId;

/// Tickets one request may change.
pub const MAX_TICKETS: usize = 100;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkStatusChange {
    /// 1 to 100 distinct ticket ids.
    #[schema(value_type = Vec<i64>)]
    pub ticket_ids: Vec<TicketId>,
    pub status: Status,
    /// Up to 1,000 characters, for every ticket.
    pub reason: Option<String>,
}

/// What happened to one ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketOutcome {
    #[schema(value_type = i64)]
    pub ticket_id: TicketId,
    pub ok: bool,
    /// The ticket's status now, when it moved (or already had it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Why it did not move: the problem the single endpoint would have answered
    /// (`invalid_transition` with `allowed`, `not_found` for a ticket the caller may not see,
    /// `ticket_closed`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Problem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkStatusResult {
    /// One entry per ticket, in the order asked.
    pub results: Vec<TicketOutcome>,
    pub succeeded: usize,
    pub failed: usize,
}

fn check(body: &BulkStatusChange) -> Result<Option<String>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let ids = &body.ticket_ids;
    if ids.is_empty() || ids.len() > MAX_TICKETS {
        errors.push(FieldError::new("ticket_ids", format!("must hold 1 to {MAX_TICKETS} ticket ids")));
    }
    if ids.iter().any(|id| id.0 <= 0) {
        errors.push(FieldError::new("ticket_ids", "ticket ids are positive"));
    }
    if ids.iter().collect::<HashSet<_>>().len() != ids.len() {
        errors.push(FieldError::new("ticket_ids", "must not name a ticket twice"));
    }
    let reason = content::reason(body.reason.as_deref()).map_err(|e| errors.push(e)).ok().flatten();
    if errors.is_empty() { Ok(reason) } else { Err(errors) }
}

/// Change the status of several tickets (staff).
#[utoipa::path(post, path = "/v1/tickets/bulk/status", tag = "tickets", security(("bearer" = [])),
    request_body = BulkStatusChange,
    params(("Idempotency-Key" = Option<String>, Header,
        description = "1 to 255 visible ASCII characters: a retry with the same key and body answers the same for 24 h without acting again")),
    responses(
        (status = 200, description = "Per ticket, whether it moved or why not (a replay carries `Idempotent-Replayed: true`)",
            body = BulkStatusResult),
        Access<Staff>,
        (status = 409, description = "`conflict`: a request with this key is still running"),
        (status = 422, description = "`validation_failed`: no ids, more than 100, an id twice, reason too long; `idempotency_key_reused`"),
    ))]
pub async fn change_statuses(
    writer: TicketWriter,
    access: Access<Staff>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<BulkStatusChange>,
) -> ApiResult<Response> {
    let reason = check(&body).map_err(ApiError::invalid)?;
    let keyed = Keyed::from_headers(&headers, "POST /v1/tickets/bulk/status", &body)?;
    let (staff, mut db) = access.connect().await?;
    if let Some(keyed) = &keyed {
        // Committed before the tickets move: a retry meanwhile sees the key taken.
        let mut tx = db.begin().await?;
        let claim = idempotency::claim(&mut tx, staff.id, keyed, Utc::now()).await?;
        tx.commit().await?;
        if let Claim::Answered(answer) = claim {
            let mut response = Json(answer).into_response();
            response.headers_mut().insert(idempotency::REPLAYED, HeaderValue::from_static("true"));
            return Ok(response);
        }
    }
    let mut results = Vec::with_capacity(body.ticket_ids.len());
    for &id in &body.ticket_ids {
        let change = vec![Change::Status { to: body.status, reason: reason.clone() }];
        match writer.change(&mut db, id, change).await {
            Ok(written) => results.push(TicketOutcome::moved(id, written.ticket.status)),
            Err(err) if err.status().is_server_error() => {
                // The database failed under us: what moved stays moved; the key is given back
                // so that a retry finishes the rest (the ones that moved answer as such).
                if let Some(keyed) = &keyed {
                    let released = async {
                        let mut tx = db.begin().await?;
                        idempotency::release(&mut tx, staff.id, keyed).await?;
                        tx.commit().await
                    };
                    let _ = released.await;
                }
                return Err(err);
            }
            Err(err) => results.push(TicketOutcome::refused(id, &err)),
        }
    }
    let answer = serde_json::to_value(BulkStatusResult::of(results)).expect("answers serialise");
    if let Some(keyed) = &keyed {
        let mut tx = db.begin().await?;
        idempotency::record(&mut tx, staff.id, keyed, &answer).await?;
        tx.commit().await?;
    }
    Ok(Json(answer).into_response())
}

impl TicketOutcome {
    fn moved(ticket_id: TicketId, status: Status) -> Self {
        Self { ticket_id, ok: true, status: Some(status), error: None }
    }

    fn refused(ticket_id: TicketId, err: &ApiError) -> Self {
        Self { ticket_id, ok: false, status: None, error: Some(err.problem()) }
    }
}

impl BulkStatusResult {
    fn of(results: Vec<TicketOutcome>) -> Self {
        let succeeded = results.iter().filter(|r| r.ok).count();
        Self { failed: results.len() - succeeded, succeeded, results }
    }
}
