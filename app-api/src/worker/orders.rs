//! Order events consumed: the orders service publishes `order.created`, `order.updated`,
//! `order.payment_failed` and `order.delivered` on the topic exchange `ORDERS_EXCHANGE`
//! (`orders_exchange`), with the body `{event, tenant: {id | slug}, data: {order_id, user_id,
//! total, currency, status}}`; each one upserts the order in that tenant's `order_refs` (the
//! upsert and the checks of `PUT /v1/orders/{id}`, `sav::orders`), so the priority rules see
//! real orders.
//!
//! - The queue `ORDERS_QUEUE` (`app-api.orders`) is a quorum queue with a single active
//!   consumer: replicas stand by for each other, and the events of one order apply in the order
//!   sent. A message delivered `consumer::DELIVERY_LIMIT` times without an ack (one that brings its
//!   consumer down each time) goes to the dead-letter queue by the broker's own rule.
//! - `total` is in the currency's units with at most two decimals, read exactly, and stored
//!   as `total_cents` = total x 100, as `PUT /v1/orders/{id}` does; more decimals, a negative
//!   or an absurd amount is an invalid value.
//! - A message that can never apply (not JSON, a field missing or of the wrong type, a value
//!   out of range, an unknown event, an unknown or inactive tenant) is published to the dead-
//!   letter queue `{ORDERS_QUEUE}.dead` with the reason in its headers (`dead_letter_reason`,
//!   a code; `dead_letter_detail`, a sentence), then acked: it never blocks the queue.
//! - A message is acked only after its upsert committed. When the tenant's database (or the
//!   control database) cannot be reached, the consumer retries the same message with a capped
//!   backoff rather than skip it: events of one order must not overtake each other.
//! - A lost connection is reopened with backoff; unacked messages come back from the broker.

use std::sync::Arc;
use std::time::Duration;

use lapin::message::Delivery;
use lapin::options::BasicPublishOptions;
use lapin::types::{AMQPValue, LongString, ShortString};
use lapin::{BasicProperties, Channel, Confirmation};
use sav::orders::{self, NewOrder};
use serde_json::{Map, Value};
use shared::amqp::consumer::{self, Acks, DurableQueue, Failure as ConsumerFailure};
use shared::tenant::Slug;
use uuid::Uuid;

use crate::state::AppState;
use crate::tenancy::resolve::{Tenant, Unservable};
use sav::ids::UserId;

/// The routing keys the queue is bound to, which are also the events it accepts.
pub const EVENTS: [&str; 4] = ["order.created", "order.updated", "order.payment_failed", "order.delivered"];
/// Messages delivered and not yet acked, per consumer.
const PREFETCH: u16 = 32;
const TIMEOUT: Duration = Duration::from_secs(5);

/// Why a message went to the dead-letter queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    MalformedJson,
    MissingField,
    WrongType,
    InvalidValue,
    UnknownEvent,
    UnknownTenant,
    TenantInactive,
}

impl Reason {
    pub const ALL: [Self; 7] = [
        Self::MalformedJson,
        Self::MissingField,
        Self::WrongType,
        Self::InvalidValue,
        Self::UnknownEvent,
        Self::UnknownTenant,
        Self::TenantInactive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedJson => "malformed_json",
            Self::MissingField => "missing_field",
            Self::WrongType => "wrong_type",
            Self::InvalidValue => "invalid_value",
            Self::UnknownEvent => "unknown_event",
            Self::UnknownTenant => "unknown_tenant",
            Self::TenantInactive => "tenant_inactive",
        }
    }
}

/// A message refused for good, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: Reason,
    pub detail: String,
}

fn refuse(reason: Reason, detail: impl Into<String>) -> Refusal {
    Refusal { reason, detail: detail.into() }
}

/// The tenant a message names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantRef {
    Id(Uuid),
    Slug(Slug),
}

/// A well-formed order event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderEvent {
    pub event: &'static str,
    pub tenant: TenantRef,
    pub order_id: i64,
    pub user_id: UserId,
    pub total_cents: i64,
    pub currency: String,
    pub status: String,
}

fn field<'v>(object: &'v Map<String, Value>, path: &str, name: &str) -> Result<&'v Value, Refusal> {
    match object.get(name) {
        None | Some(Value::Null) => Err(refuse(Reason::MissingField, format!("{path}{name} is missing"))),
        Some(value) => Ok(value),
    }
}

fn string<'v>(object: &'v Map<String, Value>, path: &str, name: &str) -> Result<&'v str, Refusal> {
    field(object, path, name)?
        .as_str()
        .ok_or_else(|| refuse(Reason::WrongType, format!("{path}{name} must be a string")))
}

fn uuid(object: &Map<String, Value>, path: &str, name: &str) -> Result<Uuid, Refusal> {
    string(object, path, name)?
        .parse()
        .map_err(|_| refuse(Reason::InvalidValue, format!("{path}{name} must be a UUID")))
}

fn object<'v>(value: &'v Value, what: &str) -> Result<&'v Map<String, Value>, Refusal> {
    value.as_object().ok_or_else(|| refuse(Reason::WrongType, format!("{what} must be a JSON object")))
}

/// Reads a message body (a pure function: every refusal is decided here but the tenant's).
pub fn parse(body: &[u8]) -> Result<OrderEvent, Refusal> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| refuse(Reason::MalformedJson, format!("the body is not JSON: {e}")))?;
    let root = object(&value, "the body")?;
    let name = string(root, "", "event")?;
    let event = EVENTS
        .into_iter()
        .find(|e| *e == name)
        .ok_or_else(|| refuse(Reason::UnknownEvent, format!("event must be one of {}", EVENTS.join(", "))))?;
    let tenant = object(field(root, "", "tenant")?, "tenant")?;
    let tenant = if tenant.get("id").is_some_and(|v| !v.is_null()) {
        TenantRef::Id(uuid(tenant, "tenant.", "id")?)
    } else if tenant.get("slug").is_some_and(|v| !v.is_null()) {
        let slug = string(tenant, "tenant.", "slug")?;
        TenantRef::Slug(Slug::parse_syntax(slug).map_err(|e| refuse(Reason::InvalidValue, format!("tenant.slug {e}")))?)
    } else {
        return Err(refuse(Reason::MissingField, "tenant.id or tenant.slug is missing"));
    };
    let data = object(field(root, "", "data")?, "data")?;
    let order_id = field(data, "data.", "order_id")?
        .as_i64()
        .ok_or_else(|| refuse(Reason::WrongType, "data.order_id must be an integer"))?;
    if order_id <= 0 {
        return Err(refuse(Reason::InvalidValue, "data.order_id must be positive"));
    }
    let user_id = UserId(uuid(data, "data.", "user_id")?);
    let Value::Number(total) = field(data, "data.", "total")? else {
        return Err(refuse(Reason::WrongType, "data.total must be a number"));
    };
    let total_cents = orders::cents(total).ok_or_else(|| {
        refuse(Reason::InvalidValue, "data.total must be an amount from 0 to 10,000,000,000 with at most 2 decimals")
    })?;
    let currency = string(data, "data.", "currency")?;
    if !orders::is_currency(currency) {
        return Err(refuse(Reason::InvalidValue, "data.currency must be an ISO 4217 code in upper case (EUR)"));
    }
    let status = orders::status(string(data, "data.", "status")?)
        .ok_or_else(|| refuse(Reason::InvalidValue, "data.status must be 1 to 32 characters"))?;
    Ok(OrderEvent {
        event,
        tenant,
        order_id,
        user_id,
        total_cents,
        currency: currency.to_owned(),
        status: status.to_owned(),
    })
}

/// Why a message could not be applied.
enum Failure {
    /// For good: dead-letter it.
    Refused(Refusal),
    /// For now (a database away): try it again.
    Transient(String),
}

/// The dead-letter queue of `queue`.
pub fn dead_letter_queue(queue: &str) -> String {
    format!("{queue}.dead")
}

/// The order events' side of the consumer runner.
struct OrderEvents<'a>(&'a AppState);

/// Consumes until `shutdown` resolves (the message in hand is finished or left unacked, which
/// gives it back to the broker). Does nothing without `AMQP_URL`.
pub async fn run(state: AppState, shutdown: impl Future<Output = ()> + Send) {
    let Some(broker) = state.broker.clone() else { return };
    consumer::run(&broker, &OrderEvents(&state), shutdown).await;
}

/// Declares the exchange, the queues and the bindings on `channel`.
async fn declare(channel: &Channel, exchange: &str, queue: &str) -> lapin::Result<()> {
    let dead_letters = dead_letter_queue(queue);
    let dead = DurableQueue { name: &dead_letters, in_order: false, dead_letters: None };
    consumer::declare_durable_queue(channel, dead).await?;
    consumer::declare_durable_queue(
        channel,
        DurableQueue { name: queue, in_order: true, dead_letters: Some(&dead_letters) },
    )
    .await?;
    consumer::bind(channel, queue, exchange, &EVENTS).await
}

impl consumer::Consumer for OrderEvents<'_> {
    fn name(&self) -> &'static str {
        "order events"
    }

    fn acks(&self) -> Acks {
        Acks::After { prefetch: PREFETCH }
    }

    /// Dead letters are published on the consuming channel, with confirms.
    fn confirms(&self) -> bool {
        true
    }

    async fn declare(&self, channel: &Channel) -> lapin::Result<String> {
        let config = &self.0.config.events;
        declare(channel, &config.orders_exchange, &config.orders_queue).await?;
        Ok(config.orders_queue.clone())
    }

    /// Applies or dead-letters one delivery.
    async fn handle(&self, channel: &Channel, delivery: &Delivery) -> Result<(), ConsumerFailure> {
        let state = self.0;
        let metrics = &state.events.orders;
        let applied = match parse(&delivery.data) {
            Ok(event) => apply(state, &event).await,
            Err(refusal) => Err(Failure::Refused(refusal)),
        };
        match applied {
            Ok(()) => {
                metrics.outcome("upserted");
                Ok(())
            }
            Err(Failure::Refused(refusal)) => {
                tracing::warn!(reason = refusal.reason.as_str(), detail = %refusal.detail, "order event dead-lettered");
                dead_letter(channel, &state.config.events.orders_queue, delivery, &refusal)
                    .await
                    .map_err(ConsumerFailure::Session)?;
                metrics.dead_lettered(refusal.reason.as_str());
                Ok(())
            }
            Err(Failure::Transient(err)) => {
                metrics.outcome("retried");
                Err(ConsumerFailure::Retry(err))
            }
        }
    }
}

async fn tenant_of(state: &AppState, tenant: &TenantRef) -> Result<Arc<Tenant>, Failure> {
    let resolved = match tenant {
        TenantRef::Slug(slug) => state.tenancy.resolver.resolve(slug).await.map(Some),
        TenantRef::Id(id) => state.tenancy.resolver.resolve_id(*id).await,
    };
    match resolved {
        Ok(Some(tenant)) => Ok(tenant),
        Ok(None) | Err(Unservable::NotFound) => Err(Failure::Refused(refuse(Reason::UnknownTenant, "no such tenant"))),
        Err(Unservable::Suspended) => Err(Failure::Refused(refuse(Reason::TenantInactive, "the tenant is suspended"))),
        Err(err) => Err(Failure::Transient(err.to_string())),
    }
}

async fn apply(state: &AppState, event: &OrderEvent) -> Result<(), Failure> {
    let tenant = tenant_of(state, &event.tenant).await?;
    let mut conn = state.tenancy.pools.acquire(&tenant).await.map_err(|e| Failure::Transient(e.to_string()))?;
    let order = NewOrder {
        order_id: event.order_id,
        user_id: event.user_id,
        total_cents: event.total_cents,
        currency: &event.currency,
        status: &event.status,
    };
    let mut tx = conn.begin().await.map_err(|e| Failure::Transient(e.to_string()))?;
    match orders::upsert(&mut tx, &order).await {
        Ok(_) => tx.commit().await.map_err(|e| Failure::Transient(e.to_string())),
        // The checks above mirror the table's; a value they let through and the table refuses
        // is still the message's fault.
        Err(sqlx::Error::Database(db)) if db.is_check_violation() => {
            Err(Failure::Refused(refuse(Reason::InvalidValue, "the order breaks a rule of order_refs")))
        }
        Err(err) => Err(Failure::Transient(err.to_string())),
    }
}

/// Publishes `delivery` to the dead-letter queue with the reason, and waits for the confirm.
async fn dead_letter(channel: &Channel, queue: &str, delivery: &Delivery, refusal: &Refusal) -> Result<(), String> {
    let mut headers = delivery.properties.headers().clone().unwrap_or_default();
    let text = |s: &str| AMQPValue::LongString(LongString::from(s));
    headers.insert("dead_letter_reason".into(), text(refusal.reason.as_str()));
    headers.insert("dead_letter_detail".into(), text(&refusal.detail));
    headers.insert("original_exchange".into(), text(delivery.exchange.as_str()));
    headers.insert("original_routing_key".into(), text(delivery.routing_key.as_str()));
    let mut properties = BasicProperties::default().with_delivery_mode(2).with_headers(headers);
    if let Some(id) = delivery.properties.message_id() {
        properties = properties.with_message_id(id.clone());
    }
    if let Some(content_type) = delivery.properties.content_type() {
        properties = properties.with_content_type(content_type.clone());
    }
    let published = async {
        let confirm = channel
            .basic_publish(
                ShortString::from(""),
                dead_letter_queue(queue).as_str().into(),
                BasicPublishOptions::default(),
                &delivery.data,
                properties,
            )
            .await?
            .await?;
        Ok::<_, lapin::Error>(confirm)
    };
    match tokio::time::timeout(TIMEOUT, published).await {
        Ok(Ok(Confirmation::Ack(_))) => Ok(()),
        Ok(Ok(_)) => Err("the broker refused the dead letter".to_owned()),
        Ok(Err(err)) => Err(err.to_string()),
        Err(_) => Err("the broker did not confirm the dead letter in time".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(value: &Value) -> Vec<u8> {
        serde_json::to_vec(value).unwrap()
    }

    fn good() -> Value {
        json!({
            "event": "order.created",
            "tenant": { "slug": "acme" },
            "data": {
                "order_id": 789, "user_id": "0191d5a0-0000-7000-8000-000000000001",
                "total": 612.5, "currency": "EUR", "status": "paid"
            }
        })
    }

    fn reason(value: &Value) -> Reason {
        parse(&body(value)).unwrap_err().reason
    }

    #[test]
    fn a_good_message_becomes_an_order() {
        let event = parse(&body(&good())).unwrap();
        assert_eq!(event.event, "order.created");
        assert_eq!(event.tenant, TenantRef::Slug(Slug::parse_syntax("acme").unwrap()));
        assert_eq!((event.order_id, event.total_cents, event.currency.as_str()), (789, 61_250, "EUR"));
        let mut by_id = good();
        by_id["tenant"] = json!({ "id": "0191d5a0-0000-7000-8000-0000000000aa" });
        assert!(matches!(parse(&body(&by_id)).unwrap().tenant, TenantRef::Id(_)));
    }

    #[test]
    fn each_flaw_has_its_reason() {
        assert_eq!(parse(b"{not json").unwrap_err().reason, Reason::MalformedJson);
        assert_eq!(reason(&json!([1, 2])), Reason::WrongType);
        let cases: [(&str, Value, Reason); 12] = [
            ("/event", Value::Null, Reason::MissingField),
            ("/event", json!("order.exploded"), Reason::UnknownEvent),
            ("/event", json!(7), Reason::WrongType),
            ("/tenant", json!({}), Reason::MissingField),
            ("/tenant", json!("acme"), Reason::WrongType),
            ("/tenant", json!({ "id": "not-a-uuid" }), Reason::InvalidValue),
            ("/data/order_id", json!("789"), Reason::WrongType),
            ("/data/order_id", json!(0), Reason::InvalidValue),
            ("/data/total", Value::Null, Reason::MissingField),
            ("/data/total", json!("612.50"), Reason::WrongType),
            ("/data/total", json!(1.005), Reason::InvalidValue),
            ("/data/currency", json!("eur"), Reason::InvalidValue),
        ];
        for (pointer, value, expected) in cases {
            let mut message = good();
            *message.pointer_mut(pointer).unwrap() = value.clone();
            assert_eq!(reason(&message), expected, "{pointer} = {value}");
        }
        let mut no_data = good();
        no_data.as_object_mut().unwrap().remove("data");
        assert_eq!(reason(&no_data), Reason::MissingField);
    }
}
