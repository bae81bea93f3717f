//! `PATCH /v1/tickets/{id}`: staff correct a ticket's subject, category, priority or metadata,
//! change its tags or custom fields, or move it to another team; a customer sets the custom
//! fields customers may set on their own ticket. A new priority moves the SLA due dates to its targets; an unassigned
//! ticket moved into a routed team is assigned there when a member may take it.

use axum::Json;
use axum::extract::Path;
use sav::ids::{OrganizationId, TeamId, TicketId};
use sav::tickets::change::Change;
use sav::tickets::fields;
use sav::tickets::lifecycle::Edit;
use sav::tickets::priority::Priority;
use sav::tickets::view::TicketView;
use sav::tickets::{content, tags};
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use shared::http::openapi::NotFound;
use utoipa::ToSchema;

use super::reject;
use crate::commands::TicketWriter;
use crate::routes::nullable;

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
    pub team_id: Option<Option<TeamId>>,
    /// One of the requester's customer organisations; `null` leaves it without one.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    #[allow(clippy::option_option, reason = "absent keeps, null clears, a value sets")]
    pub organization_id: Option<Option<OrganizationId>>,
    /// The whole set of tags (at most 20; each trimmed and lower-cased, then
    /// `[a-z0-9][a-z0-9_:-]{0,49}`); `[]` removes them all. Not with `add_tags` or `remove_tags`.
    pub tags: Option<Vec<String>>,
    /// Tags to add to whatever the ticket holds when the change is written (two agents tagging
    /// at once both keep theirs).
    pub add_tags: Option<Vec<String>>,
    /// Tags to take off, if the ticket holds them.
    pub remove_tags: Option<Vec<String>>,
    /// Custom fields' values merged into the ticket's (`null` clears one); the only change a
    /// customer may make, to the fields editable by customers.
    #[schema(value_type = Option<Object>)]
    pub fields: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Change a ticket's fields (staff), or its custom fields (staff, or its customer for the fields
/// they may set).
#[utoipa::path(patch, path = "/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = TicketPatch,
    responses(
        (status = 200, description = "The changed ticket", body = TicketView),
        (status = 403, description = "`forbidden`: customers changing anything but `fields`"),
        NotFound,
        (status = 409, description = "`ticket_closed`"),
        (status = 422, description = "`validation_failed`: field rules, a bad tag, a custom field's value (naming `fields.KEY`), `team_id` not a team of this organisation, or `organization_id` not one of the requester's customer organisations; `limit_reached`: the ticket would hold more than 20 tags"),
    ))]
pub async fn patch_ticket(
    writer: TicketWriter,
    Path(id): Path<TicketId>,
    JsonBody(mut patch): JsonBody<TicketPatch>,
) -> ApiResult<Json<TicketView>> {
    let mut changes = Vec::with_capacity(2);
    let given = patch.fields.take();
    if let Some(edit) = patch.checked(given.is_some())? {
        changes.push(Change::Edit(edit));
    }
    changes.extend(given.map(Change::Fields));
    let mut db = writer.connect().await?;
    let written = writer.change(&mut db, id, changes).await?;
    let shown = fields::shown(&mut *db.begin().await?, written.viewer).await?;
    Ok(Json(TicketView::new(written.ticket, written.viewer, &shown)))
}

impl TicketPatch {
    /// The edit this patch asks for besides custom fields, every field checked (422 with each
    /// field's error); `None`: it changes `custom_fields` only.
    fn checked(self, custom_fields: bool) -> ApiResult<Option<Edit>> {
        let edits = !(self.subject.is_none()
            && self.category.is_none()
            && self.priority.is_none()
            && self.metadata.is_none()
            && self.team_id.is_none()
            && self.organization_id.is_none()
            && self.tags.is_none()
            && self.add_tags.is_none()
            && self.remove_tags.is_none());
        if !edits {
            return if custom_fields {
                Ok(None)
            } else {
                Err(ApiError::invalid(vec![FieldError::new("", "name at least one field to change")]))
            };
        }
        let mut errors = Vec::new();
        let mut keep = |result: Result<String, FieldError>| result.map_err(|e| errors.push(e)).ok();
        let subject = self.subject.as_deref().map(|s| keep(content::subject("subject", s)));
        let category = self.category.map(|c| c.map(|c| keep(content::category(&c))));
        let metadata = self.metadata.map(|m| content::metadata(m).map_err(|e| errors.push(e)).ok());
        let tags = tag_change(self.tags, self.add_tags, self.remove_tags).map_err(|e| errors.push(e)).ok();
        reject(errors)?;
        Ok(Some(Edit {
            subject: subject.flatten(),
            category: category.map(Option::flatten),
            priority: self.priority,
            metadata: metadata.flatten(),
            team_id: self.team_id,
            organization_id: self.organization_id,
            tags: tags.flatten(),
        }))
    }
}

/// The tag change a patch asks for: a whole set, or tags added and removed (not both ways).
fn tag_change(
    set: Option<Vec<String>>,
    add: Option<Vec<String>>,
    remove: Option<Vec<String>>,
) -> Result<Option<tags::Change>, FieldError> {
    match (set, add, remove) {
        (None, None, None) => Ok(None),
        (Some(set), None, None) => Ok(Some(tags::Change::Replace(tags::checked("tags", &set)?))),
        (Some(_), _, _) => Err(FieldError::new("tags", "give the whole set, or add_tags and remove_tags, not both")),
        (None, add, remove) => {
            let add = tags::checked("add_tags", add.as_deref().unwrap_or_default())?;
            let remove = tags::checked("remove_tags", remove.as_deref().unwrap_or_default())?;
            tags::Change::adjust(add, remove).map(Some)
        }
    }
}
