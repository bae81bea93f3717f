//! The bell and its settings: `GET /v1/notifications`, `POST /v1/notifications/read`,
//! `GET/PUT /v1/me/notification-preferences`, and the one-click unsubscribe of notification mail
//! (`POST /v1/notifications/unsubscribe?token=`, RFC 8058: no sign-in, the token is the
//! permission).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::{JsonBody, PageParams};
use utoipa::{IntoParams, ToSchema};

use crate::access::{Access, Own};
use crate::notifications::links::Unsubscribe;
use crate::notifications::store::{self, Notification, Preferences, Replaced};
use crate::notifications::{Channel, Kind, Language};
use crate::routes::mail_links::MailLinks;

/// Ids one request may mark read.
const MAX_IDS: usize = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only the unread ones.
    pub unread: Option<bool>,
    /// 1 to 100, default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// A page of the caller's notifications, and how many are unread in all.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub data: Vec<Notification>,
    pub next_cursor: Option<String>,
    pub unread_count: i64,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/v1/notifications", tag = "notifications", security(("bearer" = [])),
    params(ListParams),
    responses((status = 200, description = "A page of the caller's notifications, newest first", body = NotificationPage)))]
pub async fn list_notifications(
    access: Access<Own>,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<NotificationPage>> {
    let mut unread_count = 0;
    let rows = async |before, limit| -> ApiResult<_> {
        let mut db = access.own().await?;
        let mut tx = db.begin().await?;
        let rows = store::page(&mut tx, access.user_id(), params.unread.unwrap_or(false), before, limit).await?;
        unread_count = store::unread_count(&mut tx, access.user_id()).await?;
        Ok(rows)
    };
    let page = PageParams { limit: params.limit, cursor: params.cursor.clone() }.fetch(rows, |n| n.id).await?;
    Ok(Json(NotificationPage { data: page.data, next_cursor: page.next_cursor, unread_count }))
}

/// Which notifications to mark read: some (`ids`), or `all`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// At most 500 of the caller's notification ids (others' are ignored).
    pub ids: Option<Vec<i64>>,
    /// Every unread notification of the caller.
    pub all: Option<bool>,
}

/// Marks notifications read.
#[utoipa::path(post, path = "/v1/notifications/read", tag = "notifications", security(("bearer" = [])),
    request_body = MarkRead,
    responses(
        (status = 204, description = "Marked"),
        (status = 422, description = "`validation_failed`: neither or both of `ids` and `all`, or too many ids"),
    ))]
pub async fn mark_read(access: Access<Own>, JsonBody(body): JsonBody<MarkRead>) -> ApiResult<StatusCode> {
    let ids = match (&body.ids, body.all) {
        (Some(ids), None | Some(false)) if ids.len() <= MAX_IDS => Some(ids.as_slice()),
        (Some(_), None | Some(false)) => {
            return Err(ApiError::invalid(vec![FieldError::new("ids", format!("must hold at most {MAX_IDS} ids"))]));
        }
        (None, Some(true)) => None,
        _ => {
            return Err(ApiError::invalid(vec![FieldError::new("ids", "give either ids or \"all\": true")]));
        }
    };
    let mut db = access.own().await?;
    let mut tx = db.begin().await?;
    store::mark_read(&mut tx, access.user_id(), ids).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's notification settings.
#[utoipa::path(get, path = "/v1/me/notification-preferences", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, description = "Every kind on both channels, and the language of mail", body = Preferences)))]
pub async fn get_preferences(access: Access<Own>) -> ApiResult<Json<Preferences>> {
    let mut db = access.own().await?;
    store::preferences(&mut *db.begin().await?, access.user_id())
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("you are not a member of this tenant (any more)"))
}

/// The whole of a person's settings, as `PUT` takes them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesBody {
    /// Every kind: `ticket_created`, `ticket_assigned`, `message_added`, `status_changed`,
    /// `ticket_resolved`, `sla_breach`.
    #[schema(value_type = BTreeMap<String, bool>)]
    pub email: BTreeMap<String, bool>,
    #[schema(value_type = BTreeMap<String, bool>)]
    pub in_app: BTreeMap<String, bool>,
    /// `en` or `fr`: the language of mail.
    pub language: Language,
}

fn read_channel(channel: Channel, given: &BTreeMap<String, bool>) -> Result<BTreeMap<Kind, bool>, FieldError> {
    let field = channel.as_str();
    let mut choices = BTreeMap::new();
    for (name, on) in given {
        let kind = Kind::parse(name)
            .filter(|kind| kind.is_chosen())
            .ok_or_else(|| FieldError::new(format!("{field}.{name}"), "is not a kind of notification one chooses"))?;
        choices.insert(kind, *on);
    }
    if let Some(missing) = Kind::ALL.into_iter().find(|k| !choices.contains_key(k)) {
        return Err(FieldError::new(format!("{field}.{}", missing.as_str()), "is missing: give every kind"));
    }
    Ok(choices)
}

/// Replaces the caller's notification settings.
#[utoipa::path(put, path = "/v1/me/notification-preferences", tag = "notifications", security(("bearer" = [])),
    request_body = PreferencesBody,
    responses(
        (status = 200, description = "The settings now", body = Preferences),
        (status = 422, description = "`validation_failed`: a kind missing or unknown"),
    ))]
pub async fn put_preferences(
    access: Access<Own>,
    JsonBody(body): JsonBody<PreferencesBody>,
) -> ApiResult<Json<Preferences>> {
    let mut errors = Vec::new();
    let email = read_channel(Channel::Email, &body.email).map_err(|e| errors.push(e)).ok();
    let in_app = read_channel(Channel::InApp, &body.in_app).map_err(|e| errors.push(e)).ok();
    let (Some(email), Some(in_app)) = (email, in_app) else { return Err(ApiError::invalid(errors)) };
    let wanted = Preferences { email, in_app, language: body.language };
    let mut db = access.own().await?;
    let mut tx = db.begin().await?;
    let now = match store::replace_preferences(&mut tx, access.user_id(), &wanted).await? {
        Replaced::Now(now) => now,
        Replaced::NotMember => return Err(ApiError::not_found("you are not a member of this tenant (any more)")),
        Replaced::Left => return Err(ApiError::not_found("you left")),
    };
    tx.commit().await?;
    Ok(Json(now))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeParams {
    /// From the mail's `List-Unsubscribe` link.
    pub token: String,
}

/// What was turned off.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unsubscribed {
    pub kind: Kind,
    /// Always `email`.
    pub channel: String,
}

/// One-click unsubscribe (RFC 8058): turns the mail's kind of email off for its recipient.
#[utoipa::path(post, path = "/v1/notifications/unsubscribe", tag = "notifications",
    params(UnsubscribeParams),
    responses(
        (status = 200, description = "That kind of email is off", body = Unsubscribed),
        (status = 400, description = "`invalid_token`: not a token of this organisation's mail, or its person has left"),
    ))]
pub async fn unsubscribe(links: MailLinks, Query(params): Query<UnsubscribeParams>) -> ApiResult<Json<Unsubscribed>> {
    let invalid = || ApiError::new(StatusCode::BAD_REQUEST, "invalid_token", "this unsubscribe link is not valid");
    let (link, mut db) = links.open::<Unsubscribe>(&params.token).await?.ok_or_else(invalid)?;
    let mut tx = db.begin().await?;
    if !store::unsubscribe(&mut tx, link.user_id, link.kind).await? {
        return Err(invalid());
    }
    tx.commit().await?;
    Ok(Json(Unsubscribed { kind: link.kind, channel: Channel::Email.as_str().to_owned() }))
}
