//! Replaying what a reconnecting stream missed, from the tenant's outbox: the frames after the
//! one it names in the relay's publishing order (not the rows' ids: a change that commits late
//! has a smaller id than events already seen, and is published, and numbered, after them),
//! filtered as live frames are. The outbox keeps events `OUTBOX_RETENTION_HOURS`
//! (a week by default); an id older than what it holds, newer than any it gave out, malformed,
//! or with more missed than one replay sends, is answered `resync` (refetch everything).

use sqlx::PgConnection;

use super::frames::{Frame, Watcher};

/// Rows one replay reads at most: more missed than this, and refetching is cheaper.
pub const MAX_REPLAY: i64 = 1000;

/// What a reconnect gets.
#[derive(Debug, PartialEq, Eq)]
pub enum Replay {
    /// The frames missed, in order (possibly none).
    Frames(Vec<Frame>),
    /// The stream cannot be replayed: the client refetches.
    Resync,
}

/// The frames after `last` that `watcher` may see, and the ids of every row read (the hub may
/// hand some of them over again: the stream skips those).
pub async fn after(conn: &mut PgConnection, last: &str, watcher: &Watcher) -> sqlx::Result<(Replay, Vec<i64>)> {
    let Ok(last) = last.trim().parse::<i64>() else { return Ok((Replay::Resync, Vec::new())) };
    // Numbers commit before their frames are published: every frame that reached a stream, or
    // this replica before the stream subscribed, is read below.
    let bounds = crate::events::outbox::id_bounds(conn).await?;
    // Nothing was missed if `last` is the newest; an id outside what the outbox ever held (or
    // holds now) cannot be replayed.
    if last < bounds.oldest - 1 || last > bounds.newest || last < 0 {
        return Ok((Replay::Resync, Vec::new()));
    }
    let rows = crate::events::outbox::after(conn, last, MAX_REPLAY + 1).await?;
    if i64::try_from(rows.len()).unwrap_or(i64::MAX) > MAX_REPLAY {
        return Ok((Replay::Resync, Vec::new()));
    }
    let read = rows.iter().map(|(id, _)| *id).collect();
    let frames = rows
        .iter()
        .filter_map(|(id, payload)| Frame::from_message(*id, payload))
        .filter(|frame| frame.visible_to(watcher))
        .collect();
    Ok((Replay::Frames(frames), read))
}
