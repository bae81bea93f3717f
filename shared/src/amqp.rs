//! RabbitMQ. `Broker` is the process's one connection, opened on first use and reopened after
//! it drops (publishers and the readiness probe share it, so a probe never opens a connection of
//! its own). `Publisher` publishes to a durable topic exchange: persistent messages with a
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
    url: ServiceUrl,
    connection: Mutex<Option<Arc<Connection>>>,
}

impl Broker {
    pub fn new(url: ServiceUrl) -> Self {
        Self { url, connection: Mutex::new(None) }
    }

    /// A new channel in confirm mode, with the durable topic exchange `exchange` declared:
    /// what every publisher of the platform sends on.
    pub async fn confirm_channel(&self, exchange: &str) -> Result<Channel, PublishError> {
        let channel = self.connection().await?.create_channel().await?;
        channel.confirm_select(ConfirmSelectOptions::default()).await?;
        declare_exchange(&channel, exchange).await?;
        Ok(channel)
    }

    /// The open connection, (re)connecting within `TIMEOUT` when there is none.
    pub async fn connection(&self) -> Result<Arc<Connection>, PublishError> {
        let mut current = self.connection.lock().await;
        if let Some(open) = current.as_ref().filter(|c| c.status().connected()) {
            return Ok(Arc::clone(open));
        }
        let connect = Connection::connect(self.url.expose(), ConnectionProperties::default());
        let opened = Arc::new(tokio::time::timeout(TIMEOUT, connect).await.map_err(|_| PublishError::Timeout)??);
        *current = Some(Arc::clone(&opened));
        Ok(opened)
    }

    /// Whether the connection is open right now, without trying to open it.
    pub async fn is_connected(&self) -> bool {
        self.connection.lock().await.as_ref().is_some_and(|c| c.status().connected())
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
