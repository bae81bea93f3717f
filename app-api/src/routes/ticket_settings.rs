//! `GET /v1/ticket-settings` (anyone signed in; staff read the whole object) and `PATCH
//! /v1/ticket-settings` (owners and admins): the organisation's ticket settings
//! (`sav::ticket_settings`). A change holds from the next request on, on every replica.

use axum::Json;
use sav::ticket_settings::{self, AgentAccess, OrderNumber, TicketSettings};
use serde::{Deserialize, Serialize};
use shared::error::ApiResult;
use shared::http::JsonBody;
use utoipa::ToSchema;

use crate::access::{Access, Admins, Members};

/// What an admin changes: what is given, the rest kept.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketSettingsPatch {
    /// `all` (every ticket, the default), `teams` (their own, their teams', and the unassigned
    /// tickets of no team) or `assigned` (their own): which tickets agents see and work.
    pub agent_ticket_access: Option<AgentAccess>,
    /// `hidden`, `optional` (the default) or `required`: whether customers give an order number
    /// with a new ticket.
    pub order_number: Option<OrderNumber>,
}

/// The settings as a caller may read them: staff the whole object, customers `order_number`
/// alone.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSettingsView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_ticket_access: Option<AgentAccess>,
    pub order_number: OrderNumber,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<TicketSettings> for TicketSettingsView {
    fn from(settings: TicketSettings) -> Self {
        Self {
            agent_ticket_access: Some(settings.agent_ticket_access),
            order_number: settings.order_number,
            updated_at: Some(settings.updated_at),
        }
    }
}

/// The organisation's ticket settings.
#[utoipa::path(get, path = "/v1/ticket-settings", tag = "tickets", security(("bearer" = [])),
    responses(
        (status = 200, description = "Staff: the whole object; a customer: `order_number` alone", body = TicketSettingsView),
        Access<Members>,
    ))]
pub async fn get_ticket_settings(access: Access<Members>) -> ApiResult<Json<TicketSettingsView>> {
    let (viewer, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    if !viewer.is_staff() {
        let order_number = ticket_settings::order_number(&mut tx).await?;
        return Ok(Json(TicketSettingsView { agent_ticket_access: None, order_number, updated_at: None }));
    }
    Ok(Json(ticket_settings::get(&mut tx).await?.into()))
}

/// Change the organisation's ticket settings (owners and admins); the whole object back.
#[utoipa::path(patch, path = "/v1/ticket-settings", tag = "tickets", security(("bearer" = [])),
    request_body = TicketSettingsPatch,
    responses(
        (status = 200, description = "The settings after the change", body = TicketSettingsView),
        (status = 400, description = "`validation_failed`: unreadable body, an unknown field or value (named)"),
        Access<Admins>,
    ))]
pub async fn patch_ticket_settings(
    access: Access<Admins>,
    JsonBody(patch): JsonBody<TicketSettingsPatch>,
) -> ApiResult<Json<TicketSettingsView>> {
    let (_, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let updated = ticket_settings::update(&mut tx, patch.agent_ticket_access, patch.order_number).await?;
    tx.commit().await?;
    Ok(Json(updated.into()))
}
