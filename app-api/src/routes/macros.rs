//! `/v1/macros`: staff read the tenant's macros, owners and admins keep them; `POST
//! /v1/tickets/{id}/macros/{macro_id}` applies one to a ticket through the one write path, in one
//! transaction (`crate::sav::macros`).

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;

use super::nullable;
use super::tickets::reject;
use crate::commands::{Change, Post, TicketWriter};
use crate::context::{Access, Admins, Staff};
use crate::sav::macros::{self, Assignment, Fields, Macro, Values};
use crate::sav::tickets::access::Viewer;
use crate::sav::tickets::lifecycle::Edit;
use crate::sav::tickets::messages::Message;
use crate::sav::tickets::priority::Priority;
use crate::sav::tickets::status::Status;
use crate::sav::tickets::store;
use crate::sav::tickets::view::TicketView;
use crate::sav::users;

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
}

/// What applying a macro left.
#[derive(Debug, Serialize, ToSchema)]
pub struct Applied {
    pub ticket: TicketView,
    /// The message it added, if it has a body.
    pub message: Option<Message>,
}

/// Checks `fields` as a whole: a name, a template of known placeholders, something to do, an
/// assignee who is staff (422 with each field's error).
async fn checked(conn: &mut PgConnection, fields: Fields) -> ApiResult<Fields> {
    let mut errors = Vec::new();
    let name = macros::name(&fields.name).map_err(|e| errors.push(e)).ok();
    let body = fields.body.as_deref().map(|b| macros::body(b).map_err(|e| errors.push(e)).ok());
    if fields.body.is_none() && fields.status.is_none() && fields.priority.is_none() && fields.assign_to.is_none() {
        errors.push(FieldError::new("", "a macro must do something: a body, a status, a priority or an assignment"));
    }
    if fields.is_internal && fields.body.is_none() {
        errors.push(FieldError::new("is_internal", "needs a body"));
    }
    if let Some(Assignment::Member(id)) = fields.assign_to
        && !users::assignable(conn, id).await?
    {
        errors.push(FieldError::new("assign_to", "is not an active agent or admin of this tenant"));
    }
    reject(errors)?;
    Ok(Fields { name: name.unwrap_or_default(), body: body.flatten(), ..fields })
}

fn name_taken() -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "macro_name_taken", "another macro has this name")
}

fn no_macro() -> ApiError {
    ApiError::not_found("no such macro")
}

/// The tenant's macros, by name (staff).
#[utoipa::path(get, path = "/v1/macros", tag = "macros", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every macro (at most 200)", body = MacroList),
        (status = 403, description = "`forbidden`: customers"),
    ))]
pub async fn list_macros(access: Access<Staff>) -> ApiResult<Json<MacroList>> {
    let (_, mut db) = access.connect().await?;
    Ok(Json(MacroList { data: macros::all(&mut db).await? }))
}

/// Make a macro (owners and admins).
#[utoipa::path(post, path = "/v1/macros", tag = "macros", security(("bearer" = [])), request_body = NewMacro,
    responses(
        (status = 201, description = "The macro", body = Macro),
        (status = 403, description = "`forbidden`: owners and admins only"),
        (status = 409, description = "`macro_name_taken`, or `limit_reached`: the tenant holds 200 macros"),
        (status = 422, description = "`validation_failed`: a name, a template with known placeholders, something to do"),
    ))]
pub async fn create_macro(
    access: Access<Admins>,
    JsonBody(body): JsonBody<NewMacro>,
) -> ApiResult<(StatusCode, Json<Macro>)> {
    let (admin, mut db) = access.connect().await?;
    let fields = Fields {
        name: body.name,
        body: body.body,
        is_internal: body.is_internal,
        status: body.status,
        priority: body.priority,
        assign_to: body.assign_to,
    };
    let fields = checked(&mut db, fields).await?;
    let mut tx = db.begin().await?;
    macros::lock_for_create(&mut tx).await?;
    if macros::count(&mut tx).await? >= macros::MAX_PER_TENANT {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "limit_reached",
            "this organisation holds 200 macros: delete one first",
        ));
    }
    if macros::name_taken(&mut tx, &fields.name, None).await? {
        return Err(name_taken());
    }
    let created = macros::insert(&mut tx, &fields, admin.id).await?;
    let details = serde_json::json!({ "macro_id": created.id, "name": created.name });
    users::audit(&mut tx, admin.id, "macro_created", admin.id, details).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Change a macro (owners and admins).
#[utoipa::path(patch, path = "/v1/macros/{id}", tag = "macros", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = MacroPatch,
    responses(
        (status = 200, description = "The macro", body = Macro),
        (status = 403, description = "`forbidden`: owners and admins only"),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`macro_name_taken`"),
        (status = 422, description = "`validation_failed`"),
    ))]
pub async fn patch_macro(
    access: Access<Admins>,
    Path(id): Path<i64>,
    JsonBody(patch): JsonBody<MacroPatch>,
) -> ApiResult<Json<Macro>> {
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    // Locked like a creation: the name check below holds.
    macros::lock_for_create(&mut tx).await?;
    let current = macros::get(&mut tx, id).await?.ok_or_else(no_macro)?;
    let fields = Fields {
        name: patch.name.unwrap_or(current.name),
        body: patch.body.unwrap_or(current.body),
        is_internal: patch.is_internal.unwrap_or(current.is_internal),
        status: patch.status.unwrap_or(current.status),
        priority: patch.priority.unwrap_or(current.priority),
        assign_to: patch.assign_to.unwrap_or(current.assign_to),
    };
    let fields = checked(&mut tx, fields).await?;
    if macros::name_taken(&mut tx, &fields.name, Some(id)).await? {
        return Err(name_taken());
    }
    let updated = macros::update(&mut tx, id, &fields).await?.ok_or_else(no_macro)?;
    let details = serde_json::json!({ "macro_id": id, "name": updated.name });
    users::audit(&mut tx, admin.id, "macro_updated", admin.id, details).await?;
    tx.commit().await?;
    Ok(Json(updated))
}

/// Delete a macro (owners and admins).
#[utoipa::path(delete, path = "/v1/macros/{id}", tag = "macros", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "`forbidden`: owners and admins only"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn delete_macro(access: Access<Admins>, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    if !macros::delete(&mut tx, id).await? {
        return Err(no_macro());
    }
    users::audit(&mut tx, admin.id, "macro_deleted", admin.id, serde_json::json!({ "macro_id": id })).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Apply a macro to a ticket (staff): its assignment, message, status and priority, in that
/// order and in one transaction; a change the rules refuse refuses the whole macro.
#[utoipa::path(post, path = "/v1/tickets/{id}/macros/{macro_id}", tag = "macros", security(("bearer" = [])),
    params(("id" = i64, Path), ("macro_id" = i64, Path)),
    responses(
        (status = 200, description = "The ticket as it is now, and the message added", body = Applied),
        (status = 403, description = "`forbidden`: customers"),
        (status = 404, description = "`not_found`: no such ticket or macro"),
        (status = 409, description = "`invalid_transition` (with `allowed`) or `ticket_closed`: nothing was changed"),
        (status = 422, description = "`validation_failed`: the filled message is too long, or the macro's assignee left"),
    ))]
pub async fn apply_macro(writer: TicketWriter, Path((id, macro_id)): Path<(i64, i64)>) -> ApiResult<Json<Applied>> {
    let mut db = writer.connect().await?;
    let Some(applying) = macros::applying(&mut db, macro_id, id, writer.user_id()).await? else {
        // Customers are refused before they learn which macros exist.
        writer.viewer(&mut db).await?.require_staff()?;
        return Err(no_macro());
    };
    let viewer = Viewer::from_role(writer.user_id(), applying.caller_role)?;
    viewer.require_staff()?;
    let chosen = applying.chosen;
    let mut changes = Vec::with_capacity(4);
    if let Some(assignment) = chosen.assign_to {
        changes.push(Change::Assign(assignment.assignee(viewer.id)));
    }
    if let Some(template) = &chosen.body {
        let Some((customer, number, agent)) = applying.values else {
            return Err(store::missing(&mut db, viewer.id, id).await.into());
        };
        let values = Values { customer_firstname: &customer, ticket_number: &number, agent_firstname: &agent };
        let text = macros::message(template, values).map_err(|e| ApiError::invalid(vec![e]))?;
        changes.push(Change::Post(Post {
            text,
            internal: chosen.is_internal,
            attachment_ids: Vec::new(),
            inbound_email_id: None,
        }));
    }
    if let Some(status) = chosen.status {
        changes.push(Change::Reach(status));
    }
    if let Some(priority) = chosen.priority {
        changes.push(Change::Edit(Edit { priority: Some(priority), ..Edit::default() }));
    }
    let written = writer.change(&mut db, id, changes).await?;
    Ok(Json(Applied { message: written.message, ticket: TicketView::new(written.ticket, written.viewer) }))
}
