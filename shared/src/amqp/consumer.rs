//! The one way a queue is consumed. `run` opens a channel on the process's connection, lets the
//! consumer declare what it reads, sets the prefetch, consumes, hands each delivery to the
//! consumer and acks it once the handler is done (its commit made), and starts again with the
//! backoff (`backoff::BROKER`) whenever the broker goes. A delivery the handler cannot finish
//! now is handed to it again after the backoff, in place, so the messages of one queue never
//! overtake each other; at shutdown it is left unacked and goes back to the queue.
//!
//! What differs between consumers is theirs: what they declare (a durable queue with a single
//! active consumer where order matters, or a private queue gone with the connection), whether
//! they ack, and what they do when they hold the queue or lose it.

use std::pin::Pin;
use std::time::Duration;

use futures_util::StreamExt as _;
use lapin::Channel;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicQosOptions, ConfirmSelectOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};

use super::{Broker, declare_exchange};
use crate::backoff;

/// How long opening a session (channel, declarations, consume) may take.
const TIMEOUT: Duration = Duration::from_secs(5);

/// How a delivery is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acks {
    /// Acked after the handler is done; at most this many in hand at once.
    After { prefetch: u16 },
    /// Taken as delivered: a lost one is the reader's to recover (a stream replays it).
    None,
}

/// Why a delivery was not finished.
#[derive(Debug)]
pub enum Failure {
    /// Not now (a database away): the same delivery is handed again after the backoff.
    Retry(String),
    /// The channel failed: the session ends and starts again; unacked deliveries go back.
    Session(String),
}

/// A reader of one queue.
pub trait Consumer: Sync {
    /// Its name in the logs.
    fn name(&self) -> &'static str;

    fn acks(&self) -> Acks;

    /// Whether the channel is put in confirm mode (for a consumer that publishes on it, a
    /// dead letter say).
    fn confirms(&self) -> bool {
        false
    }

    /// Declares the exchanges, queues and bindings it reads; answers the queue's name.
    fn declare(&self, channel: &Channel) -> impl Future<Output = lapin::Result<String>> + Send;

    /// Handles one delivery; `Ok` when done with it.
    fn handle(&self, channel: &Channel, delivery: &Delivery) -> impl Future<Output = Result<(), Failure>> + Send;

    /// The consumer holds its queue; `again` after an earlier session was lost.
    fn bound(&self, again: bool) {
        let _ = again;
    }

    /// The session ended (lost, or at shutdown).
    fn unbound(&self) {}
}

/// Consumes until `shutdown` resolves, starting again with the backoff after each loss.
pub async fn run(broker: &Broker, consumer: &impl Consumer, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let mut failures = 0;
    let mut lost = false;
    loop {
        let outcome = session(broker, consumer, lost, &mut shutdown).await;
        consumer.unbound();
        match outcome {
            Ended::Shutdown => return,
            Ended::Lost { consumed, error } => {
                failures = if consumed { 1 } else { failures + 1 };
                if failures == 1 {
                    tracing::warn!(consumer = consumer.name(), %error, "queue consumer lost; reconnecting");
                } else {
                    tracing::debug!(consumer = consumer.name(), %error, failures, "queue consumer still away");
                }
                lost = true;
            }
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(backoff::BROKER.after(failures)) => {}
        }
    }
}

enum Ended {
    Shutdown,
    /// `consumed`: the session got as far as consuming.
    Lost {
        consumed: bool,
        error: String,
    },
}

fn lost(consumed: bool, error: impl std::fmt::Display) -> Ended {
    Ended::Lost { consumed, error: error.to_string() }
}

async fn session(
    broker: &Broker,
    consumer: &impl Consumer,
    again: bool,
    shutdown: &mut Pin<&mut impl Future<Output = ()>>,
) -> Ended {
    let channel = match broker.connection().await {
        Ok(connection) => match connection.create_channel().await {
            Ok(channel) => channel,
            Err(err) => return lost(false, err),
        },
        Err(err) => return lost(false, err),
    };
    let acks = consumer.acks();
    let open = async {
        if consumer.confirms() {
            channel.confirm_select(ConfirmSelectOptions::default()).await?;
        }
        let queue = consumer.declare(&channel).await?;
        let mut options = BasicConsumeOptions::default();
        match acks {
            Acks::After { prefetch } => channel.basic_qos(prefetch, BasicQosOptions::default()).await?,
            Acks::None => options.no_ack = true,
        }
        let deliveries =
            channel.basic_consume(queue.as_str().into(), ShortString::from(""), options, FieldTable::default()).await?;
        Ok::<_, lapin::Error>((queue, deliveries))
    };
    let (queue, mut deliveries) = match tokio::time::timeout(TIMEOUT, open).await {
        Ok(Ok(opened)) => opened,
        Ok(Err(err)) => return lost(false, err),
        Err(_) => return lost(false, "the broker did not answer in time"),
    };
    consumer.bound(again);
    tracing::info!(consumer = consumer.name(), queue, "consuming");
    let ended = loop {
        let delivery = tokio::select! {
            () = shutdown.as_mut() => break Ended::Shutdown,
            delivery = deliveries.next() => delivery,
        };
        let delivery = match delivery {
            Some(Ok(delivery)) => delivery,
            Some(Err(err)) => break lost(true, err),
            None => break lost(true, "the consumer was cancelled"),
        };
        match deliver(consumer, &channel, &delivery, shutdown).await {
            Ok(true) => {}
            Ok(false) => break Ended::Shutdown,
            Err(error) => break lost(true, error),
        }
        if acks != Acks::None
            && let Err(err) = delivery.acker.ack(BasicAckOptions::default()).await
        {
            break lost(true, err);
        }
    };
    // Unacked deliveries go back to the queue.
    let _ = channel.close(200, ShortString::from("bye")).await;
    ended
}

/// Hands one delivery to the consumer until it is done; `Ok(false)` when `shutdown` came while
/// it waited to try again.
async fn deliver(
    consumer: &impl Consumer,
    channel: &Channel,
    delivery: &Delivery,
    shutdown: &mut Pin<&mut impl Future<Output = ()>>,
) -> Result<bool, String> {
    let mut failures = 0;
    loop {
        match consumer.handle(channel, delivery).await {
            Ok(()) => return Ok(true),
            Err(Failure::Session(error)) => return Err(error),
            Err(Failure::Retry(error)) => {
                failures += 1;
                tracing::warn!(consumer = consumer.name(), %error, failures, "cannot handle a message now; retrying");
                tokio::select! {
                    () = shutdown.as_mut() => return Ok(false),
                    () = tokio::time::sleep(backoff::BROKER.after(failures)) => {}
                }
            }
        }
    }
}

/// A durable queue: a quorum queue (replicated on a majority of a cluster's nodes), unless it
/// exists already with other arguments (a classic queue made by an earlier version): then it is
/// used as it is, with a warning, until the operator moves it (docs/operating.md "High availability").
#[derive(Debug, Clone, Copy)]
pub struct DurableQueue<'a> {
    pub name: &'a str,
    /// One active consumer at a time: replicas stand by for each other and messages apply in
    /// the order sent.
    pub in_order: bool,
    /// Where a message goes once delivered `DELIVERY_LIMIT` times without being acked (a
    /// message that brings its consumer down each time): this queue of dead letters.
    pub dead_letters: Option<&'a str>,
}

/// How many times a quorum queue with dead letters delivers one message.
pub const DELIVERY_LIMIT: i64 = 20;

/// The durable queues found with other arguments on this broker, used as they are.
static FOUND_OTHERWISE: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn found_otherwise(queue: &str) -> bool {
    FOUND_OTHERWISE.lock().unwrap_or_else(std::sync::PoisonError::into_inner).iter().any(|found| found == queue)
}

/// Declares `queue`. A queue that exists with other arguments refuses the declaration (and the
/// channel closes): the refusal is returned, the queue noted, and the next session only checks
/// that it exists (a passive declaration) and consumes it as it is.
pub async fn declare_durable_queue(channel: &Channel, queue: DurableQueue<'_>) -> lapin::Result<()> {
    if found_otherwise(queue.name) {
        let passive = QueueDeclareOptions { passive: true, durable: true, ..QueueDeclareOptions::default() };
        let found = channel.queue_declare(queue.name.into(), passive, FieldTable::default()).await.map(|_| ());
        if let Err(err) = &found
            && is_not_found(err)
        {
            // The operator removed it (docs/operating.md "High availability"): the next session declares it anew.
            FOUND_OTHERWISE
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .retain(|found| found != queue.name);
        }
        return found;
    }
    let mut arguments = FieldTable::default();
    arguments.insert("x-queue-type".into(), AMQPValue::LongString("quorum".into()));
    if queue.in_order {
        arguments.insert("x-single-active-consumer".into(), AMQPValue::Boolean(true));
    }
    if let Some(dead_letters) = queue.dead_letters {
        arguments.insert("x-delivery-limit".into(), AMQPValue::LongLongInt(DELIVERY_LIMIT));
        arguments.insert("x-dead-letter-exchange".into(), AMQPValue::LongString("".into()));
        arguments.insert("x-dead-letter-routing-key".into(), AMQPValue::LongString(dead_letters.into()));
    }
    let options = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
    let declared = channel.queue_declare(queue.name.into(), options, arguments).await.map(|_| ());
    if let Err(err) = &declared
        && err.to_string().contains("inequivalent arg")
    {
        tracing::warn!(
            queue = queue.name,
            error = %err,
            "the queue exists with other arguments (a classic queue, which lives on one node, or an earlier version's): used as it is; move it to a quorum queue (docs/operating.md \"High availability\")"
        );
        FOUND_OTHERWISE.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(queue.name.to_owned());
    }
    declared
}

/// Whether the broker answered that the queue does not exist (404, `NOT_FOUND`).
fn is_not_found(err: &lapin::Error) -> bool {
    use lapin::protocol::{AMQPErrorKind, AMQPSoftError};
    matches!(err.kind(), lapin::ErrorKind::ProtocolError(e) if *e.kind() == AMQPErrorKind::Soft(AMQPSoftError::NOTFOUND))
}

/// Declares a queue of this connection's own, named by the broker and gone with the connection;
/// answers its name.
pub async fn declare_private_queue(channel: &Channel) -> lapin::Result<String> {
    let own = QueueDeclareOptions { exclusive: true, auto_delete: true, ..QueueDeclareOptions::default() };
    let queue = channel.queue_declare("".into(), own, FieldTable::default()).await?;
    Ok(queue.name().as_str().to_owned())
}

/// Declares the durable topic exchange `exchange` and binds `queue` to it for each key.
pub async fn bind(channel: &Channel, queue: &str, exchange: &str, keys: &[&str]) -> lapin::Result<()> {
    declare_exchange(channel, exchange).await?;
    for key in keys {
        channel
            .queue_bind(
                queue.into(),
                exchange.into(),
                (*key).into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    Ok(())
}
