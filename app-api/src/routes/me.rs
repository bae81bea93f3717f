//! `GET /v1/me`: the caller as this tenant knows them, with how many of their notifications are
//! unread (the bell's count, so a page opens without asking for it apart);
//! `PUT /v1/me/availability`: whether they take tickets now (staff). The first endpoint that walks the
//! whole path: resolve the tenant, verify the token, take a connection from the tenant's pool,
//! query the tenant's own database.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use sav::routing;
use sav::users::{self, Me};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult};
use shared::http::JsonBody;
use utoipa::ToSchema;

use crate::access::{Access, Own, Staff};
use crate::events::Events;
use crate::notifications::store as notifications;

/// Whether a staff member takes tickets now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    pub available: bool,
}

/// The caller as `GET /v1/me` answers them.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeNow {
    #[serde(flatten)]
    pub me: Me,
    /// Their notifications not read yet, as `GET /v1/notifications` counts them (`unread_count`).
    pub unread_notifications: i64,
}

/// The caller's row in this tenant.
#[utoipa::path(get, path = "/v1/me", tag = "me", security(("bearer" = [])),
    params(("X-Tenant-Slug" = Option<String>, Header, description = "The tenant, when the Host is not its subdomain")),
    responses(
        (status = 200, description = "The caller", body = MeNow),
        (status = 404, description = "`not_found`: the caller has left the tenant"),
    ))]
pub async fn get_me(access: Access<Own>) -> ApiResult<Json<MeNow>> {
    let mut db = access.own().await?;
    let mut tx = db.begin().await?;
    let me = users::active(&mut tx, access.user_id())
        .await?
        .ok_or_else(|| ApiError::not_found("you are not a member of this tenant (any more)"))?;
    let unread_notifications = notifications::unread_count(&mut tx, access.user_id()).await?;
    Ok(Json(MeNow { me, unread_notifications }))
}

/// Say whether you take tickets now (staff): routing gives tickets only to available members;
/// becoming available hands you waiting tickets of your teams. Anyone may still assign you by hand.
#[utoipa::path(put, path = "/v1/me/availability", tag = "me", security(("bearer" = [])), request_body = Availability,
    responses(
        (status = 200, description = "Your availability now", body = Availability),
        Access<Staff>,
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
    ))]
pub async fn put_availability(
    access: Access<Staff>,
    State(events): State<Arc<Events>>,
    JsonBody(body): JsonBody<Availability>,
) -> ApiResult<Json<Availability>> {
    let (viewer, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let available = routing::set_available(&mut tx, viewer.id, body.available).await?;
    tx.commit().await?;
    if available {
        // The jobs hand out what waits for them.
        events.hints.hint(&access.tenant());
    }
    Ok(Json(Availability { available }))
}
