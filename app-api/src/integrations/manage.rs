//! What owners and admins do to the tenant's integrations: API keys made and revoked, webhook
//! endpoints made, changed and deleted, their secrets rotated, test deliveries and replays. Each
//! write is one transaction with its audit entry; what other replicas or workers must hear of it
//! is told after the commit.

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use sav::users;
use shared::config::EncryptionKey;
use shared::error::{ApiError, ApiResult};
use sqlx::{Connection as _, PgConnection};
use uuid::Uuid;

use super::WebhookVisits;
use super::deliveries::{self, Change, Endpoint, MAX_ENDPOINTS};
use super::keys::{self, ApiKey, KeyCheck, NewKey, Scope};
use super::webhooks::{self, TEST_TYPE};
use crate::infra::Gate;
use crate::tenancy::pools::TenantConnection;
use crate::tenancy::resolve::Tenant;
use sav::ids::UserId;

/// Makes an API key for `admin`, within the tenant's limit: the key, and its text (shown once).
pub async fn issue_key(
    conn: &mut PgConnection,
    check: &KeyCheck,
    admin: UserId,
    name: &str,
    scopes: &[Scope],
    expires_at: Option<DateTime<Utc>>,
) -> ApiResult<(ApiKey, String)> {
    let key = NewKey::generate();
    let digest = key.digest(check.digest_key());
    let mut tx = conn.begin().await?;
    // One key made at a time per tenant: the count below holds.
    keys::lock_for_create(&mut tx).await?;
    if keys::active_count(&mut tx).await? >= keys::MAX_ACTIVE {
        return Err(ApiError::limit_reached("this organisation holds 100 API keys: revoke one first"));
    }
    let api_key = keys::create(&mut tx, &key, &digest, name, scopes, expires_at, admin).await?;
    let details = serde_json::json!({ "name": name, "scopes": scopes });
    users::audit(&mut tx, admin, "api_key_created", key.id, details).await?;
    tx.commit().await?;
    Ok((api_key, key.text()))
}

/// Revokes API key `id` for `admin` (a key revoked already stays so), then has every replica
/// refuse it.
pub async fn revoke_key(db: &mut TenantConnection, gate: &Gate, admin: UserId, id: Uuid) -> ApiResult<()> {
    let mut tx = db.begin().await?;
    if !keys::exists(&mut tx, id).await? {
        return Err(ApiError::not_found("no API key of this organisation has this id"));
    }
    if keys::revoke(&mut tx, id).await? {
        users::audit(&mut tx, admin, "api_key_revoked", id, serde_json::json!({})).await?;
    }
    tx.commit().await?;
    gate.announce_revoked(id).await;
    Ok(())
}

/// 404: no webhook endpoint of this tenant has the id asked for.
pub fn no_endpoint() -> ApiError {
    ApiError::not_found("no webhook endpoint of this organisation has this id")
}

/// A new endpoint as checked input.
pub struct NewEndpoint<'a> {
    pub url: &'a str,
    pub events: &'a [String],
    pub description: Option<&'a str>,
}

/// Adds a webhook endpoint for `admin`, within the tenant's limit, with a signing secret sealed
/// under `secrets`: the endpoint, and its secret (shown once).
pub async fn create_endpoint(
    conn: &mut PgConnection,
    secrets: &EncryptionKey,
    admin: UserId,
    new: NewEndpoint<'_>,
) -> ApiResult<(Endpoint, String)> {
    let mut tx = conn.begin().await?;
    deliveries::lock_for_create(&mut tx).await?;
    if deliveries::count(&mut tx).await? >= MAX_ENDPOINTS {
        return Err(ApiError::limit_reached("this organisation has 20 webhook endpoints: delete one first"));
    }
    let id = Uuid::now_v7();
    let endpoint = deliveries::create(&mut tx, id, new.url, new.events, new.description, admin).await?;
    let (secret, key) = webhooks::new_secret();
    deliveries::add_secret(&mut tx, secrets, id, &key, Utc::now()).await?;
    let details = serde_json::json!({ "url": new.url, "events": new.events });
    users::audit(&mut tx, admin, "webhook_created", id, details).await?;
    tx.commit().await?;
    Ok((endpoint, secret))
}

/// Changes endpoint `id` for `admin`.
pub async fn change_endpoint(conn: &mut PgConnection, admin: UserId, id: Uuid, change: Change) -> ApiResult<Endpoint> {
    let mut tx = conn.begin().await?;
    let endpoint = deliveries::update(&mut tx, id, change).await?.ok_or_else(no_endpoint)?;
    users::audit(&mut tx, admin, "webhook_changed", id, serde_json::json!({ "enabled": endpoint.enabled })).await?;
    tx.commit().await?;
    Ok(endpoint)
}

/// Deletes endpoint `id`, its deliveries and their log, for `admin`.
pub async fn delete_endpoint(conn: &mut PgConnection, admin: UserId, id: Uuid) -> ApiResult<()> {
    let mut tx = conn.begin().await?;
    if !deliveries::delete(&mut tx, id).await? {
        return Err(no_endpoint());
    }
    users::audit(&mut tx, admin, "webhook_deleted", id, serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives endpoint `id` a new signing secret for `admin`: the secret (shown once), and until when
/// the one before still signs.
pub async fn rotate_secret(
    conn: &mut PgConnection,
    secrets: &EncryptionKey,
    admin: UserId,
    id: Uuid,
) -> ApiResult<(String, Option<DateTime<Utc>>)> {
    let mut tx = conn.begin().await?;
    if !deliveries::lock(&mut tx, id).await? {
        return Err(no_endpoint());
    }
    let (secret, key) = webhooks::new_secret();
    let previous_expires_at = deliveries::add_secret(&mut tx, secrets, id, &key, Utc::now()).await?;
    users::audit(&mut tx, admin, "webhook_secret_rotated", id, serde_json::json!({})).await?;
    tx.commit().await?;
    Ok((secret, previous_expires_at))
}

async fn enabled_endpoint(conn: &mut PgConnection, id: Uuid) -> ApiResult<Endpoint> {
    let endpoint = deliveries::get(conn, id).await?.ok_or_else(no_endpoint)?;
    if !endpoint.enabled {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "endpoint_disabled",
            "this endpoint is disabled: enable it first (PATCH enabled: true)",
        ));
    }
    Ok(endpoint)
}

/// Queues a `webhook.test` delivery to endpoint `id`, asked for by `admin`, and wakes this
/// replica's sender: the delivery's id and its event's.
pub async fn test_endpoint(
    db: &mut TenantConnection,
    visits: &WebhookVisits,
    tenant: &Arc<Tenant>,
    admin: UserId,
    id: Uuid,
) -> ApiResult<(Uuid, Uuid)> {
    let mut tx = db.begin().await?;
    let endpoint = enabled_endpoint(&mut tx, id).await?;
    let (event_id, now) = (Uuid::now_v7(), Utc::now());
    let data = serde_json::json!({ "endpoint_id": endpoint.id, "requested_by": admin });
    let body = webhooks::body(TEST_TYPE, now, &data);
    deliveries::enqueue(&mut tx, event_id, TEST_TYPE, &body, &[endpoint.id], now).await?;
    let delivery_id = deliveries::delivery_of(&mut tx, event_id, endpoint.id)
        .await?
        .ok_or_else(|| ApiError::internal("the test delivery was not written"))?;
    tx.commit().await?;
    visits.wake(tenant);
    Ok((delivery_id, event_id))
}

/// Queues delivery `delivery` of endpoint `id` again, with the same `webhook-id`, and wakes this
/// replica's sender: the event's id.
pub async fn replay(
    db: &mut TenantConnection,
    visits: &WebhookVisits,
    tenant: &Arc<Tenant>,
    id: Uuid,
    delivery: Uuid,
) -> ApiResult<Uuid> {
    let mut tx = db.begin().await?;
    enabled_endpoint(&mut tx, id).await?;
    let event_id = deliveries::replay(&mut tx, id, delivery, Utc::now())
        .await?
        .ok_or_else(|| ApiError::not_found("this endpoint has no delivery with this id"))?;
    tx.commit().await?;
    visits.wake(tenant);
    Ok(event_id)
}
