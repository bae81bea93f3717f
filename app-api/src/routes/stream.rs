//! `GET /v1/stream`: server-sent events of what the caller may see change (`crate::live`).
//! Authenticated by the bearer header like every call (browsers read it with `fetch`, never with
//! a token in the address); ends when the access token expires or its session is revoked (the
//! client reconnects with a fresh token and `Last-Event-ID`) and when the replica shuts down.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use sav::{organizations, teams};
use shared::auth::Role;
use shared::error::{ApiError, ApiResult};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

use crate::access::{Access, Members};
use crate::context::TenantContext;
use crate::infra::Gate;
use crate::live::frames::{Frame, Watcher};
use crate::live::replay::{self, Replay};
use crate::live::sent::Sent;
use crate::live::{Hub, KEEP_ALIVE, Live, REVOCATION_CHECK, Seat, Signal};

/// What one stream holds while it is open: no database connection.
struct Open {
    hub: Arc<Hub>,
    gate: Arc<Gate>,
    watcher: Watcher,
    session: uuid::Uuid,
    expires: tokio::time::Instant,
    signals: broadcast::Receiver<Signal>,
    closing: watch::Receiver<bool>,
    queued: VecDeque<Event>,
    /// The frame ids sent, or read by the replay: the hub may hand some over again (the relay
    /// published an event again, or the replay read it first).
    sent: Sent,
    /// When the session's revocation is looked at: one clock for the stream's life, so a busy
    /// stream is checked as often as an idle one.
    revocation: tokio::time::Interval,
    _seat: Seat,
}

/// How long a new stream waits for the replica's events queue (bound within milliseconds of
/// its start; a broker that is down makes the stream open without it, to resynchronise later).
const QUEUE_WAIT: Duration = Duration::from_secs(3);
/// When a client refused for want of a broker is told to try again.
const RETRY_AFTER_SECONDS: u64 = 30;

fn frame_event(frame: &Frame) -> Event {
    Event::default().id(frame.id.to_string()).event(frame.name).data(frame.data().to_string())
}

fn resync() -> Event {
    Event::default().event("resync").data("{}")
}

impl Open {
    /// The next event to send; `None` ends the stream.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.queued.pop_front() {
                return Some(event);
            }
            let signal = tokio::select! {
                signal = self.signals.recv() => signal,
                () = tokio::time::sleep_until(self.expires) => return None,
                _ = self.closing.wait_for(|closing| *closing) => return None,
                _ = self.revocation.tick() => {
                    if self.gate.revoked.contains(self.session) {
                        return None;
                    }
                    continue;
                }
            };
            match signal {
                Ok(Signal::Frame(frame)) => {
                    if !self.sent.first_time(frame.id) || !frame.visible_to(&self.watcher) {
                        continue;
                    }
                    self.hub.metrics.frame(frame.name);
                    return Some(frame_event(&frame));
                }
                Ok(Signal::Presence(presence)) => {
                    if presence.visible_to(&self.watcher) {
                        self.hub.metrics.frame("presence");
                        return Some(Event::default().event("presence").data(presence.data().to_string()));
                    }
                }
                Ok(Signal::Resync) | Err(RecvError::Lagged(_)) => {
                    self.hub.metrics.resyncs.inc();
                    return Some(resync());
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

/// The caller's live updates.
#[utoipa::path(get, path = "/v1/stream", tag = "live", security(("bearer" = [])),
    params(("Last-Event-ID" = Option<String>, Header, description = "The last frame id seen: what was missed since is replayed")),
    responses(
        (status = 200, description = "`text/event-stream`: frames `ticket.created`, `ticket.updated`, `message.added`, \
            `notification` (each with an `id` and JSON data naming `ticket_id`, and `message_id` or `kind`), `presence` \
            (staff only, no `id`: `{ticket_id, user_id, name, typing, left, expires_in}`, another person on a ticket), `resync` \
            (refetch: the missed frames cannot be replayed), and a keep-alive comment every 15 s", content_type = "text/event-stream"),
        (status = 404, description = "`not_found`: the caller has left the tenant"),
        (status = 429, description = "`rate_limited`: as many streams open as a person may hold (`STREAMS_PER_USER`)"),
        (status = 503, description = "`dependency_unavailable` (with `Retry-After`): this deployment runs without a message broker \
            (`AMQP_URL` empty), so no frame can be delivered; the client polls instead"),
    ))]
pub async fn stream(
    State(live): State<Arc<Live>>,
    State(gate): State<Arc<Gate>>,
    context: TenantContext,
    access: Access<Members>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let hub = &live.hub;
    // Without a broker no frame would ever come: said, rather than a silent stream held open.
    if !hub.delivers() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "dependency_unavailable",
            "live updates are off on this deployment (no message broker): check for changes by polling",
        )
        .with_retry_after(RETRY_AFTER_SECONDS));
    }
    let seat = hub.seat(context.user_id).ok_or_else(|| {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many live streams open: close one first")
            .with_retry_after(5)
    })?;
    // A replica that has just started may serve before its events queue is bound: what is
    // published then would reach neither the replay (read now) nor this stream. Wait for it.
    let bound = hub.until_bound(QUEUE_WAIT).await;
    // Subscribed before the replay reads the outbox: nothing committed meanwhile is missed.
    let signals = hub.subscribe(context.tenant.id);
    // Still unbound: told to resynchronise once the queue is (or now, if it was meanwhile).
    let resync_now = !bound && hub.opened_unbound();
    let (viewer, mut db) = access.connect().await?;
    // Read before the stream opens, and ended then: a stream holds no connection.
    let mut tx = db.begin().await?;
    let teams = if viewer.role == Role::Agent { teams::of_member(&mut tx, viewer.id).await? } else { Vec::new() };
    let organizations =
        if viewer.role == Role::Customer { organizations::seen_by(&mut tx, viewer.id).await? } else { Vec::new() };
    let watcher = Watcher { user: viewer.id, role: viewer.role, teams, access: viewer.access, organizations };
    let mut queued = VecDeque::new();
    let mut sent_ids = Sent::default();
    let last = headers.get("last-event-id").map(|v| v.to_str().unwrap_or("invalid").to_owned());
    if let Some(last) = last {
        let (replay, read) = replay::after(&mut tx, &last, &watcher).await?;
        match replay {
            Replay::Frames(frames) => {
                queued.extend(frames.iter().map(frame_event));
                for id in read {
                    sent_ids.first_time(id);
                }
            }
            Replay::Resync => {
                hub.metrics.resyncs.inc();
                queued.push_back(resync());
            }
        }
    }
    drop(tx);
    drop(db);
    if resync_now {
        hub.metrics.resyncs.inc();
        queued.push_back(resync());
    }
    let left = u64::try_from(context.expires - chrono::Utc::now().timestamp()).unwrap_or(0);
    let open = Open {
        closing: hub.closing(),
        hub: Arc::clone(hub),
        gate,
        watcher,
        session: context.session,
        expires: tokio::time::Instant::now() + Duration::from_secs(left),
        signals,
        queued,
        sent: sent_ids,
        revocation: tokio::time::interval_at(tokio::time::Instant::now() + REVOCATION_CHECK, REVOCATION_CHECK),
        _seat: seat,
    };
    let stream = futures_util::stream::unfold(open, |mut open| async move {
        let event = open.next().await?;
        Some((Ok(event), open))
    });
    let start = futures_util::stream::once(async { Ok(Event::default().retry(Duration::from_secs(3))) });
    Ok(Sse::new(futures_util::StreamExt::chain(start, stream))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive")))
}
