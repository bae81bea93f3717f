//! The relay's safety net: every `OUTBOX_SWEEP_SECONDS` it reads the list of active tenants
//! (one query on the control database) and, a few databases at a time (`RELAY_CONCURRENCY`),
//! the backlog of every tenant of each database (one statement per database, probing each
//! tenant's pending index and the head of its table): tenants with rows waiting are queued for
//! the relay, as a hint would have done; the tenants with published rows past
//! `OUTBOX_RETENTION_HOURS` are visited to prune them. The backlog gauges come from here.
//!
//! It finds rows whose hint was lost (a replica that died between commit and hint, Redis down
//! between replicas without a local relay) and rows that waited for the broker in another
//! replica. Its cost is one statement per database per sweep (a pool database's thousand
//! tenants included), with connections taken from the same pools and budget as requests.

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;

use super::Relay;
use crate::events::outbox;
use crate::tenancy::resolve::Tenant;
use crate::worker::pacing;

/// Published rows one tenant deletes per sweep at most.
const PRUNE_BATCH: i64 = 10_000;

/// What one sweep saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    pub tenants: usize,
    /// Tenants with rows waiting (queued for the relay).
    pub with_backlog: usize,
    pub pending_rows: i64,
    /// Age of the oldest row waiting, in seconds.
    pub oldest_seconds: i64,
    pub pruned: u64,
    /// Tenants whose database could not be read.
    pub unreachable: usize,
}

/// Sweeps now, then every `OUTBOX_SWEEP_SECONDS`, until `stop` resolves.
pub async fn run(relay: Relay, stop: impl Future<Output = ()>) {
    let period = relay.state.config.events.sweep_every;
    crate::worker::pacing::every(period, stop, crate::worker::pacing::Stopping::CutsShort, || async {
        match relay.sweep().await {
            Ok(swept) => tracing::debug!(?swept, "outbox sweep"),
            Err(err) => tracing::warn!(error = %err, "outbox sweep: cannot list the active tenants"),
        }
    })
    .await;
}

impl Relay {
    /// One sweep over every active tenant.
    pub async fn sweep(&self) -> sqlx::Result<Sweep> {
        let started = Instant::now();
        let retention = chrono::Duration::from_std(self.state.config.events.retention).unwrap_or(chrono::Duration::MAX);
        let concurrency = self.state.config.events.concurrency;
        let probed = pacing::probe_each_database(&self.state, concurrency, |tx, tenants| {
            Box::pin(outbox::backlogs(tx, tenants))
        })
        .await?;
        let mut sweep = Sweep {
            tenants: probed.found.len() + probed.unreachable,
            unreachable: probed.unreachable,
            ..Sweep::default()
        };
        let now = Utc::now();
        let cutoff = now.checked_sub_signed(retention);
        let mut to_prune = Vec::new();
        for (tenant, backlog) in probed.found {
            if backlog.pending > 0 {
                sweep.with_backlog += 1;
                sweep.pending_rows += backlog.pending;
                let age = backlog.oldest_pending.map_or(0, |at| (now - at).num_seconds().max(0));
                sweep.oldest_seconds = sweep.oldest_seconds.max(age);
                self.queue.push(&tenant.slug, Some(Arc::clone(&tenant)));
            }
            if let Some(cutoff) = cutoff.filter(|cutoff| backlog.oldest_published.is_some_and(|at| at < *cutoff)) {
                to_prune.push((tenant, cutoff));
            }
        }
        let pruned = pacing::visit_each(to_prune, concurrency, |due| {
            let relay = self.clone();
            async move { relay.prune(&due.0, due.1).await }
        })
        .await;
        for (due, pruned) in pruned {
            match pruned {
                Ok(rows) => sweep.pruned += rows,
                Err(err) => {
                    tracing::warn!(tenant = %due.0.id, error = %err, "outbox sweep: cannot prune the tenant's outbox");
                }
            }
        }
        let metrics = &self.state.events.metrics;
        metrics.backlog_rows.set(sweep.pending_rows);
        #[allow(clippy::cast_precision_loss, reason = "an age in seconds")]
        metrics.backlog_oldest.set(sweep.oldest_seconds as f64);
        metrics.pruned.inc_by(sweep.pruned);
        metrics.sweep.observe(started.elapsed().as_secs_f64());
        Ok(sweep)
    }

    /// Deletes a batch of the tenant's rows published before `cutoff`.
    async fn prune(&self, tenant: &Tenant, cutoff: chrono::DateTime<Utc>) -> Result<u64, String> {
        let mut conn = self.state.tenancy.pools.acquire(tenant).await.map_err(|e| e.to_string())?;
        let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
        let pruned = outbox::prune(&mut tx, cutoff, PRUNE_BATCH).await.map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
        Ok(pruned)
    }
}
