//! Every ticket of a range as CSV (RFC 4180: CRLF, a header row, quotes doubled), read through
//! a server-side cursor a batch at a time, so a report of any size holds one batch in memory.
//! Cells a spreadsheet would run as a formula are neutralised (OWASP, CSV injection).

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{FromRow, PgConnection, Postgres, QueryBuilder};

use super::range::Range;
use crate::tickets::access::Viewer;
use crate::tickets::badge;
use crate::tickets::fields::{Field, Kind};
use crate::tickets::listing::{self, Filter};

/// Rows read per round trip.
pub const BATCH: i64 = 1_000;

/// The cursor's name, in the transaction that declares it.
const CURSOR: &str = "tickets_csv";

/// The columns before and after the custom fields'.
const HEAD: [&str; 9] =
    ["number", "subject", "status", "priority", "team", "assignee", "customer_email", "organization", "tags"];
const TAIL: [&str; 10] = [
    "created_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "first_response_minutes",
    "first_response_business_minutes",
    "resolution_minutes",
    "resolution_business_minutes",
    "sla_met",
    "csat",
];

/// A ticket as the CSV shows it.
#[derive(Debug, FromRow)]
pub struct Line {
    pub ticket_number: String,
    pub subject: String,
    pub status: String,
    pub priority: String,
    pub team: Option<String>,
    pub assignee: Option<String>,
    pub customer_email: String,
    /// The ticket's customer organisation's name.
    pub organization: Option<String>,
    pub tags: Vec<String>,
    pub fields: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub first_response_minutes: Option<i64>,
    pub first_response_business_minutes: Option<i64>,
    pub resolution_minutes: Option<i64>,
    pub resolution_business_minutes: Option<i64>,
    /// No target missed (`false`: one was); `None` while a target is still undecided.
    pub sla_met: Option<bool>,
    /// The latest rating.
    pub csat: Option<i16>,
}

/// Opens the cursor over the tickets `viewer` may see created in `range` that match `filter`,
/// oldest first, in the read-only REPEATABLE READ transaction the caller began on `conn` (every
/// batch reads the same snapshot).
pub async fn open(
    conn: &mut PgConnection,
    viewer: Viewer,
    range: &Range,
    filter: &Filter<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    // Compiling the cursor's plan took seconds before the first row (`performance`).
    sqlx::query("SET LOCAL jit = off").execute(&mut *conn).await?;
    let mut query = QueryBuilder::<Postgres>::new(format!("DECLARE {CURSOR} NO SCROLL CURSOR FOR "));
    query.push(
        "SELECT t.ticket_number, t.subject, t.status, t.priority, tm.name AS team, a.email AS assignee,
            c.email AS customer_email, o.name AS organization, t.tags, t.fields, t.created_at, t.first_response_at, t.resolved_at, t.closed_at,
            floor(extract(epoch FROM t.first_response_at - t.created_at) / 60)::bigint AS first_response_minutes,
            (t.first_response_business_seconds / 60)::bigint AS first_response_business_minutes,
            floor(extract(epoch FROM t.resolved_at - t.created_at) / 60)::bigint AS resolution_minutes,
            (t.resolution_business_seconds / 60)::bigint AS resolution_business_minutes,
            CASE WHEN ",
    );
    badge::Sql { now }.push_breached(&mut query);
    query.push(
        " THEN false WHEN t.status IN ('resolved', 'closed') THEN true END AS sla_met,
            (SELECT s.rating FROM satisfaction_ratings s WHERE s.ticket_id = t.id ORDER BY s.resolved_at DESC LIMIT 1) AS csat
         FROM support_tickets t
         JOIN users c ON c.id = t.user_id
         LEFT JOIN users a ON a.id = t.assigned_to
         LEFT JOIN teams tm ON tm.id = t.team_id
         LEFT JOIN organizations o ON o.id = t.organization_id
         WHERE t.created_at >= ",
    );
    query.push_bind(range.from).push(" AND t.created_at < ").push_bind(range.to);
    listing::push_conditions(&mut query, viewer, filter, now);
    query.push(" ORDER BY t.created_at, t.id");
    query.build().persistent(false).execute(conn).await.map(drop)
}

/// The next batch of the cursor `open` declared (empty at its end).
pub async fn next(conn: &mut PgConnection) -> sqlx::Result<Vec<Line>> {
    sqlx::query_as(&format!("FETCH FORWARD {BATCH} FROM {CURSOR}")).persistent(false).fetch_all(conn).await
}

/// Writes CSV records into a buffer, with the columns of `fields` (in their order) between the
/// ticket's own and its measures.
pub struct Writer<'a> {
    fields: &'a [Field],
    out: csv::Writer<Vec<u8>>,
}

impl<'a> Writer<'a> {
    pub fn new(fields: &'a [Field]) -> Self {
        Self { fields, out: buffer() }
    }

    /// The header row: `field.KEY` for each custom field.
    pub fn header(&mut self) {
        let fields = self.fields.iter().map(|field| format!("field.{}", field.key));
        let names: Vec<String> =
            HEAD.iter().map(|s| (*s).to_owned()).chain(fields).chain(TAIL.map(str::to_owned)).collect();
        self.record(names);
    }

    pub fn line(&mut self, line: &Line) {
        let time =
            |at: Option<DateTime<Utc>>| at.map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true)).unwrap_or_default();
        let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        let mut cells = vec![
            line.ticket_number.clone(),
            line.subject.clone(),
            line.status.clone(),
            line.priority.clone(),
            line.team.clone().unwrap_or_default(),
            line.assignee.clone().unwrap_or_default(),
            line.customer_email.clone(),
            line.organization.clone().unwrap_or_default(),
            line.tags.join(";"),
        ];
        cells.extend(self.fields.iter().map(|field| value_cell(field, line.fields.get(&field.key))));
        cells.extend([
            time(Some(line.created_at)),
            time(line.first_response_at),
            time(line.resolved_at),
            time(line.closed_at),
            number(line.first_response_minutes),
            number(line.first_response_business_minutes),
            number(line.resolution_minutes),
            number(line.resolution_business_minutes),
            line.sla_met.map(|met| met.to_string()).unwrap_or_default(),
            line.csat.map(|rating| rating.to_string()).unwrap_or_default(),
        ]);
        self.record(cells);
    }

    fn record(&mut self, cells: Vec<String>) {
        let cells = cells.into_iter().map(neutralised);
        self.out.write_record(cells).expect("writing to memory cannot fail");
    }

    /// What was written since the last call.
    pub fn take(&mut self) -> Vec<u8> {
        let full = std::mem::replace(&mut self.out, buffer());
        full.into_inner().expect("writing to memory cannot fail")
    }
}

fn buffer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new())
}

/// A custom field's value as a cell: a multi-select's values joined with `;`, a checkbox
/// `true`/`false`, the others as written.
fn value_cell(field: &Field, value: Option<&serde_json::Value>) -> String {
    match (field.kind, value) {
        (_, None | Some(serde_json::Value::Null)) => String::new(),
        (Kind::Multiselect, Some(serde_json::Value::Array(values))) => {
            values.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)).collect::<Vec<_>>().join(";")
        }
        (_, Some(serde_json::Value::String(text))) => text.clone(),
        (_, Some(other)) => other.to_string(),
    }
}

/// `cell`, prefixed with `'` when a spreadsheet would read it as a formula (it starts with `=`,
/// `+`, `-`, `@`, a tab or a carriage return).
pub fn neutralised(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_nothing_else_is() {
        for formula in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"] {
            assert_eq!(neutralised(formula.to_owned()), format!("'{formula}"));
        }
        for plain in ["hello", "1-2", " =1", "", "a=b", "'quoted"] {
            assert_eq!(neutralised(plain.to_owned()), plain);
        }
    }

    #[test]
    fn records_end_in_crlf_and_quote_what_needs_it() {
        let mut writer = Writer::new(&[]);
        writer.record(vec!["a,b".into(), "say \"hi\"".into(), "two\nlines".into(), "plain".into()]);
        let text = String::from_utf8(writer.take()).unwrap();
        assert_eq!(text, "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",plain\r\n");
        assert!(writer.take().is_empty());
    }
}
