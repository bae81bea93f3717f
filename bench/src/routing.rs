//! Teams and routing on one real tenant through an app-api replica in this process:
//!
//! - ticket creation into a round-robin team of five available agents (each creation routes its
//!   ticket in its own transaction, under the team's lock) against the same creation without a
//!   team, at the same concurrency, in alternating rounds;
//! - routing decisions per second with 50 agents: a queue of waiting tickets handed out by the
//!   jobs' routing (`worker::routing::hand_out`) once the team's members become available.

use std::time::Instant;

use serde_json::{Value, json};
use shared::tenant::Slug;
use sqlx::ConnectOptions as _;
use uuid::Uuid;

use crate::platform::Platform;
use crate::stats::summarize;

const AGENTS: usize = 50;
/// Tickets of each kind created before the rounds, not counted.
const WARM_UP: usize = 300;

pub async fn run(tickets: usize, queue: usize, concurrency: usize, rounds: usize) {
    let platform = Platform::start_logging_at("error").await;
    let (slug, token) = platform.tenants_with_tokens(1).await.remove(0);
    let replica = crate::app::replica(&platform, 20, 10).await;
    let (_, options) = platform.tenant_admin_options(&slug).await;
    let mut admin = options.connect().await.expect("the tenant database");
    let agents: Vec<Uuid> = (0..AGENTS).map(|_| Uuid::now_v7()).collect();
    sqlx::query(
        "INSERT INTO users (id, email, firstname, role)
         SELECT id, id::text || '@agents.example', 'Agent', 'agent' FROM unnest($1::uuid[]) AS id",
    )
    .bind(&agents)
    .execute(&mut admin)
    .await
    .expect("the agents");
    let client = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        client.post(replica.server.url(path)).header("x-tenant-slug", &slug).bearer_auth(&token).json(&body)
    };
    let team = |name: &str, members: &[Uuid]| {
        post("/v1/teams", json!({"name": name, "assignment": "round_robin", "member_ids": members}))
    };
    let five: Value = team("Five", &agents[..5]).send().await.unwrap().json().await.unwrap();
    let five_id = five["id"].as_str().expect("the team of five").to_owned();

    // Warm-up, not counted: the first requests of each kind pay for plans, caches and pools.
    let ticket = |team: Option<&str>| json!({"subject": "Parcel", "description": "Where is it?", "team_id": team});
    for team in [Some(five_id.as_str()), None] {
        crate::app::drive(&[(); WARM_UP], concurrency, |()| post("/v1/tickets", ticket(team))).await;
    }
    println!("routing: {tickets} tickets a round, {concurrency} clients, {rounds} rounds of each, alternating");
    let (mut routed, mut plain) = (Vec::new(), Vec::new());
    let (mut routed_rate, mut plain_rate) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let (rate, times) =
            crate::app::drive(&vec![(); tickets], concurrency, |()| post("/v1/tickets", ticket(Some(&five_id)))).await;
        routed_rate.push(rate);
        routed.extend(times);
        let (rate, times) =
            crate::app::drive(&vec![(); tickets], concurrency, |()| post("/v1/tickets", ticket(None))).await;
        plain_rate.push(rate);
        plain.extend(times);
        println!(
            "  round {}: into the team {:.0}/s, no team {:.0}/s",
            round + 1,
            routed_rate[round],
            plain_rate[round]
        );
    }
    let assigned: i64 =
        sqlx::query_scalar("SELECT count(*) FROM support_tickets WHERE team_id = $1::uuid AND status = 'in_progress'")
            .bind(&five_id)
            .fetch_one(&mut admin)
            .await
            .unwrap();
    assert_eq!(usize::try_from(assigned).unwrap(), tickets * rounds + WARM_UP, "every ticket into the team was routed");
    #[allow(clippy::cast_precision_loss, reason = "a few rounds")]
    let mean = |rates: &[f64]| rates.iter().sum::<f64>() / rates.len() as f64;
    let (into_team, no_team) = (mean(&routed_rate), mean(&plain_rate));
    println!("  created into a round-robin team of 5 (routed): {into_team:.0}/s, {}", summarize(routed));
    println!("  created without a team:                        {no_team:.0}/s, {}", summarize(plain));
    let per_round: Vec<f64> = routed_rate.iter().zip(&plain_rate).map(|(routed, plain)| routed / plain).collect();
    println!(
        "  ratio of the means: {:.2}; per round: {}",
        into_team / no_team,
        crate::stats::mean_interval(&per_round)
    );

    decisions(&replica, &mut admin, &slug, &token, &agents, queue, concurrency).await;
}

/// Fifty agents, none available: the queue fills, then everyone comes back at once and the jobs'
/// routing hands it out.
async fn decisions(
    replica: &crate::app::Replica,
    admin: &mut sqlx::PgConnection,
    slug: &str,
    token: &str,
    agents: &[Uuid],
    queue: usize,
    concurrency: usize,
) {
    let client = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        client.post(replica.server.url(path)).header("x-tenant-slug", slug).bearer_auth(token).json(&body)
    };
    let ticket = |team: &str| json!({"subject": "Parcel", "description": "Where is it?", "team_id": team});
    let fifty: Value = post("/v1/teams", json!({"name": "Fifty", "assignment": "round_robin", "member_ids": agents}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fifty_id = fifty["id"].as_str().expect("the team of fifty").to_owned();
    sqlx::query("UPDATE users SET available = false WHERE id = ANY($1)")
        .bind(agents)
        .execute(&mut *admin)
        .await
        .unwrap();
    let (rate, _) = crate::app::drive(&vec![(); queue], concurrency, |()| post("/v1/tickets", ticket(&fifty_id))).await;
    println!("  {queue} tickets into a team of {AGENTS} nobody is available in: {rate:.0}/s (each one waits)");
    sqlx::query("UPDATE users SET available = true WHERE id = ANY($1)")
        .bind(agents)
        .execute(&mut *admin)
        .await
        .unwrap();
    let team_id: Uuid = fifty_id.parse().unwrap();
    sqlx::query(
        "INSERT INTO routing_wakes (team_id, due_at) VALUES ($1, now())
         ON CONFLICT (team_id) DO UPDATE SET due_at = EXCLUDED.due_at",
    )
    .bind(team_id)
    .execute(&mut *admin)
    .await
    .unwrap();
    let state = &replica.state;
    let tenant = state.tenancy.resolver.resolve(&Slug::parse_syntax(slug).unwrap()).await.expect("the tenant");
    let mut conn = state.tenancy.pools.acquire(&tenant).await.expect("a connection");
    let started = Instant::now();
    let handed = app_api::worker::routing::hand_out(&mut conn, &tenant, &state.events, chrono::Utc::now())
        .await
        .expect("the queue is handed out");
    let took = started.elapsed();
    assert_eq!(handed, queue, "the whole queue went out");
    let per_agent: Vec<i64> = sqlx::query_scalar(
        "SELECT count(*) FROM support_tickets WHERE team_id = $1 GROUP BY assigned_to ORDER BY count(*)",
    )
    .bind(team_id)
    .fetch_all(&mut *admin)
    .await
    .unwrap();
    let (fewest, most) =
        (per_agent.first().copied().unwrap_or_default(), per_agent.last().copied().unwrap_or_default());
    assert!(most - fewest <= 1, "in turn: {fewest}..{most} tickets per agent");
    #[allow(clippy::cast_precision_loss, reason = "a rate")]
    let decisions = handed as f64 / took.as_secs_f64();
    println!(
        "  routing decisions with {AGENTS} agents: {handed} waiting tickets handed out in {:.0} ms: {decisions:.0}/s \
         (each through the write path: history, save, outbox); per agent {}..{}",
        took.as_secs_f64() * 1000.0,
        fewest,
        most,
    );
}
