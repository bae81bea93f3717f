//! The statements app-api runs for the ticket reads, run by `pgbench` alone on the same tenant
//! database, with the same clients, duration and TLS: what the database does for each
//! endpoint without HTTP, tokens, JSON or the pool in between. The list and search statements
//! come from app-api's own builder (`listing::statement`) and the ticket read from its checked
//! query data (`app-api/.sqlx`), so they are the statements the service runs, not copies.

use std::fmt::Write as _;
use std::time::Duration;

use sav::ids::UserId;
use sav::tickets::access::Viewer;
use sav::tickets::listing::{self, Filter};
use sav::tickets::priority::Priority;
use sav::tickets::status::Status;
use shared::auth::Role;
use uuid::Uuid;

use crate::app::pgbench_binary;

/// What a read runs: its statements in order, each with the values of its parameters (`$1`,
/// `$2`, ... in order).
pub struct Statement {
    pub name: &'static str,
    /// The start of the name of the app-api scenario that runs it.
    pub scenario: String,
    pub parts: Vec<(String, Vec<Value>)>,
}

/// A parameter's value.
pub enum Value {
    Text(String),
    /// A ticket id drawn at random from the seeded ones on each run.
    RandomId,
    /// SQL `NULL` (written into the statement: `pgbench -D` cannot give one).
    Null,
}

fn text(value: &dyn std::fmt::Display) -> Value {
    Value::Text(value.to_string())
}

/// The statements behind one ticket, the plain list, the status and priority list, the thread of
/// `thread` (its ticket and its first page of messages), and two searches, for the tenant's
/// owner.
pub fn statements(owner: Uuid, thread: i64, searches: &[&str]) -> Vec<Statement> {
    let viewer = Viewer {
        id: UserId(owner),
        role: Role::Owner,
        access: sav::ticket_settings::AgentAccess::All,
        colleague: None,
    };
    let list = |filter: &Filter<'_>| listing::statement(viewer, filter, chrono::Utc::now()).sql().to_owned();
    let page = Filter { limit: 50, ..Filter::default() };
    let open_high = Filter {
        statuses: vec![Status::Open, Status::InProgress],
        priorities: vec![Priority::High],
        limit: 50,
        ..Filter::default()
    };
    let mut out = vec![
        Statement {
            name: "one ticket",
            scenario: "GET /v1/tickets/{random id}".into(),
            parts: vec![(
                checked_query(|sql| sql.contains("AS \"merged_from!\"") && sql.contains("WHERE t.id = $2")),
                vec![text(&owner), Value::RandomId],
            )],
        },
        Statement {
            name: "list of 50",
            scenario: "GET /v1/tickets?limit=50".into(),
            parts: vec![(list(&page), vec![text(&51)])],
        },
        Statement {
            name: "open and in progress, high, 50",
            scenario: "GET /v1/tickets?status=open,in_progress&priority=high&limit=50".into(),
            parts: vec![(list(&open_high), vec![text(&"{open,in_progress}"), text(&"{high}"), text(&51)])],
        },
        Statement {
            name: "thread of 20 (two statements)",
            scenario: "GET /v1/tickets/{id}/messages".into(),
            parts: vec![
                // `store::visible`, then `messages::page` (the read receipts are all set: the
                // owner read the thread during the warm-up, so no update follows).
                (
                    checked_query(|sql| {
                        sql.contains("AS \"viewer_role: Role\"")
                            && sql.contains("FROM support_tickets t WHERE t.id = $2")
                            && !sql.contains("FOR UPDATE")
                    }),
                    vec![text(&owner), text(&thread)],
                ),
                (
                    checked_query(|sql| sql.contains("FROM ticket_messages m") && sql.contains("LIMIT $5")),
                    vec![text(&thread), text(&true), Value::Null, Value::Null, text(&21)],
                ),
            ],
        },
    ];
    for q in searches {
        let filter = Filter { q: Some(q), limit: 50, ..Filter::default() };
        out.push(Statement {
            name: "search",
            scenario: format!("GET /v1/tickets?q={q}&"),
            parts: vec![(list(&filter), vec![text(&q), text(&51)])],
        });
    }
    out
}

/// The one query of the domain's checked query data (`sav/.sqlx`, where the ticket's reads are)
/// that `wanted` picks.
fn checked_query(wanted: impl Fn(&str) -> bool) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../sav/.sqlx");
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
    let mut found = entries.filter_map(Result::ok).filter_map(|entry| {
        let text = std::fs::read_to_string(entry.path()).ok()?;
        let data = serde_json::from_str::<serde_json::Value>(&text).ok()?;
        data["query"].as_str().filter(|sql| wanted(sql)).map(str::to_owned)
    });
    let sql = found.next().unwrap_or_else(|| panic!("no such query in {dir}"));
    assert!(found.next().is_none(), "more than one such query in {dir}");
    sql
}

/// `pgbench -M prepared` running `statement` with `clients` clients for `duration` on
/// `url`; returns transactions per second.
pub fn run(
    url: &str,
    statement: &Statement,
    ids: (i64, i64),
    clients: usize,
    duration: Duration,
) -> Result<f64, String> {
    let pgbench = pgbench_binary().ok_or("pgbench not found")?;
    let mut script = String::new();
    let mut args: Vec<String> = ["-n", "-M", "prepared", "-j", "2"].map(str::to_owned).to_vec();
    let mut statements = String::new();
    for (k, (sql, values)) in statement.parts.iter().enumerate() {
        let mut sql = sql.clone();
        // `$10` before `$1`: each placeholder becomes a pgbench variable `:sKpN` (or NULL).
        for (n, value) in values.iter().enumerate().rev() {
            let variable = format!("s{k}p{}", n + 1);
            let placeholder = format!("${}", n + 1);
            match value {
                Value::Text(value) => {
                    sql = sql.replace(&placeholder, &format!(":{variable}"));
                    args.extend(["-D".to_owned(), format!("{variable}={value}")]);
                }
                Value::RandomId => {
                    sql = sql.replace(&placeholder, &format!(":{variable}"));
                    let _ = writeln!(script, "\\set {variable} random({}, {})", ids.0, ids.1);
                }
                Value::Null => sql = sql.replace(&placeholder, "NULL"),
            }
        }
        // pgbench reads one statement per line.
        statements.push_str(&sql.split_whitespace().collect::<Vec<_>>().join(" "));
        statements.push_str(";\n");
    }
    script.push_str(&statements);
    let path = std::env::temp_dir().join(format!("helpdeskly-statement-{}.sql", std::process::id()));
    std::fs::write(&path, script).map_err(|e| format!("pgbench script: {e}"))?;
    args.extend(["-c".to_owned(), clients.to_string(), "-T".to_owned(), duration.as_secs().to_string()]);
    args.extend(["-f".to_owned(), path.display().to_string(), url.to_owned()]);
    let output = std::process::Command::new(pgbench).args(&args).output().map_err(|e| format!("pgbench: {e}"))?;
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&output.stdout);
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps"))
        .and_then(|l| l.split_once('=')?.1.split_whitespace().next()?.parse().ok());
    tps.ok_or_else(|| format!("pgbench -f {}: {text}{}", statement.name, String::from_utf8_lossy(&output.stderr)))
}
