//! The one Redis subscriber loop: subscribes a listener to its channels, hands it each message,
//! and subscribes again after the connection is lost (`backoff::SUBSCRIBER`), to the master the
//! sentinels name now when there are sentinels. Messages published
//! while nobody listened are gone, so a listener is told each time it is subscribed again, to
//! catch up from the source.

use futures_util::StreamExt as _;

use crate::backoff;
use crate::config::RedisAddress;

/// What listens on some channels.
pub trait Listener: Sync {
    /// Its name in the logs.
    fn name(&self) -> &'static str;

    /// The channels it listens on.
    fn channels(&self) -> Vec<String>;

    /// It is subscribed (again): what was published meanwhile is unknown.
    fn subscribed(&self) -> impl Future<Output = ()> + Send {
        async {}
    }

    /// One message on `channel`.
    fn message(&self, channel: &str, payload: String) -> impl Future<Output = ()> + Send;
}

/// Listens until `shutdown` resolves, subscribing again after each loss.
pub async fn listen(address: &RedisAddress, listener: &impl Listener, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let mut failures = 0;
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            (subscribed, error) = subscription(address, listener) => {
                failures = if subscribed { 1 } else { failures + 1 };
                if failures == 1 {
                    tracing::warn!(listener = listener.name(), %error, "Redis subscription lost; subscribing again");
                }
            }
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(backoff::SUBSCRIBER.after(failures)) => {}
        }
    }
}

/// One subscription until it ends: whether it got as far as subscribing, and why it ended.
async fn subscription(address: &RedisAddress, listener: &impl Listener) -> (bool, String) {
    let subscribe = async {
        let client = super::client(address).await?;
        let mut pubsub = client.get_async_pubsub().await?;
        for channel in listener.channels() {
            pubsub.subscribe(channel).await?;
        }
        Ok::<_, ::redis::RedisError>(pubsub)
    };
    let mut pubsub = match subscribe.await {
        Ok(pubsub) => pubsub,
        Err(err) => return (false, err.to_string()),
    };
    listener.subscribed().await;
    tracing::debug!(listener = listener.name(), "subscribed");
    let mut messages = pubsub.on_message();
    while let Some(message) = messages.next().await {
        let Ok(payload) = message.get_payload::<String>() else { continue };
        listener.message(message.get_channel_name(), payload).await;
    }
    (true, "the connection closed".to_owned())
}
