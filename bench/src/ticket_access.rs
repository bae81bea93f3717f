//! An agent's list of 50 tickets under each agents' ticket access (`agent_ticket_access`), on
//! one tenant through an app-api replica in this process: `all` (every ticket) against `teams`
//! (their teams' tickets, theirs, and the unassigned ones of no team) and `assigned` (theirs),
//! in alternating rounds of one run. The tenant holds `tickets` tickets spread over ten teams
//! (the agent is in two of them) and no team, a tenth of them assigned to the agent.

use std::fmt::Write as _;
use std::time::Instant;

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::ConnectOptions as _;
use uuid::Uuid;

use crate::platform::Platform;
use crate::stats::summarize;

const TEAMS: usize = 10;
const ACCESSES: [&str; 3] = ["all", "teams", "assigned"];

pub async fn run(tickets: usize, lists: usize, concurrency: usize, rounds: usize) {
    let platform = Platform::start_logging_at("error").await;
    let (slug, owner) = platform.tenants_with_tokens(1).await.remove(0);
    let (_, agent) = platform.agent(&slug, &owner).await;
    let replica = crate::app::replica(&platform, 20, 10).await;
    let client = reqwest::Client::new();
    let agent_id = replica.agent_id(&client, &slug, &agent).await;
    let send = |method: Method, token: &str, path: &str| replica.request(&client, method, &slug, token, path);

    let mut teams = Vec::with_capacity(TEAMS);
    for n in 0..TEAMS {
        let members = if n < 2 { vec![agent_id] } else { Vec::new() };
        let body = json!({ "name": format!("Team {n}"), "assignment": "manual", "member_ids": members });
        let made = send(Method::POST, &owner, "/v1/teams").json(&body).send().await.expect("app-api answers");
        assert_eq!(made.status(), 201, "the team {n}");
        let made: Value = made.json().await.expect("a team");
        teams.push(made["id"].as_str().and_then(|id| id.parse::<Uuid>().ok()).expect("the team's id"));
    }
    let first = send(Method::POST, &owner, "/v1/tickets")
        .json(&json!({ "subject": "Parcel", "description": "Where is it?" }))
        .send()
        .await
        .expect("app-api answers");
    assert_eq!(first.status(), 201, "the first ticket");
    let (_, options) = platform.tenant_admin_options(&slug).await;
    let mut admin = options.connect().await.expect("the tenant database");
    let started = Instant::now();
    seed(&mut admin, tickets, &teams, agent_id).await;
    println!(
        "ticket access: {tickets} tickets seeded in {:.1} s; an agent in 2 of {TEAMS} teams, {lists} lists of 50 a round, {concurrency} clients, {rounds} rounds",
        started.elapsed().as_secs_f64()
    );

    let mut rates: [Vec<f64>; 3] = Default::default();
    let mut times: [Vec<std::time::Duration>; 3] = Default::default();
    for round in 0..rounds {
        let mut line = format!("  round {}:", round + 1);
        for (which, access) in ACCESSES.into_iter().enumerate() {
            let set = send(Method::PATCH, &owner, "/v1/ticket-settings")
                .json(&json!({ "agent_ticket_access": access }))
                .send()
                .await
                .expect("app-api answers");
            assert_eq!(set.status(), 200, "the access {access}");
            let shown = visible(send(Method::GET, &agent, "/v1/tickets?limit=50")).await;
            assert_eq!(shown, 50, "{access}: the agent's list is full");
            let (rate, took) = crate::app::drive(&vec![(); lists], concurrency, |()| {
                send(Method::GET, &agent, "/v1/tickets?limit=50")
            })
            .await;
            rates[which].push(rate);
            times[which].extend(took);
            write!(line, " {access} {rate:.0}/s").expect("a string takes any text");
        }
        println!("{line}");
    }
    #[allow(clippy::cast_precision_loss, reason = "a few rounds")]
    let mean = |rates: &[f64]| rates.iter().sum::<f64>() / rates.len() as f64;
    let all = mean(&rates[0]);
    for (which, access) in ACCESSES.into_iter().enumerate() {
        let rate = mean(&rates[which]);
        let took = std::mem::take(&mut times[which]);
        println!("  {access:>8}: {rate:.0} lists/s, {}, {:.2} of all", summarize(took), rate / all);
    }
    drop(replica);
    platform.finish().await;
}

/// How many tickets a list answer holds.
async fn visible(request: reqwest::RequestBuilder) -> usize {
    let answer = request.send().await.expect("app-api answers");
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.expect("a list");
    body["data"].as_array().map_or(0, Vec::len)
}

/// `count` open tickets, copies of the tenant's first one, spread over `teams` and no team (one
/// in eleven), one in ten assigned to `agent`, the rest to no one; created a minute apart.
async fn seed(admin: &mut sqlx::PgConnection, count: usize, teams: &[Uuid], agent: Uuid) {
    sqlx::query(
        "INSERT INTO support_tickets (ticket_number, user_id, subject, description, priority, status, metadata,
            response_due_at, resolution_due_at, response_risk_at, resolution_risk_at, created_at, updated_at,
            sla_version_id, team_id, assigned_to)
         SELECT 'TKT-A' || lpad(n::text, 7, '0'), t.user_id, t.subject, t.description, 'medium', 'open', t.metadata,
            t.response_due_at, t.resolution_due_at, t.response_risk_at, t.resolution_risk_at,
            now() - n * interval '1 minute', now() - n * interval '1 minute', t.sla_version_id,
            ($2::uuid[])[n % 11 + 1], CASE WHEN n % 10 = 0 THEN $3 END
         FROM (SELECT * FROM support_tickets ORDER BY id LIMIT 1) AS t, generate_series(1, $1) AS n",
    )
    .bind(i64::try_from(count).expect("a count"))
    .bind(teams)
    .bind(agent)
    .execute(&mut *admin)
    .await
    .expect("the tickets");
    sqlx::query("ANALYZE support_tickets").execute(admin).await.expect("statistics");
}
