//! The relay's side of the broker: one confirm-mode channel on the process's connection
//! (`shared::amqp::Broker`), the exchange declared on it, and the backoff after a failure.
//! A batch is published in one go and its confirms awaited together (the broker confirms in
//! order); what counts is the prefix of rows confirmed before the first failure.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lapin::options::BasicPublishOptions;
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Channel, Confirmation};
use shared::amqp::{Broker, PublishError};
use shared::backoff;

use super::metrics::RelayMetrics;
use crate::events::outbox::Pending;
use crate::tenancy::resolve::Tenant;

/// How long opening a channel, or waiting for a batch's confirms, may take.
const TIMEOUT: Duration = Duration::from_secs(5);
/// The wait after failures in a row, jittered so replicas do not retry in step.
const BACKOFF: backoff::Backoff = backoff::Backoff::new(Duration::from_millis(200), Duration::from_secs(10));

/// The consecutive failures and the moment publishing may be tried again.
#[derive(Debug, Default)]
struct Backoff {
    failures: u32,
    until: Option<Instant>,
}

/// What publishing a batch came to.
#[derive(Debug)]
pub struct Published {
    /// Rows confirmed, from the first: these may be marked.
    pub confirmed: usize,
    /// Why the row after them was not confirmed.
    pub error: Option<String>,
}

pub struct Outlet {
    broker: Arc<Broker>,
    exchange: String,
    channel: Mutex<Option<Channel>>,
    opening: tokio::sync::Mutex<()>,
    backoff: Mutex<Backoff>,
    /// Whether a relay runs in this process (for `/ready`).
    running: AtomicBool,
    metrics: RelayMetrics,
}

impl Outlet {
    pub fn new(broker: Arc<Broker>, exchange: &str, metrics: RelayMetrics) -> Self {
        Self {
            broker,
            exchange: exchange.to_owned(),
            channel: Mutex::new(None),
            opening: tokio::sync::Mutex::new(()),
            backoff: Mutex::default(),
            running: AtomicBool::new(false),
            metrics,
        }
    }

    pub fn exchange(&self) -> &str {
        &self.exchange
    }

    pub(crate) fn set_running(&self, running: bool) {
        self.running.store(running, Ordering::Release);
    }

    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::Acquire)
    }

    /// Whether the relay's channel is open now.
    pub fn is_connected(&self) -> bool {
        self.current().is_some()
    }

    fn current(&self) -> Option<Channel> {
        let mut current = self.channel.lock().expect("not poisoned");
        if current.as_ref().is_some_and(|c| !c.status().connected()) {
            *current = None;
            self.metrics.connected.set(0);
        }
        current.clone()
    }

    /// How long to wait before trying the broker again, if a failure asked for a pause.
    pub fn backing_off(&self) -> Option<Duration> {
        let backoff = self.backoff.lock().expect("not poisoned");
        backoff.until.and_then(|until| until.checked_duration_since(Instant::now()))
    }

    fn failed(&self, why: &str) {
        let mut backoff = self.backoff.lock().expect("not poisoned");
        backoff.failures = backoff.failures.saturating_add(1);
        let wait = BACKOFF.jittered(backoff.failures, rand::random::<f64>());
        backoff.until = Some(Instant::now() + wait);
        self.metrics.connected.set(0);
        if backoff.failures == 1 {
            tracing::warn!(error = why, "the outbox relay cannot publish; rows wait in the outboxes");
        } else {
            tracing::debug!(error = why, failures = backoff.failures, ?wait, "broker still away");
        }
    }

    fn succeeded(&self) {
        let mut backoff = self.backoff.lock().expect("not poisoned");
        if backoff.failures > 0 {
            tracing::info!(failures = backoff.failures, "the outbox relay publishes again");
        }
        *backoff = Backoff::default();
        self.metrics.connected.set(1);
    }

    /// The open channel, opening one (and the connection) when there is none.
    pub async fn channel(&self) -> Result<Channel, PublishError> {
        if let Some(open) = self.current() {
            return Ok(open);
        }
        let _opening = self.opening.lock().await;
        if let Some(open) = self.current() {
            return Ok(open);
        }
        let opened = tokio::time::timeout(TIMEOUT, self.open()).await.unwrap_or(Err(PublishError::Timeout));
        match opened {
            Ok(channel) => {
                *self.channel.lock().expect("not poisoned") = Some(channel.clone());
                self.succeeded();
                Ok(channel)
            }
            Err(err) => {
                self.failed(&err.to_string());
                Err(err)
            }
        }
    }

    async fn open(&self) -> Result<Channel, PublishError> {
        self.broker.confirm_channel(&self.exchange).await
    }

    /// Forgets `channel` after a failure on it (a later call opens another).
    fn discard(&self, channel: &Channel) {
        let mut current = self.channel.lock().expect("not poisoned");
        if current.as_ref().is_some_and(|c| c.id() == channel.id()) {
            *current = None;
        }
    }

    /// Publishes `rows` of `tenant` in order on `channel` and waits for their confirms.
    pub async fn publish(&self, channel: &Channel, tenant: &Tenant, rows: &[Pending]) -> Published {
        let mut headers = FieldTable::default();
        headers.insert("tenant_id".into(), AMQPValue::LongString(LongString::from(tenant.id.to_string())));
        headers.insert("tenant_slug".into(), AMQPValue::LongString(LongString::from(tenant.slug.as_str())));
        let mut confirms = Vec::with_capacity(rows.len());
        let mut error = None;
        for row in rows {
            // The row, and its number in the order the tenant's events are published: the live
            // stream's frame ids.
            let mut headers = headers.clone();
            headers.insert("outbox_id".into(), AMQPValue::LongLongInt(row.id));
            headers.insert("relay_seq".into(), AMQPValue::LongLongInt(row.seq));
            let properties = BasicProperties::default()
                .with_delivery_mode(2)
                .with_content_type(ShortString::from("application/json"))
                .with_message_id(ShortString::from(row.message_id.to_string()))
                .with_type(ShortString::from(row.event.as_str()))
                .with_headers(headers);
            let sent = channel
                .basic_publish(
                    self.exchange.as_str().into(),
                    row.routing_key.as_str().into(),
                    BasicPublishOptions::default(),
                    row.payload.as_bytes(),
                    properties,
                )
                .await;
            match sent {
                Ok(confirm) => confirms.push(confirm),
                Err(err) => {
                    error = Some(err.to_string());
                    break;
                }
            }
        }
        let mut confirmed = 0;
        let waited = tokio::time::timeout(TIMEOUT, async {
            for confirm in confirms {
                match confirm.await {
                    Ok(Confirmation::Ack(_)) => confirmed += 1,
                    Ok(Confirmation::Nack(_)) => return Some("the broker refused the message".to_owned()),
                    Ok(Confirmation::NotRequested) => return Some("the channel is not in confirm mode".to_owned()),
                    Err(err) => return Some(err.to_string()),
                }
            }
            None
        })
        .await;
        let error = match waited {
            Ok(None) => error,
            Ok(Some(failure)) => Some(failure),
            Err(_) => Some("the broker did not confirm in time".to_owned()),
        };
        for row in &rows[..confirmed] {
            self.metrics.published(&row.routing_key);
        }
        if let Some(why) = &error {
            if let Some(row) = rows.get(confirmed) {
                self.metrics.failed(&row.routing_key);
            }
            self.discard(channel);
            self.failed(why);
        } else {
            self.succeeded();
        }
        Published { confirmed, error }
    }
}
