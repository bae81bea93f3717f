//! Participants and linked tickets (issue 48) on one real tenant through an app-api replica in
//! this process, every request its agent's:
//!
//! - **The ticket's answer**: `GET /v1/tickets/{id}` of tickets with 20 people copied on them
//!   (each added through `POST /v1/tickets/{id}/participants`, kind `cc`) against tickets with
//!   none, the same clients, in alternating rounds. Every read lists the ticket's participants,
//!   with or without any.
//! - **Linking**: `POST /v1/tickets/{id}/links` making a ticket the child of another while a tree,
//!   then a chain, of descendants hangs below it (the tickets made through the API, their links
//!   written by SQL), against linking a lone ticket: the cycle check walks the child's
//!   descendants (at most `links::MAX_DESCENDANTS`). One client; each link is undone (`DELETE`)
//!   before the next, so every sample does the same work. Then the walk's statement alone
//!   (`links::nesting`) on the tenant database, to tell the walk from the rest of the write
//!   (and likewise the read's list of participants).
//! - **A parent resolved with its children**: `POST /v1/tickets/{id}/status` with
//!   `resolve_children` of parents with 0, 10 and 50 children in progress (each ticket assigned
//!   to the agent, each child linked through the API), one client, in alternating rounds: the time
//!   a request, and what each child adds.

use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use reqwest::Method;
use sav::ids::TicketId;
use sav::tickets::links::{self as app_links, Nesting};
use sav::tickets::participants::{self as app_participants, MAX_PER_TICKET as MAX_PARTICIPANTS};
use serde_json::{Value, json};
use sqlx::{ConnectOptions as _, PgConnection};
use uuid::Uuid;

use crate::app::Replica;
use crate::platform::Platform;
use crate::stats::{Summary, summarize};

const ROUNDS: usize = 3;
/// Links of each case made and undone before the rounds, not measured.
const WARM_UP_LINKS: usize = 10;
/// Times a statement runs alone for each case (the walk, the participants' list), after
/// `WARM_UP_ALONE` not measured.
const ALONE: usize = 50;
const WARM_UP_ALONE: usize = 5;
/// Children of each ticket of the tree below the linked child.
const BRANCHING: usize = 10;
/// The children of the parents resolved, in each case.
const CHILDREN: [usize; 3] = [0, 10, 50];

pub struct Options {
    /// Tickets read in each case (20 people copied, none).
    pub tickets: usize,
    /// Reads of each case a round.
    pub reads: usize,
    pub concurrency: usize,
    /// Tickets below the linked child, in each shape (a tree, a chain).
    pub descendants: usize,
    /// Links (each undone) of each child a round.
    pub links: usize,
    /// Parents resolved in each case a round.
    pub resolves: usize,
}

/// The tenant: its agent (who sends every request), the customer the tickets are for, and a
/// connection to its database as the server's superuser (to seed and count).
struct Desk {
    replica: Replica,
    client: reqwest::Client,
    slug: String,
    token: String,
    agent: Uuid,
    customer: Uuid,
    admin: PgConnection,
}

impl Desk {
    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.replica.server.url(path))
            .header("x-tenant-slug", &self.slug)
            .bearer_auth(&self.token)
    }

    /// `count` tickets opened by the agent for the customer, `concurrency` at a time; their ids.
    async fn create(&self, count: usize, concurrency: usize) -> Vec<i64> {
        let ticket = json!({
            "subject": "The parcel never came",
            "description": "I ordered a lamp three weeks ago and the tracking page has said 'in transit' since.",
            "category": "shipping",
            "priority": "medium",
            "user_id": self.customer,
        });
        let made =
            each(&vec![(); count], concurrency, 201, |()| self.request(Method::POST, "/v1/tickets").json(&ticket))
                .await;
        made.iter().map(|ticket| ticket["id"].as_i64().expect("a ticket id")).collect()
    }
}

pub async fn run(options: &Options) {
    assert!(
        options.tickets > 0 && options.reads > 0 && options.links > 0 && options.resolves > 0,
        "nothing to measure"
    );
    let started = Instant::now();
    let platform = Platform::start_logging_at("error").await;
    let mut desk = open(&platform, options.concurrency).await;
    answers(&mut desk, options).await;
    linking(&mut desk, options).await;
    resolving(&mut desk, options).await;
    println!("participants and linked tickets: {:.0} s in all", started.elapsed().as_secs_f64());
    drop(desk);
    platform.finish().await;
}

/// One tenant, its agent signed in (invited through the control plane) and known to app-api,
/// a customer of the mirror (as one who wrote in by mail once), and a replica with room for
/// `concurrency` requests at once.
async fn open(platform: &Platform, concurrency: usize) -> Desk {
    let (slug, owner) = platform.tenants_with_tokens(1).await.remove(0);
    let per_tenant = concurrency.max(8) + 2;
    let replica = crate::app::replica(platform, per_tenant + 10, per_tenant).await;
    let (_, token) = platform.agent(&slug, &owner).await;
    let client = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(concurrency).build().expect("client");
    let (_, options) = platform.tenant_admin_options(&slug).await;
    // Seeding the links and checking what the runs wrote: no slow-statement warnings.
    let mut admin = options.disable_statement_logging().connect().await.expect("the tenant database");
    let customer = Uuid::now_v7();
    sqlx::query("INSERT INTO users (id, email, firstname, lastname, role) VALUES ($1, $2, 'Ada', 'Byron', 'customer')")
        .bind(customer)
        .bind(format!("ada-{}@customer.example", customer.simple()))
        .execute(&mut admin)
        .await
        .expect("the customer");
    let mut desk = Desk { replica, client, slug, token, agent: Uuid::nil(), customer, admin };
    desk.agent = desk.replica.agent_id(&desk.client, &desk.slug, &desk.token).await;
    desk
}

/// Sends one request per item (made by `request`), `concurrency` at a time, each answered with
/// `expect`; the answers' bodies (null when empty), in the items' order.
async fn each<T: Copy>(
    items: &[T],
    concurrency: usize,
    expect: u16,
    request: impl Fn(T) -> reqwest::RequestBuilder,
) -> Vec<Value> {
    futures_util::stream::iter(items.iter().map(|item| {
        let sent = request(*item).send();
        async move {
            let answer = sent.await.expect("app-api answers");
            let status = answer.status().as_u16();
            let body = answer.bytes().await.expect("a body");
            let shown = || String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
            assert_eq!(status, expect, "{}", shown());
            if body.is_empty() { Value::Null } else { serde_json::from_slice(&body).unwrap_or_else(|_| json!(shown())) }
        }
    }))
    .buffered(concurrency)
    .collect()
    .await
}

/// One request, timed until its body is read to the end, answered with `expect`; the time and
/// the body.
async fn timed(request: reqwest::RequestBuilder, expect: u16) -> (Duration, bytes::Bytes) {
    let started = Instant::now();
    let answer = request.send().await.expect("app-api answers");
    let status = answer.status().as_u16();
    let body = answer.bytes().await.expect("a body");
    let took = started.elapsed();
    assert_eq!(status, expect, "{}", String::from_utf8_lossy(&body[..body.len().min(300)]));
    (took, body)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

#[allow(clippy::cast_precision_loss, reason = "a few rounds")]
fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// What the rounds measured of one kind of read.
#[derive(Default)]
struct Reads {
    rates: Vec<f64>,
    times: Vec<Duration>,
    bytes: usize,
}

/// `count` reads of the tickets of `ids` in turn, `concurrency` at a time, each timed until its
/// body is read to the end, added to `reads`; the pass's rate.
async fn read(desk: &Desk, ids: &[i64], count: usize, concurrency: usize, reads: &mut Reads) -> f64 {
    let started = Instant::now();
    let answers: Vec<(Duration, usize)> = futures_util::stream::iter(ids.iter().cycle().take(count).map(|id| {
        let sent = desk.request(Method::GET, &format!("/v1/tickets/{id}")).send();
        async move {
            let at = Instant::now();
            let answer = sent.await.expect("app-api answers");
            let status = answer.status();
            let body = answer.bytes().await.expect("a body");
            let took = at.elapsed();
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body[..body.len().min(300)]));
            (took, body.len())
        }
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await;
    #[allow(clippy::cast_precision_loss, reason = "a rate")]
    let rate = answers.len() as f64 / started.elapsed().as_secs_f64();
    reads.rates.push(rate);
    for (took, bytes) in answers {
        reads.times.push(took);
        reads.bytes += bytes;
    }
    rate
}

/// `GET /v1/tickets/{id}` of tickets with 20 people copied against tickets with none.
async fn answers(desk: &mut Desk, options: &Options) {
    let concurrency = options.concurrency;
    let people = usize::try_from(MAX_PARTICIPANTS).expect("a count");
    let ids = desk.create(2 * options.tickets, concurrency).await;
    // Every other ticket: both sets spread alike over the table.
    let copied: Vec<i64> = ids.iter().step_by(2).copied().collect();
    let alone: Vec<i64> = ids.iter().skip(1).step_by(2).copied().collect();
    let adds: Vec<(i64, usize)> = copied.iter().flat_map(|&id| (1..=people).map(move |k| (id, k))).collect();
    let started = Instant::now();
    each(&adds, concurrency, 201, |(id, k)| {
        let person =
            json!({"email": format!("buyer-{k}@partner-{k}.example"), "name": format!("Buyer {k}"), "kind": "cc"});
        desk.request(Method::POST, &format!("/v1/tickets/{id}/participants")).json(&person)
    })
    .await;
    let took = started.elapsed().as_secs_f64();
    let counted: i64 = sqlx::query_scalar("SELECT count(*) FROM ticket_participants WHERE kind = 'cc'")
        .fetch_one(&mut desk.admin)
        .await
        .expect("the participants");
    assert_eq!(usize::try_from(counted).ok(), Some(adds.len()), "each person copied once");
    println!(
        "the ticket's answer: GET /v1/tickets/{{id}} of {} tickets with {people} people copied and {} with none, \
         {concurrency} clients, {} reads of each a round, {ROUNDS} rounds, alternating",
        copied.len(),
        alone.len(),
        options.reads
    );
    #[allow(clippy::cast_precision_loss, reason = "a rate")]
    let added = adds.len() as f64 / took;
    println!(
        "  {} people copied through POST /v1/tickets/{{id}}/participants in {took:.1} s ({added:.0}/s)",
        adds.len()
    );
    let sets = [&copied, &alone];
    // Each ticket read once, not measured: the pool, the statements, the pages.
    for set in sets {
        read(desk, set, set.len(), concurrency, &mut Reads::default()).await;
    }
    let mut measured = [Reads::default(), Reads::default()];
    for round in 0..ROUNDS {
        for case in [round % 2, (round + 1) % 2] {
            read(desk, sets[case], options.reads, concurrency, &mut measured[case]).await;
        }
        println!(
            "  round {}: {people} copied {:.0}/s, none {:.0}/s",
            round + 1,
            measured[0].rates[round],
            measured[1].rates[round]
        );
    }
    let [with, without] = measured.map(|reads| {
        let size = reads.bytes / reads.times.len();
        (mean(&reads.rates), summarize(reads.times), size)
    });
    for (label, (rate, summary, size)) in [(format!("{people} people copied:"), &with), ("none:".to_owned(), &without)]
    {
        println!("  {label:<22} {rate:>6.0}/s, {summary}, answer {size} bytes");
    }
    println!(
        "  {people} copied against none: rate {:.2}, p50 {:.2}, p99 {:.2}",
        with.0 / without.0,
        ratio(with.1.p50, without.1.p50),
        ratio(with.1.p99, without.1.p99)
    );
    let (with, without) = (listed(desk, copied[0], people).await, listed(desk, alone[0], 0).await);
    println!(
        "  the participants' statement alone (participants::list on the tenant database): {people} copied p50 \
         {:.2} ms, p99 {:.2} ms; none p50 {:.2} ms, p99 {:.2} ms",
        ms(with.p50),
        ms(with.p99),
        ms(without.p50),
        ms(without.p99)
    );
}

/// The read's list of participants (`participants::list`, as staff) of ticket `id` alone on the
/// tenant database, `ALONE` times after `WARM_UP_ALONE`.
async fn listed(desk: &mut Desk, id: i64, people: usize) -> Summary {
    let mut times = Vec::with_capacity(ALONE);
    for n in 0..WARM_UP_ALONE + ALONE {
        let started = Instant::now();
        let listed = app_participants::list(&mut desk.admin, TicketId(id), true).await.expect("the participants");
        let took = started.elapsed();
        assert_eq!(listed.len(), people);
        if n >= WARM_UP_ALONE {
            times.push(took);
        }
    }
    summarize(times)
}

/// Links below `nodes[0]` written by SQL: `nodes[k]` is the child of `nodes[parent(k)]`; how
/// deep the last one lies.
async fn seed_links(admin: &mut PgConnection, nodes: &[i64], parent: impl Fn(usize) -> usize) -> usize {
    let mut depth = vec![0; nodes.len()];
    let (mut from, mut to) = (Vec::with_capacity(nodes.len()), Vec::with_capacity(nodes.len()));
    for k in 1..nodes.len() {
        depth[k] = depth[parent(k)] + 1;
        from.push(nodes[parent(k)]);
        to.push(nodes[k]);
    }
    sqlx::query(
        "INSERT INTO ticket_links (from_id, to_id, kind)
         SELECT f, t, 'parent' FROM unnest($1::bigint[], $2::bigint[]) AS l (f, t)",
    )
    .bind(&from)
    .bind(&to)
    .execute(admin)
    .await
    .expect("the links");
    depth.last().copied().unwrap_or(0)
}

/// A child of the linking, and what the rounds measured of it.
struct Child {
    label: String,
    id: i64,
    linked: Vec<Duration>,
    unlinked: Vec<Duration>,
    walks: Vec<Duration>,
}

/// `POST /v1/tickets/{parent}/links` of `child` as a child, then `DELETE` of the link: each
/// time.
async fn link_and_undo(desk: &Desk, parent: i64, child: i64) -> (Duration, Duration) {
    let body = json!({"ticket_id": child, "kind": "child"});
    let (linked, _) = timed(desk.request(Method::POST, &format!("/v1/tickets/{parent}/links")).json(&body), 201).await;
    let (unlinked, _) = timed(desk.request(Method::DELETE, &format!("/v1/tickets/{parent}/links/{child}")), 204).await;
    (linked, unlinked)
}

/// A child with a tree, then a chain, of descendants below it, against a lone child.
async fn linking(desk: &mut Desk, options: &Options) {
    let below = options.descendants;
    let most = usize::try_from(app_links::MAX_DESCENDANTS).expect("a count");
    assert!(below <= most, "--descendants: a child with more than {most} below it cannot be linked");
    let started = Instant::now();
    let ids = desk.create(2 + 2 * (below + 1), options.concurrency).await;
    let (parent, lone) = (ids[0], ids[1]);
    let (tree, chain) = ids[2..].split_at(below + 1);
    let tree_depth = seed_links(&mut desk.admin, tree, |k| (k - 1) / BRANCHING).await;
    let chain_depth = seed_links(&mut desk.admin, chain, |k| k - 1).await;
    // As autovacuum would in time.
    sqlx::query("ANALYZE ticket_links").execute(&mut desk.admin).await.expect("analyze");
    println!(
        "linking: POST /v1/tickets/{{id}}/links {{kind: child}} then DELETE, one client, {} of each child a round, \
         {ROUNDS} rounds, alternating; {} tickets made and their links written in {:.1} s",
        options.links,
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    let child = |label: String, id| Child { label, id, linked: Vec::new(), unlinked: Vec::new(), walks: Vec::new() };
    let mut children = [
        child(format!("a tree of {below} below it ({BRANCHING} children each, {tree_depth} deep)"), tree[0]),
        child(format!("a chain of {below} below it ({chain_depth} deep)"), chain[0]),
        child("a lone ticket".to_owned(), lone),
    ];
    for (child, leaf) in children.iter().zip([tree.last(), chain.last(), None]) {
        let fine = app_links::nesting(&mut desk.admin, TicketId(parent), TicketId(child.id)).await.expect("the walk");
        assert_eq!(fine, Nesting::Fine, "{}: linkable", child.label);
        if let Some(&leaf) = leaf {
            let cycle =
                app_links::nesting(&mut desk.admin, TicketId(leaf), TicketId(child.id)).await.expect("the walk");
            assert_eq!(cycle, Nesting::Cycle, "{}: the walk reaches the last one below", child.label);
        }
        for _ in 0..WARM_UP_LINKS {
            link_and_undo(desk, parent, child.id).await;
        }
    }
    for round in 0..ROUNDS {
        for k in 0..children.len() {
            let child = &mut children[(round + k) % 3];
            for _ in 0..options.links {
                let (linked, unlinked) = link_and_undo(desk, parent, child.id).await;
                child.linked.push(linked);
                child.unlinked.push(unlinked);
            }
        }
        let p50s: Vec<String> = children
            .iter()
            .map(|c| format!("{:.2}", ms(summarize(c.linked[round * options.links..].to_vec()).p50)))
            .collect();
        println!("  round {}: link p50 {} ms", round + 1, p50s.join(" / "));
    }
    println!("  (in the order: {})", children.iter().map(|c| c.label.as_str()).collect::<Vec<_>>().join(" / "));
    walks(desk, parent, &mut children).await;
    report_links(&mut children);
}

/// The walk's statement (`links::nesting`) alone on the tenant database, for each child in
/// turn, `ALONE` times after `WARM_UP_ALONE`.
async fn walks(desk: &mut Desk, parent: i64, children: &mut [Child]) {
    for n in 0..WARM_UP_ALONE + ALONE {
        for child in children.iter_mut() {
            let started = Instant::now();
            let nesting =
                app_links::nesting(&mut desk.admin, TicketId(parent), TicketId(child.id)).await.expect("the walk");
            let took = started.elapsed();
            assert_eq!(nesting, Nesting::Fine);
            if n >= WARM_UP_ALONE {
                child.walks.push(took);
            }
        }
    }
}

fn report_links(children: &mut [Child]) {
    let summaries: Vec<(Summary, Summary, Summary)> = children
        .iter_mut()
        .map(|c| {
            let take = |times: &mut Vec<Duration>| summarize(std::mem::take(times));
            (take(&mut c.linked), take(&mut c.unlinked), take(&mut c.walks))
        })
        .collect();
    let lone = &summaries[summaries.len() - 1];
    for (child, (linked, unlinked, walk)) in children.iter().zip(&summaries) {
        println!("  link, {}: {linked}", child.label);
        println!(
            "    ratio to the lone ticket: p50 {:.2}, p99 {:.2}; the walk alone p50 {:.2} ms, p99 {:.2} ms; \
             unlink p50 {:.2} ms, p99 {:.2} ms",
            ratio(linked.p50, lone.0.p50),
            ratio(linked.p99, lone.0.p99),
            ms(walk.p50),
            ms(walk.p99),
            ms(unlinked.p50),
            ms(unlinked.p99)
        );
    }
}

/// A parent to resolve and its children, each assigned to the agent (in progress).
struct Family {
    parent: i64,
    children: Vec<i64>,
}

/// `count` parents with `children` children each, made, assigned and linked through the API.
async fn families(desk: &Desk, children: usize, count: usize, concurrency: usize) -> Vec<Family> {
    let ids = desk.create(count * (children + 1), concurrency).await;
    let assignment = json!({"assigned_to": desk.agent});
    let assigned = each(&ids, concurrency, 200, |id| {
        desk.request(Method::POST, &format!("/v1/tickets/{id}/assign")).json(&assignment)
    })
    .await;
    assert!(assigned.iter().all(|ticket| ticket["status"] == "in_progress"), "assigned: in progress");
    let families: Vec<Family> =
        ids.chunks(children + 1).map(|family| Family { parent: family[0], children: family[1..].to_vec() }).collect();
    let pairs: Vec<(i64, i64)> =
        families.iter().flat_map(|f| f.children.iter().map(move |&child| (f.parent, child))).collect();
    each(&pairs, concurrency, 201, |(parent, child)| {
        let body = json!({"ticket_id": child, "kind": "child"});
        desk.request(Method::POST, &format!("/v1/tickets/{parent}/links")).json(&body)
    })
    .await;
    families
}

/// `POST /v1/tickets/{parent}/status` resolving `family`'s parent with its children, all of which
/// move; the time.
async fn resolve(desk: &Desk, family: &Family) -> Duration {
    let body = json!({"status": "resolved", "reason": "The carrier found the lost pallet", "resolve_children": true});
    let path = format!("/v1/tickets/{}/status", family.parent);
    let (took, answer) = timed(desk.request(Method::POST, &path).json(&body), 200).await;
    let answer: Value = serde_json::from_slice(&answer).expect("a ticket");
    assert_eq!(answer["status"], "resolved");
    assert_eq!(answer["children_left"], json!([]), "every child in progress moves to resolved");
    took
}

/// Parents resolved with 0, 10 and 50 children in progress.
async fn resolving(desk: &mut Desk, options: &Options) {
    let concurrency = options.concurrency;
    assert!(CHILDREN.iter().all(|&n| i64::try_from(n).is_ok_and(|n| n <= app_links::MAX_PER_TICKET)));
    println!(
        "a parent resolved with its children: POST /v1/tickets/{{id}}/status {{resolved, resolve_children}}, one \
         client, {} parents of each case a round, {ROUNDS} rounds, alternating",
        options.resolves
    );
    // A family of each case resolved first, not measured.
    for &children in &CHILDREN {
        for family in families(desk, children, 1, concurrency).await {
            resolve(desk, &family).await;
        }
    }
    let mut times: [Vec<Duration>; 3] = Default::default();
    let mut all_children = Vec::new();
    for round in 0..ROUNDS {
        let started = Instant::now();
        let mut made = Vec::with_capacity(CHILDREN.len());
        for &children in &CHILDREN {
            made.push(families(desk, children, options.resolves, concurrency).await);
        }
        let setup = started.elapsed().as_secs_f64();
        for k in 0..CHILDREN.len() {
            let case = (round + k) % CHILDREN.len();
            for family in &made[case] {
                times[case].push(resolve(desk, family).await);
            }
        }
        let p50s: Vec<String> =
            times.iter().map(|t| format!("{:.1}", ms(summarize(t[round * options.resolves..].to_vec()).p50))).collect();
        println!(
            "  round {}: p50 {} ms (families made, assigned and linked in {setup:.1} s)",
            round + 1,
            p50s.join(" / ")
        );
        all_children.extend(made.iter().flatten().flat_map(|f| f.children.iter().copied()));
    }
    let resolved: i64 =
        sqlx::query_scalar("SELECT count(*) FROM support_tickets WHERE id = ANY($1) AND status = 'resolved'")
            .bind(&all_children)
            .fetch_one(&mut desk.admin)
            .await
            .expect("the children");
    assert_eq!(usize::try_from(resolved).ok(), Some(all_children.len()), "every child resolved");
    let summaries = times.map(summarize);
    let none = &summaries[0];
    for (children, summary) in CHILDREN.iter().zip(&summaries) {
        let each_child = if *children == 0 {
            String::new()
        } else {
            let per = |a: Duration, b: Duration| (ms(a) - ms(b)) / f64::from(u32::try_from(*children).expect("few"));
            format!(
                "; a child adds {:.2} ms (p50), {:.2} ms (mean); ratio to none (p50) {:.2}",
                per(summary.p50, none.p50),
                per(summary.mean, none.mean),
                ratio(summary.p50, none.p50)
            )
        };
        println!("  {children:>2} children in progress: {summary}{each_child}");
    }
}
