//! `POST /v1/tickets`: a customer (or staff, for a customer or themselves) opens a ticket. The
//! priority comes from the rules unless staff choose it; the SLA clock starts now, held to the
//! targets of the tenant's current SLA policy, which the ticket keeps.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::{Opening, TicketWriter};
use crate::sav::tickets::fields;
use crate::sav::tickets::priority::Priority;
use crate::sav::tickets::view::TicketView;
use crate::sav::tickets::{content, tags};

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
    /// Staff only (ignored for customers): the team whose queue it joins; a routed team assigns
    /// it at once to an available member when one may take it.
    pub team_id: Option<Uuid>,
    /// Staff only (ignored for customers): at most 20 tags, each trimmed and lower-cased, then
    /// `[a-z0-9][a-z0-9_:-]{0,49}`.
    pub tags: Option<Vec<String>>,
    /// Custom fields' values, `{key: value}` (staff: any field; customers: those editable by
    /// customers); a wrong type, an unknown key or option is 422 naming `fields.KEY`.
    #[schema(value_type = Option<Object>)]
    pub fields: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Open a ticket.
#[utoipa::path(post, path = "/v1/tickets", tag = "tickets", security(("bearer" = [])), request_body = CreateTicket,
    responses(
        (status = 201, description = "Created", body = TicketView),
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        (status = 403, description = "`forbidden`: a customer opening a ticket for someone else"),
        (status = 422, description = "`validation_failed`: field rules, a bad tag, a custom field's value (naming `fields.KEY`), or `team_id` not a team of this organisation; `limit_reached`: more than 20 tags"),
    ))]
pub async fn create_ticket(
    writer: TicketWriter,
    JsonBody(body): JsonBody<CreateTicket>,
) -> ApiResult<(StatusCode, HeaderMap, Json<TicketView>)> {
    let opening = body.checked()?;
    let (written, mut db) = writer.open(opening).await?;
    let mut headers = HeaderMap::new();
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/tickets/{}", written.ticket.id)) {
        headers.insert(header::LOCATION, location);
    }
    let shown = fields::shown(&mut db, written.viewer).await?;
    Ok((StatusCode::CREATED, headers, Json(TicketView::new(written.ticket, written.viewer, &shown))))
}

impl CreateTicket {
    /// The opening this body asks for, every field checked (422 with each field's error).
    fn checked(self) -> ApiResult<Opening> {
        let mut errors = Vec::new();
        let mut keep = |result: Result<String, FieldError>| result.map_err(|e| errors.push(e)).ok();
        let subject = keep(content::subject("subject", &self.subject));
        let description = keep(content::rich_text("description", &self.description, true));
        let category = self.category.as_deref().map(|c| keep(content::category(c)));
        let metadata =
            content::metadata(self.metadata.unwrap_or_else(|| serde_json::json!({}))).map_err(|e| errors.push(e)).ok();
        let tags = tags::checked("tags", self.tags.as_deref().unwrap_or_default()).map_err(|e| errors.push(e)).ok();
        if self.order_id.is_some_and(|id| id <= 0) {
            errors.push(FieldError::new("order_id", "must be a positive integer"));
        }
        match (subject, description, category, metadata, tags) {
            (Some(subject), Some(description), category, Some(metadata), Some(tags)) if errors.is_empty() => {
                Ok(Opening {
                    subject,
                    description,
                    category: category.flatten(),
                    order_id: self.order_id,
                    priority: self.priority,
                    metadata,
                    for_customer: self.user_id,
                    team_id: self.team_id,
                    tags,
                    fields: self.fields.unwrap_or_default(),
                    copied: Vec::new(),
                })
            }
            _ => Err(ApiError::invalid(errors)),
        }
    }
}
