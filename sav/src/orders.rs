//! Order references in the tenant database (`order_refs`): the customer, total and currency of
//! an order, which the priority rules read. `PUT /v1/orders/{id}` and the order events consumer
//! (`worker::orders`) both check their input with the rules below and write with `upsert`.

use crate::ids::UserId;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Totals above this many cents (ten billion) are refused as mistakes.
pub const MAX_TOTAL_CENTS: i64 = 1_000_000_000_000;

/// Cents from a decimal amount in the currency's units with at most two decimals (`612.50`),
/// read from the number as JSON wrote it (never through a float); `None` when negative, with
/// more decimals, or above `MAX_TOTAL_CENTS`.
pub fn cents(total: &serde_json::Number) -> Option<i64> {
    let text = total.to_string();
    let (units, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let fraction = fraction.trim_end_matches('0');
    if units.is_empty() || !units.bytes().all(|b| b.is_ascii_digit()) || fraction.len() > 2 {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let units: i64 = units.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    units.checked_mul(100)?.checked_add(fraction).filter(|c| *c <= MAX_TOTAL_CENTS)
}

/// The amount of `cents`, as a JSON number.
pub fn amount(cents: i64) -> serde_json::Number {
    #[allow(clippy::cast_precision_loss, reason = "at most 10^12 cents: exact in an f64")]
    let value = cents as f64 / 100.0;
    serde_json::Number::from_f64(value).unwrap_or_else(|| serde_json::Number::from(0))
}

/// An ISO 4217 code in upper case (`EUR`).
pub fn is_currency(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// The order's status in the shop, trimmed, when it has 1 to 32 characters and no control
/// character.
pub fn status(raw: &str) -> Option<&str> {
    let status = raw.trim();
    (!status.is_empty() && status.chars().count() <= 32 && !status.chars().any(char::is_control)).then_some(status)
}

/// An order to record.
pub struct NewOrder<'a> {
    pub order_id: i64,
    pub user_id: UserId,
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
           ON CONFLICT (tenant_id, order_id) DO UPDATE SET user_id = EXCLUDED.user_id, total_cents = EXCLUDED.total_cents,
              currency = EXCLUDED.currency, status = EXCLUDED.status, updated_at = now()
           RETURNING xmax = 0 AS "inserted!", updated_at"#,
        order.order_id,
        order.user_id as _,
        order.total_cents,
        order.currency,
        order.status,
    )
    .fetch_one(conn)
    .await
}

/// An order's customer and total.
pub struct OrderTotal {
    pub user_id: UserId,
    pub total_cents: i64,
    pub currency: String,
}

pub async fn total(conn: &mut PgConnection, order_id: i64) -> sqlx::Result<Option<OrderTotal>> {
    sqlx::query_as!(OrderTotal, "SELECT user_id, total_cents, currency FROM order_refs WHERE order_id = $1", order_id,)
        .fetch_optional(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(json: &str) -> serde_json::Number {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn amounts_become_cents_exactly() {
        assert_eq!(cents(&number("612.50")), Some(61_250));
        assert_eq!(cents(&number("612.5")), Some(61_250));
        assert_eq!(cents(&number("500")), Some(50_000));
        assert_eq!(cents(&number("0.07")), Some(7));
        assert_eq!(cents(&number("10000000000")), Some(MAX_TOTAL_CENTS));
        for bad in ["-1", "1.001", "1e-7", "10000000000.01"] {
            assert_eq!(cents(&number(bad)), None, "{bad}");
        }
        assert_eq!(amount(61_250).to_string(), "612.5");
    }

    #[test]
    fn currencies_and_statuses() {
        assert!(is_currency("EUR"));
        assert!(!is_currency("eur") && !is_currency("EURO") && !is_currency(""));
        assert_eq!(status("  paid "), Some("paid"));
        assert_eq!(status(" "), None);
        assert_eq!(status(&"x".repeat(33)), None);
        assert_eq!(status("pa\nid"), None);
    }
}
