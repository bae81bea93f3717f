//! The webhook worker's sending side: a visit of a tenant leases its due deliveries (as many as
//! the process has free slots, none of an endpoint that already has `PER_ENDPOINT` attempts in
//! flight), reads their endpoints' signing keys and lets the connection go; each attempt then
//! runs on its own task, signs, sends, and records its result in one transaction. A finished
//! attempt visits its tenant again, for what it left waiting.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use tokio::sync::OwnedSemaphorePermit;
use uuid::Uuid;

use super::{PER_ENDPOINT, Webhooks};
use crate::events::hints::Target;
use crate::integrations::deliveries::{self, Attempt, Due, EndpointAfter, Outcome};
use crate::integrations::target;
use crate::integrations::webhooks::{self, RESPONSE_KEPT, Verdict};
use crate::notifications::notices;
use crate::tenancy::resolve::Tenant;

/// Deliveries one lease takes at most.
const BATCH: usize = 32;
/// How long a leased delivery waits for its attempt's result before it is due again: the
/// attempt's time limit, and room to record it.
const LEASE: chrono::Duration = chrono::Duration::seconds(30);

/// A leased delivery and what it is signed with.
struct Leased {
    due: Due,
    keys: Arc<Vec<Vec<u8>>>,
}

impl Webhooks {
    pub(super) async fn visit(&self, target: Target) {
        let Some(tenant) = target.tenant.clone() else {
            // Only this worker queues here, always with the tenant.
            self.queue().done(target, false);
            return;
        };
        match self.lease(&tenant).await {
            Ok(leased) => {
                let full = leased.len() == BATCH;
                for lease in leased {
                    let permit = Arc::clone(&self.slots).acquire_owned().await.expect("never closed");
                    let (worker, tenant) = (self.clone(), Arc::clone(&tenant));
                    tokio::spawn(async move { worker.attempt(&tenant, lease, permit).await });
                }
                self.queue().done(target, full);
            }
            Err(err) => {
                tracing::warn!(tenant = %tenant.id, error = %err, "webhooks: cannot read a tenant's deliveries now");
                self.queue().done(target, false);
                self.revisit(&tenant, std::time::Duration::from_secs(5));
            }
        }
    }

    /// Leases what this process has room for.
    async fn lease(&self, tenant: &Arc<Tenant>) -> Result<Vec<Leased>, shared::ApiError> {
        let room = self.slots.available_permits().min(BATCH);
        if room == 0 {
            // A finished attempt visits again.
            return Ok(Vec::new());
        }
        let busy: Vec<Uuid> = {
            let in_flight = self.in_flight.lock().expect("not poisoned");
            in_flight.iter().filter(|(_, n)| **n >= PER_ENDPOINT).map(|(id, _)| *id).collect()
        };
        let mut conn = self.state.tenancy.pools.acquire(tenant).await?;
        let mut tx = conn.begin().await?;
        let now = Utc::now();
        let room = i64::try_from(room).unwrap_or(1);
        let mut claimed = deliveries::claim(&mut tx, room, &busy, now, now + LEASE).await?;
        // Past the per-endpoint limit within this batch: back to due, for a later visit.
        let mut taken = std::collections::HashMap::<Uuid, usize>::new();
        let mut over = Vec::new();
        {
            let in_flight = self.in_flight.lock().expect("not poisoned");
            claimed.retain(|due| {
                let count = taken
                    .entry(due.endpoint_id)
                    .or_insert_with(|| in_flight.get(&due.endpoint_id).copied().unwrap_or(0));
                *count += 1;
                let keep = *count <= PER_ENDPOINT;
                if !keep {
                    over.push(due.id);
                }
                keep
            });
        }
        if !over.is_empty() {
            deliveries::release(&mut tx, &over, now).await?;
        }
        let mut keys = std::collections::HashMap::<Uuid, Arc<Vec<Vec<u8>>>>::new();
        let mut leased = Vec::with_capacity(claimed.len());
        for due in claimed {
            let endpoint_keys = if let Some(found) = keys.get(&due.endpoint_id) {
                Arc::clone(found)
            } else {
                let key = &self.state.config.keys.webhook_secrets;
                let found = Arc::new(deliveries::signing_keys(&mut tx, key, due.endpoint_id, now).await?);
                keys.insert(due.endpoint_id, Arc::clone(&found));
                found
            };
            *self.in_flight.lock().expect("not poisoned").entry(due.endpoint_id).or_default() += 1;
            leased.push(Leased { due, keys: endpoint_keys });
        }
        // The leases committed before their attempts begin.
        tx.commit().await?;
        Ok(leased)
    }

    /// One attempt: sign, send, record; then the tenant is visited again.
    async fn attempt(&self, tenant: &Arc<Tenant>, lease: Leased, permit: OwnedSemaphorePermit) {
        let Leased { due, keys } = lease;
        let at = Utc::now();
        if due.attempts == 0
            && let Some(occurred) = occurred_at(&due.body)
        {
            #[allow(clippy::cast_precision_loss, reason = "a latency in milliseconds")]
            let latency = (at - occurred).num_milliseconds().max(0) as f64 / 1000.0;
            self.metrics().first_attempt_latency.observe(latency);
        }
        let started = Instant::now();
        let answer = self.send(&due, &keys, at).await;
        let elapsed = started.elapsed();
        self.metrics().attempt_seconds.observe(elapsed.as_secs_f64());
        let attempt = Attempt {
            status_code: answer.status,
            duration_ms: i32::try_from(elapsed.as_millis()).unwrap_or(i32::MAX),
            error: answer.error,
            response_body: answer.body,
            at,
        };
        let outcome = match answer.status.map(webhooks::verdict) {
            Some(Verdict::Delivered) => Outcome::Delivered,
            Some(Verdict::Gone) => Outcome::Gone,
            Some(Verdict::Retry) | None => {
                let scale = self.state.config.integrations.retry_scale;
                match webhooks::retry_after_attempt(due.attempts + 1, webhooks::jitter(), scale, answer.retry_after) {
                    Some(wait) => {
                        Outcome::Retry(at + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX))
                    }
                    None => Outcome::Failed,
                }
            }
        };
        match self.record(tenant, &due, &attempt, outcome).await {
            Ok(after) => {
                self.metrics().attempt(match outcome {
                    Outcome::Delivered => "delivered",
                    Outcome::Retry(_) => "retry",
                    Outcome::Failed => "failed",
                    Outcome::Gone => "gone",
                });
                self.state.queue_metrics.attempt(super::QUEUE, outcome.queue_outcome());
                if let EndpointAfter::Disabled(reason) = after {
                    // Seen at once; the next sweep counts them all again.
                    self.metrics().endpoints_disabled.inc();
                    tracing::warn!(tenant = %tenant.id, endpoint = %due.endpoint_id, reason, "webhooks: endpoint disabled");
                }
                if let Outcome::Retry(next) = outcome {
                    self.revisit(tenant, (next - Utc::now()).to_std().unwrap_or_default());
                }
            }
            Err(err) => {
                // The lease ends and the delivery is sent again, with the same webhook-id.
                tracing::warn!(tenant = %tenant.id, delivery = %due.id, error = %err,
                    "webhooks: cannot record an attempt; the delivery is sent again when its lease ends");
            }
        }
        {
            let mut in_flight = self.in_flight.lock().expect("not poisoned");
            if let Some(count) = in_flight.get_mut(&due.endpoint_id) {
                *count -= 1;
                if *count == 0 {
                    in_flight.remove(&due.endpoint_id);
                }
            }
        }
        drop(permit);
        self.queue().push(&tenant.slug, Some(Arc::clone(tenant)));
    }

    async fn record(
        &self,
        tenant: &Tenant,
        due: &Due,
        attempt: &Attempt,
        outcome: Outcome,
    ) -> Result<EndpointAfter, shared::ApiError> {
        let mut conn = self.state.tenancy.pools.acquire(tenant).await?;
        let mut tx = conn.begin().await?;
        let after = deliveries::record(&mut tx, due, attempt, outcome).await?;
        if let EndpointAfter::Disabled(reason) = after {
            // The admins are told with the change, or not at all.
            let organisation = control_schema::directory::tenant_name(&self.state.tenancy.control_db, tenant.id)
                .await
                .ok()
                .flatten()
                .unwrap_or_else(|| tenant.slug.clone());
            let config = &self.state.config;
            let app_url = config.notifications.app_url(&tenant.slug, config.base_domain.as_ref());
            let notice = notices::WebhookDisabled {
                url: &due.url,
                gone: reason == "gone",
                organisation: &organisation,
                page_url: &format!("{app_url}/admin/integrations"),
                mail_domain: &config.notifications.mail.reply_domain,
            };
            notices::webhook_disabled(&mut tx, &notice, attempt.at).await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    async fn send(&self, due: &Due, keys: &[Vec<u8>], at: DateTime<Utc>) -> Answer {
        let allow_private = self.state.config.integrations.allow_private_targets;
        if let Err(refused) = target::check(&due.url, allow_private) {
            return Answer::failed(format!("not sent: the URL {refused}"));
        }
        if keys.is_empty() {
            return Answer::failed("not sent: the endpoint has no secret that can be opened".to_owned());
        }
        let id = due.event_id.to_string();
        let timestamp = at.timestamp();
        let request = self
            .client
            .post(&due.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", webhooks::signature_header(keys, &id, timestamp, &due.body))
            .body(due.body.clone());
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(err) => return Answer::failed(describe(&err)),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| webhooks::parse_retry_after(v, Utc::now()));
        let mut kept = Vec::new();
        let mut error = None;
        while kept.len() < RESPONSE_KEPT {
            match response.chunk().await {
                Ok(Some(chunk)) => kept.extend_from_slice(&chunk[..chunk.len().min(RESPONSE_KEPT - kept.len())]),
                Ok(None) => break,
                Err(err) => {
                    error = Some(format!("the answer's body was cut: {}", describe(&err)));
                    break;
                }
            }
        }
        let body = (!kept.is_empty()).then(|| String::from_utf8_lossy(&kept).into_owned());
        let error = error.or_else(|| (300..400).contains(&status).then(|| "redirects are not followed".to_owned()));
        Answer { status: Some(status), retry_after, body, error }
    }
}

/// What an attempt got.
struct Answer {
    status: Option<u16>,
    retry_after: Option<std::time::Duration>,
    body: Option<String>,
    error: Option<String>,
}

impl Answer {
    fn failed(error: String) -> Self {
        Self { status: None, retry_after: None, body: None, error: Some(error) }
    }
}

/// An HTTP client error and its causes, on one line.
fn describe(err: &reqwest::Error) -> String {
    let what = if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connect() {
        "cannot connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    causes.dedup();
    if causes.is_empty() { what } else { format!("{what}: {}", causes.join(": ")) }
}

/// When a delivery's event happened (its body's `timestamp`).
fn occurred_at(body: &str) -> Option<DateTime<Utc>> {
    #[derive(serde::Deserialize)]
    struct Stamped {
        timestamp: DateTime<Utc>,
    }
    serde_json::from_str::<Stamped>(body).ok().map(|s| s.timestamp)
}
