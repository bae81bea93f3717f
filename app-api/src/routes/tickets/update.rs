//! `PATCH /v1/tickets/{id}`: staff correct a ticket's subject, category, priority or metadata, or
//! move it to another team. A new priority moves the SLA due dates to its targets; an unassigned
//! ticket moved into a routed team is assigned there when a member may take it.

use axum::Json;
use axum::extract::Path;
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use shared::http::openapi::NotFound;
use utoipa::ToSchema;

use super::reject;
use crate::commands::{Change, TicketWriter};
use crate::routes::nullable;
use crate::sav::tickets::content;
use crate::sav::tickets::lifecycle::Edit;
use crate::sav::tickets::priority::Priority;
use crate::sav::tickets::view::TicketView;

/// The fields to change; absent ones stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    pub subject: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    #[allow(clippy::option_option, reason = "absent keeps, null clears, a value sets")]
    pub category: Option<Option<String>>,
    pub priority: Option<Priority>,
    /// Replaces the whole object (at most 16 KiB).
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
    /// The team whose queue it is in; `null` takes it out of its team.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    #[allow(clippy::option_option, reason = "absent keeps, null clears, a value sets")]
    pub team_id: Option<Option<uuid::Uuid>>,
}

/// Change a ticket's fields (staff).
#[utoipa::path(patch, path = "/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = TicketPatch,
    responses(
        (status = 200, description = "The changed ticket", body = TicketView),
        (status = 403, description = "`forbidden`: customers"),
        NotFound,
        (status = 409, description = "`ticket_closed`"),
        (status = 422, description = "`validation_failed`, or `team_id` not a team of this organisation"),
    ))]
pub async fn patch_ticket(
    writer: TicketWriter,
    Path(id): Path<i64>,
    JsonBody(patch): JsonBody<TicketPatch>,
) -> ApiResult<Json<TicketView>> {
    let edit = patch.checked()?;
    let mut db = writer.connect().await?;
    let written = writer.change(&mut db, id, vec![Change::Edit(edit)]).await?;
    Ok(Json(TicketView::new(written.ticket, written.viewer)))
}

impl TicketPatch {
    /// The edit this patch asks for, every field checked (422 with each field's error).
    fn checked(self) -> ApiResult<Edit> {
        if self.subject.is_none()
            && self.category.is_none()
            && self.priority.is_none()
            && self.metadata.is_none()
            && self.team_id.is_none()
        {
            return Err(ApiError::invalid(vec![FieldError::new("", "name at least one field to change")]));
        }
        let mut errors = Vec::new();
        let mut keep = |result: Result<String, FieldError>| result.map_err(|e| errors.push(e)).ok();
        let subject = self.subject.as_deref().map(|s| keep(content::subject("subject", s)));
        let category = self.category.map(|c| c.map(|c| keep(content::category(&c))));
        let metadata = self.metadata.map(|m| content::metadata(m).map_err(|e| errors.push(e)).ok());
        reject(errors)?;
        Ok(Edit {
            subject: subject.flatten(),
            category: category.map(Option::flatten),
            priority: self.priority,
            metadata: metadata.flatten(),
            team_id: self.team_id,
        })
    }
}
