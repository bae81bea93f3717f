//! Waiting in tests for something that happens asynchronously (a worker finishing, a message
//! arriving, a lock expiring): poll a check until it yields, within a bound.

use std::time::Duration;

/// How often `eventually` polls.
const POLL: Duration = Duration::from_millis(10);

/// Polls `check` until it returns `Some`, and returns that; panics naming `what` when `within`
/// passes first.
pub async fn eventually<T, F, Fut>(within: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    let mut tick = tokio::time::interval(POLL);
    loop {
        tick.tick().await;
        if let Some(value) = check().await {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: not within {within:?}");
    }
}
