//! `POST /v1/tickets/{id}/merge`: staff fold duplicates into one ticket. The sources' messages
//! (internal notes staying internal) and attachments move into the target in time order; each
//! source is closed by the system with a reason naming the target and points at it; the
//! target's history names its sources. Every ticket involved is locked in id order, so two
//! merges touching the same tickets take turns and never lose a message.

use std::collections::HashSet;

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;

use crate::context::{TenantContext, TenantDb};
use crate::events::enqueue;
use crate::tickets::access::Viewer;
use crate::tickets::history::{self, Action, Entry};
use crate::tickets::lifecycle::{self, Acting, Move};
use crate::tickets::merging;
use crate::tickets::status::{Actor, Status};
use crate::tickets::store::{self, Ticket};

/// Sources one merge may fold in.
pub const MAX_SOURCES: usize = 20;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// 1 to 20 distinct tickets to fold into this one.
    pub source_ticket_ids: Vec<i64>,
    /// Admins only: merge tickets of different customers (each customer then sees the merged
    /// thread's public messages on the target only if it is theirs).
    #[serde(default)]
    pub allow_different_customers: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeResult {
    /// The target, as it is now.
    pub ticket: Ticket,
    /// Every ticket merged into the target so far, oldest first.
    pub merged_from: Vec<i64>,
    pub messages_moved: i64,
    pub attachments_moved: i64,
}

fn check(target: i64, request: &MergeRequest) -> Result<(), Vec<FieldError>> {
    let sources = &request.source_ticket_ids;
    let mut errors = Vec::new();
    if sources.is_empty() || sources.len() > MAX_SOURCES {
        errors.push(FieldError::new("source_ticket_ids", format!("must hold 1 to {MAX_SOURCES} ticket ids")));
    }
    if sources.contains(&target) {
        errors.push(FieldError::new("source_ticket_ids", "a ticket cannot be merged into itself"));
    }
    if sources.iter().any(|id| *id <= 0) {
        errors.push(FieldError::new("source_ticket_ids", "ticket ids are positive"));
    }
    if sources.iter().collect::<HashSet<_>>().len() != sources.len() {
        errors.push(FieldError::new("source_ticket_ids", "must not name a ticket twice"));
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Merge tickets into this one (staff).
#[utoipa::path(post, path = "/v1/tickets/{id}/merge", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = MergeRequest,
    responses(
        (status = 200, description = "The target with its new thread's counts", body = MergeResult),
        (status = 403, description = "`forbidden`: customers; agents asking `allow_different_customers`"),
        (status = 404, description = "`not_found`: the target or a source does not exist or is not the caller's to see"),
        (status = 409, description = "`ticket_closed`: the target or a source is closed; `different_customers`"),
        (status = 422, description = "`validation_failed`: no source, more than 20, a ticket twice, the target among its sources"),
    ))]
pub async fn merge_tickets(
    context: TenantContext,
    tenant_db: TenantDb,
    Path(id): Path<i64>,
    JsonBody(request): JsonBody<MergeRequest>,
) -> ApiResult<Json<MergeResult>> {
    check(id, &request).map_err(ApiError::invalid)?;
    let mut db = tenant_db.connect().await?;
    let viewer = Viewer::load(&mut db, context.user_id).await?;
    viewer.require_staff()?;
    if request.allow_different_customers {
        viewer
            .require_admin()
            .map_err(|_| ApiError::forbidden("only owners and admins may merge tickets of different customers"))?;
    }
    let mut tx = db.begin().await?;
    match merge_in(&mut tx, &context, viewer, id, &request).await {
        Ok(merged) => {
            tx.commit().await?;
            Ok(Json(merged))
        }
        Err(err) => {
            // Now: the row locks must not wait for the connection's next use.
            let _ = tx.rollback().await;
            Err(err)
        }
    }
}

async fn merge_in(
    tx: &mut PgConnection,
    context: &TenantContext,
    viewer: Viewer,
    id: i64,
    request: &MergeRequest,
) -> ApiResult<MergeResult> {
    let now = Utc::now();
    // Locked in id order: merges that share tickets wait for each other instead of deadlocking.
    let mut ids: Vec<i64> = request.source_ticket_ids.clone();
    ids.push(id);
    ids.sort_unstable();
    let mut target = None;
    let mut sources = Vec::with_capacity(request.source_ticket_ids.len());
    for ticket_id in ids {
        let (_, ticket) = store::visible(tx, context.user_id, ticket_id, true).await?;
        store::ensure_open(&ticket)?;
        if ticket_id == id { target = Some(ticket) } else { sources.push(ticket) }
    }
    let mut target = target.expect("the target was locked with the sources");
    if !request.allow_different_customers && sources.iter().any(|s| s.user_id != target.user_id) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "different_customers",
            "these tickets are about different customers; an admin may merge them with allow_different_customers",
        ));
    }
    let source_ids: Vec<i64> = sources.iter().map(|s| s.id).collect();
    let moved = merging::move_threads(tx, target.id, &source_ids).await?;
    let mut events = Vec::new();
    let closing = format!("merged into {}", target.ticket_number);
    for source in &mut sources {
        let change = Move { to: Status::Closed, assign: None, reason: Some(closing.clone()) };
        let system = Acting { by: None, actor: Actor::System };
        events.extend(lifecycle::apply(tx, source, change, system, Action::StatusChanged, now).await?);
        store::save(tx, source).await?;
    }
    let numbers: Vec<&str> = sources.iter().map(|s| s.ticket_number.as_str()).collect();
    history::record(
        tx,
        Entry {
            ticket_id: target.id,
            actor_id: Some(viewer.id),
            actor: viewer.actor(),
            action: Action::Updated,
            from: None,
            to: None,
            reason: Some(&format!("merged {} into this ticket", numbers.join(", "))),
            changes: json!({ "merged_from": [null, source_ids] }),
            at: now,
        },
    )
    .await?;
    target.updated_at = now;
    store::save(tx, &target).await?;
    enqueue(tx, &context.tenant, now, &events).await?;
    let (merged_from, _) = merging::links(tx, target.id).await?;
    Ok(MergeResult {
        ticket: target,
        merged_from,
        messages_moved: moved.messages,
        attachments_moved: moved.attachments,
    })
}
