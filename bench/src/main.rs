//! `helpdeskly-bench`: measures the platform on this machine against the local PostgreSQL
//! (`TEST_DATABASE_URL`, as the tests use). Everything it creates is dropped at the end.
//!
//!   helpdeskly-bench signup --count 50
//!   helpdeskly-bench migrate-tenants --tenants 200 --concurrency 4
//!   helpdeskly-bench app-me --concurrency 32 --seconds 10
//!   helpdeskly-bench tickets --tickets 100000 --concurrency 32 --seconds 10 [--client wrk]
//!   helpdeskly-bench tickets --tickets 100000 --concurrency 32 --seconds 5 --columns
//!   helpdeskly-bench events --tickets 200 --rows 20000 --tenants 200 --busy 10
//!   helpdeskly-bench queues --tickets 1000 --concurrency 8 --rounds 5 --rows 5000
//!   helpdeskly-bench routing --tickets 1000 --queue 2000 --concurrency 8 --rounds 10
//!   helpdeskly-bench ticket-access --tickets 100000 --lists 2000 --rounds 3
//!   helpdeskly-bench mail --rate 20 --seconds 300 --customers 20
//!   helpdeskly-bench mail-in --customers 50 --mails 2000 --clients 8
//!   helpdeskly-bench live --frames 1000 --rate 20 --idle 10000
//!   helpdeskly-bench webhooks --tickets 500 --burst 1000
//!   helpdeskly-bench sav-ops --tickets 10000
//!   helpdeskly-bench attachments --files-per-client 5
//!   helpdeskly-bench backup --tenants 200 --tickets 100000
//!   helpdeskly-bench rules --tickets 1000 --seeded 100000 --due 1000 --concurrency 8
//!   helpdeskly-bench participants --tickets 200 --reads 4000 --descendants 1000 --links 100 --resolves 20
//!   helpdeskly-bench reports --csv-tickets 1000000 --tickets 100000
//!   helpdeskly-bench help-center --articles 10000 --searches 500 --pages 4000
//!   helpdeskly-bench seed-tickets --database-url URL --tickets 100000   (scripts/web-bench.sh)
#![forbid(unsafe_code)]

mod app;
mod attachments;
mod backups;
mod business_hours;
mod control;
mod events;
mod help_center;
mod isolation;
mod live;
mod macros;
mod mail;
mod mail_in;
mod organizations;
mod participants;
mod platform;
mod queues;
mod reports;
mod routing;
mod rules;
mod sav_ops;
mod stats;
mod ticket_access;
mod tickets;
mod webhooks;
mod wrk;
mod zipf;

use clap::{Parser, Subcommand};
use control_api::tenancy::placement::Mode;

/// A placement named on the command line.
fn placement(value: &str) -> Result<Mode, String> {
    Mode::parse(value).ok_or_else(|| format!("{value:?} is no placement: pooled or dedicated"))
}

#[derive(Parser)]
#[command(name = "helpdeskly-bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Signup to active tenant latency, one signup after another.
    Signup {
        #[arg(long, default_value_t = 50)]
        count: usize,
        /// Where new tenants go: `pooled` (the default) or `dedicated`.
        #[arg(long, default_value = "pooled", value_parser = placement)]
        placement: Mode,
    },
    /// migrate-tenants wall time over many tenants: nothing pending, then one new migration.
    MigrateTenants {
        #[arg(long, default_value_t = 200)]
        tenants: usize,
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Where the tenants are: `pooled` (the default) or `dedicated`.
        #[arg(long, default_value = "pooled", value_parser = placement)]
        placement: Mode,
    },
    /// GET /v1/me: 1 tenant, 200 tenants, 1,000 tenants (smaller budget), and pgbench -S.
    AppMe {
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Connection budget of the many-tenant scenarios.
        #[arg(long, default_value_t = 60)]
        budget: usize,
        #[arg(long, default_value_t = 1000)]
        most_tenants: usize,
    },
    /// The outbox relay on the local RabbitMQ: commit-to-consumer latency, events per second
    /// with confirms, and the relay's cost with many tenants of which few have work.
    Events {
        /// Tickets created one after another for the latency.
        #[arg(long, default_value_t = 200)]
        tickets: usize,
        /// Pause between two of them, in milliseconds.
        #[arg(long, default_value_t = 20)]
        gap_ms: u64,
        /// Outbox rows written at once for the throughput.
        #[arg(long, default_value_t = 20_000)]
        rows: i64,
        #[arg(long, default_value_t = 200)]
        tenants: usize,
        /// Tenants with one new event for the cost per cycle.
        #[arg(long, default_value_t = 10)]
        busy: usize,
        /// Where the tenants are placed: one database each, or rows of the pool databases.
        #[arg(long, default_value = "pooled", value_parser = placement)]
        placement: Mode,
    },
    /// Quorum queues against classic queues, in alternating rounds of one run: ticket creation
    /// and the delivery of its events through the relay to a consumer.
    Queues {
        /// Tickets each round creates.
        #[arg(long, default_value_t = 1_000)]
        tickets: usize,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Rounds of each type.
        #[arg(long, default_value_t = 5)]
        rounds: usize,
        /// Events written into the outbox at once after each round's tickets (the relay's rate).
        #[arg(long, default_value_t = 5_000)]
        rows: usize,
    },
    /// Notification mail at a steady pace through `app-api worker` (the release binary beside
    /// this one) to a mail server of the run's own: commit-to-SMTP latency and the worker's CPU
    /// per mail.
    Mail {
        /// Replies a second, each one mail.
        #[arg(long, default_value_t = 20)]
        rate: u32,
        #[arg(long, default_value_t = 300)]
        seconds: u64,
        /// Customers, each with a ticket the replies go round.
        #[arg(long, default_value_t = 20)]
        customers: usize,
    },
    /// Email in: the corpus parsed on one core, and mail posted to `/v1/inbound/email` becoming
    /// tickets and messages (latency to visible, mails a second).
    MailIn {
        /// Customers, each opening a ticket by mail first.
        #[arg(long, default_value_t = 50)]
        customers: usize,
        /// Replies by mail to those tickets.
        #[arg(long, default_value_t = 2000)]
        mails: usize,
        /// Mails posted at once.
        #[arg(long, default_value_t = 8)]
        clients: usize,
    },
    /// The live stream with two replicas (`app-api serve`, the release binary beside this one,
    /// holds the streams): commit-to-frame latency, and idle streams' memory and connections.
    Live {
        /// Replies whose frames are timed.
        #[arg(long, default_value_t = 1000)]
        frames: usize,
        #[arg(long, default_value_t = 20)]
        rate: u32,
        /// Idle streams opened on the one replica.
        #[arg(long, default_value_t = 10_000)]
        idle: usize,
        /// Replica B's requests per minute per user (`RATE_LIMIT_USER_PER_MINUTE`); 0, the
        /// default, turns the limit off (one user sends all the load).
        #[arg(long, default_value_t = 0)]
        user_limit: u32,
    },
    /// Webhooks to receivers of this process: commit to first attempt, and deliveries a second
    /// to a fast receiver alone and beside a slow one (2 s answers).
    Webhooks {
        /// Tickets opened one after another for the latency.
        #[arg(long, default_value_t = 500)]
        tickets: usize,
        /// Tickets opened at once for the throughput.
        #[arg(long, default_value_t = 1000)]
        burst: usize,
    },
    /// Fills an existing tenant database with the tickets benchmark's data (tickets, threads,
    /// history, people in the mirror) and prints what the web benchmark needs, as JSON.
    SeedTickets {
        /// The tenant database, as a role that may write it.
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value_t = 100_000)]
        tickets: i32,
    },
    /// Bulk status of 100 tickets against 100 single requests; the data export of a customer
    /// with many tickets (time and peak memory) against one with a tenth of them.
    SavOps {
        #[arg(long, default_value_t = 10_000)]
        tickets: i64,
    },
    /// Many tenants on skewed traffic: ticket reads to tenants chosen by Zipf (s = 1.1), against
    /// the largest tenant alone and tenants chosen uniformly, on default pool settings.
    Zipf {
        #[arg(long, default_value_t = 1_000)]
        tenants: usize,
        /// Tickets of the largest tenant (the others fall as rank^-1.1, at least 3).
        #[arg(long, default_value_t = 3_000)]
        largest: i64,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// The replica's tenant connection budget before it is fitted to the server
        /// (`TENANT_POOLS_MAX_TOTAL_CONNECTIONS`; the default is app-api's).
        #[arg(long, default_value_t = 100)]
        budget: usize,
        /// Tenant pools kept at most (`TENANT_POOLS_MAX`; the default is app-api's).
        #[arg(long, default_value_t = 500)]
        pools: usize,
        /// Seconds between the outbox and SLA sweeps while the tenants are provisioned.
        #[arg(long, default_value_t = 2)]
        sweep_seconds: u64,
        /// Where the tenants are: `pooled` (the default) or `dedicated`.
        #[arg(long, default_value = "pooled", value_parser = placement)]
        placement: Mode,
    },
    /// Two tenants of one pool database: one downloads the CSV of its tickets over and over while
    /// the other reads its queue; the reads' p99 quiet and beside the export.
    Isolation {
        /// Tickets of the exporting tenant.
        #[arg(long, default_value_t = 100_000)]
        tickets: i32,
        /// Clients reading the other tenant's queue.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Help center search over published articles in two languages (p50, p99), and a public
    /// article page against `GET /health`.
    HelpCenter {
        #[arg(long, default_value_t = 10_000)]
        articles: usize,
        /// Searches of each kind, for each number of clients.
        #[arg(long, default_value_t = 500)]
        searches: usize,
        /// Page reads of each round.
        #[arg(long, default_value_t = 4_000)]
        pages: usize,
    },
    /// An agent's list of 50 under each agents' ticket access (all, teams, assigned), in
    /// alternating rounds on one tenant seeded with many tickets over ten teams.
    TicketAccess {
        /// Tickets seeded in the tenant.
        #[arg(long, default_value_t = 100_000)]
        tickets: usize,
        /// Lists each round reads under each access.
        #[arg(long, default_value_t = 2_000)]
        lists: usize,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Customer organisations: a customer's list before organisations against a member's own and
    /// a manager's and a sharing member's organisation list; registrations with a domain join
    /// against registrations without; in alternating rounds.
    CustomerOrganizations(organizations::Options),
    /// Ticket creation into a routed team against creation without a team, and routing decisions
    /// per second with 50 agents.
    Routing {
        /// Tickets each round creates, into the team and without one.
        #[arg(long, default_value_t = 1_000)]
        tickets: usize,
        /// Waiting tickets the team of 50 hands out.
        #[arg(long, default_value_t = 2_000)]
        queue: usize,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Rounds of each kind, alternating.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Ticket creation and the list of 50 under a business-hours SLA policy against 24/7, and
    /// the jobs recording the breaches of many overdue tickets under each.
    BusinessHours {
        /// Tickets each round creates in each tenant.
        #[arg(long, default_value_t = 1_000)]
        tickets: usize,
        /// Lists of 50 each round reads in each tenant.
        #[arg(long, default_value_t = 2_000)]
        lists: usize,
        /// Overdue tickets whose breaches the jobs record in each tenant.
        #[arg(long, default_value_t = 10_000)]
        overdue: usize,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
    /// Ticket creation and an agent's reply with 0, 50 and 200 enabled rules none of which
    /// matches and 200 of which 10 match, against the tenant without rules; and the jobs running
    /// the due timers of a time rule armed on every ticket of a seeded tenant, against a check
    /// with nothing due.
    Rules {
        /// Tickets each round creates (then answers) in each tenant.
        #[arg(long, default_value_t = 1_000)]
        tickets: usize,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Tickets seeded in the time rules' tenant, a timer on each.
        #[arg(long, default_value_t = 100_000)]
        seeded: i32,
        /// Timers due at the jobs' clock.
        #[arg(long, default_value_t = 1_000)]
        due: usize,
    },
    /// The ticket's answer with 20 people copied against none; a link whose child has a tree or a
    /// chain of descendants against a lone child (the cycle check walks them); a parent resolved
    /// with 0, 10 and 50 children in progress.
    Participants {
        /// Tickets read in each case (20 people copied, none).
        #[arg(long, default_value_t = 200)]
        tickets: usize,
        /// Reads of each case a round.
        #[arg(long, default_value_t = 4_000)]
        reads: usize,
        /// Clients of the reads (and of the setup's writes).
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Tickets below the linked child, in each shape (at most app-api's 5,000).
        #[arg(long, default_value_t = 1_000)]
        descendants: usize,
        /// Links (each undone) of each child a round.
        #[arg(long, default_value_t = 100)]
        links: usize,
        /// Parents resolved in each case a round.
        #[arg(long, default_value_t = 20)]
        resolves: usize,
    },
    /// Reports: the tickets CSV of a large tenant over the longest range (time to the first byte
    /// and to the end, rows a second, this process's resident memory), and the performance
    /// report of a smaller one by each grouping.
    Reports {
        /// Tickets of the CSV's tenant, created over the last 300 days.
        #[arg(long, default_value_t = 1_000_000)]
        csv_tickets: i32,
        /// Tickets of the performance report's tenant, likewise.
        #[arg(long, default_value_t = 100_000)]
        tickets: i32,
    },
    /// A macro applied (message, status, priority, assignment) against posting the same message
    /// alone: each a second at the same concurrency, and their latencies.
    Macros {
        /// Tickets each round acts on.
        #[arg(long, default_value_t = 1_000)]
        tickets: i64,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
    /// Upload throughput of 1 and 10 MiB files at 1 and 8 clients against direct PUTs to the
    /// same S3 server (TEST_S3_ENDPOINT), and resident memory during 8 concurrent 20 MiB uploads.
    Attachments {
        #[arg(long, default_value_t = 5)]
        files_per_client: usize,
    },
    /// control-api backup and restore-tenant: many small tenants, then one large one.
    Backup {
        #[arg(long, default_value_t = 200)]
        tenants: usize,
        #[arg(long, default_value_t = 100_000)]
        tickets: i32,
    },
    /// The SAV ticket endpoints on one tenant seeded with many tickets, and pgbench -S.
    Tickets {
        #[arg(long, default_value_t = 100_000)]
        tickets: i32,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Skip the one-client pass (the latency of a request without queueing).
        #[arg(long)]
        no_single_client: bool,
        /// Who sends the reads: tasks of this process, or wrk (`apt-get install wrk`).
        #[arg(long, value_enum, default_value = "in-process")]
        client: tickets::Client,
        /// Only the scenarios whose name contains this text (or one of several, comma-separated).
        #[arg(long)]
        only: Option<String>,
        /// Skip running each read's statement alone in pgbench.
        #[arg(long)]
        no_same_statement: bool,
        /// Keep the platform and the seeded tenant afterwards (to EXPLAIN queries on them).
        #[arg(long)]
        keep: bool,
        /// Run the platform with Redis (TEST_REDIS_URL), as deployed: reads are then tagged
        /// with the tenant's change version instead of a digest of their body.
        #[arg(long)]
        redis: bool,
        /// Memory for the answers kept (`ANSWER_CACHE_MB`; 0 keeps none). Answers are kept
        /// only with `--redis` (they are keyed by the change version).
        #[arg(long, default_value_t = 64)]
        answers_mb: u64,
        /// Instead of the endpoints: the ticket read's statement in pgbench whole and without
        /// each part the web console added, and the list's with and without the unread counts,
        /// in 3 interleaved rounds of --seconds each (merged tickets and files are seeded too).
        #[arg(long)]
        columns: bool,
    },
}

fn main() {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        match cli.command {
            Command::Signup { count, placement } => control::signup(count, placement).await,
            Command::Isolation { tickets, concurrency, seconds, rounds } => {
                isolation::run(&isolation::Options { tickets, concurrency, seconds, rounds }).await;
            }
            Command::MigrateTenants { tenants, concurrency, placement } => {
                control::migrate_tenants(tenants, concurrency, placement).await;
            }
            Command::AppMe { concurrency, seconds, budget, most_tenants } => {
                let scenarios = [
                    app::Scenario { tenants: 1, budget },
                    app::Scenario { tenants: 200.min(most_tenants), budget },
                    app::Scenario { tenants: most_tenants, budget },
                ];
                app::run(&scenarios, concurrency, std::time::Duration::from_secs(seconds)).await;
            }
            Command::SavOps { tickets } => sav_ops::run(tickets).await,
            Command::Macros { tickets, concurrency } => macros::run(tickets, concurrency).await,
            Command::CustomerOrganizations(options) => organizations::run(&options).await,
            Command::TicketAccess { tickets, lists, concurrency, rounds } => {
                ticket_access::run(tickets, lists, concurrency, rounds).await;
            }
            Command::Routing { tickets, queue, concurrency, rounds } => {
                routing::run(tickets, queue, concurrency, rounds).await;
            }
            Command::Queues { tickets, concurrency, rounds, rows } => {
                queues::run(&queues::Options { tickets, concurrency, rounds, rows }).await;
            }
            Command::HelpCenter { articles, searches, pages } => help_center::run(articles, searches, pages).await,
            Command::Rules { tickets, concurrency, seeded, due } => {
                rules::run(&rules::Options { tickets, concurrency, seeded, due }).await;
            }
            Command::Participants { tickets, reads, concurrency, descendants, links, resolves } => {
                let options = participants::Options { tickets, reads, concurrency, descendants, links, resolves };
                participants::run(&options).await;
            }
            Command::Reports { csv_tickets, tickets } => reports::run(&reports::Options { csv_tickets, tickets }).await,
            Command::BusinessHours { tickets, lists, overdue, concurrency } => {
                business_hours::run(tickets, lists, overdue, concurrency).await;
            }
            Command::Zipf { tenants, largest, concurrency, seconds, budget, pools, sweep_seconds, placement } => {
                let options =
                    zipf::Options { tenants, largest, concurrency, seconds, budget, pools, sweep_seconds, placement };
                zipf::run(&options).await;
            }
            Command::Attachments { files_per_client } => attachments::run(files_per_client).await,
            Command::Backup { tenants, tickets } => backups::run(tenants, tickets).await,
            Command::SeedTickets { database_url, tickets } => tickets::seed_existing(&database_url, tickets).await,
            Command::Live { frames, rate, idle, user_limit } => {
                live::run(&live::Options { frames, rate, idle, user_limit }).await;
            }
            Command::Webhooks { tickets, burst } => webhooks::run(&webhooks::Options { tickets, burst }).await,
            Command::MailIn { customers, mails, clients } => {
                mail_in::run(&mail_in::Options { customers, mails, clients }).await;
            }
            Command::Mail { rate, seconds, customers } => mail::run(&mail::Options { rate, seconds, customers }).await,
            Command::Events { tickets, gap_ms, rows, tenants, busy, placement } => {
                let gap = std::time::Duration::from_millis(gap_ms);
                events::run(&events::Options { tickets, gap, rows, tenants, busy, placement }).await;
            }
            Command::Tickets {
                tickets,
                concurrency,
                seconds,
                no_single_client,
                client,
                only,
                no_same_statement,
                keep,
                redis,
                answers_mb,
                columns,
            } => {
                let duration = std::time::Duration::from_secs(seconds);
                let (single_client, same_statement) = (!no_single_client, !no_same_statement);
                let options = tickets::Options {
                    tickets,
                    concurrency,
                    duration,
                    single_client,
                    client,
                    only,
                    same_statement,
                    keep,
                    redis: if redis { testkit::WithRedis::Yes } else { testkit::WithRedis::No },
                    answers_mb,
                    measure: if columns { tickets::Measure::Columns } else { tickets::Measure::Endpoints },
                };
                tickets::run(&options).await;
            }
        }
    });
}
