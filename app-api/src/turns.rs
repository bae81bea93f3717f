//! Round robin's turns taken together for new tickets: the creations into one team that reach
//! this replica while its turns are being taken wait, and theirs are taken in the next statement
//! (`sav::routing::take_turns`), so the team's row is locked once for many of them, not once
//! each (creations into a busy team waited on each other's locks).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use sav::ids::{TeamId, UserId};
use sav::routing;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::tenancy::TenantDb;

/// The most callers whose turns one statement takes.
const TURNS_A_STATEMENT: usize = 64;

/// One caller's turn asked for, and where its answer goes.
type TurnWanted = (UserId, oneshot::Sender<Option<UserId>>);

/// The turns of round-robin teams, taken together: the creations into one team that reach this
/// replica while its turns are being taken wait, and theirs are taken in the next statement (at
/// most `TURNS_A_STATEMENT`), so the team's row is locked once for many of them. A task per
/// team with creations waiting takes them, with a connection of its own held for one short
/// transaction (one statement, committed) at a time; the creations hold none while they wait.
#[derive(Default)]
pub struct RoundRobinTurns {
    /// The tasks at work, by tenant and team.
    lines: Mutex<HashMap<(Uuid, TeamId), mpsc::UnboundedSender<TurnWanted>>>,
}

impl RoundRobinTurns {
    /// The member whose turn in team `team` of `db`'s tenant `caller` takes for the ticket they
    /// are about to create (`take_turns`); `None` when the write must route under the lock
    /// (the turn could not be taken, for any reason: the write meets it again).
    pub async fn take(self: &Arc<Self>, db: &TenantDb, team: TeamId, caller: UserId) -> Option<UserId> {
        let (answer, answered) = oneshot::channel();
        let key = (db.tenant().id, team);
        {
            let mut lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
            // A line is removed under this lock before its task ends: a send to one never fails.
            let wanted = match lines.get(&key) {
                Some(line) => line.send((caller, answer)).err().map(|refused| refused.0),
                None => Some((caller, answer)),
            };
            if let Some(wanted) = wanted {
                let (line, waiting) = mpsc::unbounded_channel();
                let _ = line.send(wanted);
                lines.insert(key, line);
                tokio::spawn(Arc::clone(self).serve(db.clone(), key, waiting));
            }
        }
        answered.await.ok().flatten()
    }

    /// Takes the turns waiting in line `key` until none is left, then removes the line.
    async fn serve(
        self: Arc<Self>,
        db: TenantDb,
        key: (Uuid, TeamId),
        mut waiting: mpsc::UnboundedReceiver<TurnWanted>,
    ) {
        loop {
            let mut batch = Vec::new();
            while batch.len() < TURNS_A_STATEMENT {
                match waiting.try_recv() {
                    Ok(wanted) => batch.push(wanted),
                    Err(_) => break,
                }
            }
            if batch.is_empty() {
                let mut lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
                // Nothing can join the line while this lock is held: empty now is empty for good.
                let Ok(wanted) = waiting.try_recv() else {
                    lines.remove(&key);
                    return;
                };
                batch.push(wanted);
            }
            // A creation that went away (its request dropped) takes no turn.
            batch.retain(|(_, answer)| !answer.is_closed());
            if batch.is_empty() {
                continue;
            }
            let callers: Vec<UserId> = batch.iter().map(|(caller, _)| *caller).collect();
            // Committed before anyone is answered: the turns are recorded before their tickets.
            let turns = async {
                let mut conn = db.connect().await?;
                let mut tx = conn.begin().await?;
                let turns = routing::take_turns(&mut tx, key.1, &callers).await?;
                tx.commit().await?;
                Ok::<_, shared::error::ApiError>(turns)
            };
            let turns = turns.await.unwrap_or_else(|err| {
                tracing::warn!(tenant = %key.0, team = %key.1, error = %err, "round robin's turns not taken: the writes route under the team's lock");
                Vec::new()
            });
            for (index, (_, answer)) in batch.into_iter().enumerate() {
                let _ = answer.send(turns.get(index).copied().flatten());
            }
        }
    }
}
