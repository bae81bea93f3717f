//! The order events consumer on a real broker: an order event changes the priority of the
//! customer's next ticket; bad messages go to the dead-letter queue with their reason, and the
//! consumer goes on with the next ones. Its queues are quorum queues (a classic queue left by an
//! earlier version is used as it is), and a broker URL listing several nodes reaches the one
//! that answers.

use std::time::Duration;

use harness::eventually;
use serde_json::{Value, json};
use uuid::Uuid;

use lapin::options::{QueueDeclareOptions, QueueDeleteOptions};
use lapin::types::{AMQPValue, FieldTable};

use super::{EventDesk, Rabbit, amqp_url, unique};

/// A desk whose replica consumes order events from an exchange and a queue of the test's own.
struct OrderDesk {
    events: EventDesk,
    exchange: String,
    queue: String,
}

/// How the test's orders queue is before the replica starts, and the broker URL it is given.
#[derive(Default)]
struct Setting {
    /// Declared a classic queue beforehand, as an earlier version did.
    classic_queue: bool,
    /// `AMQP_URL`, when not the test broker's.
    amqp_url: Option<String>,
}

impl OrderDesk {
    async fn open() -> Self {
        Self::open_with(Setting::default()).await
    }

    async fn open_with(setting: Setting) -> Self {
        let (exchange, queue) = (unique("orders_exchange"), unique("app-api.orders"));
        if setting.classic_queue {
            let earlier = Rabbit::connect().await;
            let mut arguments = FieldTable::default();
            arguments.insert("x-single-active-consumer".into(), AMQPValue::Boolean(true));
            let durable = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
            earlier.channel.queue_declare(queue.as_str().into(), durable, arguments).await.unwrap();
        }
        let mut events = EventDesk::open(|c| {
            c.events.consumer_in_serve = true;
            c.events.orders_exchange.clone_from(&exchange);
            c.events.orders_queue.clone_from(&queue);
            if let Some(nodes) = &setting.amqp_url {
                c.amqp_url = Some(crate::helpers::url(nodes));
            }
        })
        .await;
        let rabbit: &mut Rabbit = &mut events.rabbit;
        rabbit.owns_exchange(&exchange);
        rabbit.owns_queue(&queue);
        rabbit.owns_queue(&format!("{queue}.dead"));
        let desk = Self { events, exchange, queue };
        let (rabbit, queue) = (&desk.events.rabbit, desk.queue.as_str());
        eventually(Duration::from_secs(10), "the consumer is on its queue", || async move {
            let (_, consumers) = rabbit.queue_state(queue).await?;
            (consumers == 1).then_some(())
        })
        .await;
        desk
    }

    async fn send(&self, routing_key: &str, body: &[u8]) {
        self.events.rabbit.publish(&self.exchange, routing_key, body).await;
    }

    async fn send_json(&self, body: &Value) {
        let key = body["event"].as_str().unwrap_or("order.created");
        self.send(key, &serde_json::to_vec(body).unwrap()).await;
    }

    /// `order_refs` of `order_id`: total in cents and status.
    async fn order(&self, order_id: i64) -> Option<(i64, String)> {
        sqlx::query_as("SELECT total_cents, status FROM order_refs WHERE order_id = $1")
            .bind(order_id)
            .fetch_optional(&self.events.desk.db.pool)
            .await
            .unwrap()
    }

    async fn wait_order(&self, order_id: i64, expected: (i64, &str)) {
        eventually(Duration::from_secs(10), &format!("order {order_id} is {expected:?}"), || async {
            self.order(order_id).await.filter(|(cents, status)| (*cents, status.as_str()) == expected).map(drop)
        })
        .await;
    }
}

fn order_event(event: &str, tenant: &Value, order_id: i64, user_id: Uuid, total: f64, status: &str) -> Value {
    json!({
        "event": event,
        "tenant": tenant,
        "data": { "order_id": order_id, "user_id": user_id, "total": total, "currency": "EUR", "status": status }
    })
}

#[tokio::test]
async fn an_order_event_sets_the_priority_of_the_customers_next_ticket() {
    let desk = OrderDesk::open().await;
    let d = &desk.events.desk;
    let customer = d.member("customer").await;
    let ticket = |order_id: i64| {
        let (d, customer) = (d, &customer);
        async move {
            d.create(customer, json!({ "subject": "Where is it?", "description": "Late", "order_id": order_id })).await
                ["priority"]
                .clone()
        }
    };
    assert_eq!(ticket(778).await, "medium", "an order nobody told us about");

    let slug = json!({ "slug": d.org.slug });
    desk.send_json(&order_event("order.created", &slug, 778, customer.id, 612.50, "paid")).await;
    desk.wait_order(778, (61_250, "paid")).await;
    assert_eq!(ticket(778).await, "high", "an order over 500 EUR");

    // By tenant id this time; the same order, now worth less.
    let by_id = json!({ "id": desk.events.tenant_id().await });
    desk.send_json(&order_event("order.updated", &by_id, 778, customer.id, 20.0, "partially_refunded")).await;
    desk.wait_order(778, (2_000, "partially_refunded")).await;
    assert_eq!(ticket(778).await, "medium");

    let metrics = d.app.server.get("/metrics").await.body;
    assert!(metrics.contains(r#"order_events_total{outcome="upserted"} 2"#), "{metrics}");
}

#[tokio::test]
async fn bad_order_messages_are_dead_lettered_with_a_reason_and_the_queue_goes_on() {
    let desk = OrderDesk::open().await;
    let d = &desk.events.desk;
    let customer = d.member("customer").await;
    let slug = json!({ "slug": d.org.slug });
    let good = order_event("order.delivered", &slug, 901, customer.id, 99.99, "delivered");

    desk.send("order.created", b"{\"event\": \"order.created\", \"tenant\": ").await;
    let unknown = order_event("order.created", &json!({ "slug": "t-nobody-here" }), 902, customer.id, 10.0, "paid");
    desk.send_json(&unknown).await;
    let mut missing = good.clone();
    missing["data"].as_object_mut().unwrap().remove("total");
    desk.send_json(&missing).await;
    let mut wrong_type = good.clone();
    wrong_type["data"]["total"] = json!("99.99");
    desk.send_json(&wrong_type).await;
    desk.send_json(&good).await;

    // The good message after the four bad ones applied: nothing blocked the queue.
    desk.wait_order(901, (9_999, "delivered")).await;
    let dead_queue = format!("{}.dead", desk.queue);
    let rabbit = &desk.events.rabbit;
    // Taken off the dead-letter queue as they arrive, until the four are in.
    let taken = std::sync::Mutex::new(Vec::new());
    let dead = eventually(Duration::from_secs(10), "four dead letters", || async {
        while let Some(message) = rabbit.get(&dead_queue).await {
            taken.lock().unwrap().push(message);
        }
        let taken = taken.lock().unwrap();
        (taken.len() >= 4).then(|| taken.clone())
    })
    .await;
    let reasons: Vec<&str> = dead.iter().map(|m| m.headers["dead_letter_reason"].as_str()).collect();
    assert_eq!(reasons, ["malformed_json", "unknown_tenant", "missing_field", "wrong_type"]);
    for message in &dead {
        assert!(!message.headers["dead_letter_detail"].is_empty());
        assert_eq!(message.headers["original_exchange"], desk.exchange);
        assert!(message.headers["original_routing_key"].starts_with("order."));
        assert_eq!(message.delivery_mode, Some(2));
    }
    assert!(dead[2].headers["dead_letter_detail"].contains("data.total"), "{:?}", dead[2].headers);
    assert_eq!(dead[0].raw, b"{\"event\": \"order.created\", \"tenant\": ", "the message as it came");
    // Nothing of the bad messages was written, and the main queue is empty (all acked).
    assert!(desk.order(902).await.is_none());
    assert_eq!(d.db.count("order_refs").await, 1);
    let (rabbit, queue) = (&desk.events.rabbit, desk.queue.as_str());
    eventually(Duration::from_secs(5), "the main queue is drained", || async move {
        let (ready, _) = rabbit.queue_state(queue).await?;
        (ready == 0).then_some(())
    })
    .await;
    let metrics = d.app.server.get("/metrics").await.body;
    for reason in ["malformed_json", "unknown_tenant", "missing_field", "wrong_type"] {
        let line = format!(r#"order_events_dead_lettered_total{{reason="{reason}"}} 1"#);
        assert!(metrics.contains(&line), "{line} in {metrics}");
    }
}

/// Declares `queue` again with the arguments of a quorum queue (`extra` besides): the broker
/// accepts it only when the queue is a quorum queue with those arguments.
async fn declared_as_quorum(rabbit: &Rabbit, queue: &str, extra: &[(&str, AMQPValue)]) -> Result<(), String> {
    let channel = rabbit.connection.create_channel().await.unwrap();
    let mut arguments = FieldTable::default();
    arguments.insert("x-queue-type".into(), AMQPValue::LongString("quorum".into()));
    for (name, value) in extra {
        arguments.insert((*name).into(), value.clone());
    }
    let durable = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
    let declared = channel.queue_declare(queue.into(), durable, arguments).await.map(drop).map_err(|e| e.to_string());
    let _ = channel.close(200, "bye".into()).await;
    declared
}

#[tokio::test]
async fn the_order_queues_are_quorum_queues_with_a_delivery_limit_into_the_dead_letters() {
    let desk = OrderDesk::open().await;
    let rabbit = &desk.events.rabbit;
    let dead_queue = format!("{}.dead", desk.queue);
    let main = [
        ("x-single-active-consumer", AMQPValue::Boolean(true)),
        ("x-delivery-limit", AMQPValue::LongLongInt(shared::amqp::consumer::DELIVERY_LIMIT)),
        ("x-dead-letter-exchange", AMQPValue::LongString("".into())),
        ("x-dead-letter-routing-key", AMQPValue::LongString(dead_queue.as_str().into())),
    ];
    declared_as_quorum(rabbit, &desk.queue, &main).await.expect("the orders queue is a quorum queue");
    declared_as_quorum(rabbit, &dead_queue, &[]).await.expect("its dead letters are a quorum queue");
    // The check can fail: a classic queue is not declared again as a quorum queue.
    let classic = unique("classic");
    let durable = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
    rabbit.channel.queue_declare(classic.as_str().into(), durable, FieldTable::default()).await.unwrap();
    let refused = declared_as_quorum(rabbit, &classic, &[]).await.expect_err("a classic queue is not a quorum queue");
    assert!(refused.contains("x-queue-type"), "{refused}");
    let _ = rabbit.channel.queue_delete(classic.as_str().into(), QueueDeleteOptions::default()).await;
}

#[tokio::test]
async fn an_orders_queue_left_classic_by_an_earlier_version_is_consumed_as_it_is() {
    let desk = OrderDesk::open_with(Setting { classic_queue: true, ..Setting::default() }).await;
    let d = &desk.events.desk;
    let customer = d.member("customer").await;
    let slug = json!({ "slug": d.org.slug });
    desk.send_json(&order_event("order.created", &slug, 4_401, customer.id, 12.0, "paid")).await;
    desk.wait_order(4_401, (1_200, "paid")).await;
    let refused = declared_as_quorum(&desk.events.rabbit, &desk.queue, &[]).await;
    assert!(refused.is_err(), "the queue stayed classic: nothing was lost by declaring it again");

    // The operator's move: the classic queue, drained, is deleted; the consumer declares it anew,
    // a quorum queue this time, and goes on.
    let rabbit = &desk.events.rabbit;
    rabbit.channel.queue_delete(desk.queue.as_str().into(), QueueDeleteOptions::default()).await.unwrap();
    let queue = desk.queue.as_str();
    eventually(Duration::from_secs(20), "the consumer is back on its queue", || async move {
        let (_, consumers) = rabbit.queue_state(queue).await?;
        (consumers == 1).then_some(())
    })
    .await;
    let dead_queue = format!("{queue}.dead");
    let quorum = [
        ("x-single-active-consumer", AMQPValue::Boolean(true)),
        ("x-delivery-limit", AMQPValue::LongLongInt(shared::amqp::consumer::DELIVERY_LIMIT)),
        ("x-dead-letter-exchange", AMQPValue::LongString("".into())),
        ("x-dead-letter-routing-key", AMQPValue::LongString(dead_queue.as_str().into())),
    ];
    declared_as_quorum(rabbit, queue, &quorum).await.expect("declared anew as a quorum queue");
    desk.send_json(&order_event("order.created", &slug, 4_403, customer.id, 5.0, "paid")).await;
    desk.wait_order(4_403, (500, "paid")).await;
}

#[tokio::test]
async fn a_broker_url_naming_a_dead_node_first_reaches_the_node_that_answers() {
    // Port 1 refuses connections: the first node of the list is down.
    let nodes = format!("amqp://guest:guest@127.0.0.1:1/%2f,{}", amqp_url());
    let desk = OrderDesk::open_with(Setting { amqp_url: Some(nodes), ..Setting::default() }).await;
    let d = &desk.events.desk;
    let customer = d.member("customer").await;
    let slug = json!({ "slug": d.org.slug });
    desk.send_json(&order_event("order.created", &slug, 4_402, customer.id, 30.0, "paid")).await;
    desk.wait_order(4_402, (3_000, "paid")).await;
    let broker = d.app.state.broker.clone().expect("a broker is configured");
    assert_eq!(broker.connected_node().await, Some(1), "connected to the second node of the list");
    // The outbox relay published through it too: a ticket's event reaches the test's tap.
    d.create(&customer, json!({ "subject": "Parcel", "description": "Late" })).await;
    eventually(Duration::from_secs(10), "the ticket's event is published", || async {
        desk.events.tap.all().iter().any(|m| m.routing_key == "sav.ticket.created").then_some(())
    })
    .await;
}
