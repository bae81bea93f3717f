//! The statements app-api runs for the ticket reads, run by `pgbench` alone on the same tenant
//! database, with the same clients, duration and TLS: what the database does for each
//! endpoint without HTTP, tokens, JSON or the pool in between. The list and search statements
//! come from app-api's own builder (`listing::statement`) and the ticket read from its checked
//! query data (`app-api/.sqlx`), so they are the statements the service runs, not copies.

use std::fmt::Write as _;
use std::time::Duration;

use app_api::sav::tickets::access::Viewer;
use app_api::sav::tickets::listing::{self, Filter};
use app_api::sav::tickets::priority::Priority;
use app_api::sav::tickets::status::Status;
use shared::auth::Role;
use uuid::Uuid;

use crate::app::pgbench_binary;

/// A statement and the values of its parameters (`$1`, `$2`, ... in order); `None` for the
/// ticket id, drawn at random from `ids` on each run.
pub struct Statement {
    pub name: &'static str,
    /// The start of the name of the app-api scenario that runs it.
    pub scenario: String,
    pub sql: String,
    pub values: Vec<Option<String>>,
}

/// The statements behind one ticket, the plain list, the status and priority list, and two
/// searches, for the tenant's owner.
pub fn statements(owner: Uuid, searches: &[&str]) -> Vec<Statement> {
    let viewer = Viewer { id: owner, role: Role::Owner };
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
            sql: ticket_detail_sql(),
            values: vec![Some(owner.to_string()), None],
        },
        Statement {
            name: "list of 50",
            scenario: "GET /v1/tickets?limit=50".into(),
            sql: list(&page),
            values: vec![Some("51".into())],
        },
        Statement {
            name: "open and in progress, high, 50",
            scenario: "GET /v1/tickets?status=open,in_progress&priority=high&limit=50".into(),
            sql: list(&open_high),
            values: vec![Some("{open,in_progress}".into()), Some("{high}".into()), Some("51".into())],
        },
    ];
    for q in searches {
        let filter = Filter { q: Some(q), limit: 50, ..Filter::default() };
        out.push(Statement {
            name: "search",
            scenario: format!("GET /v1/tickets?q={q}&"),
            sql: list(&filter),
            values: vec![Some((*q).to_owned()), Some("51".into())],
        });
    }
    out
}

/// The query behind `GET /v1/tickets/{id}` (`store::detail`), from app-api's query data.
fn ticket_detail_sql() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../app-api/.sqlx");
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
    for entry in entries.filter_map(Result::ok) {
        let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
        let Ok(data) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        let sql = data["query"].as_str().unwrap_or_default();
        if sql.contains("AS \"merged_from!\"") && sql.contains("WHERE t.id = $2") {
            return sql.to_owned();
        }
    }
    panic!("no ticket detail query in {dir}")
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
    let mut sql = statement.sql.clone();
    // `$10` before `$1`: each placeholder becomes a pgbench variable `:pN`.
    for n in (1..=statement.values.len()).rev() {
        sql = sql.replace(&format!("${n}"), &format!(":p{n}"));
    }
    let mut args: Vec<String> = ["-n", "-M", "prepared", "-j", "2"].map(str::to_owned).to_vec();
    for (i, value) in statement.values.iter().enumerate() {
        match value {
            Some(value) => args.extend(["-D".to_owned(), format!("p{}={value}", i + 1)]),
            None => {
                let _ = writeln!(script, "\\set p{} random({}, {})", i + 1, ids.0, ids.1);
            }
        }
    }
    // pgbench reads one statement per line.
    script.push_str(&sql.split_whitespace().collect::<Vec<_>>().join(" "));
    script.push_str(";\n");
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
