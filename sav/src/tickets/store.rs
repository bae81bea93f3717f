//! Tickets in the tenant database: the one ticket a caller may see (with the row lock for a
//! change, or with its SLA changes and unread counts for reading), new tickets and their
//! changes (the list with its filters is `listing`). Functions take the connection (or the handler's
//! transaction) they run on; the handler owns the transaction.

use base::Role;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;
use sqlx::{FromRow, PgConnection};
use utoipa::ToSchema;

use super::access::Viewer;
use super::messages::{AttachmentSummary, Channel};
use super::priority::Priority;
use super::refusal::Refused;
use super::sla::{self, Answers, Change, Hours, SlaState, Targets};
use super::sla_by_condition::{self, Facts, OrganizationFact};
use super::sla_default;
use super::status::Status;
use crate::ids::{OrganizationId, ScheduleId, TeamId, TicketId, UserId};
use crate::schedules::business::Schedule;
use crate::schedules::{self, Interval};
use crate::ticket_settings::AgentAccess;

/// A support ticket.
#[derive(Debug, Clone, Serialize, ToSchema, FromRow)]
pub struct Ticket {
    #[schema(value_type = i64)]
    pub id: TicketId,
    /// `TKT-` and the tenant's count (`TKT-1`, `TKT-2`, ...), unique within the tenant and never
    /// reused; tickets made before the count began keep `TKT-` and eight letters or digits.
    pub ticket_number: String,
    /// The customer the ticket is about.
    #[schema(value_type = Uuid)]
    pub user_id: UserId,
    /// That customer, named (absent once their account is erased).
    #[sqlx(json(nullable))]
    pub requester: Option<Requester>,
    /// Where it came from.
    pub channel: Channel,
    pub subject: String,
    /// Sanitised HTML.
    pub description: String,
    pub priority: Priority,
    pub status: Status,
    pub category: Option<String>,
    #[schema(value_type = Option<Uuid>)]
    pub assigned_to: Option<UserId>,
    /// The team whose queue it is in (`sav::teams`).
    #[schema(value_type = Option<Uuid>)]
    pub team_id: Option<TeamId>,
    /// The customer organisation it belongs to (`sav::organizations`): its requester's primary
    /// when it was made, or another of theirs; kept when they leave it.
    #[schema(value_type = Option<Uuid>)]
    pub organization_id: Option<OrganizationId>,
    /// Sorted, distinct, at most 20 (`tags`); staff only: a customer is shown none.
    pub tags: Vec<String>,
    /// Its custom fields' values, `{key: value}`, set ones only (`fields`); a customer is shown
    /// those visible to customers.
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    /// Since when it waits in its team's queue (open, in a team).
    #[serde(skip)]
    pub queued_at: Option<DateTime<Utc>>,
    pub order_id: Option<i64>,
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    #[serde(skip)]
    pub response_due_at: DateTime<Utc>,
    #[serde(skip)]
    pub resolution_due_at: DateTime<Utc>,
    /// When each target turns at risk: three quarters of it run on the ticket's clock (`sla`).
    #[serde(skip)]
    pub response_risk_at: DateTime<Utc>,
    #[serde(skip)]
    pub resolution_risk_at: DateTime<Utc>,
    #[serde(skip)]
    pub first_response_at: Option<DateTime<Utc>>,
    /// When the jobs found each target missed; never cleared (`badge`).
    #[serde(skip)]
    pub response_breached_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub resolution_breached_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When the ticket closes on its own if nothing happens first: set while it waits for the
    /// customer or is resolved, from the auto-close delays of its SLA policy version.
    pub auto_close_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The version of the tenant's SLA policy the ticket was created under, which holds its
    /// targets whatever its priority becomes (`sla_default`).
    #[serde(skip)]
    pub sla_version_id: i64,
    /// What applied when its clock last changed (`sla_by_condition`): the policy by condition's
    /// name, schedule and targets for its priority; all `None` for the versioned default.
    #[serde(skip)]
    pub sla_policy: Option<String>,
    #[serde(skip)]
    pub sla_schedule_id: Option<ScheduleId>,
    #[serde(skip)]
    pub sla_response_minutes: Option<i32>,
    #[serde(skip)]
    pub sla_next_response_minutes: Option<i32>,
    #[serde(skip)]
    pub sla_resolution_minutes: Option<i32>,
    /// Since when a customer message waits for the next public staff reply (a next-response
    /// round), and, under a policy with a next-response target, when it is due and at risk.
    #[serde(skip)]
    pub next_response_since: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub next_response_due_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub next_response_risk_at: Option<DateTime<Utc>>,
    /// When the jobs found the running round missed; the rounds missed in all.
    #[serde(skip)]
    pub next_response_breached_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub next_response_breaches: i32,
    /// The working time from creation to the first public staff reply and to the resolution, in
    /// the hours of the policy that applied then (`refresh_sla`): what the reports count.
    #[serde(skip)]
    pub first_response_business_seconds: Option<i32>,
    #[serde(skip)]
    pub resolution_business_seconds: Option<i32>,
    /// How many times it left `resolved` for a running status.
    #[serde(skip)]
    pub reopens: i32,
}

/// The customer a ticket is about, as its JSON names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[schema(as = TicketRequester)]
pub struct Requester {
    #[schema(value_type = Uuid)]
    pub id: UserId,
    pub email: String,
    pub firstname: String,
    pub lastname: String,
}

impl Ticket {
    /// The targets its clock counts, when a policy by condition applied (`None`: its version's).
    pub fn policy_targets(&self) -> Option<Targets> {
        Some(Targets {
            response_minutes: self.sla_response_minutes?,
            resolution_minutes: self.sla_resolution_minutes?,
            next_response_minutes: self.sla_next_response_minutes,
        })
    }
}

/// The one list of a ticket's columns, over `support_tickets t`, which every read of a `Ticket`
/// selects, in pieces: each piece's SQL, and the type a checked query reads its last column as.
/// `ticket_sql!(columns)` is the list as the statements built at run time select it (`COLUMNS`,
/// read by `Ticket`'s `FromRow`); `ticket_sql!(query HEAD, TAIL, args...)` is the checked
/// `sqlx::query!` of `HEAD`, the list with its types, and `TAIL`, whose record `ticket_of!`
/// reads (the query macros take a concatenation of literals, so the list is handed to them as
/// such; the caller has `Channel`, `Priority` and `Status` in scope).
macro_rules! ticket_sql {
    (@with [columns] $([$sql:literal $($type:literal)?])*) => {
        concat!($($sql),*)
    };
    (@with [query $head:literal, $tail:literal $(, $arg:expr)* $(,)?] $([$sql:literal $($type:literal)?])*) => {
        ::sqlx::query!($head $(+ $sql $(+ $type)?)* + $tail $(, $arg)*)
    };
    ($($what:tt)*) => {
        $crate::tickets::store::ticket_sql!(@with [$($what)*]
            ["t.id, t.ticket_number, t.user_id, t.subject, t.description, t.priority" r#" AS "priority: Priority""#]
            [", t.status" r#" AS "status: Status""#]
            [", t.channel" r#" AS "channel: Channel""#]
            [", (SELECT jsonb_build_object('id', u.id, 'email', u.email, 'firstname', u.firstname, 'lastname', u.lastname) \
                AS requester FROM users u WHERE u.id = t.user_id)"]
            [", t.category, t.assigned_to, t.team_id, t.organization_id, t.order_id, t.metadata, t.response_due_at, t.resolution_due_at, \
              t.response_risk_at, t.resolution_risk_at, t.first_response_at, t.response_breached_at, t.resolution_breached_at, t.resolved_at, t.closed_at, \
              t.auto_close_at, t.created_at, t.updated_at, t.sla_version_id, t.queued_at, t.tags, t.fields, \
              t.sla_policy, t.sla_schedule_id, t.sla_response_minutes, t.sla_next_response_minutes, t.sla_resolution_minutes, \
              t.next_response_since, t.next_response_due_at, t.next_response_risk_at, t.next_response_breached_at, \
              t.next_response_breaches, t.first_response_business_seconds, t.resolution_business_seconds, t.reopens"])
    };
}
pub(crate) use ticket_sql;

/// A ticket's columns over `support_tickets t`, for statements built at run time (`ticket_sql!`).
pub const COLUMNS: &str = ticket_sql!(columns);

/// The `Ticket` in the record of a checked query of its columns (`ticket_sql!`), alone or along
/// with others (each such query has a record type of its own).
macro_rules! ticket_of {
    ($row:ident) => {
        Ticket {
            id: $crate::ids::TicketId($row.id),
            ticket_number: $row.ticket_number,
            user_id: $crate::ids::UserId($row.user_id),
            requester: $row.requester.and_then(|json| ::serde_json::from_value(json).ok()),
            channel: $row.channel,
            subject: $row.subject,
            description: $row.description,
            priority: $row.priority,
            status: $row.status,
            category: $row.category,
            assigned_to: $row.assigned_to.map($crate::ids::UserId),
            team_id: $row.team_id.map($crate::ids::TeamId),
            organization_id: $row.organization_id.map($crate::ids::OrganizationId),
            tags: $row.tags,
            fields: $row.fields,
            order_id: $row.order_id,
            metadata: $row.metadata,
            response_due_at: $row.response_due_at,
            resolution_due_at: $row.resolution_due_at,
            response_risk_at: $row.response_risk_at,
            resolution_risk_at: $row.resolution_risk_at,
            first_response_at: $row.first_response_at,
            response_breached_at: $row.response_breached_at,
            resolution_breached_at: $row.resolution_breached_at,
            resolved_at: $row.resolved_at,
            closed_at: $row.closed_at,
            auto_close_at: $row.auto_close_at,
            created_at: $row.created_at,
            updated_at: $row.updated_at,
            sla_version_id: $row.sla_version_id,
            queued_at: $row.queued_at,
            sla_policy: $row.sla_policy,
            sla_schedule_id: $row.sla_schedule_id.map($crate::ids::ScheduleId),
            sla_response_minutes: $row.sla_response_minutes,
            sla_next_response_minutes: $row.sla_next_response_minutes,
            sla_resolution_minutes: $row.sla_resolution_minutes,
            next_response_since: $row.next_response_since,
            next_response_due_at: $row.next_response_due_at,
            next_response_risk_at: $row.next_response_risk_at,
            next_response_breached_at: $row.next_response_breached_at,
            next_response_breaches: $row.next_response_breaches,
            first_response_business_seconds: $row.first_response_business_seconds,
            resolution_business_seconds: $row.resolution_business_seconds,
            reopens: $row.reopens,
        }
    };
}
pub(crate) use ticket_of;

/// The caller and ticket `id`, if the caller may see it (else `NoTicket`; `NotMember` for a
/// caller who is not a member), in one round trip; `lock` takes the row lock for a change.
pub async fn visible(
    conn: &mut PgConnection,
    user_id: UserId,
    id: TicketId,
    lock: bool,
) -> Result<(Viewer, Ticket), Refused> {
    // The caller's current role in the mirror, and whether the ticket's queue is theirs, come
    // with the ticket.
    let found = if lock {
        ticket_sql!(query
            r#"SELECT (SELECT u.role FROM users u WHERE u.id = $1 AND u.active) AS "viewer_role: Role",
                 (SELECT s.agent_ticket_access FROM ticket_settings s) AS "viewer_access!: AgentAccess",
                 coalesce(t.team_id IN (SELECT m.team_id FROM team_members m WHERE m.user_id = $1), false)
                   AS "in_viewer_teams!",
                 colleague_may_comment($1, t.user_id, t.organization_id) AS colleague_may_comment, "#,
            " FROM support_tickets t WHERE t.id = $2 FOR UPDATE OF t",
            user_id.0,
            id.0,
        )
        .fetch_optional(&mut *conn)
        .await?
        .map(|row| {
            (
                Viewer::from_row(user_id, row.viewer_role, row.viewer_access),
                row.in_viewer_teams,
                row.colleague_may_comment,
                ticket_of!(row),
            )
        })
    } else {
        ticket_sql!(query
            r#"SELECT (SELECT u.role FROM users u WHERE u.id = $1 AND u.active) AS "viewer_role: Role",
                 (SELECT s.agent_ticket_access FROM ticket_settings s) AS "viewer_access!: AgentAccess",
                 coalesce(t.team_id IN (SELECT m.team_id FROM team_members m WHERE m.user_id = $1), false)
                   AS "in_viewer_teams!",
                 colleague_may_comment($1, t.user_id, t.organization_id) AS colleague_may_comment, "#,
            " FROM support_tickets t WHERE t.id = $2",
            user_id.0,
            id.0,
        )
        .fetch_optional(&mut *conn)
        .await?
        .map(|row| {
            (
                Viewer::from_row(user_id, row.viewer_role, row.viewer_access),
                row.in_viewer_teams,
                row.colleague_may_comment,
                ticket_of!(row),
            )
        })
    };
    let Some((viewer, in_teams, colleague, ticket)) = found else { return Err(missing(conn, user_id, id).await) };
    seen(viewer?.reaching(colleague), ticket, in_teams)
}

/// A ticket as `GET /v1/tickets/{id}` shows it, with what the caller needs to be checked.
pub struct Detail {
    /// The caller's current role in the mirror (`None`: not an active member).
    pub viewer_role: Option<Role>,
    /// The organisation's agent access, read with the role.
    pub viewer_access: AgentAccess,
    /// Whether the ticket's team is one of the caller's (`Viewer::sees`).
    pub in_viewer_teams: bool,
    /// How the caller reaches it as a colleague (`Viewer::reaching`).
    pub colleague_may_comment: Option<bool>,
    pub ticket: Ticket,
    /// The targets its clock counts: the policy by condition's that applied when it last changed,
    /// or those of its priority in its SLA policy version.
    pub targets: Targets,
    /// The schedule whose hours they count (`None`: 24/7, or a schedule deleted since).
    pub schedule: Option<Schedule>,
    /// The statuses the ticket entered, oldest first.
    pub changes: Vec<Change>,
    /// Unread public messages from staff, and from the customer.
    pub unread_from_agent: i64,
    pub unread_from_customer: i64,
    /// The ticket this one was merged into, and the tickets merged into this one.
    pub merged_into: Option<TicketId>,
    pub merged_from: Vec<TicketId>,
    /// The files of the ticket itself (not of a message), internal ones among them.
    pub attachments: Vec<AttachmentSummary>,
    /// The customer and the assignee, from the users mirror (absent once erased).
    pub customer: Option<crate::users::Customer>,
    pub assignee: Option<crate::users::Colleague>,
}

/// Ticket `id` with its SLA targets, status changes and unread counts, and the role of `user_id`,
/// in one round trip (the ticket hot path); whether the caller may see it is the caller's to check.
pub async fn detail(conn: &mut PgConnection, user_id: UserId, id: TicketId) -> sqlx::Result<Option<Detail>> {
    // One scan of the history, joined laterally (scalar subqueries cost a fifth more;
    // BENCHMARKS.md, "The hot path"); the targets by the primary key of the ticket's policy
    // version; the unread counts kept on the ticket (migration 0009).
    let row = ticket_sql!(query
        r#"SELECT (SELECT u.role FROM users u WHERE u.id = $1 AND u.active) AS "viewer_role: Role", "#,
        r#", p.response_minutes AS "response_minutes!", p.resolution_minutes AS "resolution_minutes!",
            h.change_at AS "change_at!", h.change_to AS "change_to!: Vec<Status>",
            t.unread_from_agent, t.unread_from_customer,
            (SELECT s.agent_ticket_access FROM ticket_settings s) AS "viewer_access!: AgentAccess",
            coalesce(t.team_id IN (SELECT m.team_id FROM team_members m WHERE m.user_id = $1), false)
              AS "in_viewer_teams!",
            colleague_may_comment($1, t.user_id, t.organization_id) AS colleague_may_comment,
            t.merged_into,
            ARRAY(SELECT s.id FROM support_tickets s WHERE s.merged_into = t.id ORDER BY s.id) AS "merged_from!",
            (SELECT coalesce(json_agg(json_build_object('id', a.id, 'original_name', a.original_name,
                    'mime_type', a.mime_type, 'file_size', a.file_size, 'created_at', a.created_at,
                    'is_internal', a.is_internal) ORDER BY a.id), '[]')
               FROM ticket_attachments a WHERE a.ticket_id = t.id AND a.message_id IS NULL)
              AS "attachments!: Json<Vec<AttachmentSummary>>",
            cu.id AS "customer_id?", cu.firstname AS "customer_firstname?", cu.lastname AS "customer_lastname?",
            cu.email AS "customer_email?", cu.vip AS "customer_vip?",
            au.id AS "assignee_id?", au.firstname AS "assignee_firstname?", au.lastname AS "assignee_lastname?",
            s.time_zone AS "schedule_zone?", s.intervals AS "schedule_intervals?: Json<Vec<Interval>>",
            ARRAY(SELECT sh.day FROM schedule_holidays sh WHERE sh.schedule_id = t.sla_schedule_id) AS "schedule_holidays!"
           FROM support_tickets t
           JOIN sla_policy_targets p ON p.version_id = t.sla_version_id AND p.priority = t.priority
           LEFT JOIN schedules s ON s.id = t.sla_schedule_id
           LEFT JOIN users cu ON cu.id = t.user_id
           LEFT JOIN users au ON au.id = t.assigned_to
           CROSS JOIN LATERAL (
               SELECT coalesce(array_agg(h.created_at ORDER BY h.id), '{}') AS change_at,
                      coalesce(array_agg(h.to_status ORDER BY h.id), '{}') AS change_to
               FROM ticket_history h WHERE h.ticket_id = t.id AND h.to_status IS NOT NULL) h
           WHERE t.id = $2"#,
        user_id.0,
        id.0,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| {
        let changes = row.change_at.into_iter().zip(row.change_to).map(|(at, to)| Change { at, to }).collect();
        let schedule = match (&row.schedule_zone, &row.schedule_intervals) {
            (Some(zone), Some(intervals)) => schedules::working(zone, &intervals.0, row.schedule_holidays.clone()).ok(),
            _ => None,
        };
        let version = Targets::of_grid(row.response_minutes, row.resolution_minutes);
        let ticket = ticket_of!(row);
        Detail {
            viewer_role: row.viewer_role,
            viewer_access: row.viewer_access,
            in_viewer_teams: row.in_viewer_teams,
            colleague_may_comment: row.colleague_may_comment,
            targets: ticket.policy_targets().unwrap_or(version),
            schedule,
            changes,
            unread_from_agent: i64::from(row.unread_from_agent),
            unread_from_customer: i64::from(row.unread_from_customer),
            merged_into: row.merged_into.map(TicketId),
            merged_from: row.merged_from.into_iter().map(TicketId).collect(),
            attachments: row.attachments.0,
            customer: row.customer_id.map(|id| crate::users::Customer {
                id: UserId(id),
                firstname: row.customer_firstname.unwrap_or_default(),
                lastname: row.customer_lastname.unwrap_or_default(),
                email: row.customer_email.unwrap_or_default(),
                vip: row.customer_vip.unwrap_or_default(),
            }),
            assignee: row.assignee_id.map(|id| crate::users::Colleague {
                id: UserId(id),
                firstname: row.assignee_firstname.unwrap_or_default(),
                lastname: row.assignee_lastname.unwrap_or_default(),
            }),
            ticket,
        }
    }))
}

/// Why ticket `id` was not found: it does not exist, or the caller is no member.
pub async fn missing(conn: &mut PgConnection, user_id: UserId, id: TicketId) -> Refused {
    match Viewer::load(conn, user_id).await {
        Ok(_) => Refused::NoTicket(id),
        Err(refused) => refused,
    }
}

/// The ticket if `viewer` may see it (`in_my_teams`: its team is one of theirs; a colleague's:
/// `viewer` `reaching` it).
pub fn seen(viewer: Viewer, ticket: Ticket, in_my_teams: bool) -> Result<(Viewer, Ticket), Refused> {
    if viewer.sees(ticket.user_id, ticket.assigned_to, ticket.team_id, in_my_teams) {
        Ok((viewer, ticket))
    } else {
        Err(Refused::NoTicket(ticket.id))
    }
}

/// Refuses any change to a closed ticket.
pub fn ensure_open(ticket: &Ticket) -> Result<(), Refused> {
    if ticket.status == Status::Closed {
        return Err(Refused::Closed(ticket.ticket_number.clone()));
    }
    Ok(())
}

/// How many tickets `customer` opened in `category`, counted up to `at_most`.
pub async fn count_in_category(
    conn: &mut PgConnection,
    customer: UserId,
    category: &str,
    at_most: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM (
             SELECT 1 FROM support_tickets WHERE user_id = $1 AND category = $2 LIMIT $3
           ) AS earlier"#,
        customer as _,
        category,
        at_most,
    )
    .fetch_one(conn)
    .await
}

/// What a new ticket is made of.
pub struct NewTicket {
    /// Its number (`take_ticket_number`).
    pub number: String,
    pub user_id: UserId,
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub category: Option<String>,
    pub order_id: Option<i64>,
    pub metadata: serde_json::Value,
    pub team_id: Option<TeamId>,
    /// The customer organisation asked for (one of the requester's, checked); `None`: the
    /// requester's primary, if any.
    pub organization_id: Option<OrganizationId>,
    /// The state it opens in (`lifecycle::opening_state`): open, or in progress with the member
    /// its team's routing gave it to.
    pub status: Status,
    pub assigned_to: Option<UserId>,
    /// Checked (`tags`).
    pub tags: Vec<String>,
    /// Checked against the definitions (`sav::tickets::fields::merge`).
    pub fields: serde_json::Value,
    /// Where it came from (the reports group by it).
    pub channel: Channel,
}

/// Takes the tenant's next ticket number, `TKT-` and its count (`TKT-1`, `TKT-2`, ...), by one
/// statement committed at once, before the creating transaction: concurrent creations never wait
/// on each other's transactions for their numbers (held until their commits, they would:
/// `BENCHMARKS.md`, "Ticket numbers per tenant"). No number is given twice; one whose creation
/// fails is left unused. Never inside another transaction, which would hold the counter's row
/// until its own commit.
pub async fn take_ticket_number(conn: &mut PgConnection) -> sqlx::Result<String> {
    let count =
        sqlx::query_scalar!("UPDATE tenant_counters SET last = last + 1 WHERE name = 'ticket_number' RETURNING last")
            .fetch_one(&mut *conn)
            .await?;
    Ok(format!("TKT-{count}"))
}

/// Inserts a ticket created at `now` under the policy by condition that matches it
/// (`sla_by_condition`) or else the current version of the tenant's SLA policy, its SLA clock
/// started, numbered `new.number`, or the next free number when a ticket numbered before the count
/// began holds that one (`TKT-` and eight characters, which may all be digits); `None` when five
/// numbers in a row were held so.
pub async fn insert(conn: &mut PgConnection, new: &NewTicket, now: DateTime<Utc>) -> sqlx::Result<Option<Ticket>> {
    let policy = sla_default::current(conn).await?;
    let applied = sla_by_condition::matching(conn, &facts_of_new(new)).await?;
    let applied = applied.as_ref();
    let targets = applied.map_or(policy.policy.grid.of(new.priority), |a| a.targets);
    let fallback = fallback_schedule(conn, applied, policy.policy.schedule_id).await?;
    let (hours, kept) = hours_and_kept(applied, fallback.as_ref());
    let started = sla::evaluate_in(hours, now, targets, &[], Answers::default(), now);
    let mut number = new.number.clone();
    for _ in 0..5 {
        let inserted = ticket_sql!(query
            "INSERT INTO support_tickets AS t (ticket_number, user_id, subject, description, priority, category,
                order_id, metadata, response_due_at, resolution_due_at, created_at, updated_at, sla_version_id, team_id,
                tags, fields, status, assigned_to, response_risk_at, resolution_risk_at, sla_policy, sla_schedule_id,
                sla_response_minutes, sla_next_response_minutes, sla_resolution_minutes, channel, organization_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                $22, $23, $24, $25, coalesce($26, person_primary_organization($2)))
             ON CONFLICT (tenant_id, ticket_number) DO NOTHING
             RETURNING ",
            "",
            &number,
            new.user_id.0,
            new.subject,
            new.description,
            new.priority.as_str(),
            new.category,
            new.order_id,
            new.metadata,
            started.response_due_at,
            started.resolution_due_at,
            now,
            policy.id,
            new.team_id as _,
            &new.tags,
            new.fields,
            new.status.as_str(),
            new.assigned_to.map(|person| person.0),
            started.response_risk_at,
            started.resolution_risk_at,
            kept.policy,
            kept.schedule_id as _,
            kept.response_minutes,
            kept.next_response_minutes,
            kept.resolution_minutes,
            new.channel.as_str(),
            new.organization_id as _,
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = inserted {
            return Ok(Some(ticket_of!(row)));
        }
        number = take_ticket_number(conn).await?;
    }
    Ok(None)
}

/// Threads stop growing their search words past this size (a tsvector holds at most 1 MB; a
/// message adds at most ~100 KB).
const THREAD_WORDS_MAX_BYTES: i32 = 512 * 1024;

/// Writes every mutable field of `ticket` back (a recorded breach is never cleared).
pub async fn save(conn: &mut PgConnection, ticket: &Ticket) -> sqlx::Result<()> {
    write(conn, ticket, None).await
}

/// `save`, adding a new message's words to the thread's search words (staff see internal notes'
/// words, customers only public ones).
pub async fn save_with_message(
    conn: &mut PgConnection,
    ticket: &Ticket,
    text: &str,
    internal: bool,
) -> sqlx::Result<()> {
    write(conn, ticket, Some((text, internal))).await
}

async fn write(conn: &mut PgConnection, ticket: &Ticket, message: Option<(&str, bool)>) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE support_tickets SET subject = $2, priority = $3, status = $4, category = $5, assigned_to = $6,
            metadata = $7, response_due_at = $8, resolution_due_at = $9, first_response_at = $10, resolved_at = $11,
            closed_at = $12, updated_at = $13, auto_close_at = $17, team_id = $20, queued_at = $21, tags = $22, fields = $23,
            organization_id = $39,
            response_risk_at = $24, resolution_risk_at = $25, sla_policy = $26, sla_schedule_id = $27,
            sla_response_minutes = $28, sla_next_response_minutes = $29, sla_resolution_minutes = $30,
            next_response_since = $31, next_response_due_at = $32, next_response_risk_at = $33,
            next_response_breached_at = $34, next_response_breaches = greatest(next_response_breaches, $35),
            first_response_business_seconds = $36, resolution_business_seconds = $37, reopens = $38,
            response_breached_at = coalesce(response_breached_at, $18),
            resolution_breached_at = coalesce(resolution_breached_at, $19),
            thread_staff = CASE WHEN $14::text IS NULL OR pg_column_size(thread_staff) > $16 THEN thread_staff
                ELSE strip(thread_staff || to_tsvector('simple', $14)) END,
            thread_public = CASE WHEN $14::text IS NULL OR $15 OR pg_column_size(thread_public) > $16 THEN thread_public
                ELSE strip(thread_public || to_tsvector('simple', $14)) END
         WHERE id = $1",
        ticket.id as _,
        ticket.subject,
        ticket.priority.as_str(),
        ticket.status.as_str(),
        ticket.category,
        ticket.assigned_to as _,
        ticket.metadata,
        ticket.response_due_at,
        ticket.resolution_due_at,
        ticket.first_response_at,
        ticket.resolved_at,
        ticket.closed_at,
        ticket.updated_at,
        message.map(|(text, _)| text),
        message.is_some_and(|(_, internal)| internal),
        THREAD_WORDS_MAX_BYTES,
        ticket.auto_close_at,
        ticket.response_breached_at,
        ticket.resolution_breached_at,
        ticket.team_id as _,
        ticket.queued_at,
        &ticket.tags,
        ticket.fields,
        ticket.response_risk_at,
        ticket.resolution_risk_at,
        ticket.sla_policy,
        ticket.sla_schedule_id as _,
        ticket.sla_response_minutes,
        ticket.sla_next_response_minutes,
        ticket.sla_resolution_minutes,
        ticket.next_response_since,
        ticket.next_response_due_at,
        ticket.next_response_risk_at,
        ticket.next_response_breached_at,
        ticket.next_response_breaches,
        ticket.first_response_business_seconds,
        ticket.resolution_business_seconds,
        ticket.reopens,
        ticket.organization_id as _,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Brings the stored due dates up to date after a change to the clock's inputs (the status, the
/// first response, a next-response round, recorded in the history first) or to what the
/// policies match on (priority, team, tags, category): the policies are matched again
/// (`sla_by_condition`; none matching, the targets of the ticket's priority in its own policy
/// version), and the targets not yet met counted again from their clock's start in the matched
/// policy's hours. Returns the state, and the targets it was measured against.
pub async fn refresh_sla(
    conn: &mut PgConnection,
    ticket: &mut Ticket,
    now: DateTime<Utc>,
) -> sqlx::Result<(SlaState, Targets)> {
    let clock = clock(conn, ticket).await?;
    let applied = sla_by_condition::matching(conn, &facts_of(ticket)).await?;
    let targets = applied.as_ref().map_or(clock.targets, |a| a.targets);
    let fallback = fallback_schedule(conn, applied.as_ref(), clock.schedule_id).await?;
    let (hours, kept) = hours_and_kept(applied.as_ref(), fallback.as_ref());
    let answers = Answers { first: ticket.first_response_at, awaited_since: ticket.next_response_since };
    let state = sla::evaluate_in(hours, ticket.created_at, targets, &clock.changes, answers, now);
    // A response given before this write met its target as it stood then.
    if ticket.first_response_at.is_none_or(|at| at >= now) {
        ticket.response_due_at = state.response_due_at;
        ticket.response_risk_at = state.response_risk_at;
    }
    ticket.resolution_due_at = state.resolution_due_at;
    ticket.resolution_risk_at = state.resolution_risk_at;
    ticket.next_response_due_at = state.next_response_due_at;
    ticket.next_response_risk_at = state.next_response_risk_at;
    ticket.sla_policy = kept.policy;
    ticket.sla_schedule_id = kept.schedule_id;
    ticket.sla_response_minutes = kept.response_minutes;
    ticket.sla_next_response_minutes = kept.next_response_minutes;
    ticket.sla_resolution_minutes = kept.resolution_minutes;
    ticket.auto_close_at = auto_close_at(ticket, &clock);
    measure(ticket, hours);
    Ok((state, targets))
}

/// The working times the reports read, each measured once, when it happens, in the hours that
/// apply then: the first response; the resolution (again after a reopening).
fn measure(ticket: &mut Ticket, hours: Hours<'_>) {
    let created = ticket.created_at;
    let seconds = |at| i32::try_from(hours.within(created, at).num_seconds()).unwrap_or(i32::MAX);
    if ticket.first_response_business_seconds.is_none() {
        ticket.first_response_business_seconds = ticket.first_response_at.map(seconds);
    }
    match ticket.resolved_at {
        None => ticket.resolution_business_seconds = None,
        Some(at) if ticket.resolution_business_seconds.is_none() => {
            ticket.resolution_business_seconds = Some(seconds(at));
        }
        Some(_) => {}
    }
}

/// The schedule of the versioned policy (`schedule_id`, its version's) when no policy by
/// condition applies; `None` for every hour.
async fn fallback_schedule(
    conn: &mut PgConnection,
    applied: Option<&sla_by_condition::Applied>,
    schedule_id: Option<ScheduleId>,
) -> sqlx::Result<Option<(ScheduleId, Schedule)>> {
    match (applied, schedule_id) {
        (None, Some(id)) => sla_by_condition::schedule(conn, id).await,
        _ => Ok(None),
    }
}

/// The hours the targets count and what the ticket keeps of the policy: the policy by condition
/// that applies, else the versioned one in its schedule (`fallback`).
fn hours_and_kept<'a>(
    applied: Option<&'a sla_by_condition::Applied>,
    fallback: Option<&'a (ScheduleId, Schedule)>,
) -> (Hours<'a>, SlaTerms) {
    match (applied, fallback) {
        (Some(applied), _) => (applied.hours(), SlaTerms::of(applied)),
        (None, Some((id, schedule))) => {
            (Hours::Working(schedule), SlaTerms { schedule_id: Some(*id), ..SlaTerms::default() })
        }
        (None, None) => (Hours::Always, SlaTerms::default()),
    }
}

/// What a ticket keeps of the policy by condition that applies to it (all `None` but the
/// schedule: the versioned default).
#[derive(Default)]
struct SlaTerms {
    policy: Option<String>,
    schedule_id: Option<ScheduleId>,
    response_minutes: Option<i32>,
    next_response_minutes: Option<i32>,
    resolution_minutes: Option<i32>,
}

impl SlaTerms {
    fn of(applied: &sla_by_condition::Applied) -> Self {
        Self {
            policy: Some(applied.name.clone()),
            schedule_id: applied.schedule.as_ref().map(|(id, _)| *id),
            response_minutes: Some(applied.targets.response_minutes),
            next_response_minutes: applied.targets.next_response_minutes,
            resolution_minutes: Some(applied.targets.resolution_minutes),
        }
    }
}

/// When `ticket` closes on its own: a delay after it last started waiting for the customer, or
/// after its resolution; never in another status.
fn auto_close_at(ticket: &Ticket, clock: &Clock) -> Option<DateTime<Utc>> {
    match ticket.status {
        Status::WaitingCustomer => {
            let since = clock.changes.iter().rev().find(|c| c.to == Status::WaitingCustomer).map(|c| c.at);
            since.map(|at| at + clock.auto_close.waiting_customer())
        }
        Status::Resolved => ticket.resolved_at.map(|at| at + clock.auto_close.resolved()),
        Status::Open | Status::InProgress | Status::Closed => None,
    }
}

/// What the SLA clock of a ticket runs on.
struct Clock {
    targets: Targets,
    auto_close: sla_default::AutoClose,
    /// The schedule of its version's policy (`None`: every hour).
    schedule_id: Option<ScheduleId>,
    /// The statuses the ticket entered, oldest first.
    changes: Vec<Change>,
}

/// What the SLA clock of `ticket` needs from the database, in one round trip: the targets of its
/// (possibly just changed) priority and the auto-close delays in its policy version, and the
/// statuses it entered.
async fn clock(conn: &mut PgConnection, ticket: &Ticket) -> sqlx::Result<Clock> {
    let row = sqlx::query!(
        r#"SELECT p.response_minutes AS "response_minutes!", p.resolution_minutes AS "resolution_minutes!",
            v.auto_close_waiting_customer_minutes, v.auto_close_resolved_minutes,
            v.schedule_id AS "schedule_id: ScheduleId",
            h.change_at AS "change_at!", h.change_to AS "change_to!: Vec<Status>"
           FROM sla_policy_targets p
           JOIN sla_policy_versions v ON v.id = p.version_id
           CROSS JOIN LATERAL (
               SELECT coalesce(array_agg(h.created_at ORDER BY h.id), '{}') AS change_at,
                      coalesce(array_agg(h.to_status ORDER BY h.id), '{}') AS change_to
               FROM ticket_history h WHERE h.ticket_id = $1 AND h.to_status IS NOT NULL) h
           WHERE p.version_id = $2 AND p.priority = $3"#,
        ticket.id as _,
        ticket.sla_version_id,
        ticket.priority.as_str(),
    )
    .fetch_one(conn)
    .await?;
    Ok(Clock {
        targets: Targets::of_grid(row.response_minutes, row.resolution_minutes),
        auto_close: sla_default::AutoClose {
            waiting_customer_minutes: row.auto_close_waiting_customer_minutes,
            resolved_minutes: row.auto_close_resolved_minutes,
        },
        schedule_id: row.schedule_id,
        changes: row.change_at.into_iter().zip(row.change_to).map(|(at, to)| Change { at, to }).collect(),
    })
}

/// What the SLA policies by condition match of `ticket` as it stands.
fn facts_of(ticket: &Ticket) -> Facts<'_> {
    Facts {
        priority: ticket.priority,
        team_id: ticket.team_id,
        tags: &ticket.tags,
        category: ticket.category.as_deref(),
        customer: ticket.user_id,
        organization: OrganizationFact::Is(ticket.organization_id),
    }
}

/// What they match of a ticket about to be made.
fn facts_of_new(new: &NewTicket) -> Facts<'_> {
    Facts {
        priority: new.priority,
        team_id: new.team_id,
        tags: &new.tags,
        category: new.category.as_deref(),
        customer: new.user_id,
        organization: OrganizationFact::of_new(new.organization_id),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::{Duration, TimeZone as _};

    use uuid::Uuid;

    use super::*;

    /// A medium ticket created on 2026-03-02 at 9:00 in `status`, due in 60 and 480 minutes.
    pub(crate) fn ticket(status: Status) -> Ticket {
        let created = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        Ticket {
            id: TicketId(1),
            ticket_number: "TKT-00000001".into(),
            user_id: UserId(Uuid::nil()),
            requester: None,
            channel: Channel::Web,
            subject: String::new(),
            description: String::new(),
            priority: Priority::Medium,
            status,
            category: None,
            assigned_to: None,
            team_id: None,
            organization_id: None,
            tags: Vec::new(),
            fields: serde_json::json!({}),
            queued_at: None,
            order_id: None,
            metadata: serde_json::Value::Null,
            response_due_at: created + Duration::minutes(60),
            resolution_due_at: created + Duration::minutes(480),
            // Targets of 60 and 480 minutes: at risk a quarter of each before.
            response_risk_at: created + Duration::minutes(45),
            resolution_risk_at: created + Duration::minutes(360),
            first_response_at: None,
            response_breached_at: None,
            resolution_breached_at: None,
            resolved_at: None,
            closed_at: None,
            auto_close_at: None,
            created_at: created,
            updated_at: created,
            sla_version_id: 1,
            sla_policy: None,
            sla_schedule_id: None,
            sla_response_minutes: None,
            sla_next_response_minutes: None,
            sla_resolution_minutes: None,
            next_response_since: None,
            next_response_due_at: None,
            next_response_risk_at: None,
            next_response_breached_at: None,
            next_response_breaches: 0,
            first_response_business_seconds: None,
            resolution_business_seconds: None,
            reopens: 0,
        }
    }
}
