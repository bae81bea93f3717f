//! The background work of a replica, beside serving: evicting tenants and refusing revoked
//! sessions when control-api publishes a change (and reading revocations from the control
//! database), closing idle tenant connections, feeding the live streams (`crate::live`),
//! raising the change versions Redis missed (`Versions::keep_repairing`), and the event work
//! `serve` runs (this module's siblings).

use crate::infra::revocations;
use crate::state::AppState;
use crate::worker::pacing::wait;

impl AppState {
    /// Runs the background work until `shutdown` resolves.
    pub async fn run_background(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        let (stop, _) = tokio::sync::broadcast::channel::<()>(1);
        let reaper = tokio::spawn(self.tenancy.pools.clone().run_reaper(wait(stop.subscribe())));
        let evictions = tokio::spawn(crate::worker::evictions::listen(
            self.config.clone(),
            self.tenancy.clone(),
            self.gate.clone(),
            wait(stop.subscribe()),
        ));
        let every = if self.redis.is_some() { revocations::POLL_BEHIND_REDIS } else { revocations::POLL_ALONE };
        let state = self.clone();
        let stopped = wait(stop.subscribe());
        let revocations =
            tokio::spawn(async move { state.gate.revoked.poll(&state.tenancy.control_db, every, stopped).await });
        let work = crate::worker::Work::in_serve(&self.config);
        let events = tokio::spawn(self.clone().run_work(work, wait(stop.subscribe())));
        let state = self.clone();
        let stopped = wait(stop.subscribe());
        let versions = tokio::spawn(async move { state.live.versions.keep_repairing(stopped).await });
        let live = tokio::spawn(crate::worker::fanout::run(
            self.broker.clone(),
            self.config.clone(),
            self.live.clone(),
            wait(stop.subscribe()),
        ));
        shutdown.await;
        // Open streams end now rather than hold the shutdown: their clients reconnect elsewhere.
        self.live.hub.close();
        let _ = stop.send(());
        let _ = tokio::join!(reaper, evictions, revocations, events, versions, live);
    }
}
