//! Publishing to RabbitMQ: durable topic exchanges, persistent messages with a stable
//! `message_id`, publisher confirms. The connection opens on first use and is replaced after
//! any failure, so a broker that was down is picked up again by the next publish.

use std::time::Duration;

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions};
use lapin::types::{FieldTable, ShortString};
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

pub struct Publisher {
    url: ServiceUrl,
    exchange: String,
    channel: Mutex<Option<(Connection, Channel)>>,
}

impl Publisher {
    pub fn new(url: ServiceUrl, exchange: &str) -> Self {
        Self { url, exchange: exchange.to_owned(), channel: Mutex::new(None) }
    }

    pub fn exchange(&self) -> &str {
        &self.exchange
    }

    async fn open(&self) -> Result<(Connection, Channel), PublishError> {
        let connection = Connection::connect(self.url.expose(), ConnectionProperties::default()).await?;
        let channel = connection.create_channel().await?;
        channel.confirm_select(ConfirmSelectOptions::default()).await?;
        channel
            .exchange_declare(
                self.exchange.as_str().into(),
                ExchangeKind::Topic,
                ExchangeDeclareOptions { durable: true, ..ExchangeDeclareOptions::default() },
                FieldTable::default(),
            )
            .await?;
        Ok((connection, channel))
    }

    /// Publishes and waits for the broker's confirm.
    pub async fn publish(&self, message: &Message<'_>) -> Result<(), PublishError> {
        let mut guard = self.channel.lock().await;
        if guard.as_ref().is_none_or(|(connection, _)| !connection.status().connected()) {
            *guard = Some(tokio::time::timeout(TIMEOUT, self.open()).await.map_err(|_| PublishError::Timeout)??);
        }
        let (_, channel) = guard.as_ref().expect("just opened");
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
