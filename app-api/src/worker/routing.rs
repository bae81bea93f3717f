//! The teams' queues handed out (`sav::routing`): when a team was woken (a member available
//! again or below the cap, a member added, the cap raised, routing switched on), the scheduled
//! jobs' visit of its tenant gives its waiting tickets to its eligible members, soonest badge
//! due time first, each through the one ticket write path (`commands::finish`) with the routing
//! actor. One transaction per team and batch: the team's lock, the wake taken, the tickets
//! assigned; tickets another write holds are skipped, and the team stays awake for them.

use chrono::{DateTime, Utc};
use sav::ids::TeamId;
use sav::routing;
use sav::tickets::change::Work;
use sav::tickets::lifecycle;
use shared::error::ApiResult;

use crate::commands;
use crate::events::Events;
use crate::refusals::Answered as _;
use crate::tenancy::pools::TenantConnection;
use crate::tenancy::resolve::Tenant;

/// Tickets one transaction hands out; a longer queue goes on at once in the next.
const BATCH: usize = 50;
/// Teams one visit wakes, at most (the rest at the next).
const TEAMS_PER_VISIT: i64 = 100;
/// How soon a team whose waiting ticket was held by another write is looked at again.
const HELD_AGAIN: chrono::Duration = chrono::Duration::seconds(1);

/// Hands out the queues of the teams woken by `now`; how many tickets were assigned.
pub async fn hand_out(
    conn: &mut TenantConnection,
    tenant: &Tenant,
    events: &Events,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let mut assigned = 0;
    let woken = routing::due_wakes(&mut *conn.begin().await?, now, TEAMS_PER_VISIT).await?;
    for team in woken {
        loop {
            let batch = batch(conn, tenant, events, team, now).await?;
            assigned += batch.assigned;
            if !batch.more {
                break;
            }
        }
    }
    Ok(assigned)
}

struct Batch {
    assigned: usize,
    /// A full batch went out with members still eligible: the queue goes on.
    more: bool,
}

async fn batch(
    conn: &mut TenantConnection,
    tenant: &Tenant,
    events: &Events,
    team: TeamId,
    now: DateTime<Utc>,
) -> ApiResult<Batch> {
    let mut tx = conn.begin().await?;
    let mut batch = Batch { assigned: 0, more: false };
    let Some(rule) = routing::lock_team(&mut tx, team).await? else {
        tx.commit().await?;
        return Ok(batch);
    };
    if !routing::take_wake(&mut tx, team, now).await? || !rule.assignment.routes() {
        tx.commit().await?;
        return Ok(batch);
    }
    let mut candidates = routing::candidates(&mut tx, team, rule).await?;
    let mode = rule.assignment.as_str();
    while batch.assigned < BATCH {
        let Some(to) = routing::choose(rule, &candidates, None) else { break };
        let Some(mut ticket) = routing::next_waiting(&mut tx, team).await? else {
            if routing::has_waiting(&mut tx, team).await? {
                routing::wake(&mut tx, &[team], now + HELD_AGAIN).await?;
            }
            break;
        };
        let mut work = Work::on(&ticket);
        work.changed(lifecycle::route(&mut ticket, to, now).answered()?);
        commands::finish(&mut tx, tenant, events, &mut ticket, work, now).await?;
        routing::took(&mut candidates, to, now);
        events.routing.decided(mode, "assigned");
        batch.assigned += 1;
    }
    if batch.assigned == BATCH {
        routing::wake(&mut tx, &[team], now).await?;
        batch.more = true;
    }
    tx.commit().await?;
    Ok(batch)
}
