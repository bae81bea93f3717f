//! Many tenants on skewed traffic: `--tenants` organisations provisioned by the control plane,
//! seeded with tickets by their rank (the largest `--largest`, the tail a few each: tickets
//! fall as rank^-1.1), then `GET /v1/tickets/{id}` for a random ticket of a tenant chosen by
//! Zipf (s = 1.1), against the largest tenant alone and against tenants chosen uniformly, each
//! under the same closed-loop load from this process, on an app-api replica with the default
//! pool settings (its budget fitted to the server, as at start): once keeping no answers, once
//! keeping them (`app_api::live::answers`). Reported for each: the rate, latencies, errors, the
//! connections the tenant databases accepted a second (`pg_stat_database.sessions`), pools
//! created, idle connections evicted, the answers kept that were found, and the process's
//! resident memory with every tenant known. With the answers kept, every ticket is then read
//! once after the first Zipf run (as consoles opening their queues would), and Zipf runs again:
//! the first shows the answers cold, the runs after it warm. A last run sends the Zipf reads as consoles would
//! revalidate them: each client keeps the `ETag` of every ticket it has read and sends it back
//! (`If-None-Match`); a copy still current is answered 304 from the tenant's change version
//! (`app_api::live::versions`), with no statement and no connection.
//!
//! Last, `pgbench -S -C` (a connection opened for each transaction) with the same clients and
//! duration, the bound of uniform traffic that opens a connection for each read.
//!
//! Before that, nine tenths of the tenants are provisioned while a replica serves Zipf reads
//! of the first tenth, relays events and runs its outbox and SLA sweeps (every 2 s unless
//! told) over every active tenant, all within its budget: the provisioning attempts that failed
//! are counted.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng as _;
use sqlx::{ConnectOptions as _, Connection as _, PgConnection};

use crate::app::{Request, closed_loop, replica_with};
use crate::platform::Platform;

/// The exponent of the tenants' popularity and of their size.
const S: f64 = 1.1;

pub struct Options {
    pub tenants: usize,
    pub largest: i64,
    pub concurrency: usize,
    pub seconds: u64,
    /// `TENANT_POOLS_MAX_TOTAL_CONNECTIONS` (the default, 100), fitted to the server at start.
    pub budget: usize,
    /// `TENANT_POOLS_MAX` (the default, 500).
    pub pools: usize,
    /// The outbox and SLA sweeps' period while the tenants are provisioned.
    pub sweep_seconds: u64,
    /// Where the tenants are (`TENANT_DEFAULT_PLACEMENT`).
    pub placement: control_api::tenancy::placement::Mode,
}

/// A tenant the load reaches: its slug, its owner's token, its tickets' ids.
struct Target {
    slug: String,
    token: String,
    first: i64,
    count: i64,
}

/// Ranks 0.. chosen with probability proportional to (rank + 1)^-S.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Self {
        let mut total = 0.0;
        #[allow(clippy::cast_precision_loss, reason = "ranks")]
        let cumulative = (1..=n)
            .map(|rank| {
                total += (rank as f64).powf(-S);
                total
            })
            .collect();
        Self { cumulative }
    }

    fn sample(&self, rng: &mut impl rand::Rng) -> usize {
        let total = *self.cumulative.last().expect("at least one rank");
        let x = rng.gen_range(0.0..total);
        self.cumulative.partition_point(|c| *c <= x).min(self.cumulative.len() - 1)
    }

    /// The share of draws that fall beyond the first `k` ranks.
    fn beyond(&self, k: usize) -> f64 {
        let total = *self.cumulative.last().expect("at least one rank");
        1.0 - self.cumulative[k.min(self.cumulative.len()) - 1] / total
    }
}

/// Tickets of the tenant at `rank` (0-based): `largest` for the first, at least 3.
fn tickets_at(rank: usize, largest: i64) -> i64 {
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, reason = "a few thousand")]
    let count = (largest as f64 * ((rank + 1) as f64).powf(-S)).round() as i64;
    count.max(3)
}

pub async fn run(options: &Options) {
    // With Redis: the change versions that answer revalidations and key the answers kept.
    let platform = Platform::start_placed("error", testkit::WithRedis::Yes, options.placement).await;
    println!("zipf: tenants placed {}", options.placement.as_str());
    let targets = provision_while_serving(&platform, options).await;
    let zipf = Zipf::new(targets.len());
    println!(
        "  Zipf s = {S}: {:.0}% of requests go beyond the 10 busiest tenants, {:.0}% beyond the 80 busiest",
        100.0 * zipf.beyond(10),
        100.0 * zipf.beyond(80)
    );
    let (targets, zipf) = (Arc::new(targets), Arc::new(zipf));
    // The pool settings asked for (by default the defaults: a budget of 100 fitted to the
    // server, 5 per tenant, 500 pools); only the rate limits are off (one address sends all the
    // load). First without the answers kept, then with them.
    let mut uniform_rates = Vec::new();
    for cache_mb in [0, 64] {
        let app = replica_with(&platform, options.budget, 5, |c| {
            c.pools.max_pools = options.pools;
            c.answer_cache_bytes = cache_mb << 20;
        })
        .await;
        println!(
            "  answers kept: {}; app-api's tenant connection budget, fitted to the server: {}",
            if cache_mb == 0 { "none".to_owned() } else { format!("{cache_mb} MiB") },
            app.state.tenancy.budget.total
        );
        let uniform = scenarios(&app, &platform, &targets, &zipf, options).await;
        uniform_rates.push((cache_mb, uniform));
    }
    // Uniform traffic against what the server does when each transaction opens a connection.
    let duration = Duration::from_secs(options.seconds);
    match crate::app::pgbench(options.concurrency, duration, &[("pgbench -S -C", true)]).await {
        Ok(runs) => {
            for run in runs {
                println!("  {}", run.line);
                for (cache_mb, rate) in &uniform_rates {
                    println!(
                        "    uniform with {cache_mb} MiB of answers kept: {:.2} of it",
                        rate / run.tps.unwrap_or(f64::NAN)
                    );
                }
            }
        }
        Err(problem) => println!("  {problem}"),
    }
    platform.finish().await;
}

/// A tenth of the tenants provisioned and seeded first; then a replica serves Zipf reads of
/// them, relays and sweeps (every `--sweep-seconds`, over every tenant active so far) while the
/// other nine tenths sign up and are provisioned; then those are seeded. Every tenant, in rank
/// order.
async fn provision_while_serving(platform: &Platform, options: &Options) -> Vec<Target> {
    let early = (options.tenants / 10).max(1);
    let started = Instant::now();
    let mut targets = seeded(platform, platform.tenants_with_tokens(early).await, 0, options.largest).await;
    println!(
        "zipf: the first {early} tenants provisioned, signed in and seeded in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let exchange = format!("sav_exchange.bench.{}", uuid::Uuid::new_v4().simple());
    let sweeps = Duration::from_secs(options.sweep_seconds);
    let app = replica_with(platform, options.budget, 5, |c| {
        c.pools.max_pools = options.pools;
        c.amqp_url = testkit::broker_url(&testkit::Service::Test);
        c.events.exchange = exchange;
        c.events.sweep_every = sweeps;
        c.jobs.sweep_every = sweeps;
    })
    .await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let background = tokio::spawn(app.state.clone().run_background(async move {
        let _ = stopped.await;
    }));
    let early_targets = Arc::new(std::mem::take(&mut targets));
    let request = reads(&app, &early_targets, &Arc::new(Zipf::new(early)), Pick::Zipf);
    let running = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let load = {
        let (running, concurrency) = (Arc::clone(&running), (options.concurrency / 4).max(1));
        tokio::spawn(async move { crate::app::closed_loop_while(&request, 200, concurrency, &running).await })
    };
    let started = Instant::now();
    let late = platform.tenants_with_tokens(options.tenants - early).await;
    let provisioning = started.elapsed();
    running.store(false, std::sync::atomic::Ordering::Relaxed);
    let load = load.await.expect("the load");
    let _ = stop.send(());
    background.await.expect("the background work");
    let (attempts_failed, given_up) = provisioning_failures(platform).await;
    println!(
        "  {} more tenants provisioned and signed in in {:.0} s while the replica served, relayed and swept \
         (every {} s): {attempts_failed} provisioning attempts failed, {given_up} jobs given up; \
         meanwhile Zipf reads of the first {early}: {:.0} req/s, {}, errors {}{}",
        late.len(),
        provisioning.as_secs_f64(),
        options.sweep_seconds,
        load.rate,
        load.latency_text(),
        load.errors,
        load.first_error.map_or(String::new(), |e| format!(" (first: {e})"))
    );
    drop(app);
    let started = Instant::now();
    let mut targets = Arc::into_inner(early_targets).expect("the load is over");
    targets.extend(seeded(platform, late, early, options.largest).await);
    println!(
        "  seeded {} tickets (largest {}, smallest {}) with a message each; the last {} tenants in {:.0} s",
        targets.iter().map(|t| t.count).sum::<i64>(),
        targets[0].count,
        targets.last().map_or(0, |t| t.count),
        options.tenants - early,
        started.elapsed().as_secs_f64()
    );
    targets
}

/// Seeds each signed-in tenant by its rank (`first_rank` for the first).
async fn seeded(platform: &Platform, signed_in: Vec<(String, String)>, first_rank: usize, largest: i64) -> Vec<Target> {
    let mut targets = Vec::with_capacity(signed_in.len());
    for (rank, (slug, token)) in (first_rank..).zip(signed_in) {
        let (_, admin) = platform.tenant_admin_options(&slug).await;
        let mut admin = admin.connect().await.expect("the tenant database");
        let count = tickets_at(rank, largest);
        let first = seed(&mut admin, count).await;
        targets.push(Target { slug, token, first, count });
    }
    targets
}

/// Provisioning attempts that failed (retried or not) and jobs given up, over the run.
async fn provisioning_failures(platform: &Platform) -> (i64, i64) {
    sqlx::query_as(
        "SELECT coalesce(sum(attempts), 0)::bigint, count(*) FILTER (WHERE status = 'failed')
         FROM provisioning_jobs WHERE kind = 'provision'",
    )
    .fetch_one(&platform.state.db)
    .await
    .expect("the provisioning jobs")
}

/// The largest alone, Zipf and uniform, then Zipf revalidating, on `app`; the uniform rate.
async fn scenarios(
    app: &crate::app::Replica,
    platform: &Platform,
    targets: &Arc<Vec<Target>>,
    zipf: &Arc<Zipf>,
    options: &Options,
) -> f64 {
    let duration = Duration::from_secs(options.seconds);
    let mut uniform = f64::NAN;
    let keeping = app.state.config.answer_cache_bytes > 0;
    let mut picks = vec![("the largest tenant alone", Pick::Largest), ("Zipf", Pick::Zipf)];
    if keeping {
        picks.push(("Zipf, every answer kept", Pick::Zipf));
    }
    picks.push(("uniform", Pick::Uniform));
    let mut one_tenant = None;
    for (run, (name, pick)) in picks.into_iter().enumerate() {
        if keeping && run == 2 {
            // What the first Zipf run left unread is read once now, as consoles opening their
            // queues would: every ticket of every tenant by its owner, tenant after tenant.
            let before = Counters::read(app, platform).await;
            let started = Instant::now();
            let (read, errors) = read_every_ticket(app, targets, options.concurrency).await;
            let took = started.elapsed();
            let after = Counters::read(app, platform).await;
            #[allow(clippy::cast_precision_loss, reason = "counts")]
            let rate = read as f64 / took.as_secs_f64();
            println!(
                "  every ticket read once, tenant after tenant, {} clients: {read} reads in {:.1} s ({rate:.0} req/s), errors {errors}",
                options.concurrency,
                took.as_secs_f64()
            );
            println!("    {}", after.since(&before, took));
        }
        let request = reads(app, targets, zipf, pick);
        // Warm-up: pools, caches, statement caches.
        closed_loop(&request, 200, options.concurrency, Duration::from_secs(3)).await;
        let before = Counters::read(app, platform).await;
        let peak = PeakOpen::watch(app);
        let load = closed_loop(&request, 200, options.concurrency, duration).await;
        let peak = peak.stop();
        let after = Counters::read(app, platform).await;
        let ratio =
            one_tenant.map_or(String::new(), |one: f64| format!(", {:.2} of the largest alone", load.rate / one));
        one_tenant.get_or_insert(load.rate);
        if matches!(pick, Pick::Uniform) {
            uniform = load.rate;
        }
        println!(
            "  {name}, {} clients: {:.0} req/s{ratio}, {}, errors {}{}; tenant connections open at most {peak} (budget {})",
            options.concurrency,
            load.rate,
            load.latency_text(),
            load.errors,
            load.first_error.map_or(String::new(), |e| format!(" (first: {e})")),
            app.state.tenancy.budget.total
        );
        println!("    {}", after.since(&before, duration));
    }
    let before = Counters::read(app, platform).await;
    let (load, revalidated) = revalidating(app, targets, zipf, options.concurrency, duration).await;
    let after = Counters::read(app, platform).await;
    println!(
        "  Zipf, each client revalidating what it read, {} clients: {:.0} req/s, {:.2} of the largest alone, {}, errors {}, 304 for {:.0}% of them",
        options.concurrency,
        load.rate,
        load.rate / one_tenant.unwrap_or(f64::NAN),
        load.latency_text(),
        load.errors,
        100.0 * revalidated
    );
    println!("    {}", after.since(&before, duration));
    uniform
}

/// The Zipf reads under closed-loop load, each client sending back the tag of a ticket it read
/// before; the load (200 and 304 both count) and the share answered 304.
async fn revalidating(
    app: &crate::app::Replica,
    targets: &Arc<Vec<Target>>,
    zipf: &Arc<Zipf>,
    concurrency: usize,
    duration: Duration,
) -> (crate::app::Load, f64) {
    let client = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(concurrency).build().expect("client");
    let base = app.server.url("");
    let base = base.trim_end_matches('/').to_owned();
    let until = Instant::now() + duration;
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, targets, zipf, base) = (client.clone(), Arc::clone(targets), Arc::clone(zipf), base.clone());
        clients.spawn(async move {
            let mut tags: HashMap<(usize, i64), String> = HashMap::new();
            let (mut samples, mut errors, mut not_modified) = (Vec::new(), 0usize, 0usize);
            while Instant::now() < until {
                let (rank, id) = {
                    let mut rng = rand::thread_rng();
                    let rank = zipf.sample(&mut rng);
                    (rank, targets[rank].first + rng.gen_range(0..targets[rank].count))
                };
                let target = &targets[rank];
                let mut request = client
                    .get(format!("{base}/v1/tickets/{id}"))
                    .header("x-tenant-slug", &target.slug)
                    .bearer_auth(&target.token);
                if let Some(tag) = tags.get(&(rank, id)) {
                    request = request.header("if-none-match", tag);
                }
                let sent = Instant::now();
                match request.send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let tag = response.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
                        let read = response.bytes().await.is_ok();
                        match status {
                            200 | 304 if read => {
                                samples.push(sent.elapsed());
                                not_modified += usize::from(status == 304);
                                if let Some(tag) = tag {
                                    tags.insert((rank, id), tag);
                                }
                            }
                            _ => errors += 1,
                        }
                    }
                    Err(_) => errors += 1,
                }
            }
            (samples, errors, not_modified)
        });
    }
    let (mut samples, mut errors, mut not_modified) = (Vec::new(), 0, 0);
    while let Some(joined) = clients.join_next().await {
        let (s, e, n) = joined.expect("client task");
        samples.extend(s);
        errors += e;
        not_modified += n;
    }
    #[allow(clippy::cast_precision_loss, reason = "counts")]
    let share = if samples.is_empty() { 0.0 } else { not_modified as f64 / samples.len() as f64 };
    let load = crate::app::Load {
        rate: f64::from(u32::try_from(samples.len()).unwrap_or(u32::MAX)) / duration.as_secs_f64(),
        latency: (!samples.is_empty()).then(|| crate::stats::summarize(samples)),
        errors,
        first_error: None,
    };
    (load, share)
}

/// Every ticket of every tenant read once by its owner, in rank order, by `concurrency` clients
/// taking the next one in turn: the reads answered 200, and the others.
async fn read_every_ticket(
    app: &crate::app::Replica,
    targets: &Arc<Vec<Target>>,
    concurrency: usize,
) -> (usize, usize) {
    let client = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(concurrency).build().expect("client");
    let base = app.server.url("").trim_end_matches('/').to_owned();
    let all: Arc<Vec<(usize, i64)>> = Arc::new(
        targets
            .iter()
            .enumerate()
            .flat_map(|(rank, t)| (t.first..t.first + t.count).map(move |id| (rank, id)))
            .collect(),
    );
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, targets, all, next, base) =
            (client.clone(), Arc::clone(targets), Arc::clone(&all), Arc::clone(&next), base.clone());
        clients.spawn(async move {
            let (mut read, mut errors) = (0, 0);
            while let Some(&(rank, id)) = all.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
                let target = &targets[rank];
                let sent = client
                    .get(format!("{base}/v1/tickets/{id}"))
                    .header("x-tenant-slug", &target.slug)
                    .bearer_auth(&target.token)
                    .send()
                    .await;
                let answered = match sent {
                    Ok(response) => response.status() == 200 && response.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if answered {
                    read += 1;
                } else {
                    errors += 1;
                }
            }
            (read, errors)
        });
    }
    let (mut read, mut errors) = (0, 0);
    while let Some(joined) = clients.join_next().await {
        let (r, e) = joined.expect("client task");
        read += r;
        errors += e;
    }
    (read, errors)
}

#[derive(Clone, Copy)]
enum Pick {
    Largest,
    Zipf,
    Uniform,
}

/// One random ticket of a tenant chosen by `pick`, read by its owner.
fn reads(app: &crate::app::Replica, targets: &Arc<Vec<Target>>, zipf: &Arc<Zipf>, pick: Pick) -> Request {
    let base = app.server.url("");
    let (targets, zipf) = (Arc::clone(targets), Arc::clone(zipf));
    Arc::new(move |client: &reqwest::Client| {
        let mut rng = rand::thread_rng();
        let target = match pick {
            Pick::Largest => &targets[0],
            Pick::Zipf => &targets[zipf.sample(&mut rng)],
            Pick::Uniform => &targets[rng.gen_range(0..targets.len())],
        };
        let id = target.first + rng.gen_range(0..target.count);
        client
            .get(format!("{}/v1/tickets/{id}", base.trim_end_matches('/')))
            .header("x-tenant-slug", &target.slug)
            .bearer_auth(&target.token)
    })
}

/// `count` tickets of the tenant's owner, each with a customer message; the first id.
async fn seed(admin: &mut PgConnection, count: i64) -> i64 {
    let owner: uuid::Uuid =
        // The admin passes the policies: the session's tenant names whose owner.
        sqlx::query_scalar("SELECT id FROM users WHERE role = 'owner' AND tenant_id = current_setting('helpdeskly.tenant')::uuid")
            .fetch_one(&mut *admin)
            .await
            .unwrap();
    let first: i64 = sqlx::query_scalar(
        "WITH made AS (
             INSERT INTO support_tickets (ticket_number, user_id, subject, description, response_due_at, resolution_due_at)
             SELECT 'TKT-Z' || lpad(g::text, 7, '0'), $1, 'Parcel ' || g, 'The parcel arrived damaged.',
                    now() + interval '1 day', now() + interval '3 days'
             FROM generate_series(1, $2) g RETURNING id
         ), said AS (
             INSERT INTO ticket_messages (ticket_id, sender_id, sender_type, message, is_internal)
             SELECT id, $1, 'customer', 'Here is a photo of the box.', false FROM made
         )
         SELECT min(id) FROM made",
    )
    .bind(owner)
    .bind(count)
    .fetch_one(&mut *admin)
    .await
    .unwrap();
    first
}

/// The most tenant connections the replica held open at once (`tenant_connections_open`), sampled
/// every millisecond while a run lasts.
struct PeakOpen {
    peak: Arc<std::sync::atomic::AtomicUsize>,
    sampler: tokio::task::JoinHandle<()>,
}

impl PeakOpen {
    fn watch(app: &crate::app::Replica) -> Self {
        let peak = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (pools, seen) = (app.state.tenancy.pools.clone(), Arc::clone(&peak));
        let sampler = tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(1));
            loop {
                every.tick().await;
                seen.fetch_max(pools.state().1, std::sync::atomic::Ordering::Relaxed);
            }
        });
        Self { peak, sampler }
    }

    fn stop(self) -> usize {
        self.sampler.abort();
        self.peak.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// What the counters say at one moment.
struct Counters {
    sessions: i64,
    pools_created: i64,
    evictions: i64,
    pools_open: i64,
    answers_found: u64,
    answers_missed: u64,
    resident_kb: u64,
}

impl Counters {
    async fn read(app: &crate::app::Replica, platform: &Platform) -> Self {
        let mut admin = PgConnection::connect_with(&harness::admin_options()).await.expect("admin");
        let sessions: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(sessions), 0)::bigint FROM pg_stat_database d
             JOIN pg_database db ON db.oid = d.datid
             WHERE db.datname IN (SELECT database_name FROM unnest($1::text[]) AS database_name)",
        )
        .bind(platform.tenant_databases().await)
        .fetch_one(&mut admin)
        .await
        .unwrap_or(0);
        let pools = &app.state.tenancy.pools.metrics();
        let (answers_found, answers_missed) = app.state.live.answers.lookups();
        Self {
            sessions,
            pools_created: i64::try_from(pools.pool_creations.get()).unwrap_or(i64::MAX),
            evictions: i64::try_from(pools.evictions.get()).unwrap_or(i64::MAX),
            pools_open: pools.pools_open.get(),
            answers_found,
            answers_missed,
            resident_kb: crate::stats::resident_kb(),
        }
    }

    /// What happened since `before`, over `duration`.
    fn since(&self, before: &Self, duration: Duration) -> String {
        #[allow(clippy::cast_precision_loss, reason = "counts")]
        let opened = (self.sessions - before.sessions) as f64 / duration.as_secs_f64();
        let (found, missed) = (self.answers_found - before.answers_found, self.answers_missed - before.answers_missed);
        #[allow(clippy::cast_precision_loss, reason = "counts")]
        let found_share = if found + missed == 0 { 0.0 } else { 100.0 * found as f64 / (found + missed) as f64 };
        format!(
            "connections opened {opened:.0}/s, pools created {}, idle connections evicted {}, pools open {}, \
             answers kept found {found_share:.0}% ({found} of {}), resident memory {} MiB",
            self.pools_created - before.pools_created,
            self.evictions - before.evictions,
            self.pools_open,
            found + missed,
            self.resident_kb / 1024
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_draws_follow_the_ranks() {
        let zipf = Zipf::new(1000);
        let mut rng = rand::thread_rng();
        let mut first = 0;
        let draws = 100_000;
        for _ in 0..draws {
            if zipf.sample(&mut rng) == 0 {
                first += 1;
            }
        }
        // P(rank 1) = 1 / H(1000, 1.1), about 0.18.
        let expected = 1.0 / zipf.cumulative[999];
        #[allow(clippy::cast_precision_loss, reason = "counts")]
        let seen = f64::from(first) / f64::from(draws);
        assert!((seen - expected).abs() < 0.01, "{seen} against {expected}");
        assert!((zipf.beyond(80) - 0.26).abs() < 0.03, "{}", zipf.beyond(80));
        assert_eq!(tickets_at(0, 3000), 3000);
        assert_eq!(tickets_at(999, 3000), 3);
    }
}
