//! `PUT /v1/orders/{order_id}`: admins record what the priority rules need to know of an order
//! (its customer, total and currency) until order events fill the table.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use sav::orders::{self, NewOrder};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use utoipa::ToSchema;

use crate::access::{Access, Admins};
use sav::ids::UserId;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    /// The customer who placed the order.
    #[schema(value_type = Uuid)]
    pub user_id: UserId,
    /// In the currency's units, at most 2 decimals (`612.50`).
    #[schema(value_type = f64)]
    pub total: serde_json::Number,
    /// ISO 4217, upper case (`EUR`).
    pub currency: String,
    /// The order's status in the shop (`paid`, `shipped`, ...), 1 to 32 characters.
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderRef {
    pub order_id: i64,
    #[schema(value_type = Uuid)]
    pub user_id: UserId,
    #[schema(value_type = f64)]
    pub total: serde_json::Number,
    pub currency: String,
    pub status: String,
    pub updated_at: DateTime<Utc>,
}

/// Create or replace an order reference (owners and admins).
#[utoipa::path(put, path = "/v1/orders/{order_id}", tag = "orders", security(("bearer" = [])), params(("order_id" = i64, Path)),
    request_body = OrderInput,
    responses(
        (status = 201, description = "Recorded", body = OrderRef),
        (status = 200, description = "Replaced", body = OrderRef),
        Access<Admins>,
    ))]
pub async fn put_order(
    access: Access<Admins>,
    Path(order_id): Path<i64>,
    JsonBody(input): JsonBody<OrderInput>,
) -> ApiResult<(StatusCode, Json<OrderRef>)> {
    let mut errors = Vec::new();
    if order_id <= 0 {
        errors.push(FieldError::new("order_id", "must be a positive integer"));
    }
    let total_cents = orders::cents(&input.total);
    if total_cents.is_none() {
        errors.push(FieldError::new("total", "must be an amount from 0 to 10,000,000,000 with at most 2 decimals"));
    }
    if !orders::is_currency(&input.currency) {
        errors.push(FieldError::new("currency", "must be an ISO 4217 code in upper case (EUR)"));
    }
    let status = orders::status(&input.status);
    if status.is_none() {
        errors.push(FieldError::new("status", "must be 1 to 32 characters"));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let (_, mut db) = access.connect().await?;
    let (total_cents, status) = (total_cents.unwrap_or_default(), status.unwrap_or_default());
    let new = NewOrder { order_id, user_id: input.user_id, total_cents, currency: &input.currency, status };
    let mut tx = db.begin().await?;
    let recorded = orders::upsert(&mut tx, &new).await?;
    tx.commit().await?;
    let order = OrderRef {
        order_id,
        user_id: input.user_id,
        total: orders::amount(total_cents),
        currency: input.currency,
        status: status.to_owned(),
        updated_at: recorded.updated_at,
    };
    Ok((if recorded.inserted { StatusCode::CREATED } else { StatusCode::OK }, Json(order)))
}
