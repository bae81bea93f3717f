//! RabbitMQ. `Broker` is the process's one connection, opened on first use and reopened after
//! it drops (publishers and the readiness probe share it, so a probe never opens a connection of
//! its own). `AMQP_URL` may name the nodes of a cluster, separated by commas: the connection goes
//! to the first that answers, starting with the one last connected to, and moves on to the next
//! when that one goes. `Publisher` publishes to a durable topic exchange: persistent messages with a
//! stable `message_id`, publisher confirms, on a channel replaced after any failure, so a broker
//! that was down is picked up again by the next publish. `consumer` is the one way a queue is
//! read.

pub mod consumer;

use std::time::Duration;

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions};
use lapin::types::{FieldTable, ShortString};
use std::sync::Arc;

use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};
use tokio::sync::Mutex;

use crate::config::ServiceUrl;

/// How long connecting, or waiting for a confirm, may take.
const TIMEOUT: Duration = Duration::from_secs(5);
/// How long connecting to one node of a cluster may take before the next is tried.
const NODE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("broker error: {0}")]
    Broker(#[from] lapin::Error),
    #[error("the broker did not answer in time")]
    Timeout,
    #[error("the broker refused the message")]
    Nacked,
}

/// One message.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    pub routing_key: &'a str,
    /// Stable across retries, so consumers can drop duplicates.
    pub message_id: &'a str,
    pub payload: &'a [u8],
}

/// The process's connection to the broker.
pub struct Broker {
    /// The nodes' URLs, in `AMQP_URL`'s order.
    nodes: Vec<String>,
    connection: Mutex<Connected>,
}

/// The connection, when one was opened, and the node it goes to (its place in `nodes`).
#[derive(Default)]
struct Connected {
    connection: Option<Arc<Connection>>,
    node: usize,
}

/// The nodes named by `AMQP_URL`: one URL, or several separated by commas.
fn nodes(url: &ServiceUrl) -> Vec<String> {
    url.expose().split(',').map(str::trim).filter(|node| !node.is_empty()).map(str::to_owned).collect()
}

impl Broker {
    pub fn new(url: &ServiceUrl) -> Self {
        Self { nodes: nodes(url), connection: Mutex::new(Connected::default()) }
    }

    /// A new channel in confirm mode, with the durable topic exchange `exchange` declared:
    /// what every publisher of the platform sends on.
    pub async fn confirm_channel(&self, exchange: &str) -> Result<Channel, PublishError> {
        let channel = self.connection().await?.create_channel().await?;
        channel.confirm_select(ConfirmSelectOptions::default()).await?;
        declare_exchange(&channel, exchange).await?;
        Ok(channel)
    }

    /// The open connection, (re)connecting when there is none: to each node in turn, the one
    /// after a node whose connection dropped first, within `NODE_TIMEOUT` each (`TIMEOUT` for a
    /// broker of one node).
    pub async fn connection(&self) -> Result<Arc<Connection>, PublishError> {
        let mut current = self.connection.lock().await;
        let first = match &current.connection {
            Some(open) if open.status().connected() => return Ok(Arc::clone(open)),
            Some(_) => current.node + 1,
            None => current.node,
        };
        let timeout = if self.nodes.len() > 1 { NODE_TIMEOUT } else { TIMEOUT };
        let mut failure = PublishError::Timeout;
        for turn in 0..self.nodes.len() {
            let node = (first + turn) % self.nodes.len();
            let connect = Connection::connect(&self.nodes[node], ConnectionProperties::default());
            match tokio::time::timeout(timeout, connect).await {
                Ok(Ok(opened)) => {
                    let opened = Arc::new(opened);
                    *current = Connected { connection: Some(Arc::clone(&opened)), node };
                    return Ok(opened);
                }
                Ok(Err(err)) => failure = err.into(),
                Err(_) => failure = PublishError::Timeout,
            }
            if self.nodes.len() > 1 {
                tracing::warn!(node, error = %failure, "broker node unreachable; trying the next");
            }
        }
        *current = Connected { connection: None, node: first % self.nodes.len() };
        Err(failure)
    }

    /// The node the open connection goes to (its place in `AMQP_URL`), if one is open.
    pub async fn connected_node(&self) -> Option<usize> {
        let current = self.connection.lock().await;
        current.connection.as_ref().filter(|c| c.status().connected()).map(|_| current.node)
    }

    /// Whether the connection is open right now, without trying to open it.
    pub async fn is_connected(&self) -> bool {
        self.connected_node().await.is_some()
    }
}

/// Declares the durable topic exchange `exchange`, which every exchange of the platform is.
pub async fn declare_exchange(channel: &Channel, exchange: &str) -> lapin::Result<()> {
    let durable = ExchangeDeclareOptions { durable: true, ..ExchangeDeclareOptions::default() };
    channel.exchange_declare(exchange.into(), ExchangeKind::Topic, durable, FieldTable::default()).await
}

pub struct Publisher {
    broker: Arc<Broker>,
    exchange: String,
    channel: Mutex<Option<Channel>>,
}

impl Publisher {
    pub fn new(broker: Arc<Broker>, exchange: &str) -> Self {
        Self { broker, exchange: exchange.to_owned(), channel: Mutex::new(None) }
    }

    pub fn exchange(&self) -> &str {
        &self.exchange
    }

    async fn open(&self) -> Result<Channel, PublishError> {
        self.broker.confirm_channel(&self.exchange).await
    }

    /// Publishes and waits for the broker's confirm.
    pub async fn publish(&self, message: &Message<'_>) -> Result<(), PublishError> {
        let mut guard = self.channel.lock().await;
        if guard.as_ref().is_none_or(|channel| !channel.status().connected()) {
            *guard = Some(tokio::time::timeout(TIMEOUT, self.open()).await.map_err(|_| PublishError::Timeout)??);
        }
        let channel = guard.as_ref().expect("just opened");
        let properties = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type(ShortString::from("application/json"))
            .with_message_id(ShortString::from(message.message_id));
        let result = async {
            let confirm = channel
                .basic_publish(
                    self.exchange.as_str().into(),
                    message.routing_key.into(),
                    BasicPublishOptions::default(),
                    message.payload,
                    properties,
                )
                .await?
                .await?;
            if confirm.is_nack() { Err(PublishError::Nacked) } else { Ok(()) }
        };
        let outcome = tokio::time::timeout(TIMEOUT, result).await.unwrap_or(Err(PublishError::Timeout));
        if outcome.is_err() {
            *guard = None;
        }
        outcome
    }
}
