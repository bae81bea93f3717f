//! The organisation's ticket settings (`GET/PATCH /v1/ticket-settings`), one row of
//! `ticket_settings`: which tickets agents see and work (`agent_ticket_access`), read with the
//! caller's role on every request (`tickets::access::Viewer`), so a change holds from the next
//! request on, on every replica; and whether customers give an order number (`order_number`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;

/// Which tickets agents see and work (`GET/PATCH /v1/ticket-settings`, `agent_ticket_access`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, sqlx::Type, ToSchema)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum AgentAccess {
    /// Every ticket of the organisation, as admins (the default).
    #[default]
    All,
    /// Their own, every ticket of their teams whoever holds it, and the unassigned tickets of no
    /// team.
    Teams,
    /// The tickets assigned to them.
    Assigned,
}

/// Whether customers give an order number with a new ticket (`order_number`); staff and API
/// keys may always set one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, sqlx::Type, ToSchema)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum OrderNumber {
    /// Never asked; a customer's `order_id` is refused.
    Hidden,
    /// Asked, not required (the default).
    #[default]
    Optional,
    /// A customer's ticket without one is refused.
    Required,
}

/// The settings as `GET /v1/ticket-settings` shows them to staff.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketSettings {
    pub agent_ticket_access: AgentAccess,
    pub order_number: OrderNumber,
    pub updated_at: DateTime<Utc>,
}

/// The settings now.
pub async fn get(conn: &mut PgConnection) -> sqlx::Result<TicketSettings> {
    sqlx::query_as!(
        TicketSettings,
        r#"SELECT agent_ticket_access AS "agent_ticket_access: AgentAccess", order_number AS "order_number: OrderNumber",
                  updated_at
           FROM ticket_settings"#
    )
    .fetch_one(conn)
    .await
}

/// Sets what is given (`None` keeps it); the settings after.
pub async fn update(
    conn: &mut PgConnection,
    agent_ticket_access: Option<AgentAccess>,
    order_number: Option<OrderNumber>,
) -> sqlx::Result<TicketSettings> {
    sqlx::query_as!(
        TicketSettings,
        r#"UPDATE ticket_settings
              SET agent_ticket_access = coalesce($1, agent_ticket_access), order_number = coalesce($2, order_number),
                  updated_at = now()
           RETURNING agent_ticket_access AS "agent_ticket_access: AgentAccess",
                     order_number AS "order_number: OrderNumber", updated_at"#,
        agent_ticket_access as Option<AgentAccess>,
        order_number as Option<OrderNumber>,
    )
    .fetch_one(conn)
    .await
}

/// Whether customers give an order number now.
pub async fn order_number(conn: &mut PgConnection) -> sqlx::Result<OrderNumber> {
    sqlx::query_scalar!(r#"SELECT order_number AS "order_number: OrderNumber" FROM ticket_settings"#)
        .fetch_one(conn)
        .await
}
