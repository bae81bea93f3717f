//! Sessions ended on the control plane (logout, logout-all, password change, revocation, a
//! removed member, a deleted tenant): their access tokens must stop working here at once, not
//! when they expire. control-api pushes the ids on Redis (`{prefix}session-revocations`, handled
//! with the tenant evictions); this module keeps the set and catches up from the control
//! database, which holds the truth: when a subscription (re)starts, and on a short poll, so a
//! lost message, or no Redis at all, costs at most one poll interval.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use control_schema::sessions;
use shared::kept::{Kept, kept};
use sqlx::PgPool;
use uuid::Uuid;

/// How often the control database is read: often without Redis (the only path), rarely with
/// it (a backstop for lost messages).
pub const POLL_ALONE: Duration = Duration::from_millis(500);
pub const POLL_BEHIND_REDIS: Duration = Duration::from_secs(5);
/// Transactions commit after they stamp `revoked_at`: read a little behind the last one seen.
const OVERLAP: Duration = Duration::from_secs(5);

pub struct RevokedSessions {
    /// Session ids, kept as long as any of their access tokens can still be valid.
    ids: Kept<Uuid, ()>,
    horizon: Duration,
    /// The latest `revoked_at` read from the control database.
    seen_until: Mutex<Option<DateTime<Utc>>>,
}

impl RevokedSessions {
    /// `horizon`: the longest an access token lives (plus leeway).
    pub fn new(horizon: Duration) -> Self {
        Self { ids: kept(1_000_000, horizon), horizon, seen_until: Mutex::new(None) }
    }

    pub fn contains(&self, session: Uuid) -> bool {
        self.ids.contains_key(&session)
    }

    pub fn insert_all(&self, sessions: impl IntoIterator<Item = Uuid>) {
        for session in sessions {
            self.ids.insert(session, ());
        }
    }

    /// Reads the revocations the set may not have: since the last one seen (minus an overlap),
    /// or over the whole horizon at first. Returns how many were read.
    pub async fn catch_up(&self, control: &PgPool) -> sqlx::Result<usize> {
        let since = *self.seen_until.lock().expect("not poisoned");
        let rows = sessions::revoked_since(control, since.map(|t| t - OVERLAP), self.horizon.as_secs_f64()).await?;
        if let Some(last) = rows.last() {
            let mut seen = self.seen_until.lock().expect("not poisoned");
            *seen = Some(seen.map_or(last.revoked_at, |s| s.max(last.revoked_at)));
        }
        let read = rows.len();
        self.insert_all(rows.into_iter().map(|r| r.id));
        Ok(read)
    }

    /// Catches up every `every` until `shutdown` resolves.
    pub async fn poll(&self, control: &PgPool, every: Duration, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                _ = tick.tick() => {
                    if let Err(err) = self.catch_up(control).await {
                        tracing::warn!(error = %err, "cannot read revoked sessions from the control database");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoked_sessions_are_recognised() {
        let revoked = RevokedSessions::new(Duration::from_millis(200));
        let (gone, other) = (Uuid::new_v4(), Uuid::new_v4());
        revoked.insert_all([gone]);
        assert!(revoked.contains(gone));
        assert!(!revoked.contains(other));
    }
}
