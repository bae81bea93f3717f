//! `POST /v1/tickets`: a customer (or staff, for a customer or themselves) opens a ticket. The
//! priority comes from the rules unless staff choose it; the SLA clock starts now, held to the
//! targets of the tenant's current SLA policy, which the ticket keeps.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use chrono::Utc;
use serde::Deserialize;
use shared::auth::Role;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;
use uuid::Uuid;

use super::reject;
use crate::context::{TenantContext, TenantDb};
use crate::events::enqueue;
use crate::orders;
use crate::tickets::access::Viewer;
use crate::tickets::content;
use crate::tickets::events::Event;
use crate::tickets::history::{self, Action, Entry};
use crate::tickets::priority::{self, Facts, Priority};
use crate::tickets::sla_policy;
use crate::tickets::status::{Actor, Status};
use crate::tickets::store::{self, NewTicket, Ticket};
use crate::users;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicket {
    /// 1 to 255 characters.
    pub subject: String,
    /// HTML allowed (sanitised), up to 20,000 characters.
    pub description: String,
    /// `a-z`, `0-9`, `_`, `-`; `payment_failure` makes the ticket urgent.
    pub category: Option<String>,
    pub order_id: Option<i64>,
    /// Staff only; ignored for customers, whose tickets get the priority the rules give.
    pub priority: Option<Priority>,
    /// A JSON object of at most 16 KiB.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
    /// Staff only: the customer the ticket is for (default: the caller).
    pub user_id: Option<Uuid>,
}

/// Open a ticket.
#[utoipa::path(post, path = "/v1/tickets", tag = "tickets", security(("bearer" = [])), request_body = CreateTicket,
    responses(
        (status = 201, description = "Created", body = Ticket),
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        (status = 403, description = "`forbidden`: a customer opening a ticket for someone else"),
        (status = 422, description = "`validation_failed`: field rules"),
    ))]
pub async fn create_ticket(
    context: TenantContext,
    tenant_db: TenantDb,
    JsonBody(body): JsonBody<CreateTicket>,
) -> ApiResult<(StatusCode, HeaderMap, Json<Ticket>)> {
    let mut errors = Vec::new();
    let mut check = |result: Result<String, FieldError>| result.map_err(|e| errors.push(e)).ok();
    let subject = check(content::subject("subject", &body.subject));
    let description = check(content::rich_text("description", &body.description, true));
    let category =
        body.category.as_deref().map(content::category).transpose().map_err(|e| errors.push(e)).ok().flatten();
    let metadata =
        content::metadata(body.metadata.unwrap_or_else(|| serde_json::json!({}))).map_err(|e| errors.push(e)).ok();
    if body.order_id.is_some_and(|id| id <= 0) {
        errors.push(FieldError::new("order_id", "must be a positive integer"));
    }
    reject(errors)?;
    let (Some(subject), Some(description), Some(metadata)) = (subject, description, metadata) else {
        unreachable!("every failure was reported")
    };

    let mut db = tenant_db.connect().await?;
    let viewer = Viewer::load(&mut db, context.user_id).await?;
    let now = Utc::now();
    let mut tx = db.begin().await?;
    let customer = customer_of(&mut tx, viewer, body.user_id).await?;
    let facts = facts(&mut tx, customer.id, category.as_deref(), body.order_id).await?;
    let priority = priority::initial(&Facts {
        category: category.as_deref(),
        order_total: facts.order_total.as_ref().map(|(cents, currency)| (*cents, currency.as_str())),
        vip: customer.vip,
        same_category_before: facts.same_category_before,
        chosen_by_staff: body.priority.filter(|_| viewer.is_staff()),
    });
    let new =
        NewTicket { user_id: customer.id, subject, description, priority, category, order_id: body.order_id, metadata };
    let policy = sla_policy::current(&mut tx).await?;
    let ticket = store::insert(&mut tx, &new, &policy, now).await?;
    history::record(
        &mut tx,
        Entry {
            ticket_id: ticket.id,
            actor_id: Some(viewer.id),
            actor: viewer.actor(),
            action: Action::Created,
            from: None,
            to: Some(Status::Open),
            reason: None,
            changes: serde_json::json!({ "priority": [null, priority] }),
            at: now,
        },
    )
    .await?;
    let created = Event::TicketCreated {
        ticket_id: ticket.id,
        ticket_number: ticket.ticket_number.clone(),
        user_id: ticket.user_id,
        subject: ticket.subject.clone(),
        priority: ticket.priority,
        status: ticket.status,
        order_id: ticket.order_id,
        category: ticket.category.clone(),
    };
    enqueue(&mut tx, &context.tenant, now, &[created]).await?;
    tx.commit().await?;
    let mut headers = HeaderMap::new();
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/tickets/{}", ticket.id)) {
        headers.insert(header::LOCATION, location);
    }
    Ok((StatusCode::CREATED, headers, Json(ticket)))
}

/// The customer a ticket is for: the caller, or for staff, the customer they name.
struct Customer {
    id: Uuid,
    vip: bool,
}

async fn customer_of(conn: &mut PgConnection, viewer: Viewer, named: Option<Uuid>) -> ApiResult<Customer> {
    let id = named.unwrap_or(viewer.id);
    if id != viewer.id && viewer.actor() == Actor::Customer {
        return Err(ApiError::forbidden("customers open tickets for themselves only"));
    }
    match users::standing(conn, id).await? {
        Some(member) if id == viewer.id => Ok(Customer { id, vip: member.vip }),
        Some(member) if member.role == Role::Customer => Ok(Customer { id, vip: member.vip }),
        _ => Err(ApiError::invalid(vec![FieldError::new("user_id", "is not a customer of this tenant")])),
    }
}

/// What the priority rules need to know beyond the customer, read from the tenant database.
struct KnownFacts {
    order_total: Option<(i64, String)>,
    same_category_before: u32,
}

async fn facts(
    conn: &mut PgConnection,
    customer: Uuid,
    category: Option<&str>,
    order: Option<i64>,
) -> ApiResult<KnownFacts> {
    let mut order_total = None;
    if let Some(order) = order {
        let known = orders::total(conn, order).await?;
        // Another customer's order counts as unknown: the answer must not tell which order
        // numbers belong to someone.
        order_total = known.filter(|o| o.user_id == customer).map(|o| (o.total_cents, o.currency));
    }
    let mut same_category_before = 0;
    if let Some(category) = category {
        // Counting stops past the threshold: only "more than 3" matters.
        let at_most = i64::from(priority::REPEAT_THRESHOLD) + 1;
        let count = store::count_in_category(conn, customer, category, at_most).await?;
        same_category_before = u32::try_from(count).unwrap_or(u32::MAX);
    }
    Ok(KnownFacts { order_total, same_category_before })
}
