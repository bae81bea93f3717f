//! Events on a real RabbitMQ: the outbox relay (`relay`), the order events consumer
//! (`orders`) and the `app-api worker` binary (`worker`). Each test publishes to exchanges and
//! queues of its own (unique names through `EVENTS_EXCHANGE`, `ORDERS_EXCHANGE`,
//! `ORDERS_QUEUE`), listens with a temporary queue of its own, and deletes them all when its
//! `Rabbit` drops.

mod orders;
mod relay;
mod worker;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app_api::AppConfig;
use futures_util::StreamExt as _;
use harness::eventually;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicGetOptions, BasicPublishOptions, ExchangeDeclareOptions,
    ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use uuid::Uuid;

use crate::helpers::{Platform, Service, broker_url};
use crate::tickets::Desk;

pub use crate::helpers::amqp_url;

/// Binds `queue` to every routing key of `exchange` (`#`): a tap's queue.
pub async fn bind_everything(channel: &Channel, queue: &str, exchange: &str) {
    channel
        .queue_bind(queue.into(), exchange.into(), "#".into(), QueueBindOptions::default(), FieldTable::default())
        .await
        .unwrap();
}

/// The broker's address, for the proxy.
fn broker_addr() -> SocketAddr {
    let url = amqp_url();
    let authority = url.split('@').next_back().unwrap_or("127.0.0.1:5672");
    let host_port = authority.split('/').next().unwrap_or("127.0.0.1:5672");
    host_port.parse().unwrap_or_else(|_| "127.0.0.1:5672".parse().unwrap())
}

/// A name no other test uses.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}.test.{}", Uuid::new_v4().simple())
}

/// One message as a consumer sees it.
#[derive(Debug, Clone)]
pub struct Received {
    pub routing_key: String,
    pub message_id: Option<String>,
    pub kind: Option<String>,
    pub content_type: Option<String>,
    pub delivery_mode: Option<u8>,
    pub headers: BTreeMap<String, String>,
    pub raw: Vec<u8>,
}

impl Received {
    fn of(routing_key: &str, properties: &BasicProperties, data: &[u8]) -> Self {
        let headers = properties
            .headers()
            .as_ref()
            .map(|table| {
                table
                    .inner()
                    .iter()
                    .map(|(k, v)| {
                        let text = match v {
                            AMQPValue::LongString(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
                            AMQPValue::ShortString(s) => s.as_str().to_owned(),
                            other => format!("{other:?}"),
                        };
                        (k.as_str().to_owned(), text)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            routing_key: routing_key.to_owned(),
            message_id: properties.message_id().as_ref().map(|s| s.as_str().to_owned()),
            kind: properties.kind().as_ref().map(|s| s.as_str().to_owned()),
            content_type: properties.content_type().as_ref().map(|s| s.as_str().to_owned()),
            delivery_mode: *properties.delivery_mode(),
            headers,
            raw: data.to_vec(),
        }
    }

    pub fn body(&self) -> Value {
        serde_json::from_slice(&self.raw).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.raw))
    }
}

/// Every message routed to a temporary queue bound to an exchange with `#`, in arrival order.
pub struct Tap {
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Tap {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Tap {
    pub fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Deliveries per message id.
    pub fn counts(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for message in self.all() {
            *counts.entry(message.message_id.unwrap_or_default()).or_insert(0) += 1;
        }
        counts
    }

    /// Waits (bounded) until every id of `ids` arrived at least once.
    pub async fn wait_for_ids(&self, ids: &[Uuid], within: Duration) {
        let wanted: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        eventually(within, &format!("{} messages arrive", wanted.len()), || async {
            let counts = self.counts();
            wanted.iter().all(|id| counts.contains_key(id)).then_some(())
        })
        .await;
    }
}

/// The test's own connection to the broker, and what it declared (deleted on drop).
pub struct Rabbit {
    pub connection: Connection,
    pub channel: Channel,
    exchanges: Vec<String>,
    queues: Vec<String>,
}

impl Drop for Rabbit {
    fn drop(&mut self) {
        let (exchanges, queues) = (std::mem::take(&mut self.exchanges), std::mem::take(&mut self.queues));
        // Drop cannot wait: delete from a runtime of its own, on another connection.
        let handle = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let Ok(connection) = Connection::connect(&amqp_url(), ConnectionProperties::default()).await else {
                    return;
                };
                let Ok(channel) = connection.create_channel().await else { return };
                for queue in queues {
                    let _ = channel.queue_delete(queue.as_str().into(), QueueDeleteOptions::default()).await;
                }
                for exchange in exchanges {
                    let _ = channel.exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default()).await;
                }
                let _ = connection.close(200, ShortString::from("bye")).await;
            });
        });
        let _ = handle.join();
    }
}

impl Rabbit {
    pub async fn connect() -> Self {
        let connection =
            Connection::connect(&amqp_url(), ConnectionProperties::default()).await.expect("the test broker answers");
        let channel = connection.create_channel().await.unwrap();
        Self { connection, channel, exchanges: Vec::new(), queues: Vec::new() }
    }

    /// Deletes `exchange` when the test ends (whoever declares it).
    pub fn owns_exchange(&mut self, exchange: &str) {
        self.exchanges.push(exchange.to_owned());
    }

    /// Deletes `queue` when the test ends.
    pub fn owns_queue(&mut self, queue: &str) {
        self.queues.push(queue.to_owned());
    }

    /// Declares `exchange` as the services do (durable topic); it goes when the test ends.
    pub async fn exchange(&mut self, exchange: &str) {
        let options = ExchangeDeclareOptions { durable: true, ..ExchangeDeclareOptions::default() };
        self.channel
            .exchange_declare(exchange.into(), ExchangeKind::Topic, options, FieldTable::default())
            .await
            .unwrap();
        self.owns_exchange(exchange);
    }

    /// A temporary queue of the test's own bound to `exchange` (declared here) with `#`.
    pub async fn tap(&mut self, exchange: &str) -> Tap {
        self.exchange(exchange).await;
        let channel = self.connection.create_channel().await.unwrap();
        let options = QueueDeclareOptions { exclusive: true, auto_delete: true, ..QueueDeclareOptions::default() };
        let queue = channel.queue_declare("".into(), options, FieldTable::default()).await.unwrap();
        let name = queue.name().as_str().to_owned();
        self.owns_queue(&name);
        bind_everything(&channel, &name, exchange).await;
        let mut consumer = channel
            .basic_consume(name.as_str().into(), "".into(), BasicConsumeOptions::default(), FieldTable::default())
            .await
            .unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&received);
        let task = tokio::spawn(async move {
            let _channel = channel;
            while let Some(Ok(delivery)) = consumer.next().await {
                let message = Received::of(delivery.routing_key.as_str(), &delivery.properties, &delivery.data);
                sink.lock().unwrap().push(message);
                let _ = delivery.acker.ack(BasicAckOptions::default()).await;
            }
        });
        Tap { received, task }
    }

    /// Publishes `body` to `exchange` with `routing_key`, and waits for the broker's confirm.
    pub async fn publish(&self, exchange: &str, routing_key: &str, body: &[u8]) {
        let channel = self.connection.create_channel().await.unwrap();
        channel.confirm_select(lapin::options::ConfirmSelectOptions::default()).await.unwrap();
        let properties = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type("application/json".into())
            .with_message_id(Uuid::new_v4().to_string().into());
        let confirm = channel
            .basic_publish(exchange.into(), routing_key.into(), BasicPublishOptions::default(), body, properties)
            .await
            .unwrap()
            .await
            .unwrap();
        assert!(confirm.is_ack(), "the broker took the message");
        let _ = channel.close(200, "bye".into()).await;
    }

    /// Messages ready in `queue` and its consumers, without declaring it.
    pub async fn queue_state(&self, queue: &str) -> Option<(u32, u32)> {
        let channel = self.connection.create_channel().await.ok()?;
        let options = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
        let declared = channel.queue_declare(queue.into(), options, FieldTable::default()).await.ok()?;
        let _ = channel.close(200, "bye".into()).await;
        Some((declared.message_count(), declared.consumer_count()))
    }

    /// Takes the next message of `queue`, if any.
    pub async fn get(&self, queue: &str) -> Option<Received> {
        let message = self.channel.basic_get(queue.into(), BasicGetOptions { no_ack: true }).await.ok()??;
        Some(Received::of(message.delivery.routing_key.as_str(), &message.delivery.properties, &message.delivery.data))
    }
}

/// A TCP proxy on 127.0.0.1 to the broker that the test takes down (every connection through
/// it cut, new ones closed at once) and brings back up.
pub struct Proxy {
    pub port: u16,
    up: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.up.send_replace(false);
        self.task.abort();
    }
}

impl Proxy {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (up, watching) = watch::channel(true);
        let target = broker_addr();
        let task = tokio::spawn(async move {
            loop {
                let Ok((inbound, _)) = listener.accept().await else { continue };
                let up = watching.clone();
                if !*up.borrow() {
                    drop(inbound);
                    continue;
                }
                tokio::spawn(forward(inbound, target, up));
            }
        });
        Self { port, up, task }
    }

    pub fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.port)
    }

    pub fn set_up(&self, up: bool) {
        self.up.send_replace(up);
    }
}

async fn forward(mut inbound: TcpStream, target: SocketAddr, mut up: watch::Receiver<bool>) {
    let Ok(mut outbound) = TcpStream::connect(target).await else { return };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
        _ = up.wait_for(|up| !*up) => {}
    }
}

/// One organisation whose app-api replica publishes its events to an exchange of the test's
/// own, and a tap on that exchange. The desk (and its relay) drops before the exchange goes.
pub struct EventDesk {
    pub desk: Desk,
    pub tap: Tap,
    pub rabbit: Rabbit,
}

impl EventDesk {
    /// `configure` sets the replica's configuration further (the relay's switches, the broker).
    pub async fn open(configure: impl FnOnce(&mut AppConfig)) -> Self {
        let mut rabbit = Rabbit::connect().await;
        let exchange = unique("sav_exchange");
        let tap = rabbit.tap(&exchange).await;
        let (platform, org) = Platform::with_org(false).await;
        let app = platform
            .replica_with(|c| {
                c.rate_limits.per_user_per_minute = 0;
                c.amqp_url = broker_url(&Service::Test);
                c.events.exchange.clone_from(&exchange);
                // The order consumer's tests turn it on, on queues of their own.
                c.events.consumer_in_serve = false;
                configure(c);
            })
            .await;
        let owner = platform.owner(&app, &org).await;
        let db = platform.tenant_db(&org.slug).await;
        Self { desk: Desk { db, app, org, owner, platform }, tap, rabbit }
    }

    /// The message ids of every outbox row, in id order.
    pub async fn outbox_ids(&self) -> Vec<Uuid> {
        sqlx::query_scalar("SELECT message_id FROM outbox ORDER BY id").fetch_all(&self.desk.db.pool).await.unwrap()
    }

    /// The tenant's id in the control plane.
    pub async fn tenant_id(&self) -> Uuid {
        sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
            .bind(&self.desk.org.slug)
            .fetch_one(&self.desk.platform.control.db)
            .await
            .unwrap()
    }

    /// `/ready`'s report on the relay.
    pub async fn relay_status(&self) -> Value {
        self.desk.app.server.get("/ready").await.json()["dependencies"]["outbox_relay"]["status"].clone()
    }
}
