//! `/v1/macros`: staff read the tenant's macros, owners and admins keep them; `POST
//! /v1/tickets/{id}/macros/{macro_id}` applies one to a ticket through the one write path, in one
//! transaction (`sav::macros`).

use axum::Json;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use sav::ids::{MacroId, TicketId};
use sav::macros::{self, Assignment, Effect, Fields, Macro, Patch, Preview, Reviewed};
use sav::tickets::fields;
use sav::tickets::messages::Message;
use sav::tickets::priority::Priority;
use sav::tickets::status::Status;
use sav::tickets::view::TicketView;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult};
use shared::http::openapi::NotFound;
use shared::http::{JsonBody, RawBody, parse_json, parse_list_query};
use utoipa::ToSchema;

use super::nullable;
use crate::access::{Access, Admins, Scoped, Staff};
use crate::commands::TicketWriter;
use crate::refusals::Answered as _;

#[derive(Debug, Serialize, ToSchema)]
pub struct MacroList {
    pub data: Vec<Macro>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMacro {
    /// 1 to 100 characters, unique in the tenant whatever the case.
    pub name: String,
    /// Plain text (1 to 20,000 characters) with `{{customer.firstname}}`, `{{ticket.number}}`,
    /// `{{agent.firstname}}`: the message it adds.
    pub body: Option<String>,
    /// The message is an internal note.
    #[serde(default)]
    pub is_internal: bool,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    /// `"me"`, `"nobody"` or a staff member's id.
    #[schema(value_type = Option<String>)]
    pub assign_to: Option<Assignment>,
    /// Tags it adds to the ticket (at most 20), as `PATCH /v1/tickets/{id}` takes them.
    #[serde(default)]
    pub add_tags: Vec<String>,
}

/// The fields to change; absent ones stay, `null` clears `body`, `status`, `priority` and
/// `assign_to`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(clippy::option_option, reason = "absent keeps, null clears, a value sets")]
pub struct MacroPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub body: Option<Option<String>>,
    pub is_internal: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Status>)]
    pub status: Option<Option<Status>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Priority>)]
    pub priority: Option<Option<Priority>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub assign_to: Option<Option<Assignment>>,
    /// The whole list of tags it adds (`[]`: none).
    pub add_tags: Option<Vec<String>>,
}

/// What applying a macro left.
#[derive(Debug, Serialize, ToSchema)]
pub struct Applied {
    pub ticket: TicketView,
    /// The message it added, if it has a body.
    pub message: Option<Message>,
}

/// The tenant's macros, by name (staff).
#[utoipa::path(get, path = "/v1/macros", tag = "macros", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every macro (at most 200)", body = MacroList),
        Access<Staff>,
    ))]
pub async fn list_macros(access: Access<Staff>) -> ApiResult<Json<MacroList>> {
    let (_, mut db) = access.connect().await?;
    Ok(Json(MacroList { data: macros::all(&mut *db.begin().await?).await? }))
}

/// Make a macro (owners and admins).
#[utoipa::path(post, path = "/v1/macros", tag = "macros", security(("bearer" = [])), request_body = NewMacro,
    responses(
        (status = 201, description = "The macro", body = Macro),
        Access<Admins>,
        (status = 409, description = "`macro_name_taken`"),
        (status = 422, description = "`validation_failed`: a name, a template with known placeholders, something to do; `limit_reached`: the tenant holds 200 macros"),
    ))]
pub async fn create_macro(
    access: Access<Admins>,
    JsonBody(body): JsonBody<NewMacro>,
) -> ApiResult<(StatusCode, Json<Macro>)> {
    let fields = Fields {
        name: body.name,
        body: body.body,
        is_internal: body.is_internal,
        status: body.status,
        priority: body.priority,
        assign_to: body.assign_to,
        add_tags: body.add_tags,
    };
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let created = macros::create(&mut tx, admin.id, fields).await.answered()?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Change a macro (owners and admins).
#[utoipa::path(patch, path = "/v1/macros/{id}", tag = "macros", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = MacroPatch,
    responses(
        (status = 200, description = "The macro", body = Macro),
        Access<Admins>,
        NotFound,
        (status = 409, description = "`macro_name_taken`"),
    ))]
pub async fn patch_macro(
    access: Access<Admins>,
    Path(id): Path<MacroId>,
    JsonBody(patch): JsonBody<MacroPatch>,
) -> ApiResult<Json<Macro>> {
    let patch = Patch {
        name: patch.name,
        body: patch.body,
        is_internal: patch.is_internal,
        status: patch.status,
        priority: patch.priority,
        assign_to: patch.assign_to,
        add_tags: patch.add_tags,
    };
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let changed = macros::change(&mut tx, admin.id, id, patch).await.answered()?;
    tx.commit().await?;
    Ok(Json(changed))
}

/// Delete a macro (owners and admins).
#[utoipa::path(delete, path = "/v1/macros/{id}", tag = "macros", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "Deleted"),
        Access<Admins>,
        NotFound,
    ))]
pub async fn delete_macro(access: Access<Admins>, Path(id): Path<MacroId>) -> ApiResult<StatusCode> {
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    macros::remove(&mut tx, admin.id, id).await.answered()?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How the agent sends a macro they reviewed (every field optional; an empty body applies the
/// macro as it is).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewedMacro {
    /// The text the agent reviewed (HTML allowed, sanitised, 1 to 20,000 characters), posted in
    /// place of the macro's filled template, as a note when the macro's message is one.
    pub message: Option<String>,
    /// The macro's changes the agent took out (the preview's `changes` keys).
    #[serde(default)]
    pub skip: Vec<Effect>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplyQuery {
    #[serde(default)]
    preview: bool,
}

/// A macro applied, or what it would do.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum MacroOutcome {
    Applied(Box<Applied>),
    Preview(Preview),
}

/// Apply a macro to a ticket (staff): its assignment, message, status, priority and tags, in that
/// order and in one transaction; a change the rules refuse refuses the whole macro. With
/// `?preview=true`, what it would do, written nowhere.
#[utoipa::path(post, path = "/v1/tickets/{id}/macros/{macro_id}", tag = "macros", security(("bearer" = [])),
    params(("id" = i64, Path), ("macro_id" = i64, Path),
        ("preview" = Option<bool>, Query, description = "`true`: write nothing, answer what the macro would do (`Preview`); the body then names no `message` and no `skip`")),
    request_body(content = Option<ReviewedMacro>, description = "Optional: the macro as the agent reviewed it"),
    responses(
        (status = 200, description = "Applied: the ticket as it is now and the message added (`Applied`); a preview: the message it would add and what it would change (`Preview`)", body = MacroOutcome),
        (status = 400, description = "`validation_failed`: an unreadable body or query, an unknown field, or a preview given a `message` or a `skip`"),
        Access<Staff>,
        (status = 404, description = "`not_found`: no such ticket or macro"),
        (status = 409, description = "`invalid_transition` (with `allowed`) or `ticket_closed`: nothing was changed"),
        (status = 422, description = "`validation_failed`: the message is empty or too long once filled, or the macro's assignee left; `fields_required`: resolving while a field required to resolve is empty"),
    ))]
pub async fn apply_macro(
    access: Access<Staff>,
    writer: TicketWriter,
    Path((id, macro_id)): Path<(TicketId, MacroId)>,
    RawQuery(query): RawQuery,
    RawBody(body): RawBody,
) -> ApiResult<Json<MacroOutcome>> {
    // Who may apply it is settled before the query and the body are read.
    let Scoped { viewer, item: applying, mut db } = access.macro_to_apply(macro_id, id).await?;
    let asked: ApplyQuery = parse_list_query(query.as_deref().unwrap_or_default())?;
    let empty = body.iter().all(u8::is_ascii_whitespace);
    let reviewed: ReviewedMacro = if empty { ReviewedMacro::default() } else { parse_json(&body)? };
    if asked.preview {
        if reviewed.message.is_some() || !reviewed.skip.is_empty() {
            return Err(ApiError::bad_request("a preview shows the macro as it is: give no message and skip nothing"));
        }
        // Written nowhere: `preview_macro` rolls back what it tried.
        let preview = writer.preview_macro(&mut db, id, viewer, applying).await?;
        return Ok(Json(MacroOutcome::Preview(preview)));
    }
    let reviewed = Reviewed { message: reviewed.message, skip: reviewed.skip.into_iter().collect() };
    let written = writer.apply_macro(&mut db, id, viewer, applying, reviewed).await?;
    Ok(Json(MacroOutcome::Applied(Box::new(Applied {
        message: written.message,
        ticket: TicketView::new(written.ticket, written.viewer, &fields::Shown::All),
    }))))
}
