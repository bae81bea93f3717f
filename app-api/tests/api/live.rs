//! The live stream (`GET /v1/stream`) on a real broker, with two replicas: each person's stream
//! carries exactly the frames they may see, whichever replica the change went through; a
//! reconnect naming its last frame receives what it missed, once; a signed-out session's stream
//! ends.

use std::time::Duration;

use futures_util::StreamExt as _;
use harness::eventually;
use serde_json::{Value, json};

use crate::events::{Rabbit, unique};
use crate::helpers::{Org, Person, Platform, Replica, Service, broker_url};
use crate::tickets::id;

/// One frame as a client reads it.
#[derive(Debug, Clone, PartialEq)]
struct Frame {
    id: Option<String>,
    event: String,
    data: Value,
}

/// A stream read as an `EventSource` would (without one: the test parses the lines).
struct Stream {
    body: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
}

impl Stream {
    async fn open(app: &Replica, slug: &str, who: &Person, last: Option<&str>) -> Self {
        let mut request = app
            .server
            .request(reqwest::Method::GET, "/v1/stream")
            .header("x-tenant-slug", slug)
            .bearer_auth(&who.token);
        if let Some(last) = last {
            request = request.header("last-event-id", last);
        }
        let response = request.send().await.expect("the stream answers");
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
        Self { body: Box::pin(response.bytes_stream()), buffer: String::new() }
    }

    /// The next frame (keep-alives and the retry line skipped); `None` when the stream ended.
    async fn next(&mut self) -> Option<Frame> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (None, None, String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                let Some(event) = event else { continue };
                return Some(Frame { id, event, data: serde_json::from_str(&data).unwrap_or(Value::Null) });
            }
            match self.body.next().await {
                Some(Ok(chunk)) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return None,
            }
        }
    }

    /// The next frame within 10 s.
    async fn expect(&mut self) -> Frame {
        tokio::time::timeout(Duration::from_secs(10), self.next())
            .await
            .expect("a frame within 10 s")
            .expect("an open stream")
    }

    /// The next presence frame, skipping the others.
    async fn next_presence(&mut self) -> Frame {
        loop {
            let frame = self.expect().await;
            if frame.event == "presence" {
                return frame;
            }
        }
    }

    /// Frames until (and with) the first about `ticket` named `event`.
    async fn until(&mut self, event: &str, ticket: i64) -> Vec<Frame> {
        let mut frames = Vec::new();
        loop {
            let frame = self.expect().await;
            let done = frame.event == event && frame.data["ticket_id"] == ticket;
            frames.push(frame);
            if done {
                return frames;
            }
        }
    }
}

/// An organisation, two replicas on one broker exchange (both relay), and a second organisation.
struct Live {
    a: Replica,
    b: Replica,
    org: Org,
    other: Org,
    platform: Platform,
    _rabbit: Rabbit,
}

impl Live {
    async fn open() -> Self {
        Self::open_with(|_| ()).await
    }

    /// Both replicas configured by `configure` besides.
    async fn open_with(configure: impl Fn(&mut app_api::AppConfig) + Clone + Send + Sync + 'static) -> Self {
        let exchange = unique("sav");
        let mut rabbit = Rabbit::connect().await;
        rabbit.owns_exchange(&exchange);
        let (platform, org) = Platform::with_org(true).await;
        let replica = || {
            let (exchange, configure) = (exchange.clone(), configure.clone());
            platform.replica_with(move |c| {
                c.rate_limits.per_user_per_minute = 0;
                c.amqp_url = broker_url(&Service::Test);
                c.events.exchange = exchange;
                configure(c);
            })
        };
        let a = replica().await;
        let b = replica().await;
        for replica in [&a, &b] {
            let metrics = replica.state.live.hub.metrics.clone();
            eventually(Duration::from_secs(10), "the replica holds its events queue", || async {
                (metrics.fanout_connected.get() == 1).then_some(())
            })
            .await;
        }
        let other = platform.org().await;
        Self { a, b, org, other, platform, _rabbit: rabbit }
    }

    async fn member(&self, role: &str) -> Person {
        self.platform.member(&self.a, &self.org, role).await
    }

    /// Sets the organisation's `agent_ticket_access` (`all`, `teams`, `assigned`) as `owner`.
    async fn agent_access(&self, owner: &Person, access: &str) {
        let body = json!({ "agent_ticket_access": access });
        let done = self.a.patch(&self.org.slug, "/v1/ticket-settings", &owner.token, &body).await;
        assert_eq!(done.status, 200, "{}", done.body);
    }

    async fn post(&self, who: &Person, path: &str, body: Value) -> Value {
        let done = self.a.post(&self.org.slug, path, &who.token, &body).await;
        assert!(done.status.is_success(), "{path}: {}", done.body);
        done.json()
    }
}

fn events(frames: &[Frame]) -> Vec<(String, i64)> {
    frames.iter().map(|f| (f.event.clone(), f.data["ticket_id"].as_i64().unwrap_or(-1))).collect()
}

#[tokio::test]
async fn each_stream_carries_what_its_person_may_see_from_either_replica() {
    let live = Live::open().await;
    let (customer, other_customer, agent) =
        (live.member("customer").await, live.member("customer").await, live.member("agent").await);
    let owner = live.platform.owner(&live.a, &live.org).await;
    let slug = live.org.slug.clone();
    // Every stream on replica B; every change through replica A.
    let mut customer_stream = Stream::open(&live.b, &slug, &customer, None).await;
    let mut other_stream = Stream::open(&live.b, &slug, &other_customer, None).await;
    let mut agent_stream = Stream::open(&live.b, &slug, &agent, None).await;
    let mut owner_stream = Stream::open(&live.b, &slug, &owner, None).await;

    let ticket = id(&live.post(&customer, "/v1/tickets", json!({"subject": "Live", "description": "x"})).await);
    live.post(&owner, &format!("/v1/tickets/{ticket}/assign"), json!({"assigned_to": agent.id})).await;
    live.post(&agent, &format!("/v1/tickets/{ticket}/messages"), json!({"message": "note", "is_internal": true})).await;
    live.post(&agent, &format!("/v1/tickets/{ticket}/messages"), json!({"message": "Hello"})).await;
    // Another organisation's ticket, and another customer's.
    let stranger = live.platform.member(&live.a, &live.other, "customer").await;
    live.a
        .post(&live.other.slug, "/v1/tickets", &stranger.token, &json!({"subject": "Elsewhere", "description": "x"}))
        .await;
    let theirs = id(&live.post(&other_customer, "/v1/tickets", json!({"subject": "Theirs", "description": "x"})).await);

    // The creation, the assignment (and the move it makes), then the public reply; never the note.
    let seen = customer_stream.until("message.added", ticket).await;
    let names: Vec<&str> = seen.iter().map(|f| f.event.as_str()).collect();
    assert_eq!(names.first(), Some(&"ticket.created"), "{seen:?}");
    assert!(names[1..names.len() - 1].iter().all(|n| *n == "ticket.updated") && names.len() >= 3, "{seen:?}");
    assert!(seen.iter().all(|f| f.data["ticket_id"] == ticket), "{seen:?}");
    let reply_id = seen.last().unwrap().data["message_id"].as_i64().unwrap();
    assert!(reply_id > 0);
    assert!(
        seen.windows(2)
            .all(|w| w[0].id.as_ref().unwrap().parse::<i64>().unwrap()
                < w[1].id.as_ref().unwrap().parse::<i64>().unwrap())
    );

    let seen = agent_stream.until("message.added", ticket).await;
    let messages: Vec<_> = seen.iter().filter(|f| f.event == "message.added").collect();
    assert_eq!(messages.len(), 1, "the first message frame is the note: {seen:?}");
    assert_ne!(messages[0].data["message_id"], reply_id, "the note comes first");

    let seen = owner_stream.until("ticket.created", theirs).await;
    assert!(
        seen.iter().all(|f| f.data["ticket_id"] == ticket || f.data["ticket_id"] == theirs),
        "only this organisation: {seen:?}"
    );
    assert_eq!(seen.iter().filter(|f| f.event == "message.added").count(), 2, "the note and the reply");

    // The other customer sees their own ticket, and nothing before it.
    let seen = other_stream.until("ticket.created", theirs).await;
    assert_eq!(events(&seen), [("ticket.created".into(), theirs)], "{seen:?}");
}

/// A colleague's ticket reaches the streams of those its customer organisation lets see it (a
/// manager; a member while it shares tickets), live and replayed, never a note's frame; a member
/// without sharing gets their own frames only.
#[tokio::test]
async fn a_colleagues_ticket_reaches_the_streams_its_organisation_allows_live_and_replayed() {
    let live = Live::open().await;
    let owner = live.platform.owner(&live.a, &live.org).await;
    let (requester, manager, member, agent) = (
        live.member("customer").await,
        live.member("customer").await,
        live.member("customer").await,
        live.member("agent").await,
    );
    let acme = live.post(&owner, "/v1/organizations", json!({"name": "Acme"})).await["id"].as_str().unwrap().to_owned();
    for (who, role) in [(&requester, "member"), (&manager, "manager"), (&member, "member")] {
        let path = format!("/v1/organizations/{acme}/members/{}", who.id);
        let done = live.a.put(&live.org.slug, &path, &owner.token, &json!({"role": role})).await;
        assert_eq!(done.status, 200, "{}", done.body);
    }
    let slug = live.org.slug.clone();
    let mut manager_stream = Stream::open(&live.b, &slug, &manager, None).await;
    let mut member_stream = Stream::open(&live.b, &slug, &member, None).await;
    let before = id(&live.post(&member, "/v1/tickets", json!({"subject": "Mine first", "description": "x"})).await);
    let mark = member_stream.until("ticket.created", before).await.last().unwrap().id.clone().unwrap();

    let ticket = id(&live.post(&requester, "/v1/tickets", json!({"subject": "Pallet", "description": "x"})).await);
    live.post(&agent, &format!("/v1/tickets/{ticket}/messages"), json!({"message": "note", "is_internal": true})).await;
    live.post(&agent, &format!("/v1/tickets/{ticket}/messages"), json!({"message": "On its way"})).await;
    let after = id(&live.post(&member, "/v1/tickets", json!({"subject": "Mine after", "description": "x"})).await);

    // The manager sees every ticket of the organisation: the member's too.
    let seen = manager_stream.until("message.added", ticket).await;
    assert!(seen.iter().all(|f| f.data["ticket_id"] == ticket || f.data["ticket_id"] == before), "{seen:?}");
    assert!(seen.iter().any(|f| f.data["ticket_id"] == before), "{seen:?}");
    assert_eq!(seen.iter().filter(|f| f.event == "message.added").count(), 1, "the reply, never the note: {seen:?}");
    let seen = member_stream.until("ticket.created", after).await;
    assert_eq!(events(&seen), [("ticket.created".into(), after)], "no sharing: their own only");
    let mut replayed = Stream::open(&live.a, &slug, &member, Some(&mark)).await;
    assert_eq!(events(&[replayed.expect().await]), [("ticket.created".into(), after)], "replayed, their own only");

    // Shared: the member's next stream replays the colleague's frames, never the note's.
    let shared =
        live.a.patch(&slug, &format!("/v1/organizations/{acme}"), &owner.token, &json!({"shared_tickets": true})).await;
    assert_eq!(shared.status, 200, "{}", shared.body);
    let mut replayed = Stream::open(&live.a, &slug, &member, Some(&mark)).await;
    let seen = replayed.until("ticket.created", after).await;
    assert_eq!(
        seen.first().map(|f| (f.event.as_str(), f.data["ticket_id"].as_i64())),
        Some(("ticket.created", Some(ticket)))
    );
    assert_eq!(seen.iter().filter(|f| f.event == "message.added").count(), 1, "{seen:?}");
}

/// A change of a ticket's properties is a `ticket.updated` frame: a ticket moved from one team's
/// queue to another's reaches the agents of both (and of no other team), and then its tags reach
/// the second team's; every agent sees it leave the queue of no team.
#[tokio::test]
async fn a_ticket_moved_between_queues_reaches_the_agents_of_both() {
    let live = Live::open().await;
    let (customer, first, second, teamless) = (
        live.member("customer").await,
        live.member("agent").await,
        live.member("agent").await,
        live.member("agent").await,
    );
    let owner = live.platform.owner(&live.a, &live.org).await;
    // Agents see their teams' tickets and the queue of no team (not every ticket).
    live.agent_access(&owner, "teams").await;
    let slug = live.org.slug.clone();
    let team = |name: &str, member: &Person| json!({ "name": name, "assignment": "manual", "member_ids": [member.id] });
    let billing = live.post(&owner, "/v1/teams", team("Billing", &first)).await["id"].clone();
    let returns = live.post(&owner, "/v1/teams", team("Returns", &second)).await["id"].clone();
    // Streams open once the teams exist: they know their person's teams.
    let mut first_stream = Stream::open(&live.b, &slug, &first, None).await;
    let mut second_stream = Stream::open(&live.b, &slug, &second, None).await;
    let mut teamless_stream = Stream::open(&live.b, &slug, &teamless, None).await;

    let ticket = id(&live.post(&customer, "/v1/tickets", json!({"subject": "Refund", "description": "x"})).await);
    for change in [json!({ "team_id": billing }), json!({ "team_id": returns }), json!({ "tags": ["refund"] })] {
        let done = live.a.patch(&slug, &format!("/v1/tickets/{ticket}"), &owner.token, &change).await;
        assert_eq!(done.status, 200, "{}", done.body);
    }
    // Seen by every agent: a ticket of no team.
    let last = id(&live.post(&customer, "/v1/tickets", json!({"subject": "Last", "description": "x"})).await);

    let about = |frames: &[Frame]| -> Vec<String> {
        frames.iter().filter(|f| f.data["ticket_id"] == ticket).map(|f| f.event.clone()).collect()
    };
    let created = "ticket.created".to_owned();
    let updated = "ticket.updated".to_owned();
    // In Billing's queue, then out of it: both moves.
    let seen = first_stream.until("ticket.created", last).await;
    assert_eq!(about(&seen), [created.clone(), updated.clone(), updated.clone()], "{seen:?}");
    // Out of the queue of no team (every agent's), into Returns' queue, then tagged there.
    let seen = second_stream.until("ticket.created", last).await;
    assert_eq!(about(&seen), [created.clone(), updated.clone(), updated.clone(), updated.clone()], "{seen:?}");
    // In the queue of no team until the first move.
    let seen = teamless_stream.until("ticket.created", last).await;
    assert_eq!(about(&seen), [created, updated], "{seen:?}");
}

#[tokio::test]
async fn a_reconnect_receives_what_it_missed_once_and_a_bad_id_resyncs() {
    let live = Live::open().await;
    let customer = live.member("customer").await;
    let slug = live.org.slug.clone();
    let mut stream = Stream::open(&live.b, &slug, &customer, None).await;
    let first = id(&live.post(&customer, "/v1/tickets", json!({"subject": "One", "description": "x"})).await);
    let seen = stream.until("ticket.created", first).await;
    let last = seen.last().unwrap().id.clone().unwrap();
    drop(stream);

    // Missed while away: two tickets.
    let second = id(&live.post(&customer, "/v1/tickets", json!({"subject": "Two", "description": "x"})).await);
    let third = id(&live.post(&customer, "/v1/tickets", json!({"subject": "Three", "description": "x"})).await);
    let db = live.platform.tenant_db(&slug).await;
    eventually(Duration::from_secs(10), "both events committed", || async {
        (db.count("outbox").await >= 3).then_some(())
    })
    .await;
    let mut again = Stream::open(&live.a, &slug, &customer, Some(&last)).await;
    assert_eq!(
        events(&[again.expect().await, again.expect().await]),
        [("ticket.created".into(), second), ("ticket.created".into(), third)]
    );
    // Live from here, and the replayed ones not twice.
    let fourth = id(&live.post(&customer, "/v1/tickets", json!({"subject": "Four", "description": "x"})).await);
    let next = again.expect().await;
    assert_eq!(events(&[next]), [("ticket.created".into(), fourth)]);

    for bad in ["not-a-number", "999999999", "-5"] {
        let mut stream = Stream::open(&live.a, &slug, &customer, Some(bad)).await;
        assert_eq!(stream.expect().await.event, "resync", "Last-Event-ID {bad}");
    }
}

/// Events are numbered in the order they are published, not by their rows' ids: a change that
/// commits after a later one (a smaller id, published last) is still replayed after the frames
/// a client saw before it went away.
#[tokio::test]
async fn a_change_that_commits_late_is_replayed_after_what_was_seen() {
    let live = Live::open().await;
    let customer = live.member("customer").await;
    let slug = live.org.slug.clone();
    let mut stream = Stream::open(&live.b, &slug, &customer, None).await;
    let first = id(&live.post(&customer, "/v1/tickets", json!({"subject": "First", "description": "x"})).await);
    stream.until("ticket.created", first).await;

    // A change holds its event's row, uncommitted, while a later change commits and is seen.
    let db = live.platform.tenant_db(&slug).await;
    let mut slow = db.pool.begin().await.unwrap();
    let late_row = copy_created_event(&mut slow, first).await;
    let second = id(&live.post(&customer, "/v1/tickets", json!({"subject": "Second", "description": "x"})).await);
    let seen = stream.until("ticket.created", second).await;
    let last = seen.last().unwrap().id.clone().unwrap();
    drop(stream);
    let second_row: i64 = db.scalar("SELECT max(id) FROM outbox WHERE payload->>'event' = 'TicketCreated'").await;
    assert!(late_row < second_row, "the late change's row has the smaller id");

    // It commits once the client is gone, and hints the relay as every change does after its
    // commit; it is published after what the client saw.
    slow.commit().await.unwrap();
    let state = &live.a.state;
    let tenant = state.tenancy.resolver.resolve(&shared::tenant::Slug::parse_syntax(&slug).unwrap()).await.unwrap();
    state.events.hints.hint(&tenant);
    eventually(Duration::from_secs(10), "the late event published", || async {
        let query = format!("SELECT count(*) FROM outbox WHERE id = {late_row} AND published_at IS NOT NULL");
        (db.scalar(&query).await == 1).then_some(())
    })
    .await;
    let mut again = Stream::open(&live.a, &slug, &customer, Some(&last)).await;
    let replayed = again.expect().await;
    assert_eq!(events(&[replayed]), [("ticket.created".into(), first)], "the late event, replayed");
}

/// A number a stream may have seen is never given to another event. Here a batch is published
/// and rolled back (its relay died before marking it) while a change with a smaller id is still
/// uncommitted; the change commits, and the relay publishes again. The batch keeps its number
/// and the late change gets the next one: the open stream sees each event once, in that order,
/// and a reconnect naming the batch's frame is replayed the late event alone.
#[tokio::test]
async fn a_batch_rolled_back_after_publishing_keeps_its_numbers() {
    let live = Live::open_with(|c| c.events.relay_in_serve = false).await;
    let customer = live.member("customer").await;
    let slug = live.org.slug.clone();
    let db = live.platform.tenant_db(&slug).await;
    let mut stream = Stream::open(&live.b, &slug, &customer, None).await;
    let first = id(&live.post(&customer, "/v1/tickets", json!({"subject": "First", "description": "x"})).await);
    assert_eq!(relay_once(&live.a, &slug, Ending::Settle).await, 1);
    let first_frame = stream.expect().await;
    assert_eq!(events(std::slice::from_ref(&first_frame)), [("ticket.created".into(), first)]);

    // A change holds its event's row (a copy of the first one's), uncommitted, while a later
    // change commits and is published; that batch's relay dies before marking it.
    let mut slow = db.pool.begin().await.unwrap();
    let late_row = copy_created_event(&mut slow, first).await;
    let second = id(&live.post(&customer, "/v1/tickets", json!({"subject": "Second", "description": "x"})).await);
    assert_eq!(relay_once(&live.a, &slug, Ending::RollBack).await, 1);
    let second_frame = stream.expect().await;
    assert_eq!(events(std::slice::from_ref(&second_frame)), [("ticket.created".into(), second)]);
    let second_row: i64 = db.scalar("SELECT max(id) FROM outbox WHERE payload->>'event' = 'TicketCreated'").await;
    assert!(late_row < second_row, "the late change's row has the smaller id");

    // The late change commits; the relay publishes the rolled-back batch again and the late row.
    slow.commit().await.unwrap();
    assert_eq!(relay_once(&live.a, &slug, Ending::Settle).await, 2);
    let third = id(&live.post(&customer, "/v1/tickets", json!({"subject": "Third", "description": "x"})).await);
    assert_eq!(relay_once(&live.a, &slug, Ending::Settle).await, 1);
    let rest = stream.until("ticket.created", third).await;
    assert_eq!(
        events(&rest),
        [("ticket.created".into(), first), ("ticket.created".into(), third)],
        "the late event then the third, the republished one dropped: {rest:?}"
    );
    let numbers: Vec<i64> = [&first_frame, &second_frame, &rest[0], &rest[1]]
        .iter()
        .map(|f| f.id.as_deref().unwrap().parse().unwrap())
        .collect();
    assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "one number each, in order: {numbers:?}");
    let stored: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, relay_seq FROM outbox ORDER BY relay_seq").fetch_all(&db.pool).await.unwrap();
    assert_eq!(
        stored,
        [(stored[0].0, numbers[0]), (second_row, numbers[1]), (late_row, numbers[2]), (stored[3].0, numbers[3])]
    );

    // A reconnect that saw the second ticket's frame is replayed the late event and the third.
    let mut again = Stream::open(&live.a, &slug, &customer, second_frame.id.as_deref()).await;
    let replayed = [again.expect().await, again.expect().await];
    assert_eq!(events(&replayed), [("ticket.created".into(), first), ("ticket.created".into(), third)]);
}

/// A copy of `ticket`'s `TicketCreated` outbox row written in `tx` (a change's event not yet
/// committed); its row id.
async fn copy_created_event(tx: &mut sqlx::PgConnection, ticket: i64) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO outbox (message_id, routing_key, payload)
         SELECT gen_random_uuid(), routing_key, payload FROM outbox
          WHERE payload->>'event' = 'TicketCreated' AND (payload->'data'->>'ticket_id')::bigint = $1
         RETURNING id",
    )
    .bind(ticket)
    .fetch_one(tx)
    .await
    .unwrap()
}

/// How a manually driven relay visit ends.
enum Ending {
    /// The confirmed rows are marked and the transaction commits.
    Settle,
    /// The relay dies after publishing: its transaction rolls back, nothing is marked.
    RollBack,
}

/// One relay visit of `slug` through `replica`, its batch published and the visit ended as
/// `ending` says; the rows published.
async fn relay_once(replica: &Replica, slug: &str, ending: Ending) -> usize {
    let state = &replica.state;
    let relay = app_api::worker::relay::Relay::of(state).expect("AMQP_URL is set");
    let slug = shared::tenant::Slug::parse_syntax(slug).unwrap();
    let tenant = state.tenancy.resolver.resolve(&slug).await.unwrap();
    let mut conn = state.tenancy.pools.acquire(&tenant).await.unwrap();
    let claim = app_api::worker::relay::Claim::take(&mut conn, 500).await.unwrap().expect("no other relay runs");
    let channel = relay.outlet().channel().await.unwrap();
    let published = claim.publish(relay.outlet(), &channel, &tenant).await;
    assert!(published.error.is_none(), "{published:?}");
    match ending {
        Ending::Settle => claim.settle(&published).await.unwrap(),
        Ending::RollBack => claim.release().await.unwrap(),
    }
    published.confirmed
}

#[tokio::test]
async fn signing_out_ends_the_stream_and_a_person_holds_a_bounded_number() {
    let live = Live::open().await;
    let slug = live.org.slug.clone();
    let login = live
        .platform
        .control_server()
        .post_json(
            "/v1/auth/login",
            &json!({"tenant": slug, "email": live.org.owner_email, "password": crate::helpers::PASSWORD}),
        )
        .await
        .json();
    let owner = Person {
        token: login["access_token"].as_str().unwrap().to_owned(),
        ..live.platform.owner(&live.a, &live.org).await
    };
    let mut stream = Stream::open(&live.b, &slug, &owner, None).await;
    let logout = live
        .platform
        .control_server()
        .request(reqwest::Method::POST, "/v1/auth/logout")
        .bearer_auth(&owner.token)
        .json(&json!({"refresh_token": login["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    let ended = tokio::time::timeout(Duration::from_secs(5), async { while stream.next().await.is_some() {} }).await;
    assert!(ended.is_ok(), "the stream ended within 5 s of the sign-out");

    // At most STREAMS_PER_USER at once (20 by default; 2 here).
    let limited = live
        .platform
        .replica_with(|c| {
            c.streams_per_user = 2;
            c.amqp_url = broker_url(&Service::Test);
        })
        .await;
    let person = live.member("agent").await;
    let _one = Stream::open(&limited, &slug, &person, None).await;
    let _two = Stream::open(&limited, &slug, &person, None).await;
    let third = limited.get(&slug, "/v1/stream", Some(&person.token)).await;
    assert_eq!(third.status, 429, "{}", third.body);
}

#[tokio::test]
async fn without_a_broker_the_stream_is_refused_with_a_time_to_retry_and_a_ticket_still_reads() {
    let (platform, org) = Platform::with_org(true).await;
    let replica = platform.replica_with(|c| c.amqp_url = None).await;
    let owner = platform.owner(&replica, &org).await;
    let refused = replica
        .server
        .request(reqwest::Method::GET, "/v1/stream")
        .header("x-tenant-slug", &org.slug)
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 503);
    let retry: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "dependency_unavailable", "{body}");
    assert_eq!(replica.state.live.hub.metrics.open.get(), 0, "no seat taken");
    // Nobody signed in is told to sign in first, whatever the broker.
    assert_eq!(replica.get(&org.slug, "/v1/stream", None).await.status, 401);
    // What the client polls instead answers.
    assert_eq!(replica.get(&org.slug, "/v1/tickets", Some(&owner.token)).await.status, 200);
}

/// How many tenant connections `replica` has handed out (every statement on a tenant database
/// goes through one).
fn acquisitions(replica: &Replica) -> u64 {
    let text = replica.state.metrics.render();
    text.lines()
        .find_map(|line| line.strip_prefix("tenant_pool_acquire_wait_seconds_count "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

async fn conditional(
    replica: &Replica,
    slug: &str,
    who: &Person,
    path: &str,
    tag: Option<&str>,
) -> (u16, Option<String>) {
    let mut request =
        replica.server.request(reqwest::Method::GET, path).header("x-tenant-slug", slug).bearer_auth(&who.token);
    if let Some(tag) = tag {
        request = request.header("if-none-match", tag);
    }
    let response = request.send().await.unwrap();
    let tag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
    (response.status().as_u16(), tag)
}

/// A plain GET: its status, tag and body.
async fn read(replica: &Replica, slug: &str, who: &Person, path: &str) -> (u16, Option<String>, String) {
    let (status, tag) = conditional(replica, slug, who, path, None).await;
    let again = replica.get(slug, path, Some(&who.token)).await;
    assert_eq!(again.status, status, "{path}");
    (status, tag, again.body)
}

#[tokio::test]
async fn a_revalidation_that_finds_nothing_changed_runs_no_statement_and_a_change_is_never_answered_304() {
    let live = Live::open().await;
    let (customer, slug) = (live.member("customer").await, live.org.slug.clone());
    let ticket = id(&live.post(&customer, "/v1/tickets", json!({"subject": "Polled", "description": "x"})).await);
    // A replica that only answers (no relay, no jobs): its tenant connections are the requests'.
    let reader = live
        .platform
        .replica_with(|c| {
            c.events.relay_in_serve = false;
            c.rate_limits.per_user_per_minute = 0;
        })
        .await;
    for path in ["/v1/tickets".to_owned(), format!("/v1/tickets/{ticket}"), format!("/v1/tickets/{ticket}/messages")] {
        let (status, tag) = conditional(&reader, &slug, &customer, &path, None).await;
        assert_eq!(status, 200);
        let tag = tag.expect("a tag");
        let before = acquisitions(&reader);
        for _ in 0..20 {
            let (status, again) = conditional(&reader, &slug, &customer, &path, Some(&tag)).await;
            assert_eq!((status, again.as_deref()), (304, Some(tag.as_str())), "{path}");
        }
        // Reading it again without a tag: the answer kept under the tag, the same bytes.
        let (_, _, kept) = read(&reader, &slug, &customer, &path).await;
        for _ in 0..10 {
            let (status, again, body) = read(&reader, &slug, &customer, &path).await;
            assert_eq!((status, again.as_deref()), (200, Some(tag.as_str())), "{path}");
            assert_eq!(body, kept, "{path}");
        }
        assert_eq!(
            acquisitions(&reader),
            before,
            "{path}: twenty revalidations and twenty reads again took no tenant connection"
        );

        // A change through this replica: the very next revalidation is a 200 with a new tag, and
        // the next read shows the change.
        let said_text = format!("More on {path}");
        let reply = json!({"message": said_text});
        let said = reader.post(&slug, &format!("/v1/tickets/{ticket}/messages"), &customer.token, &reply).await;
        assert_eq!(said.status, 201, "{}", said.body);
        let (status, changed) = conditional(&reader, &slug, &customer, &path, Some(&tag)).await;
        assert_eq!(status, 200, "{path} after a change");
        assert_ne!(changed.as_deref(), Some(tag.as_str()));
        let (_, _, after) = read(&reader, &slug, &customer, &path).await;
        assert_ne!(after, kept, "{path}: the kept answer is not served after a change");
    }
    // The answer kept for the customer is not the owner's, though the address is the same.
    let owner = live.platform.owner(&live.a, &live.org).await;
    let internal = json!({"message": "Staff only", "is_internal": true});
    let noted = reader.post(&slug, &format!("/v1/tickets/{ticket}/messages"), &owner.token, &internal).await;
    assert_eq!(noted.status, 201, "{}", noted.body);
    let path = format!("/v1/tickets/{ticket}");
    let (_, _, theirs) = read(&reader, &slug, &customer, &path).await;
    let (_, _, mine) = read(&reader, &slug, &owner, &path).await;
    assert_ne!(theirs, mine, "each person's answer is their own");
    // Another person's tag is not the customer's: the tag names its caller.
    let (_, customer_tag) = conditional(&live.b, &slug, &customer, "/v1/tickets", None).await;
    let (status, _) = conditional(&live.b, &slug, &owner, "/v1/tickets", customer_tag.as_deref()).await;
    assert_eq!(status, 200);
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// A replica with Redis and no limits, an organisation's customer with a ticket, and the tenant's
/// database to change behind the service's back (no version raised): an answer that still shows
/// the old text after such a change was served from memory.
async fn kept_answers() -> (Platform, Org, Replica, Person, i64, testkit::TenantDb) {
    let (platform, org) = Platform::with_org(true).await;
    let replica = platform
        .replica_with(|c| {
            c.events.relay_in_serve = false;
            c.rate_limits.per_user_per_minute = 0;
        })
        .await;
    let customer = platform.member(&replica, &org, "customer").await;
    let body = json!({"subject": "Kept", "description": "x"});
    let created = replica.post(&org.slug, "/v1/tickets", &customer.token, &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let ticket = id(&created.json());
    let said = replica
        .post(&org.slug, &format!("/v1/tickets/{ticket}/messages"), &customer.token, &json!({"message": "Hello"}))
        .await;
    assert_eq!(said.status, 201, "{}", said.body);
    let db = platform.tenant_db(&org.slug).await;
    (platform, org, replica, customer, ticket, db)
}

/// An answer with nothing timed in it (a thread page) is served from memory past its tag's
/// 30-second bucket while the tenant's version holds; a ticket whose badge turns at risk is
/// served from memory until that instant and not after it.
#[tokio::test]
async fn a_kept_answer_outlives_its_bucket_and_not_its_badge() {
    let (_platform, org, replica, customer, ticket, db) = kept_answers().await;
    let slug = org.slug.as_str();

    // The response target (24 h, medium) turns at risk with a quarter of it left: in 3 s.
    let due_set = std::time::Instant::now();
    db.execute(&format!(
        "UPDATE support_tickets SET response_due_at = now() + interval '6 hours 3 seconds',
            response_risk_at = now() + interval '3 seconds' WHERE id = {ticket}"
    ))
    .await;
    let thread = format!("/v1/tickets/{ticket}/messages");
    let path = format!("/v1/tickets/{ticket}");
    let (_, thread_tag, thread_kept) = read(&replica, slug, &customer, &thread).await;
    let (_, _, ticket_kept) = read(&replica, slug, &customer, &path).await;
    assert_eq!(json_of(&ticket_kept)["sla"]["at_risk"], false, "{ticket_kept}");
    assert!(thread_kept.contains("Hello"), "{thread_kept}");

    db.execute(&format!("UPDATE support_tickets SET subject = 'Changed behind' WHERE id = {ticket}")).await;
    db.execute(&format!("UPDATE ticket_messages SET message = '<p>Changed behind</p>' WHERE ticket_id = {ticket}"))
        .await;
    // Before the turn: the kept ticket; after it: the statement's, at risk and with the new text.
    let (_, _, before_turn) = read(&replica, slug, &customer, &path).await;
    assert_eq!(before_turn, ticket_kept, "served from memory before the badge turns");
    let turned = eventually(Duration::from_secs(10), "the badge turns", || async {
        let (_, _, body) = read(&replica, slug, &customer, &path).await;
        (body != ticket_kept).then_some(body)
    })
    .await;
    let seen_after = due_set.elapsed();
    assert!(seen_after >= Duration::from_secs(3), "served from memory until the turn: {seen_after:?}");
    assert!(seen_after < Duration::from_secs(5), "and not long after it: {seen_after:?}");
    let turned = json_of(&turned);
    assert_eq!((&turned["subject"], &turned["sla"]["at_risk"]), (&json!("Changed behind"), &json!(true)));

    // The thread: the same bytes under the next bucket's tag.
    let thread_tag = thread_tag.expect("a tag");
    let next_tag = eventually(Duration::from_secs(35), "the thread's bucket turns", || async {
        let (_, tag, body) = read(&replica, slug, &customer, &thread).await;
        assert_eq!(body, thread_kept, "served from memory while the version holds");
        tag.filter(|tag| *tag != thread_tag)
    })
    .await;
    let (_, tag, body) = read(&replica, slug, &customer, &thread).await;
    assert_eq!((tag.as_deref(), body), (Some(next_tag.as_str()), thread_kept), "past the bucket, from memory");
}

/// Control-api raises the tenant's version when it syncs a member (a name or role in the
/// answers, or what a reader may see), and a counter Redis lost starts again above every number
/// it handed out, so an answer kept under an old number is never taken for a current one.
#[tokio::test]
async fn the_control_plane_and_an_emptied_redis_move_the_version_on() {
    let (platform, org, replica, customer, ticket, db) = kept_answers().await;
    let slug = org.slug.as_str();
    let path = format!("/v1/tickets/{ticket}");
    let agent = platform.member(&replica, &org, "agent").await;
    let (_, _, kept) = read(&replica, slug, &customer, &path).await;
    db.execute(&format!("UPDATE support_tickets SET subject = 'Changed behind' WHERE id = {ticket}")).await;
    assert_eq!(read(&replica, slug, &customer, &path).await.2, kept, "served from memory");

    let promoted = platform
        .control_request(
            reqwest::Method::PATCH,
            &format!("/v1/tenants/{slug}/members/{}", agent.id),
            &org.owner_token,
            &json!({"role": "admin"}),
        )
        .await;
    assert_eq!(promoted.status, 200, "{}", promoted.body);
    let sql = format!("SELECT count(*) FROM users WHERE id = '{}' AND role = 'admin'", agent.id);
    eventually(Duration::from_secs(15), "the role is synced", || async { (db.scalar(&sql).await == 1).then_some(()) })
        .await;
    // Within the life of a kept version, not of a bucket.
    eventually(Duration::from_secs(3), "the kept answer steps aside", || async {
        let (_, _, body) = read(&replica, slug, &customer, &path).await;
        (json_of(&body)["subject"] == "Changed behind").then_some(())
    })
    .await;

    // Redis empties (restarted without its data): the next number is above every earlier one.
    let redis = platform.redis().expect("Redis");
    let key = redis.keys().await.into_iter().find(|k| k.contains("tenant-version:")).expect("the version's key");
    let client = redis::Client::open(redis.url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let before: u64 = redis::cmd("GET").arg(&key).query_async(&mut conn).await.unwrap();
    let _: () = redis::cmd("DEL").arg(&key).query_async(&mut conn).await.unwrap();
    let tenant = key.rsplit(':').next().unwrap().parse().expect("the tenant's id ends the key");
    replica.state.live.versions.forget(tenant);
    read(&replica, slug, &customer, &path).await;
    let after: u64 = redis::cmd("GET").arg(&key).query_async(&mut conn).await.unwrap();
    assert!(after > before, "started again at {after}, after {before}");
}

/// The bound on staleness across replicas (`live::versions`): a change through replica A shows
/// in B's revalidations as soon as B's streams have its frame, and one that raises no event
/// within `KEPT_FOR`.
#[tokio::test]
async fn another_replicas_change_shows_with_its_frame_or_within_a_second() {
    let live = Live::open().await;
    let (customer, slug) = (live.member("customer").await, live.org.slug.clone());
    let mut stream = Stream::open(&live.b, &slug, &customer, None).await;
    let ticket = id(&live.post(&customer, "/v1/tickets", json!({"subject": "Watched", "description": "x"})).await);
    let path = format!("/v1/tickets/{ticket}");
    stream.until("ticket.created", ticket).await;
    let (_, tag) = conditional(&live.b, &slug, &customer, &path, None).await;
    let tag = tag.expect("a tag");
    // B now keeps the tenant's version: the revalidation reads neither database nor Redis.
    assert_eq!(conditional(&live.b, &slug, &customer, &path, Some(&tag)).await.0, 304);

    live.post(&customer, &format!("{path}/messages"), json!({"message": "Through A"})).await;
    stream.until("message.added", ticket).await;
    let (status, tag) = conditional(&live.b, &slug, &customer, &path, Some(&tag)).await;
    assert_eq!(status, 200, "B's revalidation after B's stream carried the frame");
    let tag = tag.expect("a new tag");
    assert_eq!(conditional(&live.b, &slug, &customer, &path, Some(&tag)).await.0, 304);

    // A change that raises no event (the customer's notification settings), through A.
    let mut preferences = live.a.get(&slug, "/v1/me/notification-preferences", Some(&customer.token)).await.json();
    preferences["email"]["message_added"] = json!(false);
    let saved = live.a.put(&slug, "/v1/me/notification-preferences", &customer.token, &preferences).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let changed_at = std::time::Instant::now();
    eventually(Duration::from_secs(5), "B's revalidation sees A's change", || async {
        (conditional(&live.b, &slug, &customer, &path, Some(&tag)).await.0 == 200).then_some(())
    })
    .await;
    let seen_after = changed_at.elapsed();
    let bound = app_api::live::versions::KEPT_FOR;
    assert!(seen_after < bound + Duration::from_secs(1), "seen after {seen_after:?}, kept for {bound:?}");
}

#[tokio::test]
async fn staff_on_a_ticket_see_each_other_across_replicas_and_nobody_else_does() {
    let live = Live::open().await;
    let (customer, agent, other_agent) =
        (live.member("customer").await, live.member("agent").await, live.member("agent").await);
    let owner = live.platform.owner(&live.a, &live.org).await;
    // Agents see their own tickets and the queue of no team (not every ticket).
    live.agent_access(&owner, "teams").await;
    let slug = live.org.slug.clone();
    let ticket = id(&live.post(&customer, "/v1/tickets", json!({"subject": "Presence", "description": "x"})).await);
    live.post(&owner, &format!("/v1/tickets/{ticket}/assign"), json!({"assigned_to": agent.id})).await;
    // Every stream on replica B; presence said through replica A.
    let mut owner_stream = Stream::open(&live.b, &slug, &owner, None).await;
    let mut agent_stream = Stream::open(&live.b, &slug, &agent, None).await;
    let mut other_stream = Stream::open(&live.b, &slug, &other_agent, None).await;
    let mut customer_stream = Stream::open(&live.b, &slug, &customer, None).await;

    let path = format!("/v1/tickets/{ticket}/presence");
    let here = live.a.put(&slug, &path, &agent.token, &json!({"typing": true})).await;
    assert_eq!(here.status, 204, "{}", here.body);
    // The assignment's frames may come first: the relay publishes them after the commit.
    let frame = owner_stream.next_presence().await;
    assert_eq!(frame.id, None, "presence is not replayed and leaves Last-Event-ID alone");
    assert_eq!(
        frame.data,
        json!({"ticket_id": ticket, "user_id": agent.id, "name": "Staff agent", "typing": true, "left": false, "expires_in": 30})
    );
    let gone = live.a.send(reqwest::Method::DELETE, &slug, &path, &owner.token, None).await;
    assert_eq!(gone.status, 204);
    let frame = agent_stream.next_presence().await;
    assert_eq!((frame.data["user_id"].clone(), frame.data["left"].clone()), (json!(owner.id), json!(true)));

    // Both were handed to replica B's streams before this message was even written: whatever
    // the others receive first, it is not presence.
    live.post(&agent, &format!("/v1/tickets/{ticket}/messages"), json!({"message": "Hello"})).await;
    let seen = customer_stream.until("message.added", ticket).await;
    assert!(seen.iter().all(|f| f.event != "presence"), "customers never: {seen:?}");
    let seen = agent_stream.until("message.added", ticket).await;
    assert!(seen.iter().all(|f| f.event != "presence"), "never one's own: {seen:?}");
    let theirs = id(&live.post(&customer, "/v1/tickets", json!({"subject": "Queue", "description": "x"})).await);
    let seen = other_stream.until("ticket.created", theirs).await;
    assert!(seen.iter().all(|f| f.event != "presence"), "an agent who cannot see the ticket: {seen:?}");

    // Customers may not say it; another organisation's ticket is not found; bad bodies refused.
    assert_eq!(live.a.put(&slug, &path, &customer.token, &json!({"typing": false})).await.status, 403);
    let stranger = live.platform.owner(&live.a, &live.other).await;
    assert_eq!(live.a.put(&live.other.slug, &path, &stranger.token, &json!({"typing": false})).await.status, 404);
    for bad in [json!({}), json!({"typing": "yes"}), json!({"typing": true, "mood": "busy"})] {
        assert_eq!(live.a.put(&slug, &path, &agent.token, &bad).await.status, 400, "{bad}");
    }
}

/// A Redis user of the test server that may read and not write (`-@write`), dropped with the
/// handle: what a replica sees when Redis refuses its writes (out of memory, a read-only
/// replica promoted wrongly, a misconfigured account).
struct ReadOnlyRedisUser {
    url: String,
    server_url: String,
    name: String,
}

impl ReadOnlyRedisUser {
    async fn create(server_url: &str) -> Self {
        let name = format!("hdtest-ro-{}", uuid::Uuid::new_v4().simple());
        let client = redis::Client::open(server_url).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let _: () = redis::cmd("ACL")
            .arg(&["SETUSER", name.as_str(), "on", ">read-only", "~*", "&*", "+@all", "-@write"][..])
            .query_async(&mut conn)
            .await
            .unwrap();
        let url = server_url.replacen("redis://", &format!("redis://{name}:read-only@"), 1);
        Self { url, server_url: server_url.to_owned(), name }
    }
}

impl Drop for ReadOnlyRedisUser {
    fn drop(&mut self) {
        let (url, name) = (self.server_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let client = redis::Client::open(url.as_str()).ok()?;
            let mut conn = client.get_connection().ok()?;
            redis::cmd("ACL").arg(&["DELUSER", name.as_str()][..]).query::<i64>(&mut conn).ok()
        })
        .join();
    }
}

/// A change whose version bump Redis refused (replica A may not write to it) is not answered from
/// memory by replica B for longer than about a second: the miss is recorded in the control
/// database, B stops trusting the tenant's version on its next read of the misses, raises it
/// (B may write), and settles the miss.
#[tokio::test]
async fn a_bump_redis_refused_is_raised_later_and_nothing_older_is_served_meanwhile() {
    let (platform, org) = Platform::with_org(true).await;
    let quiet = |c: &mut app_api::config::AppConfig| {
        c.events.relay_in_serve = false;
        c.rate_limits.per_user_per_minute = 0;
    };
    let b = platform.replica_with(quiet).await;
    let read_only = ReadOnlyRedisUser::create(&platform.redis().expect("Redis").url).await;
    let url = read_only.url.clone();
    let a = platform
        .replica_with(move |c| {
            quiet(c);
            c.redis = Some(crate::helpers::redis_at(&url));
        })
        .await;
    let slug = org.slug.as_str();
    let customer = platform.member(&b, &org, "customer").await;
    let created = b.post(slug, "/v1/tickets", &customer.token, &json!({"subject": "Kept", "description": "x"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let path = format!("/v1/tickets/{}", id(&created.json()));
    let (_, tag) = conditional(&b, slug, &customer, &path, None).await;
    let tag = tag.expect("B tags its answers");
    assert_eq!(conditional(&b, slug, &customer, &path, Some(&tag)).await.0, 304);

    // A change through A (no event): its bump is refused and recorded.
    let mut preferences = a.get(slug, "/v1/me/notification-preferences", Some(&customer.token)).await.json();
    preferences["email"]["message_added"] = json!(false);
    let saved = a.put(slug, "/v1/me/notification-preferences", &customer.token, &preferences).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let changed_at = std::time::Instant::now();
    let control = &b.state.tenancy.control_db;
    let missed = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM missed_version_bumps m JOIN tenants t ON t.id = m.tenant_id WHERE t.slug = $1",
        )
        .bind(slug)
        .fetch_one(control)
        .await
        .unwrap()
    };
    // B answers afresh within about a second; then the version is raised and the miss settled.
    eventually(Duration::from_secs(5), "B stops answering 304 for the old version", || async {
        (conditional(&b, slug, &customer, &path, Some(&tag)).await.0 == 200).then_some(())
    })
    .await;
    let seen_after = changed_at.elapsed();
    // The next read of the misses, within `REPAIR_EVERY`, and a second for a loaded machine.
    let bound = app_api::live::versions::REPAIR_EVERY + Duration::from_secs(1);
    assert!(seen_after < bound, "answered afresh after {seen_after:?}, bound {bound:?}");
    eventually(Duration::from_secs(5), "the miss is settled", || async { (missed().await == 0).then_some(()) }).await;
    let (_, raised) = conditional(&b, slug, &customer, &path, None).await;
    let raised = raised.expect("B tags its answers again once the version is raised");
    assert_ne!(raised, tag);
    assert_eq!(conditional(&b, slug, &customer, &path, Some(&raised)).await.0, 304);
}

#[tokio::test]
async fn a_last_event_id_from_another_tenant_of_the_pool_replays_the_callers_own_frames_or_a_resync() {
    let live = Live::open().await;
    let ours = live.member("customer").await;
    let theirs = live.platform.member(&live.a, &live.other, "customer").await;
    let database_of = async |slug: &str| -> String {
        sqlx::query_scalar("SELECT database_name FROM tenants WHERE slug = $1 AND placement = 'pooled'")
            .bind(slug)
            .fetch_one(&live.platform.control.db)
            .await
            .unwrap()
    };
    assert_eq!(database_of(&live.org.slug).await, database_of(&live.other.slug).await, "one pool holds both");

    // Theirs: three events seen on their stream.
    let mut their_stream = Stream::open(&live.a, &live.other.slug, &theirs, None).await;
    let mut their_tickets = Vec::new();
    for subject in ["Their one", "Their two", "Their three"] {
        let created = live
            .a
            .post(&live.other.slug, "/v1/tickets", &theirs.token, &json!({"subject": subject, "description": "x"}))
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        their_tickets.push(id(&created.json()));
    }
    let their_frames = their_stream.until("ticket.created", *their_tickets.last().unwrap()).await;
    let their_ids: Vec<String> = their_frames.iter().filter_map(|f| f.id.clone()).collect();
    assert!(their_ids.len() >= 3, "{their_frames:?}");

    // Ours: one seen, one missed while away.
    let mut our_stream = Stream::open(&live.b, &live.org.slug, &ours, None).await;
    let first = id(&live.post(&ours, "/v1/tickets", json!({"subject": "Ours one", "description": "x"})).await);
    our_stream.until("ticket.created", first).await;
    drop(our_stream);
    let second = id(&live.post(&ours, "/v1/tickets", json!({"subject": "Ours two", "description": "x"})).await);
    let db = live.platform.tenant_db(&live.org.slug).await;
    eventually(Duration::from_secs(10), "both of ours committed", || async {
        (db.count("outbox").await >= 2).then_some(())
    })
    .await;

    // Each of their event ids, named by our customer: our own frames or a resync, never theirs,
    // up to a ticket of ours made once the stream is open.
    let mut our_tickets = vec![first, second];
    for last in &their_ids {
        let mut again = Stream::open(&live.a, &live.org.slug, &ours, Some(last)).await;
        let marker = id(&live.post(&ours, "/v1/tickets", json!({"subject": "Marker", "description": "x"})).await);
        our_tickets.push(marker);
        loop {
            let frame = again.expect().await;
            if frame.event == "resync" {
                break;
            }
            let ticket = frame.data["ticket_id"].as_i64().unwrap_or(-1);
            assert!(!their_tickets.contains(&ticket), "Last-Event-ID {last} gave another tenant's frame: {frame:?}");
            assert!(our_tickets.contains(&ticket), "Last-Event-ID {last} gave {frame:?}");
            if frame.event == "ticket.created" && ticket == marker {
                break;
            }
        }
    }
}
