//! SAV tickets end to end, on a real control plane and real tenant databases: who sees what,
//! the status life cycle, priorities, concurrent writers, the outbox, bad input, messages,
//! lists, and the admin endpoints. `Desk` is one organisation with an app-api replica and
//! superuser access to the tenant database, so tests can check what the API wrote (history,
//! outbox) and arrange what the API cannot (a VIP flag, a failing trigger, a due date).

mod bad_input;
mod bulk;
mod concurrency;
mod customer_organizations;
mod erasure;
mod export;
mod fields;
mod for_customer;
mod included;
mod invariants;
mod jobs;
mod lifecycle;
mod listing;
mod merge;
mod messages;
mod numbers;
mod organisation;
mod organization_visibility;
pub mod outbox;
mod participants;
mod priority;
mod reports;
mod routing;
mod rules;
mod schedules;
mod sla_by_condition;
mod sla_default;
mod standing;
mod tags;
mod tallies;
mod time_limits;
mod views;
mod visibility;
mod workload;

use harness::TestResponse;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Org, Person, Platform, Replica, TenantDb};

/// One organisation on a fresh platform. Fields drop in order: the pool and the replica go
/// before the platform drops the tenant databases.
pub struct Desk {
    pub db: TenantDb,
    pub app: Replica,
    pub org: Org,
    pub owner: Person,
    pub platform: Platform,
}

impl Desk {
    pub async fn open() -> Self {
        Self::open_with(|_| {}).await
    }

    /// A desk whose replica's configuration `configure` changes.
    pub async fn open_with(configure: impl FnOnce(&mut app_api::AppConfig)) -> Self {
        let (platform, org) = Platform::with_org(false).await;
        let app = platform
            .replica_with(|c| {
                // These tests send far more than the 60 requests a minute a user may; the limit
                // has its own tests.
                c.rate_limits.per_user_per_minute = 0;
                configure(c);
            })
            .await;
        let owner = platform.owner(&app, &org).await;
        let db = platform.tenant_db(&org.slug).await;
        Self { db, app, org, owner, platform }
    }

    /// Sets the organisation's `agent_ticket_access` (`all`, `teams` or `assigned`) as its owner.
    pub async fn agent_access(&self, access: &str) {
        let answer = self.patch(&self.owner, "/v1/ticket-settings", &json!({ "agent_ticket_access": access })).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.json()["agent_ticket_access"], access);
    }

    pub async fn member(&self, role: &str) -> Person {
        self.platform.member(&self.app, &self.org, role).await
    }

    pub async fn delete(&self, who: &Person, path: &str) -> TestResponse {
        self.app.send(Method::DELETE, &self.org.slug, path, &who.token, None).await
    }

    pub async fn get(&self, who: &Person, path: &str) -> TestResponse {
        self.app.get(&self.org.slug, path, Some(&who.token)).await
    }

    pub async fn post(&self, who: &Person, path: &str, body: &Value) -> TestResponse {
        self.app.post(&self.org.slug, path, &who.token, body).await
    }

    pub async fn patch(&self, who: &Person, path: &str, body: &Value) -> TestResponse {
        self.app.patch(&self.org.slug, path, &who.token, body).await
    }

    pub async fn put(&self, who: &Person, path: &str, body: &Value) -> TestResponse {
        self.app.put(&self.org.slug, path, &who.token, body).await
    }

    pub async fn send_raw(&self, who: &Person, method: Method, path: &str, body: Vec<u8>) -> TestResponse {
        self.app.send_raw(method, &self.org.slug, path, &who.token, body).await
    }

    /// Attaches `content` as `file_name` to `who`'s message `message_id` of ticket `ticket`
    /// (through the upload endpoint, which must accept it); the attachment.
    pub async fn attach(&self, who: &Person, ticket: i64, message_id: i64, file_name: &str, content: &[u8]) -> Value {
        let message_id = message_id.to_string();
        let fields = [("message_id", message_id.as_str())];
        let uploaded = crate::attachments::upload(self, who, ticket, file_name, content, &fields).await;
        assert_eq!(uploaded.status, 201, "{} attaches {file_name}: {}", who.role, uploaded.body);
        uploaded.json()
    }

    /// `POST /v1/tickets`, which must succeed; the new ticket.
    pub async fn create(&self, who: &Person, body: Value) -> Value {
        let created = self.post(who, "/v1/tickets", &body).await;
        assert_eq!(created.status, 201, "{} creates {body}: {}", who.role, created.body);
        created.json()
    }

    /// `GET /v1/tickets/{id}`, which must succeed.
    pub async fn ticket(&self, who: &Person, id: i64) -> Value {
        let got = self.get(who, &format!("/v1/tickets/{id}")).await;
        assert_eq!(got.status, 200, "{} reads ticket {id}: {}", who.role, got.body);
        got.json()
    }

    /// `POST /v1/tickets/{id}/assign`, which must succeed; the ticket.
    pub async fn assign(&self, who: &Person, id: i64, to: Option<&Person>) -> Value {
        let body = json!({ "assigned_to": to.map(|p| p.id) });
        let assigned = self.post(who, &format!("/v1/tickets/{id}/assign"), &body).await;
        assert_eq!(assigned.status, 200, "{} assigns {id} with {body}: {}", who.role, assigned.body);
        assigned.json()
    }

    /// `POST /v1/tickets/{id}/status`, which must succeed; the ticket.
    pub async fn set_status(&self, who: &Person, id: i64, status: &str) -> Value {
        let changed = self.post(who, &format!("/v1/tickets/{id}/status"), &json!({ "status": status })).await;
        assert_eq!(changed.status, 200, "{} moves {id} to {status}: {}", who.role, changed.body);
        changed.json()
    }

    /// `POST /v1/tickets/{id}/messages`, which must succeed; the message.
    pub async fn say(&self, who: &Person, id: i64, message: &str, is_internal: bool) -> Value {
        let body = json!({ "message": message, "is_internal": is_internal });
        let said = self.post(who, &format!("/v1/tickets/{id}/messages"), &body).await;
        assert_eq!(said.status, 201, "{} writes on {id}: {}", who.role, said.body);
        said.json()
    }

    /// Every ticket id `GET /v1/tickets` gives `who` with `query`, following the cursor to the
    /// last page, in the order given.
    pub async fn list(&self, who: &Person, query: &[(&str, &str)]) -> Vec<i64> {
        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut pairs = query.to_vec();
            if let Some(cursor) = &cursor {
                pairs.push(("cursor", cursor));
            }
            let page = self.get(who, &with_query("/v1/tickets", &pairs)).await;
            assert_eq!(page.status, 200, "{} lists {query:?}: {}", who.role, page.body);
            let page = page.json();
            ids.extend(ids_of(&page));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return ids,
            }
            assert!(ids.len() < 10_000, "the cursor never ends");
        }
    }

    /// How far the history and the outbox go now, to read what a request adds.
    pub async fn mark(&self) -> Mark {
        Mark {
            history: self.db.scalar("SELECT coalesce(max(id), 0) FROM ticket_history").await,
            outbox: self.db.scalar("SELECT coalesce(max(id), 0) FROM outbox").await,
        }
    }

    /// The history rows and outbox events written after `mark`, oldest first.
    pub async fn since(&self, mark: &Mark) -> Written {
        let history = sqlx::query_as::<_, History>(
            "SELECT ticket_id, actor_id, actor_kind, action, from_status, to_status, reason, changes
             FROM ticket_history WHERE id > $1 ORDER BY id",
        )
        .bind(mark.history)
        .fetch_all(&self.db.pool)
        .await
        .unwrap();
        let events =
            sqlx::query_as::<_, Event>("SELECT message_id, routing_key, payload FROM outbox WHERE id > $1 ORDER BY id")
                .bind(mark.outbox)
                .fetch_all(&self.db.pool)
                .await
                .unwrap();
        Written { history, events }
    }

    /// A ticket's whole history, oldest first.
    pub async fn history(&self, ticket: i64) -> Vec<History> {
        sqlx::query_as::<_, History>(
            "SELECT ticket_id, actor_id, actor_kind, action, from_status, to_status, reason, changes
             FROM ticket_history WHERE ticket_id = $1 ORDER BY id",
        )
        .bind(ticket)
        .fetch_all(&self.db.pool)
        .await
        .unwrap()
    }

    /// Row counts of every SAV table, to show a refused request changed nothing.
    pub async fn counts(&self) -> [(&'static str, i64); 5] {
        let mut counts =
            [("support_tickets", 0), ("ticket_messages", 0), ("ticket_history", 0), ("outbox", 0), ("order_refs", 0)];
        for (table, count) in &mut counts {
            *count = self.db.count(table).await;
        }
        counts
    }
}

pub struct Mark {
    history: i64,
    outbox: i64,
}

#[derive(Debug, sqlx::FromRow)]
pub struct History {
    pub ticket_id: i64,
    pub actor_id: Option<Uuid>,
    pub actor_kind: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub reason: Option<String>,
    pub changes: Value,
}

#[derive(Debug, sqlx::FromRow)]
pub struct Event {
    pub message_id: Uuid,
    pub routing_key: String,
    pub payload: Value,
}

/// What one or more requests wrote to the history and the outbox.
#[derive(Debug)]
pub struct Written {
    pub history: Vec<History>,
    pub events: Vec<Event>,
}

impl Written {
    /// The history actions, sorted: one request may write several rows in any order.
    pub fn actions(&self) -> Vec<&str> {
        let mut actions: Vec<&str> = self.history.iter().map(|h| h.action.as_str()).collect();
        actions.sort_unstable();
        actions
    }

    /// The status moves recorded, in order. The contract leaves open whether a move caused by
    /// an assignment gets its own `status_changed` row or rides on the `assigned` row: any row
    /// going from one status to another counts, once.
    pub fn moves(&self) -> Vec<(&str, &str)> {
        moves(&self.history)
    }

    /// The routing keys of the events, sorted.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.events.iter().map(|e| e.routing_key.as_str()).collect();
        keys.sort_unstable();
        keys
    }

    /// The one event with `routing_key`.
    pub fn event(&self, routing_key: &str) -> &Event {
        let mut matching = self.events.iter().filter(|e| e.routing_key == routing_key);
        let event = matching.next().unwrap_or_else(|| panic!("no {routing_key} in {:?}", self.events));
        assert!(matching.next().is_none(), "more than one {routing_key}");
        event
    }

    pub fn is_empty(&self) -> bool {
        self.history.is_empty() && self.events.is_empty()
    }
}

/// The status moves among `history` rows: rows from one status to another, whatever their
/// action (`created` has no from).
pub fn moves(history: &[History]) -> Vec<(&str, &str)> {
    history
        .iter()
        .filter_map(|h| match (h.from_status.as_deref(), h.to_status.as_deref()) {
            (Some(from), Some(to)) if from != to => Some((from, to)),
            _ => None,
        })
        .collect()
}

/// How many `history` rows have `action`.
pub fn count_action(history: &[History], action: &str) -> usize {
    history.iter().filter(|h| h.action == action).count()
}

/// `path?query`, percent-encoded.
pub fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return path.to_owned();
    }
    let mut url = reqwest::Url::parse("http://x").unwrap();
    url.set_path(path);
    url.query_pairs_mut().extend_pairs(pairs);
    format!("{}?{}", url.path(), url.query().unwrap_or(""))
}

/// The fields a refusal names (`errors[].field`), in order.
pub fn error_fields(response: &TestResponse) -> Vec<String> {
    let body: Value = response.json();
    body["errors"].as_array().map_or_else(Vec::new, |errors| {
        errors.iter().map(|e| e["field"].as_str().unwrap_or_default().to_owned()).collect()
    })
}

/// The ids of a list page's `data`.
pub fn ids_of(page: &Value) -> Vec<i64> {
    page["data"].as_array().unwrap_or_else(|| panic!("no data in {page}")).iter().map(id).collect()
}

/// A ticket's or message's `id`.
pub fn id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap_or_else(|| panic!("no integer id in {value}"))
}

/// The strings of a JSON array, sorted (for lists whose order the contract leaves open).
pub fn sorted_strings(value: &Value) -> Vec<String> {
    let mut strings: Vec<String> = value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    strings.sort_unstable();
    strings
}

/// `ids` newest first, as lists return them.
pub fn newest_first(ids: &[i64]) -> Vec<i64> {
    let mut ids = ids.to_vec();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids
}
