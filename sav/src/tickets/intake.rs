//! What a new ticket starts from: the customer it is for (the caller, or for staff a customer
//! they name) and the facts the priority rules read from the tenant database (the order's total,
//! the customer's earlier tickets in the category).

use base::FieldError;
use base::Role;
use sqlx::PgConnection;

use super::access::Viewer;
use super::messages::Channel;
use super::priority;
use super::refusal::Refused;
use super::status::Actor;
use super::store;
use crate::ids::UserId;
use crate::ticket_settings::OrderNumber;
use crate::{orders, users};

/// The customer a ticket is for: the caller, or for staff, the customer they name.
pub struct Customer {
    pub id: UserId,
    pub vip: bool,
}

pub async fn customer_of(conn: &mut PgConnection, viewer: Viewer, named: Option<UserId>) -> Result<Customer, Refused> {
    let id = named.unwrap_or(viewer.id);
    if id != viewer.id && viewer.actor() == Actor::Customer {
        return Err(Refused::NotYours("customers open tickets for themselves only"));
    }
    if id == viewer.id && viewer.role == Role::Integration {
        return Err(Refused::Field(FieldError::new("requester", "an API key opens tickets for a customer: name one")));
    }
    match users::standing(conn, id).await? {
        Some(member) if id == viewer.id => Ok(Customer { id, vip: member.vip }),
        Some(member) if member.role == Role::Customer => Ok(Customer { id, vip: member.vip }),
        _ => Err(Refused::Field(FieldError::new("requester", "is not a customer of this organisation"))),
    }
}

/// A customer's order number as the organisation asks for it (`ticket_settings::OrderNumber`):
/// refused when hidden, required when required (422 naming `order_id`).
pub fn check_order_number(asked: OrderNumber, order_id: Option<i64>) -> Result<(), Refused> {
    let why = match (asked, order_id) {
        (OrderNumber::Hidden, Some(_)) => "this organisation does not take order numbers with tickets",
        (OrderNumber::Required, None) => "is required: give the number of the order this is about",
        _ => return Ok(()),
    };
    Err(Refused::Field(FieldError::new("order_id", why)))
}

/// What the priority rules need to know beyond the customer, read from the tenant database.
pub struct KnownFacts {
    pub order_total: Option<(i64, String)>,
    pub same_category_before: u32,
}

pub async fn facts(
    conn: &mut PgConnection,
    customer: UserId,
    category: Option<&str>,
    order: Option<i64>,
) -> sqlx::Result<KnownFacts> {
    let mut order_total = None;
    if let Some(order) = order {
        let known = orders::total(conn, order).await?;
        // Another customer's order counts as unknown: the answer must not tell which order
        // numbers belong to someone.
        order_total = known.filter(|o| o.user_id == customer).map(|o| (o.total_cents, o.currency));
    }
    let mut same_category_before = 0;
    if let Some(category) = category {
        // Counting stops past the threshold: only "more than 3" matters.
        let at_most = i64::from(priority::REPEAT_THRESHOLD) + 1;
        let count = store::count_in_category(conn, customer, category, at_most).await?;
        same_category_before = u32::try_from(count).unwrap_or(u32::MAX);
    }
    Ok(KnownFacts { order_total, same_category_before })
}

/// Where a new ticket comes from: mail says so in the ticket's metadata; an integration's comes
/// through the API; staff say where a person reached them (`chosen`: the web or the phone);
/// anyone else's comes from the web.
pub fn channel(viewer: Viewer, metadata: &serde_json::Value, chosen: Option<Channel>) -> Channel {
    match (viewer.role, metadata.get("channel").and_then(serde_json::Value::as_str)) {
        (_, Some("email")) => Channel::Email,
        (Role::Integration, _) => Channel::Api,
        _ if viewer.is_staff() => chosen.unwrap_or(Channel::Web),
        _ => Channel::Web,
    }
}

/// Whether the customer a new ticket is for is told of it as if they had opened it: always when
/// they did; staff opening a ticket for a customer tell them only when asked to (`asked`).
pub fn requester_told(viewer: Viewer, customer: UserId, asked: bool) -> bool {
    !viewer.is_staff() || customer == viewer.id || asked
}
