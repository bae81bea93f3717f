//! What each part the web console added to the ticket hot path costs the database (issue 31):
//! the ticket read's statement (`store::detail`) run by `pgbench -M prepared` whole, with each
//! of those parts taken out on its own and with all of them out, and the list's statement with
//! and without the unread counts. The statements are `same_statement`'s, so the ones the service
//! runs, with the same clients and TLS; a part is taken out by editing the statement's text (an
//! expression becomes a typed NULL; a join goes, and its columns become typed NULLs so the row
//! keeps its shape).
//!
//! On a shared machine a rate moves by 10-15% from one run to the next, more than most parts
//! cost: the variants run interleaved, each once a round, the order turned by a third each round,
//! and each is compared with the whole statement's median over the same rounds.

use std::fmt::Write as _;
use std::time::Duration;

use sqlx::{PgConnection, Row as _, ValueRef as _};
use uuid::Uuid;

use super::same_statement::{self, Statement, Value};

/// Rounds; each runs every variant once.
pub const ROUNDS: usize = 3;
const WARM_UP: Duration = Duration::from_secs(2);

/// One change to a statement's text (whitespace collapsed): `from` must occur exactly once.
enum Edit {
    Replace {
        from: &'static str,
        to: &'static str,
    },
    /// From the one occurrence of `start` to the end of the first `end` after it, inclusive.
    Span {
        start: &'static str,
        end: &'static str,
        to: &'static str,
    },
}

/// A part of a statement, how it is taken out, and the result columns it fills.
struct Part {
    name: &'static str,
    edits: &'static [Edit],
    /// Text no longer in the statement once the part is out.
    gone: &'static str,
    columns: &'static [&'static str],
}

const MERGED_FROM: Part = Part {
    name: "`merged_from`",
    edits: &[Edit::Replace {
        from: "ARRAY(SELECT s.id FROM support_tickets s WHERE s.merged_into = t.id ORDER BY s.id)",
        to: "NULL::bigint[]",
    }],
    gone: "s.merged_into",
    columns: &["merged_from!"],
};

const ATTACHMENTS: Part = Part {
    name: "`attachments` (the ticket's own files)",
    edits: &[Edit::Span {
        start: "(SELECT coalesce(json_agg(",
        end: "FROM ticket_attachments a WHERE a.ticket_id = t.id AND a.message_id IS NULL)",
        to: "NULL::json",
    }],
    gone: "ticket_attachments",
    columns: &["attachments!: Json<Vec<AttachmentSummary>>"],
};

const CUSTOMER: Part = Part {
    name: "the customer (`LEFT JOIN users cu`, 5 columns)",
    edits: &[
        Edit::Replace { from: "LEFT JOIN users cu ON cu.id = t.user_id ", to: "" },
        Edit::Replace { from: "cu.id AS", to: "NULL::uuid AS" },
        Edit::Replace { from: "cu.firstname AS", to: "NULL::text AS" },
        Edit::Replace { from: "cu.lastname AS", to: "NULL::text AS" },
        Edit::Replace { from: "cu.email AS", to: "NULL::text AS" },
        Edit::Replace { from: "cu.vip AS", to: "NULL::boolean AS" },
    ],
    gone: "cu.",
    columns: &["customer_id?", "customer_firstname?", "customer_lastname?", "customer_email?", "customer_vip?"],
};

const ASSIGNEE: Part = Part {
    name: "the assignee (`LEFT JOIN users au`, 3 columns)",
    edits: &[
        Edit::Replace { from: "LEFT JOIN users au ON au.id = t.assigned_to ", to: "" },
        Edit::Replace { from: "au.id AS", to: "NULL::uuid AS" },
        Edit::Replace { from: "au.firstname AS", to: "NULL::text AS" },
        Edit::Replace { from: "au.lastname AS", to: "NULL::text AS" },
    ],
    gone: "au.",
    columns: &["assignee_id?", "assignee_firstname?", "assignee_lastname?"],
};

const UNREAD: Part = Part {
    name: "the unread counts (2 stored columns)",
    edits: &[Edit::Replace {
        from: "t.unread_from_agent, t.unread_from_customer",
        to: "NULL::integer AS unread_from_agent, NULL::integer AS unread_from_customer",
    }],
    gone: "t.unread_from",
    columns: &["unread_from_agent", "unread_from_customer"],
};

const DETAIL_PARTS: [Part; 5] = [MERGED_FROM, ATTACHMENTS, CUSTOMER, ASSIGNEE, UNREAD];

/// A statement to run: whole, or with parts taken out.
pub struct Variant {
    /// The statement it is, and what is taken out ("nothing" for the whole statement).
    pub statement: &'static str,
    pub out: String,
    /// The variant's index of the whole statement it is compared with.
    pub whole: usize,
    run: Statement,
    /// The columns the parts taken out filled (NULL in this variant).
    emptied: Vec<&'static str>,
    /// The columns of the parts still in.
    kept: Vec<&'static str>,
}

/// The ticket read whole, without each web part on its own and without all of them; the list
/// of 50 whole and without the unread counts. `same_statement::statements` gives the statements
/// and their parameters, as the owner `owner` runs them.
pub fn variants(owner: Uuid) -> Vec<Variant> {
    let mut statements = same_statement::statements(owner, 0, &[]);
    let mut take = |name: &str| {
        let at = statements.iter().position(|s| s.name == name).unwrap_or_else(|| panic!("no statement {name}"));
        let mut statement = statements.remove(at);
        assert_eq!(statement.parts.len(), 1, "{name} is one statement");
        let (sql, values) = statement.parts.remove(0);
        (sql.split_whitespace().collect::<Vec<_>>().join(" "), values)
    };
    let (detail, detail_values) = take("one ticket");
    let (list, list_values) = take("list of 50");
    let every_column = |parts: &[&Part]| parts.iter().flat_map(|p| p.columns.iter().copied()).collect::<Vec<_>>();

    let ticket_values = || detail_values.iter().map(copy).collect::<Vec<_>>();
    let mut out = Vec::new();
    let mut push =
        |statement: &'static str, whole: usize, sql: String, values: Vec<Value>, parts: &[&Part], all: &[&Part]| {
            let out_name = match parts {
                [] => "nothing".to_owned(),
                [part] => part.name.to_owned(),
                _ => format!("all {} parts", parts.len()),
            };
            let kept: Vec<&Part> = all.iter().copied().filter(|p| !parts.iter().any(|q| q.name == p.name)).collect();
            out.push(Variant {
                statement,
                out: out_name,
                whole,
                run: Statement { name: statement, scenario: String::new(), parts: vec![(sql, values)] },
                emptied: every_column(parts),
                kept: every_column(&kept),
            });
        };
    let all: Vec<&Part> = DETAIL_PARTS.iter().collect();
    push("one ticket", 0, detail.clone(), ticket_values(), &[], &all);
    for part in &DETAIL_PARTS {
        push("one ticket", 0, without(&detail, &[part]), ticket_values(), &[part], &all);
    }
    push("one ticket", 0, without(&detail, &all), ticket_values(), &all, &all);
    let list_whole = DETAIL_PARTS.len() + 2;
    let page_values = || list_values.iter().map(copy).collect::<Vec<_>>();
    push("list of 50", list_whole, list.clone(), page_values(), &[], &[&UNREAD]);
    push("list of 50", list_whole, without(&list, &[&UNREAD]), page_values(), &[&UNREAD], &[&UNREAD]);
    out
}

impl Variant {
    fn label(&self) -> String {
        format!("{}, taken out: {}", self.statement, self.out)
    }
}

fn copy(value: &Value) -> Value {
    match value {
        Value::Text(text) => Value::Text(text.clone()),
        Value::RandomId => Value::RandomId,
        Value::Null => Value::Null,
    }
}

/// `sql` with `parts` taken out; panics unless each edit finds its text and the part is gone.
fn without(sql: &str, parts: &[&Part]) -> String {
    let mut sql = sql.to_owned();
    for part in parts {
        for edit in part.edits {
            let before = sql.clone();
            sql = match *edit {
                Edit::Replace { from, to } => {
                    assert_eq!(sql.matches(from).count(), 1, "`{from}` once in the statement: {sql}");
                    sql.replacen(from, to, 1)
                }
                Edit::Span { start, end, to } => {
                    assert_eq!(sql.matches(start).count(), 1, "`{start}` once in the statement: {sql}");
                    let from = sql.find(start).expect("counted");
                    let length = sql[from..].find(end).unwrap_or_else(|| panic!("`{end}` after `{start}`: {sql}"));
                    format!("{}{to}{}", &sql[..from], &sql[from + length + end.len()..])
                }
            };
            assert_ne!(sql, before, "taking out {} changed nothing", part.name);
        }
        assert!(!sql.contains(part.gone), "{} still in the statement: {sql}", part.name);
    }
    sql
}

/// Runs each variant once on `db` before the load: it must run, return what the whole
/// statement returns for ticket `probe` (which has every part), and NULL where its parts were.
pub async fn check(db: &mut PgConnection, variants: &[Variant], probe: i64) {
    for variant in variants {
        let (sql, values) = &variant.run.parts[0];
        let mut query = sqlx::query(sql);
        for value in values {
            query = match value {
                Value::Text(text) => match text.parse::<i64>() {
                    Ok(number) => query.bind(number),
                    Err(_) => query.bind(text.parse::<Uuid>().expect("a number or a user id")),
                },
                Value::RandomId => query.bind(probe),
                Value::Null => query.bind(None::<i64>),
            };
        }
        let rows = query.fetch_all(&mut *db).await.unwrap_or_else(|e| panic!("{}: {e}\n{sql}", variant.label()));
        assert!(!rows.is_empty(), "{}: no row", variant.label());
        for row in &rows {
            let null = |column: &str| row.try_get_raw(column).unwrap_or_else(|e| panic!("{column}: {e}")).is_null();
            for column in &variant.emptied {
                assert!(null(column), "{}: {column} is not NULL", variant.label());
            }
            for column in &variant.kept {
                assert!(!null(column), "{}: {column} is NULL", variant.label());
            }
        }
        if variant.out == "nothing" && variant.statement == "one ticket" {
            // The probe's parts are not empty, so the whole statement reads them.
            let row = &rows[0];
            let merged: Vec<i64> = row.try_get("merged_from!").expect("merged_from");
            let files: serde_json::Value = row.try_get(ATTACHMENTS.columns[0]).expect("attachments");
            assert!(!merged.is_empty(), "ticket {probe} has tickets merged into it");
            assert!(files.as_array().is_some_and(|a| !a.is_empty()), "ticket {probe} has files: {files}");
        }
    }
}

/// `ROUNDS` rounds of every variant on `url` (the seeded tenant database), `clients` clients
/// and `duration` each; the Markdown table of the medians.
pub fn table(url: &str, variants: &[Variant], ids: (i64, i64), clients: usize, duration: Duration) -> String {
    // The tenant's pages into the caches before the first measured run.
    for whole in variants.iter().filter(|v| v.out == "nothing") {
        let _ = same_statement::run(url, &whole.run, ids, clients, WARM_UP);
    }
    let mut tps: Vec<Vec<f64>> = variants.iter().map(|_| Vec::new()).collect();
    let mut failures: Vec<Option<String>> = variants.iter().map(|_| None).collect();
    for round in 0..ROUNDS {
        println!("round {} of {ROUNDS}, load average {}", round + 1, load_average());
        // Each round starts a third further on, so no variant always runs first or after the same one.
        let start = round * variants.len() / ROUNDS;
        for k in (0..variants.len()).map(|k| (k + start) % variants.len()) {
            let variant = &variants[k];
            match same_statement::run(url, &variant.run, ids, clients, duration) {
                Ok(rate) => {
                    println!("  {}: {rate:.0} tps", variant.label());
                    tps[k].push(rate);
                }
                Err(why) => {
                    println!("  {}: failed: {why}", variant.label());
                    failures[k] = Some(why);
                }
            }
        }
    }
    println!("load average after the rounds {}", load_average());

    let medians: Vec<Option<f64>> = tps.iter().map(|rates| median(rates)).collect();
    let mut out = format!(
        "\n| statement | taken out | tps, median of {ROUNDS} | lowest to highest | of the whole statement |\n|---|---|---:|---:|---:|\n"
    );
    for (k, variant) in variants.iter().enumerate() {
        let (Some(rate), None) = (medians[k], &failures[k]) else {
            let why = failures[k].as_deref().unwrap_or("no run");
            let _ = writeln!(
                out,
                "| {} | {} | failed: {} | | |",
                variant.statement,
                variant.out,
                why.lines().next().unwrap_or("")
            );
            continue;
        };
        let low = tps[k].iter().copied().fold(f64::INFINITY, f64::min);
        let high = tps[k].iter().copied().fold(0.0, f64::max);
        let ratio =
            medians[variant.whole].map_or_else(|| "-".to_owned(), |whole| format!("{:.1}%", 100.0 * rate / whole));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} to {} | {ratio} |",
            variant.statement,
            variant.out,
            thousands(rate),
            thousands(low),
            thousands(high)
        );
    }
    out
}

fn median(rates: &[f64]) -> Option<f64> {
    let mut sorted = rates.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some(f64::midpoint(sorted[n / 2 - 1], sorted[n / 2])),
    }
}

/// A rate rounded to a whole number, with thousands separated by commas (BENCHMARKS.md's style).
fn thousands(rate: f64) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "a rate of transactions")]
    let digits = (rate.round() as u64).to_string();
    let mut out = String::new();
    for (k, digit) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The 1, 5 and 15 minute load averages (`/proc/loadavg`): how quiet the shared machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map_or_else(|_| "unknown".to_owned(), |text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}
