//! Order references in the tenant database (`order_refs`): the customer, total and currency of
//! an order, which the priority rules read.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// An order to record.
pub struct NewOrder<'a> {
    pub order_id: i64,
    pub user_id: Uuid,
    pub total_cents: i64,
    pub currency: &'a str,
    pub status: &'a str,
}

/// What recording an order did.
pub struct Recorded {
    /// The order was new (else it was replaced).
    pub inserted: bool,
    pub updated_at: DateTime<Utc>,
}

/// Creates or replaces an order reference.
pub async fn upsert(conn: &mut PgConnection, order: &NewOrder<'_>) -> sqlx::Result<Recorded> {
    sqlx::query_as!(
        Recorded,
        r#"INSERT INTO order_refs (order_id, user_id, total_cents, currency, status) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (order_id) DO UPDATE SET user_id = EXCLUDED.user_id, total_cents = EXCLUDED.total_cents,
              currency = EXCLUDED.currency, status = EXCLUDED.status, updated_at = now()
           RETURNING xmax = 0 AS "inserted!", updated_at"#,
        order.order_id,
        order.user_id,
        order.total_cents,
        order.currency,
        order.status,
    )
    .fetch_one(conn)
    .await
}

/// An order's customer and total.
pub struct OrderTotal {
    pub user_id: Uuid,
    pub total_cents: i64,
    pub currency: String,
}

pub async fn total(conn: &mut PgConnection, order_id: i64) -> sqlx::Result<Option<OrderTotal>> {
    sqlx::query_as!(OrderTotal, "SELECT user_id, total_cents, currency FROM order_refs WHERE order_id = $1", order_id,)
        .fetch_optional(conn)
        .await
}
