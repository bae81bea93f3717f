//! Rules (issue 47) on real tenants through an app-api replica in this process:
//!
//! - **In the write path**: ticket creation and an agent's reply, in four tenants on the one
//!   replica: one without rules, one with 50 enabled rules none of which matches, one with 200
//!   none of which matches, and one with 200 of which 10 match and change something cheap (tags,
//!   the priority). The same clients, in alternating rounds, so the ratios to the tenant without
//!   rules compare like with like. Every write reads the rules' version; in a tenant with rules
//!   it checks in memory the conditions of the rules its change triggers, reading the ticket's
//!   customer once when one of them looks at the customer; each match runs in a savepoint, with
//!   its log entry, its history and its events, and its changes trigger the rules on
//!   `ticket.updated` again.
//! - **Time rules**: a tenant seeded with 100,000 tickets (`tickets::seed`), a time rule made
//!   through the API and a timer of it on every ticket, exactly `due` of them due at the jobs'
//!   clock: the jobs' check that runs them, and the same check with nothing due, over no timers
//!   and over the 100,000 (the jobs read the head of the due timers' index, so what a check costs
//!   should follow what is due, not what is armed).

use std::sync::Arc;
use std::time::{Duration, Instant};

use app_api::worker::jobs::Jobs;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::{ConnectOptions as _, PgConnection};
use uuid::Uuid;

use crate::app::Replica;
use crate::platform::Platform;
use crate::stats::summarize;

const ROUNDS: usize = 3;
/// Creations and replies in each tenant before the rounds, not measured: its pool opened, its
/// statements prepared, its rules read and parsed once.
const WARM_UP: usize = 50;
/// Times each check with nothing due is timed, after `IDLE_WARM_UP` not measured.
const IDLE_CHECKS: usize = 50;
const IDLE_WARM_UP: usize = 5;
/// The time rule's delay: two days since the ticket was created.
const STALE_MINUTES: i64 = 2_880;
/// The triggers the rules are spread over, in turn.
const TRIGGERS: [&str; 3] = ["ticket.created", "message.added", "ticket.updated"];
/// The triggers of the runs a write makes, as the replica's run metrics count them.
const COUNTED: [&str; 3] = TRIGGERS;

pub struct Options {
    /// Creations (and then replies to them) each round makes in each tenant.
    pub tickets: usize,
    pub concurrency: usize,
    /// Tickets of the time rules' tenant, one timer on each.
    pub seeded: i32,
    /// The timers due at the jobs' clock.
    pub due: usize,
}

/// A tenant of the comparison: how many enabled rules it holds, and whether 10 of them match.
#[derive(Clone, Copy)]
struct Case {
    label: &'static str,
    rules: usize,
    matching: bool,
}

const CASES: [Case; 4] = [
    Case { label: "no rule", rules: 0, matching: false },
    Case { label: "50 rules, none matching", rules: 50, matching: false },
    Case { label: "200 rules, none matching", rules: 200, matching: false },
    Case { label: "200 rules, 10 matching", rules: 200, matching: true },
];

/// One tenant of the comparison, ready: its agent (who creates and answers the tickets), the
/// customer the tickets are for, and a connection to its database to read the new tickets' ids.
struct Tenant {
    case: Case,
    slug: String,
    agent_token: String,
    customer: Uuid,
    admin: PgConnection,
    /// The newest ticket id read so far: the next creations' tickets come after it.
    last_id: i64,
}

/// What the rounds measured of one kind of write in one tenant.
#[derive(Default)]
struct Measured {
    rates: Vec<f64>,
    times: Vec<Duration>,
    /// Rule runs during these writes, by trigger (`COUNTED`).
    runs: [u64; 3],
    /// Writes answered with an error (status and body): counted, not fatal, so that a run that
    /// meets one still says how often.
    failures: Vec<String>,
}

impl Measured {
    /// Adds a pass of writes: its rate, latencies, failures, and the runs between `before` and
    /// `after`.
    fn add(&mut self, (rate, times, failures): (f64, Vec<Duration>, Vec<String>), before: [u64; 3], after: [u64; 3]) {
        self.rates.push(rate);
        self.times.extend(times);
        self.failures.extend(failures);
        for ((sum, b), a) in self.runs.iter_mut().zip(before).zip(after) {
            *sum += a - b;
        }
    }
}

pub async fn run(options: &Options) {
    let platform = Platform::start_logging_at("error").await;
    let mut signed = platform.tenants_with_tokens(CASES.len() + 1).await;
    let (seeded_slug, seeded_owner) = signed.pop().expect("the time rules' tenant");
    // Room for every tenant's pool at once (10 each): the rounds go from one tenant to the next.
    let replica = crate::app::replica(&platform, 60, 10).await;
    let mut tenants = Vec::with_capacity(CASES.len());
    for (case, (slug, owner)) in CASES.into_iter().zip(signed) {
        tenants.push(prepare(&platform, &replica, case, slug, &owner).await);
    }
    in_the_write_path(&replica, &mut tenants, options).await;
    drop(tenants);
    time_rules(&platform, &replica, &seeded_slug, &seeded_owner, options).await;
    drop(replica);
    platform.finish().await;
}

/// A request to the replica for tenant `slug` with `token`.
fn request(
    client: &reqwest::Client,
    replica: &Replica,
    method: reqwest::Method,
    slug: &str,
    token: &str,
    path: &str,
) -> reqwest::RequestBuilder {
    replica.request(client, method, slug, token, path)
}

/// The tenant of `case`: a number field (the rules' conditions read it), an agent, a customer,
/// and its rules, each made through the API.
async fn prepare(platform: &Platform, replica: &Replica, case: Case, slug: String, owner: &str) -> Tenant {
    let client = reqwest::Client::new();
    let post =
        |path: &str, body: &Value| request(&client, replica, reqwest::Method::POST, &slug, owner, path).json(body);
    let field = json!({"key": "order_total", "label": {"en": "Order total"}, "type": "number"});
    let made = post("/v1/fields", &field).send().await.expect("app-api answers");
    assert_eq!(made.status(), 201, "the field: {}", made.text().await.unwrap_or_default());

    let (_, agent_token) = platform.agent(&slug, owner).await;
    replica.agent_id(&client, &slug, &agent_token).await;
    let (_, options) = platform.tenant_admin_options(&slug).await;
    let mut admin = options.connect().await.expect("the tenant database");
    // A customer of the mirror, as one who wrote in by mail once: tickets are opened for them.
    let customer = Uuid::now_v7();
    sqlx::query("INSERT INTO users (id, email, firstname, lastname, role) VALUES ($1, $2, 'Ada', 'Byron', 'customer')")
        .bind(customer)
        .bind(format!("ada-{}@customer.example", customer.simple()))
        .execute(&mut admin)
        .await
        .expect("the customer");

    for rule in rule_set(case) {
        let made = post("/v1/rules", &rule).send().await.expect("app-api answers");
        assert_eq!(made.status(), 201, "{}: {}", rule["name"], made.text().await.unwrap_or_default());
    }
    let last_id: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM support_tickets")
        .fetch_one(&mut admin)
        .await
        .expect("the tickets");
    Tenant { case, slug, agent_token, customer, admin, last_id }
}

/// The rules of `case`, in the order they run. In the matching case every twentieth rule (the
/// 11th, the 31st, ...) is one of `matching_rules`, in their order, in the place of a quiet one.
fn rule_set(case: Case) -> Vec<Value> {
    let mut matching = matching_rules().into_iter();
    (0..case.rules)
        .map(|n| match (case.matching && n % 20 == 10).then(|| matching.next()).flatten() {
            Some(rule) => rule,
            None => quiet_rule(n),
        })
        .collect()
}

/// A condition, `{field, op, value}` (`value` null for `is_empty` and `is_not_empty`).
fn condition(field: &str, op: &str, value: Value) -> Value {
    let mut condition = json!({"field": field, "op": op});
    condition["value"] = value;
    condition
}

/// Quiet rule `n`: of the kinds teams write (VIPs, billing words, an order's amount, a partner's
/// domain, team queues), on conditions over the status, priority, tags, category, subject,
/// description, a custom field, the customer, the channel and the message, none of which holds
/// for the benchmark's tickets and replies. Its trigger is one of `TRIGGERS` in turn and its
/// shape one of eight (3 and 8 share no factor: every trigger meets every shape); in three
/// shapes one or two conditions hold before the one that fails, in the others the first fails
/// (`all` stops at the first false one), as in a book of rules each written for its own case.
fn quiet_rule(n: usize) -> Value {
    let trigger = TRIGGERS[n % TRIGGERS.len()];
    let (mut all, any, actions) = match n % 8 {
        0 => (
            vec![
                condition("status", "in", json!(["open", "in_progress"])),
                condition("priority", "is", json!("urgent")),
                condition("tags", "not_contains", json!(format!("vip-{n}"))),
            ],
            vec![],
            json!([{"type": "add_tags", "value": ["urgent-queue"]}]),
        ),
        1 => (
            vec![condition("category", "is", json!(format!("billing-{n}")))],
            vec![
                condition("subject", "contains", json!("refund")),
                condition("subject", "contains", json!(format!("chargeback {n}"))),
            ],
            json!([{"type": "set_priority", "value": "high"}]),
        ),
        2 => (
            vec![
                condition("status", "is_not", json!("closed")),
                condition("tags", "not_contains", json!("handled")),
                condition("subject", "contains", json!(format!("invoice {n}"))),
            ],
            vec![],
            json!([{"type": "add_tags", "value": ["invoice"]}]),
        ),
        3 => (
            vec![
                condition("fields.order_total", "gt", json!(1_000 + n)),
                condition("priority", "in", json!(["low", "medium"])),
            ],
            vec![],
            json!([{"type": "set_priority", "value": "high"}]),
        ),
        4 => (
            vec![
                condition("customer.vip", "is", json!(true)),
                condition("status", "in", json!(["open", "in_progress"])),
            ],
            vec![],
            json!([{"type": "set_priority", "value": "urgent"}, {"type": "add_tags", "value": ["vip"]}]),
        ),
        5 => (
            vec![
                condition("channel", "is", json!("email")),
                condition(
                    "customer.email_domain",
                    "in",
                    json!([format!("partner-{n}.example"), format!("wholesale-{n}.example")]),
                ),
            ],
            vec![],
            json!([{"type": "add_tags", "value": ["b2b"]}]),
        ),
        6 => (
            vec![
                condition("priority", "in", json!(["low", "medium", "high"])),
                condition("description", "contains", json!(format!("broken screen {n}"))),
            ],
            vec![],
            json!([{"type": "add_tags", "value": ["repair"]}]),
        ),
        _ => (
            vec![
                condition("team_id", "is_not_empty", Value::Null),
                condition("assigned_to", "is_empty", Value::Null),
                condition("status", "is", json!("open")),
            ],
            vec![],
            json!([{"type": "add_tags", "value": ["team-queue"]}]),
        ),
    };
    if trigger == "message.added" {
        // Half wait for a word the replies never hold (read last), half for a customer's
        // message (read first: the replies are the agent's).
        if n.is_multiple_of(2) {
            all.push(condition("message.body", "contains", json!(format!("cancel order {n}"))));
        } else {
            all.insert(0, condition("message.sender_type", "is", json!("customer")));
        }
    }
    json!({
        "name": format!("Quiet {n:03}"),
        "trigger": trigger,
        "conditions": {"all": all, "any": any},
        "actions": actions,
    })
}

/// The ten rules that match: five on the creation (the fourth reads a tag the first adds), one
/// on `ticket.updated` that holds once the third raised the priority (and not after its own tag
/// is there), four on the agent's reply. A creation runs six, a reply four; each change they
/// make triggers the rules on `ticket.updated` again.
fn matching_rules() -> Vec<Value> {
    let rule = |name: &str, trigger: &str, all: Vec<Value>, any: Vec<Value>, actions: Value| {
        let conditions = json!({"all": all, "any": any});
        json!({"name": name, "trigger": trigger, "conditions": conditions, "actions": actions})
    };
    let tag = |tag: &str| json!([{"type": "add_tags", "value": [tag]}]);
    let priority = |priority: &str| json!([{"type": "set_priority", "value": priority}]);
    vec![
        rule(
            "Parcels",
            "ticket.created",
            vec![condition("subject", "contains", json!("parcel"))],
            vec![],
            tag("delivery"),
        ),
        rule(
            "Where is it",
            "ticket.created",
            vec![condition("status", "is", json!("open")), condition("description", "contains", json!("where"))],
            vec![],
            tag("where-is-it"),
        ),
        rule(
            "Lost parcels first",
            "ticket.created",
            vec![condition("priority", "in", json!(["low", "medium"]))],
            vec![condition("subject", "contains", json!("parcel")), condition("subject", "contains", json!("package"))],
            priority("high"),
        ),
        rule(
            "Carrier check",
            "ticket.created",
            vec![condition("tags", "contains", json!("delivery"))],
            vec![],
            tag("carrier-check"),
        ),
        rule(
            "New and unassigned",
            "ticket.created",
            vec![condition("assigned_to", "is_empty", Value::Null)],
            vec![],
            tag("unassigned-new"),
        ),
        rule(
            "Review escalations",
            "ticket.updated",
            vec![
                condition("priority", "is", json!("high")),
                condition("tags", "not_contains", json!("escalation-review")),
            ],
            vec![],
            tag("escalation-review"),
        ),
        rule(
            "Answered",
            "message.added",
            vec![
                condition("message.sender_type", "is", json!("agent")),
                condition("message.is_internal", "is", json!(false)),
            ],
            vec![],
            tag("answered"),
        ),
        rule(
            "Tracking sent",
            "message.added",
            vec![condition("message.body", "contains", json!("tracking"))],
            vec![],
            tag("tracking-sent"),
        ),
        rule(
            "Calm down once answered",
            "message.added",
            vec![condition("status", "in", json!(["open", "in_progress"]))],
            vec![],
            priority("medium"),
        ),
        rule(
            "Delivery answered",
            "message.added",
            vec![condition("tags", "contains", json!("delivery"))],
            vec![],
            tag("delivery-answered"),
        ),
    ]
}

/// Rule runs on the replica so far, by trigger (`COUNTED`), whatever their outcome.
fn runs(replica: &Replica) -> [u64; 3] {
    let metrics = &replica.state.events.rules.metrics;
    COUNTED.map(|trigger| ["applied", "refused", "cut"].iter().map(|outcome| metrics.runs(trigger, outcome)).sum())
}

/// Refused runs on the replica so far (a refused action: expected none).
fn refused(replica: &Replica) -> u64 {
    let metrics = &replica.state.events.rules.metrics;
    COUNTED.iter().map(|trigger| metrics.runs(trigger, "refused")).sum()
}

/// `count` creations in `tenant` as its agent, for its customer, added to `measured`; the new
/// tickets' ids.
async fn create(
    client: &reqwest::Client,
    replica: &Replica,
    tenant: &mut Tenant,
    count: usize,
    concurrency: usize,
    measured: &mut Measured,
) -> Vec<i64> {
    let ticket = json!({
        "subject": "Parcel not delivered",
        "description": "Where is my parcel? I ordered it two weeks ago and nothing came.",
        "category": "shipping",
        // The agent's choice: left out, the customer's fourth ticket of a category would be
        // raised to high by the priority rules, and the matching rule on it would not match.
        "priority": "medium",
        "user_id": tenant.customer,
    });
    let (slug, token) = (tenant.slug.as_str(), tenant.agent_token.as_str());
    let before = runs(replica);
    let pass = crate::app::drive_counting(&vec![(); count], concurrency, |()| {
        request(client, replica, reqwest::Method::POST, slug, token, "/v1/tickets").json(&ticket)
    })
    .await;
    let made = count - pass.2.len();
    measured.add(pass, before, runs(replica));
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM support_tickets WHERE id > $1 ORDER BY id")
        .bind(tenant.last_id)
        .fetch_all(&mut tenant.admin)
        .await
        .expect("the new tickets");
    assert_eq!(ids.len(), made, "{}: every creation answered 201 made a ticket", tenant.case.label);
    tenant.last_id = ids.last().copied().unwrap_or(tenant.last_id);
    ids
}

/// The agent's public reply on each ticket of `ids` in `tenant`, added to `measured`.
async fn reply(
    client: &reqwest::Client,
    replica: &Replica,
    tenant: &Tenant,
    ids: &[i64],
    concurrency: usize,
    measured: &mut Measured,
) {
    let message = json!({
        "message": "<p>Hello Ada, your parcel left our warehouse yesterday: here is its tracking link. Grace</p>"
    });
    let (slug, token) = (tenant.slug.as_str(), tenant.agent_token.as_str());
    let before = runs(replica);
    let pass = crate::app::drive_counting(ids, concurrency, |id| {
        let path = format!("/v1/tickets/{id}/messages");
        request(client, replica, reqwest::Method::POST, slug, token, &path).json(&message)
    })
    .await;
    measured.add(pass, before, runs(replica));
}

/// Creation, then replies, in each tenant in turn, `ROUNDS` times; each round starts with the
/// next tenant, so none is always first after the others' writes.
async fn in_the_write_path(replica: &Replica, tenants: &mut [Tenant], options: &Options) {
    let client = reqwest::Client::new();
    let concurrency = options.concurrency;
    let mut warm = Measured::default();
    for tenant in tenants.iter_mut() {
        let ids = create(&client, replica, tenant, WARM_UP, concurrency, &mut warm).await;
        reply(&client, replica, tenant, &ids, concurrency, &mut warm).await;
    }
    if let Some(first) = warm.failures.first() {
        println!("  the warm-up: {} writes failed, the first: {first}", warm.failures.len());
    }
    println!(
        "rules in the write path: {} creations, then a reply to each, a round in each tenant, {concurrency} clients, \
         {ROUNDS} rounds, alternating",
        options.tickets
    );
    let mut created: Vec<Measured> = tenants.iter().map(|_| Measured::default()).collect();
    let mut replied: Vec<Measured> = tenants.iter().map(|_| Measured::default()).collect();
    for round in 0..ROUNDS {
        let order: Vec<usize> = (0..tenants.len()).map(|k| (round + k) % tenants.len()).collect();
        let mut ids = vec![Vec::new(); tenants.len()];
        for &t in &order {
            ids[t] = create(&client, replica, &mut tenants[t], options.tickets, concurrency, &mut created[t]).await;
        }
        for &t in &order {
            reply(&client, replica, &tenants[t], &ids[t], concurrency, &mut replied[t]).await;
        }
        let line = |measured: &[Measured]| {
            let rates: Vec<String> = measured.iter().map(|m| format!("{:.0}", m.rates[round])).collect();
            rates.join(" / ")
        };
        println!("  round {}: created {}/s; replies {}/s", round + 1, line(&created), line(&replied));
    }
    println!("  (in the order: {})", tenants.iter().map(|t| t.case.label).collect::<Vec<_>>().join(" / "));

    #[allow(clippy::cast_precision_loss, reason = "a few rounds")]
    let mean = |rates: &[f64]| rates.iter().sum::<f64>() / rates.len() as f64;
    for (what, measured) in [("ticket creation", &mut created), ("agent's reply", &mut replied)] {
        let base = mean(&measured[0].rates);
        for (tenant, m) in tenants.iter().zip(measured.iter_mut()) {
            let rate = mean(&m.rates);
            let writes = m.times.len();
            let summary = summarize(std::mem::take(&mut m.times));
            let total: u64 = m.runs.iter().sum();
            if !tenant.case.matching {
                assert_eq!(total, 0, "{what}, {}: no rule matched", tenant.case.label);
            }
            #[allow(clippy::cast_precision_loss, reason = "counts of runs")]
            let per_write = |runs: u64| runs as f64 / writes as f64;
            let by_trigger: Vec<String> = COUNTED
                .iter()
                .zip(m.runs)
                .filter(|(_, runs)| *runs > 0)
                .map(|(trigger, runs)| format!("{trigger} {:.2}", per_write(runs)))
                .collect();
            let ran = if total == 0 { String::new() } else { format!("; rule runs a write {}", by_trigger.join(", ")) };
            println!(
                "  {what}, {:<25} {rate:>6.0}/s, ratio {:.2}, {summary}{ran}",
                format!("{}:", tenant.case.label),
                rate / base
            );
            if let Some(first) = m.failures.first() {
                println!("    {} failed, the first: {first}", m.failures.len());
            }
        }
    }
    println!("  refused rule runs: {}", refused(replica));
    // What the writes wrote, counted in each tenant (the outbox is not relayed here: every event
    // stays), per ticket created and answered.
    #[allow(clippy::cast_precision_loss, reason = "a few thousand tickets")]
    let tickets = (WARM_UP + options.tickets * ROUNDS) as f64;
    for tenant in tenants.iter_mut() {
        let (history, by_rules, outbox): (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM ticket_history),
                    (SELECT count(*) FROM ticket_history WHERE rule_id IS NOT NULL),
                    (SELECT count(*) FROM outbox)",
        )
        .fetch_one(&mut tenant.admin)
        .await
        .expect("the rows written");
        #[allow(clippy::cast_precision_loss, reason = "counts of rows")]
        let each = |rows: i64| rows as f64 / tickets;
        println!(
            "  {:<25} a ticket created and answered wrote {:.1} history entries ({:.1} by rules), {:.1} events",
            format!("{}:", tenant.case.label),
            each(history),
            each(by_rules),
            each(outbox)
        );
    }
    for tenant in tenants.iter_mut().filter(|t| t.case.matching) {
        let silent: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM rules r
             WHERE name NOT LIKE 'Quiet%' AND NOT EXISTS (SELECT 1 FROM rule_runs x WHERE x.rule_id = r.id)
             ORDER BY position",
        )
        .fetch_all(&mut tenant.admin)
        .await
        .expect("the rules' runs");
        assert!(silent.is_empty(), "{}: matching rules that never ran: {silent:?}", tenant.case.label);
    }
}

/// The jobs of `replica` on a clock stopped at `at`.
fn jobs_at(replica: &Replica, at: DateTime<Utc>) -> Jobs {
    Jobs::new(&replica.state).with_clock(Arc::new(move || at))
}

async fn time_rules(platform: &Platform, replica: &Replica, slug: &str, owner: &str, options: &Options) {
    let (_, admin_options) = platform.tenant_admin_options(slug).await;
    // Seeding and the timers' statements take seconds: no slow-statement warnings.
    let mut admin = admin_options.disable_statement_logging().connect().await.expect("the tenant database");
    println!("time rules: a tenant of {} tickets, a timer on each, {} of them due", options.seeded, options.due);
    crate::tickets::seed::seed(&mut admin, options.seeded).await;
    let tenant: Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(slug)
        .fetch_one(&platform.state.db)
        .await
        .expect("the tenant");

    // The jobs' clock for the due timers; the checks with nothing due run before any is due.
    let at = Utc::now();
    let due = i64::try_from(options.due).expect("a count");
    let before = at - chrono::Duration::seconds(due + 3_600);
    // The seed leaves the running tickets' missed targets unrecorded: recorded here, so that the
    // checks below find only what the timers make due. Then the seed's writes are flushed, so
    // that the first checks timed do not pay for them.
    sqlx::raw_sql(&format!(
        "UPDATE support_tickets SET response_breached_at = response_due_at
         WHERE status IN ('open', 'in_progress') AND first_response_at IS NULL AND response_breached_at IS NULL
           AND response_due_at <= '{at}';
         UPDATE support_tickets SET resolution_breached_at = resolution_due_at
         WHERE status IN ('open', 'in_progress') AND resolution_breached_at IS NULL AND resolution_due_at <= '{at}';
         CHECKPOINT",
        at = at.to_rfc3339()
    ))
    .execute(&mut admin)
    .await
    .expect("the seed's missed targets recorded");

    let bare = idle_checks(platform, replica, tenant, before).await;
    println!("  a check with nothing due, no timer:              {bare}");
    let rule = time_rule(replica, &mut admin, slug, owner).await;
    let timers = arm_timers(&mut admin, rule, at, options).await;
    let idle = idle_checks(platform, replica, tenant, before).await;
    println!("  a check with nothing due, {timers} timers armed:  {idle}");
    let took = run_due(replica, at, options.due).await;
    #[allow(clippy::cast_precision_loss, reason = "a ratio")]
    let armed_ratio = idle.p50.as_secs_f64() / bare.p50.as_secs_f64();
    println!(
        "  nothing due: {armed_ratio:.2} of the check without timers (p50); {} due: {:.0} times the check with \
         nothing due",
        options.due,
        took.as_secs_f64() / idle.p50.as_secs_f64()
    );
}

/// The time rule, made through the API as an admin makes it (saving it arms it on every ticket
/// not closed); its id.
async fn time_rule(replica: &Replica, admin: &mut PgConnection, slug: &str, owner: &str) -> Uuid {
    let rule = json!({
        "name": "Stale after two days",
        "trigger": {"after_minutes": STALE_MINUTES, "since": "created"},
        "conditions": {"all": [
            condition("status", "in", json!(["open", "in_progress", "waiting_customer"])),
            condition("tags", "not_contains", json!("stale")),
        ]},
        "actions": [{"type": "add_tags", "value": ["stale"]}],
    });
    let client = reqwest::Client::new();
    let started = Instant::now();
    let made = request(&client, replica, reqwest::Method::POST, slug, owner, "/v1/rules")
        .json(&rule)
        .send()
        .await
        .expect("app-api answers");
    let took = started.elapsed();
    assert_eq!(made.status(), 201, "the time rule");
    let made: Value = made.json().await.expect("a rule");
    let armed: i64 = sqlx::query_scalar("SELECT count(*) FROM rule_timers").fetch_one(admin).await.expect("the timers");
    println!(
        "  POST /v1/rules (a time rule) in {:.0} ms: armed on the {armed} tickets not closed",
        took.as_secs_f64() * 1000.0
    );
    made["id"].as_str().expect("an id").parse().expect("a uuid")
}

/// A timer of `rule` on every ticket, as if it had been armed on each: the `due` first ones on
/// tickets it matches (running, newest first) and due in the hour before the clock `at`, the
/// others due later, every 20 seconds from an hour after it (over the next weeks). Written in
/// one statement, as the other benchmarks seed what the API cannot make fast; how many.
async fn arm_timers(admin: &mut PgConnection, rule: Uuid, at: DateTime<Utc>, options: &Options) -> i64 {
    let due = i64::try_from(options.due).expect("a count");
    let started = Instant::now();
    sqlx::query(
        "INSERT INTO rule_timers (rule_id, ticket_id, anchor_at, due_at)
         SELECT $1, id, due_at - make_interval(mins => $4), due_at
         FROM (SELECT id, CASE WHEN n <= $3 THEN $2 - make_interval(secs => n::float8)
                               ELSE $2 + interval '1 hour' + make_interval(secs => (n - $3) * 20.0) END AS due_at
               FROM (SELECT id, row_number() OVER (
                              ORDER BY status IN ('open', 'in_progress', 'waiting_customer') DESC, id DESC) AS n
                     FROM support_tickets) AS ranked) AS timed
         ON CONFLICT (rule_id, ticket_id) DO UPDATE SET anchor_at = EXCLUDED.anchor_at, due_at = EXCLUDED.due_at",
    )
    .bind(rule)
    .bind(at)
    .bind(due)
    .bind(i32::try_from(STALE_MINUTES).expect("minutes"))
    .execute(&mut *admin)
    .await
    .expect("the timers");
    // As autovacuum would in time; then flushed, as after the seed.
    for statement in ["VACUUM (ANALYZE) rule_timers", "CHECKPOINT"] {
        sqlx::query(statement).execute(&mut *admin).await.expect("vacuum analyze, checkpoint");
    }
    let (timers, due_now, matching): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE r.due_at <= $1),
                count(*) FILTER (WHERE r.due_at <= $1 AND t.status IN ('open', 'in_progress', 'waiting_customer'))
         FROM rule_timers r JOIN support_tickets t ON t.id = r.ticket_id",
    )
    .bind(at)
    .fetch_one(&mut *admin)
    .await
    .expect("the timers");
    assert_eq!((timers, due_now), (i64::from(options.seeded), due), "one timer a ticket, exactly `due` due");
    println!(
        "  {timers} timers armed in {:.1} s, {due_now} due at the clock, {matching} of them on running tickets \
         (the rule's conditions hold)",
        started.elapsed().as_secs_f64()
    );
    timers
}

/// The jobs at `at`, as they run: a sweep brings the tenant's next due time forward, then checks
/// until one finds no timer due; how long the checks took, all of them.
async fn run_due(replica: &Replica, at: DateTime<Utc>, due: usize) -> Duration {
    let jobs = jobs_at(replica, at);
    jobs.sweep().await.expect("the sweep");
    let time_runs = |outcome| replica.state.events.rules.metrics.runs("time", outcome);
    let (applied_before, refused_before) = (time_runs("applied"), time_runs("refused"));
    let failures_before = replica.state.events.jobs.failures.get();
    let started = Instant::now();
    let (mut timed, mut breaches, mut closed) = (0, 0, 0);
    loop {
        let check = jobs.check().await.expect("a check");
        if check.timed == 0 {
            break;
        }
        (timed, breaches, closed) = (timed + check.timed, breaches + check.breaches, closed + check.closed);
    }
    let took = started.elapsed();
    let (applied, refused) = (time_runs("applied") - applied_before, time_runs("refused") - refused_before);
    let failures = replica.state.events.jobs.failures.get() - failures_before;
    assert_eq!(timed, due, "every due timer was taken");
    #[allow(clippy::cast_precision_loss, reason = "a rate")]
    let each = took.as_secs_f64() * 1000.0 / timed as f64;
    println!(
        "  the check running the {timed} due timers: {:.2} s, {each:.2} ms a timer ({applied} runs applied, \
         {refused} refused, {} not matching, {failures} failed; {breaches} breaches, {closed} closed on the way)",
        took.as_secs_f64(),
        u64::try_from(timed).unwrap_or(u64::MAX) - applied - refused,
    );
    took
}

/// The jobs' check at `at` when the schedule says tenant `tenant` is due but nothing in it is
/// (as after another replica took its work): the claim, the visit reading the heads of the due
/// indexes (tickets, team wakes, timers), the next due time written back. Timed `IDLE_CHECKS`
/// times, after `IDLE_WARM_UP` not measured.
async fn idle_checks(platform: &Platform, replica: &Replica, tenant: Uuid, at: DateTime<Utc>) -> crate::stats::Summary {
    let jobs = jobs_at(replica, at);
    let mut times = Vec::with_capacity(IDLE_CHECKS);
    for n in 0..IDLE_WARM_UP + IDLE_CHECKS {
        sqlx::query(
            "INSERT INTO tenant_schedule (tenant_id, work, next_due_at) VALUES ($1, 'sav', $2)
             ON CONFLICT (tenant_id, work) DO UPDATE SET next_due_at = EXCLUDED.next_due_at",
        )
        .bind(tenant)
        .bind(at)
        .execute(&platform.state.db)
        .await
        .expect("the tenant due in the schedule");
        let started = Instant::now();
        let check = jobs.check().await.expect("a check");
        let took = started.elapsed();
        assert_eq!(
            (check.tenants, check.timed, check.breaches, check.closed),
            (1, 0, 0, 0),
            "the tenant alone was claimed, and nothing in it was due"
        );
        if n >= IDLE_WARM_UP {
            times.push(took);
        }
    }
    summarize(times)
}
