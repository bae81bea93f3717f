//! Customer organisations, on one tenant through an app-api replica in this process:
//!
//! - **Lists**: a customer's list of 50 as it was before organisations (their own tickets)
//!   against a member's own list and a manager's and a sharing member's list of their
//!   organisation (`?organization_id=`), where every row passes the colleague rule
//!   (`colleague_may_comment`). The tenant holds `tickets` tickets, `organization_tickets` of them
//!   an organisation's of `people` people; the plain customer and the member own 100 each.
//! - **Registrations**: customers registering with an address whose domain the organisation
//!   holds (each joins it in the same transaction) against addresses of a domain nobody holds.
//!
//! In alternating rounds of one run; the ratios are to the first of each pair.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::ConnectOptions as _;
use uuid::Uuid;

use crate::platform::{PASSWORD, Platform};
use crate::stats::summarize;

/// The lists compared.
const LISTS: [&str; 4] = ["own (before)", "member, own", "manager, organisation", "sharing member, organisation"];

#[derive(Debug, clap::Args)]
pub struct Options {
    /// Tickets seeded in the tenant.
    #[arg(long, default_value_t = 100_000)]
    pub tickets: usize,
    /// Of them, the organisation's.
    #[arg(long, default_value_t = 20_000)]
    pub organization_tickets: usize,
    /// The organisation's people.
    #[arg(long, default_value_t = 200)]
    pub people: usize,
    /// Lists each round reads of each kind.
    #[arg(long, default_value_t = 2_000)]
    pub lists: usize,
    /// Registrations each round makes of each kind.
    #[arg(long, default_value_t = 100)]
    pub registrations: usize,
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
}

pub async fn run(options: &Options) {
    let platform = Platform::start_logging_at("error").await;
    let (slug, owner) = platform.tenants_with_tokens(1).await.remove(0);
    let replica = crate::app::replica(&platform, 20, 10).await;
    let client = reqwest::Client::new();
    let send = |method: Method, token: &str, path: &str| replica.request(&client, method, &slug, token, path);

    let made = send(Method::POST, &owner, "/v1/organizations")
        .json(&json!({ "name": "Acme", "domains": ["acme.bench"], "shared_tickets": true }))
        .send()
        .await
        .expect("app-api answers");
    assert_eq!(made.status(), 201, "the organisation");
    let made: Value = made.json().await.expect("an organisation");
    let acme: Uuid = made["id"].as_str().and_then(|id| id.parse().ok()).expect("its id");
    // Joined by their domain as they register: the member, the manager; the plain customer not.
    let (plain, plain_token) = platform.customer(&slug, "plain@elsewhere.bench").await;
    let (member, member_token) = platform.customer(&slug, "member@acme.bench").await;
    let (manager, manager_token) = platform.customer(&slug, "manager@acme.bench").await;
    let role = send(Method::PUT, &owner, &format!("/v1/organizations/{acme}/members/{manager}"))
        .json(&json!({ "role": "manager" }))
        .send()
        .await
        .expect("app-api answers");
    assert_eq!(role.status(), 200, "the manager");
    let first = send(Method::POST, &plain_token, "/v1/tickets")
        .json(&json!({ "subject": "Parcel", "description": "Where is it?" }))
        .send()
        .await
        .expect("app-api answers");
    assert_eq!(first.status(), 201, "the first ticket");

    let (_, admin_options) = platform.tenant_admin_options(&slug).await;
    let mut admin = admin_options.connect().await.expect("the tenant database");
    let started = Instant::now();
    seed(&mut admin, options, acme, plain, member).await;
    println!(
        "customer organisations: {} tickets seeded in {:.1} s, {} of them an organisation's of {} people; {} lists of 50 a round, {} clients, {} rounds",
        options.tickets,
        started.elapsed().as_secs_f64(),
        options.organization_tickets,
        options.people,
        options.lists,
        options.concurrency,
        options.rounds
    );

    let organization = format!("/v1/tickets?limit=50&organization_id={acme}");
    let reads: [(&str, &str); 4] = [
        (&plain_token, "/v1/tickets?limit=50"),
        (&member_token, "/v1/tickets?limit=50"),
        (&manager_token, &organization),
        (&member_token, &organization),
    ];
    let mut rates: [Vec<f64>; 4] = Default::default();
    let mut times: [Vec<Duration>; 4] = Default::default();
    for round in 0..options.rounds {
        let mut line = format!("  round {}:", round + 1);
        for (which, (token, path)) in reads.into_iter().enumerate() {
            assert_eq!(listed(send(Method::GET, token, path)).await, 50, "{}: a full list", LISTS[which]);
            let (rate, took) =
                crate::app::drive(&vec![(); options.lists], options.concurrency, |()| send(Method::GET, token, path))
                    .await;
            rates[which].push(rate);
            times[which].extend(took);
            write!(line, " {} {rate:.0}/s", LISTS[which]).expect("a string takes any text");
        }
        println!("{line}");
    }
    report(&LISTS, &rates, &mut times, "lists");

    registrations(&platform, &client, &slug, &mut admin, options).await;
    drop(replica);
    platform.finish().await;
}

/// Registrations with an address of a domain nobody holds against one Acme holds (each joining
/// it), in alternating rounds; every join checked in the tenant's mirror.
async fn registrations(
    platform: &Platform,
    client: &reqwest::Client,
    slug: &str,
    admin: &mut sqlx::PgConnection,
    options: &Options,
) {
    // Registrations, a domain held against one nobody holds, in alternating rounds.
    let kinds = ["without a join", "with a domain join"];
    let mut rates: [Vec<f64>; 2] = Default::default();
    let mut times: [Vec<Duration>; 2] = Default::default();
    let register = platform.server().url("/v1/auth/register");
    for round in 0..options.rounds {
        let mut line = format!("  round {}:", round + 1);
        for (which, domain) in ["elsewhere.bench", "acme.bench"].into_iter().enumerate() {
            let people: Vec<usize> = (0..options.registrations).collect();
            let (rate, took) = crate::app::drive(&people, options.concurrency, |n| {
                let email = format!("r{round}-{n}@{domain}");
                let body =
                    json!({ "tenant": slug, "email": email, "password": PASSWORD, "firstname": "R", "lastname": "N" });
                client.post(register.as_str()).json(&body)
            })
            .await;
            rates[which].push(rate);
            times[which].extend(took);
            write!(line, " {} {rate:.1}/s", kinds[which]).expect("a string takes any text");
        }
        println!("{line}");
    }
    // The control plane writes new members into the tenant's mirror shortly after it answers.
    let expected = i64::try_from(options.rounds * options.registrations).expect("a count");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let joined: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM organization_members m JOIN users u ON u.id = m.user_id WHERE u.email LIKE 'r%@acme.bench'",
        )
        .fetch_one(&mut *admin)
        .await
        .expect("the members");
        if joined == expected {
            break;
        }
        assert!(Instant::now() < deadline, "{joined} of {expected} registrations of acme.bench joined Acme");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    report(&kinds, &rates, &mut times, "registrations");
}

/// Each series' mean rate, latencies and ratio to the first.
fn report(names: &[&str], rates: &[Vec<f64>], times: &mut [Vec<Duration>], what: &str) {
    #[allow(clippy::cast_precision_loss, reason = "a few rounds")]
    let mean = |rates: &[f64]| rates.iter().sum::<f64>() / rates.len() as f64;
    let first = mean(&rates[0]);
    for (which, name) in names.iter().enumerate() {
        let rate = mean(&rates[which]);
        let took = std::mem::take(&mut times[which]);
        println!("  {name:>30}: {rate:.1} {what}/s, {}, {:.2} of the first", summarize(took), rate / first);
    }
}

/// How many tickets a list answer holds.
async fn listed(request: reqwest::RequestBuilder) -> usize {
    let answer = request.send().await.expect("app-api answers");
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.expect("a list");
    body["data"].as_array().map_or(0, Vec::len)
}

/// `people` members of `acme` besides the three signed-in customers (as the mirror holds
/// them), then `tickets` open tickets, copies of the tenant's first one, a minute apart:
/// `organization_tickets` of them Acme's, spread over its people (the member owning 100); the
/// plain customer owning 100 of the rest; the others of a customer of no organisation.
async fn seed(admin: &mut sqlx::PgConnection, options: &Options, acme: Uuid, plain: Uuid, member: Uuid) {
    let count = |n: usize| i64::try_from(n).expect("a count");
    sqlx::query(
        "WITH people AS (
           INSERT INTO users (id, email, firstname, lastname, role)
           SELECT gen_random_uuid(), 'p' || n || '@people.bench', 'P', n::text, 'customer' FROM generate_series(1, $1) AS n
           RETURNING id)
         INSERT INTO organization_members (organization_id, user_id, role)
         SELECT $2, id, 'member' FROM people",
    )
    .bind(count(options.people.saturating_sub(3)))
    .bind(acme)
    .execute(&mut *admin)
    .await
    .expect("the people");
    let stranger: Uuid = sqlx::query_scalar(
        "INSERT INTO users (id, email, firstname, lastname, role)
         VALUES (gen_random_uuid(), 'stranger@nowhere.bench', 'S', 'N', 'customer') RETURNING id",
    )
    .fetch_one(&mut *admin)
    .await
    .expect("a stranger");
    sqlx::query(
        "WITH acme_people AS (SELECT array_agg(user_id ORDER BY user_id) AS ids FROM organization_members WHERE organization_id = $3)
         INSERT INTO support_tickets (ticket_number, user_id, organization_id, subject, description, priority, status,
            metadata, response_due_at, resolution_due_at, response_risk_at, resolution_risk_at, created_at, updated_at,
            sla_version_id)
         SELECT 'TKT-O' || lpad(n::text, 7, '0'),
            CASE WHEN n <= $2 THEN CASE WHEN n % ($2 / 100) = 0 THEN $5 ELSE p.ids[n % cardinality(p.ids) + 1] END
                 WHEN n % (($1 - $2) / 100) = 0 THEN $4 ELSE $6 END,
            CASE WHEN n <= $2 THEN $3 END,
            t.subject, t.description, 'medium', 'open', t.metadata,
            t.response_due_at, t.resolution_due_at, t.response_risk_at, t.resolution_risk_at,
            now() - n * interval '1 minute', now() - n * interval '1 minute', t.sla_version_id
         FROM (SELECT * FROM support_tickets ORDER BY id LIMIT 1) AS t, acme_people AS p, generate_series(1, $1) AS n",
    )
    .bind(count(options.tickets))
    .bind(count(options.organization_tickets))
    .bind(acme)
    .bind(plain)
    .bind(member)
    .bind(stranger)
    .execute(&mut *admin)
    .await
    .expect("the tickets");
    sqlx::query("ANALYZE").execute(admin).await.expect("statistics");
}
