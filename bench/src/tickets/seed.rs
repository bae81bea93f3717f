//! The seeded tenant of the tickets benchmark, written in SQL straight into the tenant database
//! as the superuser: 100,000 tickets through the API would take longer than the benchmark and
//! would measure the create endpoint, not the reads.
//!
//! The shape follows a helpdesk that has run for two years: ids grow with `created_at`; the
//! older a ticket, the likelier it is closed, so running tickets are few and recent (what the
//! status filters select); priorities, categories, assignees and customers are skewed as in
//! real queues; texts draw from a word list with Zipf-like frequencies (the 'simple' search
//! configuration keeps every word), so words range from everywhere to rare, and an order number
//! in a description is as selective as a real one.

use std::time::Instant;

use sqlx::PgConnection;
use uuid::Uuid;

/// Customers and agents in the tenant's `users` mirror.
pub const CUSTOMERS: i32 = 2_000;
pub const AGENTS: i32 = 25;
/// Messages in the thread the messages scenario reads.
pub const THREAD_MESSAGES: i32 = 20;
/// The seeded history spans two years.
const HISTORY_SECONDS: f64 = 730.0 * 86_400.0;

/// Words of support requests, most frequent first: a text draws word `k` (1-based) with a
/// probability of about `1/k`, so the first ones are in nearly every ticket and the last ones
/// in a few percent. Function words lead, as in real text.
/// The seeded tickets' tags, the most used first (`TICKETS_SQL`): the benchmark filters by the
/// first (common) and the last (rare).
pub const TAGS: &[&str] = &[
    "refund",
    "carrier-late",
    "damaged",
    "vip:gold",
    "resend",
    "missing-item",
    "wrong-size",
    "invoice",
    "warranty",
    "exchange",
    "chargeback",
    "address-change",
    "gift",
    "pre-order",
    "b2b",
    "duplicate",
    "fragile",
    "customs",
    "loyalty",
    "escalated",
];

/// Twenty shared views of the kinds a team keeps (`GET /v1/views/counts` counts them all): by
/// status, priority, SLA, tag, category, and every ticket.
pub const VIEWS: [&str; 20] = [
    r#"{"status": "open"}"#,
    r#"{"status": "in_progress"}"#,
    r#"{"status": "waiting_customer"}"#,
    r#"{"status": "resolved"}"#,
    r#"{"status": "closed"}"#,
    r#"{"unassigned": "true", "status": "open"}"#,
    r#"{"priority": "urgent", "status": ["open", "in_progress"]}"#,
    r#"{"priority": "high", "status": ["open", "in_progress"]}"#,
    r#"{"sla": "breached"}"#,
    r#"{"sla": "at_risk"}"#,
    r#"{"tag": "refund"}"#,
    r#"{"tag": "carrier-late", "status": ["open", "in_progress"]}"#,
    r#"{"tag_any": ["damaged", "missing-item"]}"#,
    r#"{"no_tag": "refund", "status": "open"}"#,
    r#"{"tag": "vip:gold", "status": ["open", "in_progress", "waiting_customer"]}"#,
    r#"{"tag": "escalated"}"#,
    r#"{"category": "shipping", "status": ["open", "in_progress"]}"#,
    r#"{"category": "billing"}"#,
    r#"{"category": "payment_failure", "status": "open"}"#,
    "{}",
];

/// Saves `VIEWS`, shared, as `owner`'s.
pub async fn views(db: &mut PgConnection, owner: Uuid) {
    for (n, filters) in VIEWS.iter().enumerate() {
        sqlx::query(
            "INSERT INTO ticket_views (id, owner_id, shared, name, filters, sort, created_at, updated_at)
             VALUES (gen_random_uuid(), $1, true, $2, $3::jsonb, 'newest', now(), now())",
        )
        .bind(owner)
        .bind(format!("View {n:02}"))
        .bind(filters)
        .execute(&mut *db)
        .await
        .expect("save a view");
    }
}

pub const WORDS: &[&str] = &[
    "the",
    "i",
    "to",
    "and",
    "my",
    "a",
    "is",
    "it",
    "of",
    "for",
    "not",
    "have",
    "this",
    "on",
    "was",
    "with",
    "but",
    "me",
    "you",
    "can",
    "in",
    "be",
    "at",
    "we",
    "no",
    "an",
    "order",
    "please",
    "received",
    "still",
    "help",
    "package",
    "delivery",
    "refund",
    "item",
    "account",
    "payment",
    "product",
    "days",
    "email",
    "thanks",
    "hello",
    "since",
    "week",
    "today",
    "problem",
    "issue",
    "number",
    "card",
    "tracking",
    "shipping",
    "address",
    "wrong",
    "return",
    "website",
    "cannot",
    "again",
    "money",
    "charged",
    "invoice",
    "size",
    "time",
    "asked",
    "answer",
    "late",
    "damaged",
    "customer",
    "service",
    "app",
    "login",
    "password",
    "update",
    "status",
    "box",
    "missing",
    "broken",
    "replacement",
    "exchange",
    "colour",
    "cancel",
    "subscription",
    "bank",
    "transfer",
    "paid",
    "twice",
    "code",
    "discount",
    "coupon",
    "price",
    "shop",
    "store",
    "courier",
    "parcel",
    "arrived",
    "never",
    "waiting",
    "reply",
    "urgent",
    "contact",
    "phone",
    "message",
    "error",
    "page",
    "loading",
    "checkout",
    "basket",
    "stock",
    "available",
    "label",
    "printed",
    "weeks",
    "month",
    "yesterday",
    "morning",
    "evening",
    "delivered",
    "neighbour",
    "door",
    "signature",
    "warranty",
    "repair",
    "screen",
    "battery",
    "charger",
    "cable",
    "manual",
    "instructions",
    "assembly",
    "part",
    "screws",
    "instead",
    "ordered",
    "different",
    "model",
    "version",
    "upgrade",
    "plan",
    "renewal",
    "expired",
    "reset",
    "link",
    "works",
    "working",
    "stopped",
    "crash",
    "slow",
    "photo",
    "attached",
    "picture",
    "receipt",
    "proof",
    "purchase",
    "gift",
    "wrapped",
    "voucher",
    "balance",
    "credit",
    "debit",
    "declined",
    "failed",
    "transaction",
    "pending",
    "authorised",
    "statement",
    "fraud",
    "suspicious",
    "locked",
    "blocked",
    "verification",
    "sms",
    "confirm",
    "confirmation",
    "unsubscribe",
    "newsletter",
    "spam",
    "privacy",
    "delete",
    "data",
    "personal",
    "gdpr",
    "request",
    "copy",
    "duplicate",
    "vat",
    "company",
    "business",
    "bulk",
    "wholesale",
    "quote",
    "estimate",
    "delay",
    "postponed",
    "holiday",
    "weekend",
    "express",
    "standard",
    "pickup",
    "point",
    "locker",
    "relay",
    "depot",
    "customs",
    "fees",
    "import",
    "abroad",
    "international",
    "country",
    "france",
    "belgium",
    "germany",
    "spain",
    "italy",
    "switzerland",
    "canada",
    "carrier",
    "colissimo",
    "chronopost",
    "dhl",
    "ups",
    "fedex",
    "gls",
    "mondial",
    "stolen",
    "lost",
    "opened",
    "empty",
    "crushed",
    "wet",
    "torn",
    "dented",
    "scratched",
    "cracked",
    "leaking",
    "smell",
    "quality",
    "disappointed",
    "unhappy",
    "angry",
    "complaint",
    "escalate",
    "manager",
    "supervisor",
    "lawyer",
    "review",
    "rating",
    "stars",
    "recommend",
    "satisfied",
    "happy",
    "great",
    "quick",
    "fast",
    "helpful",
    "polite",
    "rude",
    "ignored",
    "third",
    "fourth",
    "fifth",
    "reminder",
    "follow",
    "chasing",
    "deadline",
    "birthday",
    "wedding",
    "christmas",
    "present",
    "surprise",
    "child",
    "toy",
    "shoes",
    "jacket",
    "dress",
    "trousers",
    "shirt",
    "sweater",
    "coat",
    "bag",
    "wallet",
    "watch",
    "ring",
    "necklace",
    "earrings",
    "bracelet",
    "glasses",
    "sofa",
    "table",
    "chair",
    "lamp",
    "mattress",
    "pillow",
    "duvet",
    "curtains",
    "rug",
    "kettle",
    "toaster",
    "blender",
    "vacuum",
    "fridge",
    "oven",
    "washing",
    "machine",
    "dryer",
    "dishwasher",
    "printer",
    "laptop",
    "tablet",
    "headphones",
    "speaker",
    "camera",
    "television",
    "remote",
    "console",
    "controller",
    "keyboard",
    "mouse",
    "monitor",
    "router",
    "firmware",
    "bluetooth",
    "wifi",
    "pairing",
    "sync",
    "backup",
    "restore",
    "refurbished",
    "secondhand",
    "defective",
    "faulty",
    "overheating",
    "noise",
    "vibration",
    "allergy",
    "ingredients",
    "expiry",
    "fresh",
    "frozen",
    "melted",
    "spoiled",
    "organic",
    "vegan",
];

/// What the benchmark needs to know about the seeded tenant.
pub struct Seeded {
    pub first_id: i64,
    pub last_id: i64,
    /// The ticket with exactly [`THREAD_MESSAGES`] messages.
    pub thread_id: i64,
    pub customers: Vec<Uuid>,
    /// The agent holding the most tickets (the skew puts them first).
    pub busiest_agent: Uuid,
    /// An order number that appears in exactly one description: the rarest search.
    pub rare_order: i64,
    pub messages: i64,
    pub database_bytes: i64,
}

/// Seeds `tickets` tickets, their messages, the customers and agents, then vacuums and
/// analyzes so the planner and the visibility map see what a long-running tenant has.
pub async fn seed(db: &mut PgConnection, tickets: i32) -> Seeded {
    let started = Instant::now();
    users(db).await;

    let spacing = HISTORY_SECONDS / f64::from(tickets);
    sqlx::query(TICKETS_SQL)
        .bind(WORDS)
        .bind(tickets)
        .bind(spacing)
        .bind(TAGS)
        .execute(&mut *db)
        .await
        .expect("seed the tickets");
    println!("seeded {tickets} tickets in {:.1}s", started.elapsed().as_secs_f64());

    // The thread: the newest ticket being worked on, a conversation of exactly 20 messages
    // between its customer and its agent, two of them internal notes.
    let (thread_id,): (i64,) =
        sqlx::query_as("SELECT id FROM support_tickets WHERE status = 'in_progress' ORDER BY id DESC LIMIT 1")
            .fetch_one(&mut *db)
            .await
            .expect("an in-progress ticket");
    sqlx::query(THREAD_SQL)
        .bind(WORDS)
        .bind(thread_id)
        .bind(THREAD_MESSAGES)
        .execute(&mut *db)
        .await
        .expect("the thread");
    let started_history = Instant::now();
    sqlx::query(HISTORY_SQL).execute(&mut *db).await.expect("seed the history");
    println!("seeded the history in {:.1}s", started_history.elapsed().as_secs_f64());
    let started_messages = Instant::now();
    sqlx::query(MESSAGES_SQL).bind(WORDS).bind(thread_id).execute(&mut *db).await.expect("seed the messages");
    let messages: i64 =
        sqlx::query_scalar("SELECT count(*) FROM ticket_messages").fetch_one(&mut *db).await.expect("count");
    println!("seeded {messages} messages in {:.1}s", started_messages.elapsed().as_secs_f64());
    // The words of each thread, kept on the ticket for search as the message endpoint keeps them.
    let started_words = Instant::now();
    sqlx::query(THREAD_WORDS_SQL).execute(&mut *db).await.expect("the thread words");
    println!("kept the thread words on the tickets in {:.1}s", started_words.elapsed().as_secs_f64());

    let started_fields = Instant::now();
    for statement in FIELDS_SQL {
        sqlx::query(statement).execute(&mut *db).await.expect("seed the custom fields");
    }
    println!("seeded {FIELDS} custom fields and their values in {:.1}s", started_fields.elapsed().as_secs_f64());

    let vacuumed = Instant::now();
    for table in ["users", "support_tickets", "ticket_messages", "ticket_history", "ticket_field_ranges"] {
        sqlx::query(&format!("VACUUM (ANALYZE) {table}")).execute(&mut *db).await.expect("vacuum analyze");
    }
    println!("VACUUM (ANALYZE) in {:.1}s", vacuumed.elapsed().as_secs_f64());

    let (first_id, last_id): (i64, i64) =
        sqlx::query_as("SELECT min(id), max(id) FROM support_tickets").fetch_one(&mut *db).await.expect("ids");
    let customers: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM users WHERE role = 'customer' ORDER BY email")
        .fetch_all(&mut *db)
        .await
        .expect("customers");
    let busiest_agent: Uuid = sqlx::query_scalar(
        "SELECT assigned_to FROM support_tickets WHERE assigned_to IS NOT NULL
         GROUP BY assigned_to ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(&mut *db)
    .await
    .expect("an agent with tickets");
    let rare_order: i64 = sqlx::query_scalar(
        "SELECT order_id FROM support_tickets WHERE order_id IS NOT NULL
         GROUP BY order_id HAVING count(*) = 1 ORDER BY min(id) LIMIT 1 OFFSET 100",
    )
    .fetch_one(&mut *db)
    .await
    .expect("an order number of one ticket");
    let database_bytes: i64 =
        sqlx::query_scalar("SELECT pg_database_size(current_database())").fetch_one(&mut *db).await.expect("size");
    Seeded { first_id, last_id, thread_id, customers, busiest_agent, rare_order, messages, database_bytes }
}

/// [`CUSTOMERS`] customers and [`AGENTS`] agents in the tenant's `users` mirror.
async fn users(db: &mut PgConnection) {
    for (role, count) in [("customer", CUSTOMERS), ("agent", AGENTS)] {
        // One VIP customer in 40 (the VIP priority rule); names numbered so the order of the
        // arrays below, and so the skew, is stable.
        sqlx::query(
            "INSERT INTO users (id, email, firstname, lastname, role, vip)
             SELECT gen_random_uuid(), format('%s-%s@bench.example.org', $1::text, lpad(n::text, 5, '0')),
                    initcap($1::text), n::text, $1::text, $1::text = 'customer' AND n % 40 = 0
             FROM generate_series(1, $2) n",
        )
        .bind(role)
        .bind(count)
        .execute(&mut *db)
        .await
        .expect("seed the users mirror");
    }
}

/// The teams of the reports' tenant ([`reports`]); one ticket in ten has none.
pub const TEAMS: [&str; 5] = ["Shipping", "Billing", "Returns", "Technical", "VIP desk"];

/// What [`reports`] made.
pub struct ReportsSeeded {
    pub tickets: i64,
    pub teams: usize,
    pub ratings: i64,
    pub database_bytes: i64,
}

/// The tenant of the reports benchmark: the users of [`seed`], [`TEAMS`], and `tickets` tickets
/// of [`TICKETS_SQL`] created over the last `days` days, with what the reports read beyond
/// them (`REPORTS_COLUMNS`): a team on nine in ten, the working seconds to the first
/// response and the resolution (the wall time, as under the 24/7 default policy), reopenings on
/// about 6% of the resolved ones, two custom fields (`model`, a dropdown on 80%, and `refund`, a
/// number on 30%); a rating on a quarter of the resolved tickets, skewed to 5. No messages nor
/// history (no report reads them). Then `VACUUM (ANALYZE)`.
pub async fn reports(db: &mut PgConnection, tickets: i32, days: u32) -> ReportsSeeded {
    let started = Instant::now();
    // The statement is costed high enough for JIT, whose compilation takes seconds here.
    sqlx::query("SET jit = off").execute(&mut *db).await.expect("jit off");
    users(db).await;
    let teams: Vec<Uuid> = TEAMS.iter().map(|_| Uuid::now_v7()).collect();
    sqlx::query(
        "INSERT INTO teams (id, name, assignment) SELECT id, name, 'manual' FROM unnest($1::uuid[], $2::text[]) AS t (id, name)",
    )
    .bind(&teams)
    .bind(TEAMS)
    .execute(&mut *db)
    .await
    .expect("the teams");
    sqlx::query(
        r#"INSERT INTO ticket_fields (key, label_en, kind, options, position) VALUES
           ('model', 'Model', 'dropdown',
            '[{"value": "kettle", "label": {"en": "Kettle"}}, {"value": "toaster", "label": {"en": "Toaster"}},
              {"value": "blender", "label": {"en": "Blender"}}, {"value": "mixer", "label": {"en": "Mixer"}}]', 0),
           ('refund', 'Refund', 'number', '[]', 1)"#,
    )
    .execute(&mut *db)
    .await
    .expect("the custom fields");
    let (columns, values) = REPORTS_COLUMNS;
    let statement = TICKETS_SQL
        .replacen("created_at, updated_at, tags)", &format!("created_at, updated_at, tags, {columns})"), 1)
        .replacen("\nFROM finished\nORDER BY g", &format!(",\n{values}\nFROM finished\nORDER BY g"), 1);
    assert!(statement.contains(columns) && statement.contains(values), "TICKETS_SQL changed shape");
    let spacing = f64::from(days) * 86_400.0 / f64::from(tickets);
    sqlx::query(&statement)
        .bind(WORDS)
        .bind(tickets)
        .bind(spacing)
        .bind(TAGS)
        .bind(&teams)
        .execute(&mut *db)
        .await
        .expect("seed the tickets");
    println!("  seeded {tickets} tickets over {days} days in {:.1}s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    sqlx::raw_sql(
        "INSERT INTO ticket_field_ranges (key, value, ticket_id)
         SELECT 'refund', (fields ->> 'refund')::float8, id FROM support_tickets WHERE fields ? 'refund';
         INSERT INTO satisfaction_ratings (ticket_id, resolved_at, user_id, agent_id, rating, created_at)
         SELECT id, resolved_at, user_id, assigned_to,
                CASE (id / 4) % 10 WHEN 0 THEN 1 WHEN 1 THEN 2 WHEN 2 THEN 3 WHEN 3 THEN 4 WHEN 4 THEN 4 ELSE 5 END,
                least(now(), resolved_at + interval '3 hours')
         FROM support_tickets WHERE resolved_at IS NOT NULL AND id % 4 = 0",
    )
    .execute(&mut *db)
    .await
    .expect("the field ranges and ratings");
    for table in ["users", "teams", "support_tickets", "ticket_field_ranges", "satisfaction_ratings"] {
        sqlx::query(&format!("VACUUM (ANALYZE) {table}")).execute(&mut *db).await.expect("vacuum analyze");
    }
    println!("  ratings, field ranges and VACUUM (ANALYZE) in {:.1}s", started.elapsed().as_secs_f64());
    let (count, ratings, database_bytes): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM support_tickets), (SELECT count(*) FROM satisfaction_ratings),
                pg_database_size(current_database())",
    )
    .fetch_one(&mut *db)
    .await
    .expect("count");
    ReportsSeeded { tickets: count, teams: teams.len(), ratings, database_bytes }
}

/// The columns [`reports`] adds to [`TICKETS_SQL`]'s, and their values (`$5` the teams), drawn
/// from the ticket's number `g` and its instants.
const REPORTS_COLUMNS: (&str, &str) = (
    "team_id, first_response_business_seconds, resolution_business_seconds, reopens, fields",
    r"       CASE WHEN g % 10 = 0 THEN NULL ELSE ($5::uuid[])[(1 + (g::bigint * 7919) % cardinality($5::uuid[]))::integer] END,
       greatest(0, floor(extract(epoch FROM first_response_at - created_at)))::integer,
       greatest(0, floor(extract(epoch FROM resolved_at - created_at)))::integer,
       CASE WHEN resolved_at IS NOT NULL AND g % 17 = 0 THEN 1 + (g % 3 = 0)::integer ELSE 0 END,
       jsonb_strip_nulls(jsonb_build_object(
           'model', CASE ((g::bigint * 2654435761) >> 20) % 10 WHEN 0 THEN 'toaster' WHEN 1 THEN 'blender' WHEN 2 THEN 'mixer'
                                                                  WHEN 3 THEN NULL WHEN 4 THEN NULL ELSE 'kettle' END,
           'refund', CASE WHEN ((g::bigint * 2654435761) >> 24) % 10 < 3 THEN (g * 37) % 500 END))",
);

/// How many tickets each search finds for staff: its subject, description or any message of
/// its thread matches, as `websearch_to_tsquery` reads the query. Counted from the texts
/// themselves, in one pass, so it does not depend on how app-api indexes them.
pub async fn matches(db: &mut PgConnection, queries: &[String]) -> Vec<i64> {
    sqlx::query_scalar(
        "WITH documents AS MATERIALIZED (
             SELECT to_tsvector('simple', t.subject || ' ' || t.description || ' ' || coalesce(m.thread, '')) AS words
             FROM support_tickets t
             LEFT JOIN (SELECT ticket_id, string_agg(message, ' ') AS thread FROM ticket_messages GROUP BY ticket_id) m
                    ON m.ticket_id = t.id)
         SELECT (SELECT count(*) FROM documents WHERE words @@ websearch_to_tsquery('simple', q.query))
         FROM unnest($1::text[]) WITH ORDINALITY AS q(query, n)
         ORDER BY q.n",
    )
    .bind(queries)
    .fetch_all(db)
    .await
    .expect("count matches")
}

/// The custom fields defined (the most a tenant may hold).
pub const FIELDS: i32 = 100;

/// A hundred custom fields and the tickets' values (`FIELDS_SQL`): `model` (a dropdown on 80% of
/// the tickets, `kettle` on half of them, `grill` on about 1%), `refund` (a number on 30%, 0 to
/// 499), `bought` (a date on 60%), `gift` (a checkbox on 40%), and 96 others of every type, six
/// of them set on each ticket; the number and date values again in the range table, as the write
/// path keeps them.
const FIELDS_SQL: [&str; 3] = [
    r"
INSERT INTO ticket_fields (key, label_en, kind, options, position)
SELECT key, initcap(replace(key, '_', ' ')), kind,
       CASE WHEN kind IN ('dropdown', 'multiselect')
            THEN (SELECT jsonb_agg(jsonb_build_object('value', o, 'label', jsonb_build_object('en', initcap(o))))
                  FROM unnest(CASE WHEN key = 'model' THEN ARRAY['kettle', 'toaster', 'blender', 'mixer', 'grill']
                                   ELSE ARRAY['a', 'b', 'c', 'd', 'e'] END) AS o)
            ELSE '[]'::jsonb END,
       n
FROM (SELECT n, CASE n WHEN 0 THEN 'model' WHEN 1 THEN 'refund' WHEN 2 THEN 'bought' WHEN 3 THEN 'gift'
                       ELSE 'f_' || lpad(n::text, 3, '0') END AS key,
             CASE n WHEN 0 THEN 'dropdown' WHEN 1 THEN 'number' WHEN 2 THEN 'date' WHEN 3 THEN 'checkbox'
                    ELSE (ARRAY['text', 'number', 'date', 'checkbox', 'dropdown', 'multiselect'])[1 + n % 6] END AS kind
      FROM generate_series(0, 99) n) AS defined",
    r"
UPDATE support_tickets t SET fields = v.fields
FROM (SELECT id, jsonb_strip_nulls(jsonb_build_object(
          'model', CASE WHEN r1 < 0.40 THEN 'kettle' WHEN r1 < 0.55 THEN 'toaster' WHEN r1 < 0.70 THEN 'blender'
                        WHEN r1 < 0.79 THEN 'mixer' WHEN r1 < 0.80 THEN 'grill' END,
          'refund', CASE WHEN r2 < 0.30 THEN floor(r2 / 0.30 * 500)::int END,
          'bought', CASE WHEN r3 < 0.60 THEN to_char(created_at - make_interval(days => floor(r3 * 600)::int), 'YYYY-MM-DD') END,
          'gift', CASE WHEN r4 < 0.40 THEN r4 < 0.20 END))
        || (SELECT coalesce(jsonb_object_agg('f_' || lpad(k::text, 3, '0'),
                CASE k % 6 WHEN 0 THEN to_jsonb('note ' || (k * id % 1000)) WHEN 1 THEN to_jsonb(k * id % 1000)
                           WHEN 2 THEN to_jsonb(to_char(date '2025-01-01' + (k * id % 700)::int, 'YYYY-MM-DD'))
                           WHEN 3 THEN to_jsonb((k + id) % 2 = 0) WHEN 4 THEN to_jsonb(chr(97 + (k * id % 5)::int))
                           ELSE jsonb_build_array(chr(97 + (k * id % 5)::int)) END), '{}'::jsonb)
            FROM (SELECT DISTINCT 4 + (id * 7919 + j * 104729) % 96 AS k FROM generate_series(1, 6) j) AS ks) AS fields
      FROM (SELECT id, created_at, random() AS r1, random() AS r2, random() AS r3, random() AS r4
            FROM support_tickets OFFSET 0) AS drawn) AS v
WHERE t.id = v.id",
    r"
INSERT INTO ticket_field_ranges (key, value, ticket_id)
SELECT e.key, CASE f.kind WHEN 'number' THEN (e.value #>> '{}')::float8
                          ELSE ((e.value #>> '{}')::date - date '1970-01-01')::float8 END, t.id
FROM support_tickets t CROSS JOIN LATERAL jsonb_each(t.fields) AS e
JOIN ticket_fields f ON f.key = e.key AND f.kind IN ('number', 'date')",
];

/// `$1` the words, `$2` how many tickets, `$3` seconds between two tickets, `$4` the tags (the
/// first the most used: half the tickets have none, the others one to three drawn with a skew
/// toward the start of the list). Every random draw is
/// a column of `draws` (`OFFSET 0` keeps it a subquery, so each draw is made once per row).
/// Status follows age: most tickets older than two weeks are closed.
const TICKETS_SQL: &str = r"
WITH people AS (
    SELECT (SELECT array_agg(id ORDER BY email) FROM users WHERE role = 'customer') AS customers,
           (SELECT array_agg(id ORDER BY email) FROM users WHERE role = 'agent') AS agents
),
draws AS (
    SELECT g, make_interval(secs => ($2 - g + random()) * $3) AS age,
           random() AS r_status, random() AS r_priority, random() AS r_category, random() AS r_unassigned,
           random() AS r_agent, random() AS r_customer, random() AS r_order, random() AS r_response,
           random() AS r_resolution, random() AS r_tags
    FROM generate_series(1, $2) g
    OFFSET 0
),
aged AS (
    SELECT d.*, now() - d.age AS created_at,
           CASE WHEN d.age < interval '2 days' THEN
                    CASE WHEN r_status < 0.45 THEN 'open' WHEN r_status < 0.80 THEN 'in_progress'
                         WHEN r_status < 0.95 THEN 'waiting_customer' ELSE 'resolved' END
                WHEN d.age < interval '14 days' THEN
                    CASE WHEN r_status < 0.08 THEN 'open' WHEN r_status < 0.30 THEN 'in_progress'
                         WHEN r_status < 0.45 THEN 'waiting_customer' WHEN r_status < 0.65 THEN 'resolved'
                         ELSE 'closed' END
                ELSE CASE WHEN r_status < 0.004 THEN 'open' WHEN r_status < 0.010 THEN 'in_progress'
                          ELSE 'closed' END
           END AS status,
           CASE WHEN r_category < 0.30 THEN 'shipping' WHEN r_category < 0.48 THEN 'billing'
                WHEN r_category < 0.66 THEN 'product' WHEN r_category < 0.78 THEN 'returns'
                WHEN r_category < 0.86 THEN 'account' WHEN r_category < 0.91 THEN 'technical'
                WHEN r_category < 0.95 THEN 'payment_failure' END AS category
    FROM draws d
),
shaped AS (
    SELECT a.*,
           CASE WHEN category = 'payment_failure' THEN 'urgent' WHEN r_priority < 0.20 THEN 'low'
                WHEN r_priority < 0.70 THEN 'medium' WHEN r_priority < 0.92 THEN 'high' ELSE 'urgent' END AS priority,
           -- Open tickets wait in the queue; a few are closed straight from it (duplicates).
           CASE WHEN status = 'open' OR (status = 'closed' AND r_unassigned < 0.08) THEN NULL
                ELSE p.agents[1 + floor(power(r_agent, 1.3) * cardinality(p.agents))::int] END AS assigned_to,
           p.customers[1 + floor(power(r_customer, 2) * cardinality(p.customers))::int] AS user_id,
           CASE WHEN r_order < 0.4 THEN 1000000 + floor(r_order / 0.4 * 9000000)::bigint END AS order_id,
           CASE WHEN status <> 'open'
                THEN least(now(), created_at + make_interval(secs => 300 + r_response * 21600)) END AS first_response_at,
           CASE WHEN status = 'resolved' OR (status = 'closed' AND r_unassigned >= 0.08)
                THEN least(now(), created_at + make_interval(secs => 7200 + r_resolution * 259200)) END AS resolved_at
    FROM aged a CROSS JOIN people p
),
finished AS (
    SELECT s.*, CASE WHEN status = 'closed'
                     THEN least(now(), coalesce(resolved_at + interval '1 day', created_at + interval '1 hour')) END AS closed_at
    FROM shaped s
)
INSERT INTO support_tickets (ticket_number, user_id, subject, description, priority, status, category, assigned_to,
                             order_id, response_due_at, resolution_due_at, first_response_at, resolved_at, closed_at,
                             created_at, updated_at, tags)
SELECT -- A bijection of g onto 40 bits (odd multiplier), in the 32 letters of ticket numbers.
       'TKT-' || (SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ',
                                           ((((g * 2654435761) % 1099511627776) >> (5 * i)) & 31)::int + 1, 1),
                                    '' ORDER BY i DESC)
                  FROM generate_series(0, 7) i),
       user_id,
       (SELECT string_agg($1[floor(exp(random() * ln(cardinality($1) + 1)))::int], ' ')
        FROM generate_series(1, 3 + g % 6)),
       (SELECT string_agg($1[floor(exp(random() * ln(cardinality($1) + 1)))::int], ' ')
        FROM generate_series(1, 15 + g % 46)) || coalesce(' order #' || order_id, ''),
       priority, status, category, assigned_to, order_id,
       created_at + CASE priority WHEN 'low' THEN interval '48 hours' WHEN 'medium' THEN interval '24 hours'
                                  WHEN 'high' THEN interval '4 hours' ELSE interval '1 hour' END,
       created_at + CASE priority WHEN 'low' THEN interval '7 days' WHEN 'medium' THEN interval '3 days'
                                  WHEN 'high' THEN interval '1 day' ELSE interval '4 hours' END,
       first_response_at, resolved_at, closed_at, created_at,
       greatest(created_at, first_response_at, resolved_at, closed_at),
       CASE WHEN r_tags < 0.5 THEN '{}'::text[]
            ELSE ARRAY(SELECT DISTINCT $4[1 + floor(power(random(), 3) * cardinality($4))::int]
                       FROM generate_series(1, 1 + g % 3) ORDER BY 1) END
FROM finished
ORDER BY g";

/// The history each ticket's status implies (the SLA clock of `GET /v1/tickets/{id}` reads it):
/// created; assigned, which moves it to in progress; waiting for the customer; resolved; closed
/// (by the system a day after resolution, or straight from the queue).
const HISTORY_SQL: &str = r"
INSERT INTO ticket_history (ticket_id, actor_id, actor_kind, action, from_status, to_status, changes, created_at)
SELECT t.id, h.actor_id, h.actor_kind, h.action, h.from_status, h.to_status, h.changes, h.at
FROM support_tickets t
CROSS JOIN LATERAL (VALUES
    (1, t.user_id, 'customer', 'created', NULL, 'open',
     jsonb_build_object('priority', jsonb_build_array(NULL, t.priority)), t.created_at, true),
    (2, t.assigned_to, 'agent', 'assigned', 'open', 'in_progress',
     jsonb_build_object('assigned_to', jsonb_build_array(NULL, t.assigned_to)), t.first_response_at,
     t.assigned_to IS NOT NULL),
    (3, t.assigned_to, 'agent', 'status_changed', 'in_progress', 'waiting_customer', '{}'::jsonb,
     t.first_response_at + interval '1 minute', t.status = 'waiting_customer'),
    (4, t.assigned_to, 'agent', 'status_changed', 'in_progress', 'resolved', '{}'::jsonb, t.resolved_at,
     t.resolved_at IS NOT NULL),
    (5, NULL, 'system', 'status_changed', CASE WHEN t.resolved_at IS NULL THEN 'open' ELSE 'resolved' END, 'closed',
     '{}'::jsonb, t.closed_at, t.status = 'closed')
) AS h(step, actor_id, actor_kind, action, from_status, to_status, changes, at, happened)
WHERE h.happened
ORDER BY t.id, h.step";

/// The words of each thread, without positions: every message for staff, public ones for
/// customers (as `POST /v1/tickets/{id}/messages` appends them).
const THREAD_WORDS_SQL: &str = r"
UPDATE support_tickets t
SET thread_staff = strip(to_tsvector('simple', m.every)),
    thread_public = strip(to_tsvector('simple', coalesce(m.public, '')))
FROM (SELECT ticket_id, string_agg(message, ' ') AS every,
             string_agg(message, ' ') FILTER (WHERE NOT is_internal) AS public
      FROM ticket_messages GROUP BY ticket_id) AS m
WHERE m.ticket_id = t.id";

/// `$1` the words, `$2` the ticket, `$3` how many messages: customer and agent in turn, the 6th
/// and 14th internal notes; the customer's are unread, as when an agent opens the thread.
const THREAD_SQL: &str = r"
INSERT INTO ticket_messages (ticket_id, sender_id, sender_type, message, is_internal, read_at, created_at, updated_at)
SELECT t.id,
       CASE WHEN m % 2 = 1 THEN t.user_id ELSE t.assigned_to END,
       CASE WHEN m % 2 = 1 THEN 'customer' ELSE 'agent' END,
       (SELECT string_agg($1[floor(exp(random() * ln(cardinality($1) + 1)))::int], ' ')
        FROM generate_series(1, 10 + (m * 7) % 30)),
       m IN (6, 14),
       NULL,
       least(now(), t.created_at + make_interval(mins => 2 * m)),
       least(now(), t.created_at + make_interval(mins => 2 * m))
FROM support_tickets t CROSS JOIN generate_series(1, $3) m
WHERE t.id = $2
ORDER BY m";

/// `$1` the words, `$2` the thread ticket (left alone). Open tickets have at most the
/// customer's follow-up, the others one to four messages, customer and agent in turn, some
/// agent messages internal notes; the last message of a running ticket is unread.
const MESSAGES_SQL: &str = r"
INSERT INTO ticket_messages (ticket_id, sender_id, sender_type, message, is_internal, read_at, created_at, updated_at)
SELECT t.id,
       CASE WHEN m % 2 = 1 THEN t.user_id ELSE t.assigned_to END,
       CASE WHEN m % 2 = 1 THEN 'customer' ELSE 'agent' END,
       (SELECT string_agg($1[floor(exp(random() * ln(cardinality($1) + 1)))::int], ' ')
        FROM generate_series(1, 8 + (t.id + m) % 23)),
       m % 2 = 0 AND (t.id + m) % 7 = 0,
       CASE WHEN m = c.n AND t.status IN ('open', 'in_progress', 'waiting_customer') THEN NULL
            ELSE least(now(), t.created_at + make_interval(hours => 2 * m + 1)) END,
       least(now(), t.created_at + make_interval(hours => 2 * m)),
       least(now(), t.created_at + make_interval(hours => 2 * m))
FROM support_tickets t
CROSS JOIN LATERAL (SELECT CASE WHEN t.status = 'open' OR t.assigned_to IS NULL THEN (t.id % 2)::int
                                ELSE 1 + (t.id % 4)::int END AS n) c
CROSS JOIN LATERAL generate_series(1, c.n) m
WHERE t.id <> $2
ORDER BY t.id, m";

/// What [`web_parts`] added.
pub struct WebParts {
    /// Tickets merged into another, and the tickets they were merged into.
    pub merged: i64,
    pub merge_targets: i64,
    /// Files of the tickets themselves, on how many tickets; files of messages.
    pub ticket_files: i64,
    pub tickets_with_files: i64,
    pub message_files: i64,
    /// An assigned ticket with tickets merged into it and files of its own: every part of the
    /// ticket read has something to return for it.
    pub every_part: i64,
}

/// The data the parts the web console added to the ticket read return, which [`seed`] leaves
/// empty: merged tickets and attachments. For the columns run only (`tickets --columns`): the
/// other scenarios read the seeded tenant as it was measured before. The tickets closed
/// straight from the queue (the duplicates, about 8% of closed ones) are merged into their
/// customer's previous ticket; one ticket in eight has one or two files of its own, one message
/// in twenty a file. Then `VACUUM (ANALYZE)` again.
pub async fn web_parts(db: &mut PgConnection) -> WebParts {
    let started = Instant::now();
    sqlx::query(MERGES_SQL).execute(&mut *db).await.expect("merge the duplicates");
    // Each file its own stored object, counted in the tenant's storage as an upload counts it.
    sqlx::raw_sql(FILES_SQL).execute(&mut *db).await.expect("the files to attach");
    sqlx::raw_sql(
        "INSERT INTO stored_objects (file_path, byte_size) SELECT file_path, file_size FROM bench_files;
         INSERT INTO ticket_attachments (ticket_id, message_id, original_name, filename, file_path, mime_type,
                                         file_size, uploaded_by, is_internal, created_at, updated_at)
         SELECT ticket_id, message_id, original_name, filename, file_path, mime_type, file_size, uploaded_by,
                is_internal, created_at, created_at
         FROM bench_files ORDER BY ticket_id, message_id NULLS FIRST;
         UPDATE storage_usage SET bytes_used = bytes_used + f.added_bytes, objects = objects + f.added
         FROM (SELECT sum(file_size) AS added_bytes, count(*) AS added FROM bench_files) f;
         DROP TABLE bench_files",
    )
    .execute(&mut *db)
    .await
    .expect("attach the files");
    for table in ["support_tickets", "ticket_attachments", "stored_objects"] {
        sqlx::query(&format!("VACUUM (ANALYZE) {table}")).execute(&mut *db).await.expect("vacuum analyze");
    }
    let (merged, merge_targets, ticket_files, tickets_with_files, message_files): (i64, i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT (SELECT count(*) FROM support_tickets WHERE merged_into IS NOT NULL),
                    (SELECT count(DISTINCT merged_into) FROM support_tickets),
                    (SELECT count(*) FROM ticket_attachments WHERE message_id IS NULL),
                    (SELECT count(DISTINCT ticket_id) FROM ticket_attachments WHERE message_id IS NULL),
                    (SELECT count(*) FROM ticket_attachments WHERE message_id IS NOT NULL)",
        )
        .fetch_one(&mut *db)
        .await
        .expect("count the parts");
    let every_part: i64 = sqlx::query_scalar(
        "SELECT t.id FROM support_tickets t
         WHERE t.assigned_to IS NOT NULL
           AND EXISTS (SELECT 1 FROM support_tickets s WHERE s.merged_into = t.id)
           AND EXISTS (SELECT 1 FROM ticket_attachments a WHERE a.ticket_id = t.id AND a.message_id IS NULL)
         ORDER BY t.id DESC LIMIT 1",
    )
    .fetch_one(&mut *db)
    .await
    .expect("a ticket with every part");
    println!("merged tickets and attached files in {:.1}s", started.elapsed().as_secs_f64());
    WebParts { merged, merge_targets, ticket_files, tickets_with_files, message_files, every_part }
}

/// Each duplicate (closed from the queue, never assigned) merged into the customer's previous
/// ticket that is not a duplicate itself.
const MERGES_SQL: &str = r"
UPDATE support_tickets d
SET merged_into = (SELECT k.id FROM support_tickets k
                   WHERE k.user_id = d.user_id AND k.id < d.id AND NOT (k.status = 'closed' AND k.assigned_to IS NULL)
                   ORDER BY k.id DESC LIMIT 1)
WHERE d.status = 'closed' AND d.assigned_to IS NULL";

/// The files: one or two of the ticket's own on one ticket in eight (the customer's, sent with
/// the request), one on one message in twenty (the sender's, internal with an internal note);
/// each its own object, of 20 KB to 3 MB.
const FILES_SQL: &str = r"
CREATE TEMP TABLE bench_files AS
SELECT f.*, format('bench/%s/%s/%s', f.ticket_id, coalesce(f.message_id, 0), f.n) AS file_path,
       20000 + (f.ticket_id * 7919 + coalesce(f.message_id, 0) * 104729 + f.n * 31) % 2980000 AS file_size
FROM (
    SELECT t.id AS ticket_id, NULL::bigint AS message_id, n, t.user_id AS uploaded_by, false AS is_internal,
           t.created_at,
           CASE WHEN n = 1 THEN 'photo.jpg' ELSE 'receipt.pdf' END AS original_name,
           CASE WHEN n = 1 THEN 'photo.jpg' ELSE 'receipt.pdf' END AS filename,
           CASE WHEN n = 1 THEN 'image/jpeg' ELSE 'application/pdf' END AS mime_type
    FROM support_tickets t CROSS JOIN LATERAL generate_series(1, 1 + (t.id % 3 = 0)::int) n
    WHERE t.id % 8 = 3
    UNION ALL
    SELECT m.ticket_id, m.id, 1, m.sender_id, m.is_internal, m.created_at, 'screenshot.png', 'screenshot.png',
           'image/png'
    FROM ticket_messages m
    WHERE m.id % 20 = 7
) f";
