//! The customer beside a ticket's thread, for staff: who they are, their other tickets, their
//! orders (`order_refs`) and how they rated the help before.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;

use super::organizations::{self, Belonging};
use super::satisfaction::{self, History};
use super::tickets::priority::Priority;
use super::tickets::status::Status;
use super::users::Customer;
use crate::ids::{TicketId, UserId};

/// Other tickets and orders shown at most.
const SHOWN: i64 = 20;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Panel {
    pub customer: Customer,
    /// Their customer organisations, their primary first.
    pub organizations: Vec<Belonging>,
    /// Their other tickets, last changed first (at most 20).
    pub tickets: Vec<OtherTicket>,
    /// Their orders, newest first (at most 20).
    pub orders: Vec<Order>,
    pub satisfaction: History,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OtherTicket {
    #[schema(value_type = i64)]
    pub id: TicketId,
    pub ticket_number: String,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Order {
    pub order_id: i64,
    /// In the currency's smallest unit.
    pub total_cents: i64,
    pub currency: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

/// The panel of ticket `ticket_id`'s customer (the caller may see the ticket: checked before).
pub async fn panel(conn: &mut PgConnection, ticket_id: TicketId, customer: UserId) -> sqlx::Result<Option<Panel>> {
    let Some(person) = sqlx::query_as!(
        Customer,
        "SELECT id, firstname, lastname, email, vip FROM users WHERE id = $1",
        customer as _,
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let tickets = sqlx::query_as!(
        OtherTicket,
        r#"SELECT id, ticket_number, subject, status AS "status: Status", priority AS "priority: Priority", updated_at
           FROM support_tickets WHERE user_id = $1 AND id <> $2
           ORDER BY updated_at DESC, id DESC LIMIT $3"#,
        customer as _,
        ticket_id as _,
        SHOWN,
    )
    .fetch_all(&mut *conn)
    .await?;
    let orders = sqlx::query_as!(
        Order,
        "SELECT order_id, total_cents, currency, status, created_at FROM order_refs
         WHERE user_id = $1 ORDER BY created_at DESC, order_id DESC LIMIT $2",
        customer as _,
        SHOWN,
    )
    .fetch_all(&mut *conn)
    .await?;
    let organizations =
        organizations::of_person(&mut *conn, customer).await?.into_iter().map(Belonging::from).collect();
    let satisfaction = satisfaction::history(conn, customer).await?;
    Ok(Some(Panel { customer: person, organizations, tickets, orders, satisfaction }))
}
