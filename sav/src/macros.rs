//! Macros: what an agent would otherwise do by hand on a ticket, in one click: a reply (or an
//! internal note) written from a template, a status, a priority and an assignment. Admins keep
//! them (`create`, `change`, `remove`, each one transaction with its audit entry); applying one
//! is a list of ticket changes (app-api's `commands::TicketWriter::apply_macro`) made through the
//! one write path, in one transaction: all of them or none.
//!
//! A template is plain text with placeholders (`PLACEHOLDERS`); it is filled as text and escaped
//! as a whole, so neither the template nor what fills it can carry markup.

use std::collections::BTreeSet;

use base::FieldError;
use base::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ids::{MacroId, TicketId, UserId};

use super::ticket_settings::AgentAccess;
use super::tickets::content;
use super::tickets::priority::Priority;
use super::tickets::status::Status;
use super::tickets::tags;
use super::users;

/// A tenant holds at most this many macros.
pub const MAX_PER_TENANT: i64 = 200;
pub const NAME_MAX_CHARS: usize = 100;
/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 3] = ["customer.firstname", "ticket.number", "agent.firstname"];

/// Whom a macro gives the ticket to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    /// The agent applying the macro.
    Me,
    /// Back to the queue.
    Nobody,
    Member(UserId),
}

impl Assignment {
    fn parts(self) -> (&'static str, Option<UserId>) {
        match self {
            Self::Me => ("me", None),
            Self::Nobody => ("nobody", None),
            Self::Member(id) => ("member", Some(id)),
        }
    }

    fn from_parts(kind: Option<&str>, member: Option<UserId>) -> Option<Self> {
        match (kind?, member) {
            ("me", _) => Some(Self::Me),
            ("nobody", _) => Some(Self::Nobody),
            (_, Some(id)) => Some(Self::Member(id)),
            (_, None) => None,
        }
    }

    /// The assignee it names when `agent` applies it (`None`: unassigned).
    pub fn assignee(self, agent: UserId) -> Option<UserId> {
        match self {
            Self::Me => Some(agent),
            Self::Nobody => None,
            Self::Member(id) => Some(id),
        }
    }
}

impl Serialize for Assignment {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Me => serializer.serialize_str("me"),
            Self::Nobody => serializer.serialize_str("nobody"),
            Self::Member(id) => id.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Assignment {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.as_str() {
            "me" => Ok(Self::Me),
            "nobody" => Ok(Self::Nobody),
            other => other
                .parse::<Uuid>()
                .map(|id| Self::Member(UserId(id)))
                .map_err(|_| serde::de::Error::custom("expected \"me\", \"nobody\" or a staff member's id")),
        }
    }
}

/// A macro.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Macro {
    #[schema(value_type = i64)]
    pub id: MacroId,
    pub name: String,
    /// Plain text with `{{customer.firstname}}`, `{{ticket.number}}`, `{{agent.firstname}}`;
    /// none: no message.
    pub body: Option<String>,
    /// The message is an internal note.
    pub is_internal: bool,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    /// `"me"` (the agent applying it), `"nobody"` (unassigned), a staff member's id, or none
    /// (the assignment stays).
    #[schema(value_type = Option<String>)]
    pub assign_to: Option<Assignment>,
    /// Tags it adds to the ticket (at most 20), sorted.
    pub add_tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A change a macro makes besides its message: what a preview lists and an agent may take out
/// before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = MacroEffect)]
pub enum Effect {
    Status,
    Priority,
    AssignedTo,
    AddTags,
}

/// A macro as the agent reviewed it in the composer before sending.
#[derive(Debug, Default)]
pub struct Reviewed {
    /// Sanitised HTML posted in place of the filled template (with the macro's `is_internal`).
    pub message: Option<String>,
    /// The changes taken out.
    pub skip: BTreeSet<Effect>,
}

/// What applying a macro would do, written nowhere.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MacroPreview)]
pub struct Preview {
    /// The message it would add: its template filled for this ticket and caller, as plain text.
    pub message: Option<PreviewMessage>,
    /// Only what it would change on the ticket as it is now.
    pub changes: PreviewChanges,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MacroPreviewMessage)]
pub struct PreviewMessage {
    pub message: String,
    pub is_internal: bool,
}

#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(as = MacroPreviewChanges)]
#[allow(clippy::option_option, reason = "absent: no change; null: unassigned; a value: that member")]
pub struct PreviewChanges {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// The new assignee, `null` for the queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub assigned_to: Option<Option<UserId>>,
    /// The tags it adds that the ticket does not hold yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_tags: Option<Vec<String>>,
}

impl Preview {
    /// What `applying` changes on a ticket that has `status`, `priority`, `assigned_to` and
    /// `tags` now, applied by `agent`; `message`: its filled template.
    pub fn of(
        chosen: &Macro,
        agent: UserId,
        message: Option<String>,
        now: (Status, Priority, Option<UserId>, &[String]),
    ) -> Self {
        let (status, priority, assigned_to, tags) = now;
        let added: Vec<String> = chosen.add_tags.iter().filter(|t| !tags.contains(t)).cloned().collect();
        Self {
            message: message.map(|message| PreviewMessage { message, is_internal: chosen.is_internal }),
            changes: PreviewChanges {
                status: chosen.status.filter(|s| *s != status),
                priority: chosen.priority.filter(|p| *p != priority),
                assigned_to: chosen.assign_to.map(|a| a.assignee(agent)).filter(|a| *a != assigned_to),
                add_tags: Some(added).filter(|added| !added.is_empty()),
            },
        }
    }
}

/// A macro's fields, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    pub name: String,
    pub body: Option<String>,
    pub is_internal: bool,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub assign_to: Option<Assignment>,
    /// As given; normalised, sorted and distinct once checked.
    pub add_tags: Vec<String>,
}

/// A macro's name: trimmed, 1 to 100 characters, no control characters.
pub fn name(value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > NAME_MAX_CHARS || value.chars().any(char::is_control) {
        return Err(FieldError::new("name", "must be 1 to 100 characters, without control characters"));
    }
    Ok(value.to_owned())
}

/// The placeholders of `template`, in order (the names between `{{` and `}}`, trimmed); `Err`
/// with the first unknown or unclosed one.
fn placeholders(template: &str) -> Result<Vec<(std::ops::Range<usize>, &'static str)>, String> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = template[from..].find("{{").map(|at| from + at) {
        let Some(close) = template[open + 2..].find("}}").map(|at| open + 2 + at) else {
            return Err("has a `{{` that is never closed".to_owned());
        };
        let inner = template[open + 2..close].trim();
        let Some(known) = PLACEHOLDERS.iter().find(|p| **p == inner) else {
            return Err(format!("uses {{{{{inner}}}}}: the placeholders are {}", known_list()));
        };
        found.push((open..close + 2, *known));
        from = close + 2;
    }
    Ok(found)
}

fn known_list() -> String {
    PLACEHOLDERS.iter().map(|p| format!("{{{{{p}}}}}")).collect::<Vec<_>>().join(", ")
}

/// A template: 1 to 20,000 characters of text whose placeholders are all known.
pub fn body(value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > content::TEXT_MAX_CHARS {
        return Err(FieldError::new("body", format!("must be 1 to {} characters", content::TEXT_MAX_CHARS)));
    }
    placeholders(value).map_err(|why| FieldError::new("body", why))?;
    Ok(value.to_owned())
}

/// What fills the placeholders.
#[derive(Debug, Clone, Copy)]
pub struct Values<'a> {
    pub customer_firstname: &'a str,
    pub ticket_number: &'a str,
    pub agent_firstname: &'a str,
}

/// `template` filled with `values`, as text (a stored template's placeholders are known; one
/// that is not stays as written).
pub fn fill(template: &str, values: Values<'_>) -> String {
    let Ok(found) = placeholders(template) else { return template.to_owned() };
    let mut text = String::with_capacity(template.len() + 32);
    let mut from = 0;
    for (range, name) in found {
        text.push_str(&template[from..range.start]);
        text.push_str(match name {
            "customer.firstname" => values.customer_firstname,
            "ticket.number" => values.ticket_number,
            _ => values.agent_firstname,
        });
        from = range.end;
    }
    text.push_str(&template[from..]);
    text
}

/// The message a filled template becomes: escaped text in paragraphs, as every message is
/// stored (sanitised HTML). `Err` when it is too long once filled.
pub fn message(template: &str, values: Values<'_>) -> Result<String, FieldError> {
    let text = fill(template, values);
    content::rich_text("body", &base::mail::text_to_html(&text), true)
}

struct Row {
    id: MacroId,
    name: String,
    body: Option<String>,
    is_internal: bool,
    status: Option<Status>,
    priority: Option<Priority>,
    assignment: Option<String>,
    assignee: Option<UserId>,
    add_tags: Vec<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Row> for Macro {
    fn from(row: Row) -> Self {
        Self {
            assign_to: Assignment::from_parts(row.assignment.as_deref(), row.assignee),
            id: row.id,
            name: row.name,
            body: row.body,
            is_internal: row.is_internal,
            status: row.status,
            priority: row.priority,
            add_tags: row.add_tags,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Every macro of the tenant, by name.
pub async fn all(conn: &mut PgConnection) -> sqlx::Result<Vec<Macro>> {
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT id AS "id: MacroId", name, body, is_internal, status AS "status: Status", priority AS "priority: Priority",
                  assignment, assignee AS "assignee: UserId", add_tags, created_at, updated_at
           FROM macros ORDER BY lower(name), id"#
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Macro::from).collect())
}

pub async fn get(conn: &mut PgConnection, id: MacroId) -> sqlx::Result<Option<Macro>> {
    let row = sqlx::query_as!(
        Row,
        r#"SELECT id AS "id: MacroId", name, body, is_internal, status AS "status: Status", priority AS "priority: Priority",
                  assignment, assignee AS "assignee: UserId", add_tags, created_at, updated_at
           FROM macros WHERE id = $1"#,
        id as _,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Macro::from))
}

/// Serialises the creation of macros in the transaction, so the count below holds.
pub async fn lock_for_create(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("LOCK TABLE macros IN SHARE ROW EXCLUSIVE MODE").execute(conn).await?;
    Ok(())
}

pub async fn count(conn: &mut PgConnection) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM macros"#).fetch_one(conn).await
}

/// Whether another macro than `except` has this name (whatever its case).
pub async fn name_taken(conn: &mut PgConnection, name: &str, except: Option<MacroId>) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM macros WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2) AS "taken!""#,
        name,
        except as _,
    )
    .fetch_one(conn)
    .await
}

/// Runs `sql` on `conn` with `$1` bound to `first` and `$2` to `$9` to the columns of `fields`
/// (name, body, is_internal, status, priority, assignment, assignee, add_tags), reading back the macro's
/// row with `fetch`.
macro_rules! write_fields {
    ($conn:expr, $fetch:ident, $sql:tt, $first:expr, $fields:expr) => {{
        let fields: &Fields = $fields;
        let (assignment, assignee) = fields.assign_to.map(Assignment::parts).unzip();
        sqlx::query_as!(
            Row,
            $sql,
            $first,
            fields.name,
            fields.body,
            fields.is_internal,
            fields.status.map(Status::as_str),
            fields.priority.map(Priority::as_str),
            assignment,
            assignee.flatten() as _,
            &fields.add_tags,
        )
        .$fetch($conn)
        .await
    }};
}

pub async fn insert(conn: &mut PgConnection, fields: &Fields, by: UserId) -> sqlx::Result<Macro> {
    let row = write_fields!(
        conn,
        fetch_one,
        r#"INSERT INTO macros (created_by, name, body, is_internal, status, priority, assignment, assignee, add_tags)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           RETURNING id AS "id: MacroId", name, body, is_internal, status AS "status: Status", priority AS "priority: Priority",
                     assignment, assignee AS "assignee: UserId", add_tags, created_at, updated_at"#,
        by.0,
        fields
    )?;
    Ok(row.into())
}

/// Writes every field of macro `id`; `None` when there is none.
pub async fn update(conn: &mut PgConnection, id: MacroId, fields: &Fields) -> sqlx::Result<Option<Macro>> {
    let row = write_fields!(
        conn,
        fetch_optional,
        r#"UPDATE macros SET name = $2, body = $3, is_internal = $4, status = $5, priority = $6, assignment = $7,
                  assignee = $8, add_tags = $9, updated_at = now()
           WHERE id = $1
           RETURNING id AS "id: MacroId", name, body, is_internal, status AS "status: Status", priority AS "priority: Priority",
                     assignment, assignee AS "assignee: UserId", add_tags, created_at, updated_at"#,
        id.0,
        fields
    )?;
    Ok(row.map(Macro::from))
}

/// Whether there was a macro `id`.
pub async fn delete(conn: &mut PgConnection, id: MacroId) -> sqlx::Result<bool> {
    Ok(sqlx::query!("DELETE FROM macros WHERE id = $1", id as _).execute(conn).await?.rows_affected() > 0)
}

/// The fields a change names; absent ones stay, `Some(None)` clears.
#[derive(Debug, Default)]
#[allow(clippy::option_option, reason = "absent keeps, null clears, a value sets")]
pub struct Patch {
    pub name: Option<String>,
    pub body: Option<Option<String>>,
    pub is_internal: Option<bool>,
    pub status: Option<Option<Status>>,
    pub priority: Option<Option<Priority>>,
    pub assign_to: Option<Option<Assignment>>,
    pub add_tags: Option<Vec<String>>,
}

/// Checks `fields` as a whole: a name, a template of known placeholders, something to do, an
/// assignee who is staff (422 with each field's error).
async fn checked(conn: &mut PgConnection, fields: Fields) -> Result<Fields, Refused> {
    let mut errors = Vec::new();
    let named = name(&fields.name).map_err(|e| errors.push(e)).ok();
    let template = fields.body.as_deref().map(|b| body(b).map_err(|e| errors.push(e)).ok());
    let add_tags = added_tags(&fields.add_tags).map_err(|e| errors.push(e)).unwrap_or_default();
    if fields.body.is_none()
        && fields.status.is_none()
        && fields.priority.is_none()
        && fields.assign_to.is_none()
        && add_tags.is_empty()
    {
        errors.push(FieldError::new(
            "",
            "a macro must do something: a body, a status, a priority, an assignment or tags to add",
        ));
    }
    if fields.is_internal && fields.body.is_none() {
        errors.push(FieldError::new("is_internal", "needs a body"));
    }
    if let Some(Assignment::Member(id)) = fields.assign_to
        && !users::assignable(conn, id).await?
    {
        errors.push(FieldError::new("assign_to", "is not an active agent or admin of this tenant"));
    }
    if !errors.is_empty() {
        return Err(Refused::Invalid(errors));
    }
    Ok(Fields { name: named.unwrap_or_default(), body: template.flatten(), add_tags, ..fields })
}

/// The tags a macro adds: at most `tags::MAX_PER_TICKET`, each a tag, normalised and sorted.
pub fn added_tags(values: &[String]) -> Result<Vec<String>, FieldError> {
    let tags = tags::checked("add_tags", values)?;
    if tags.len() > tags::MAX_PER_TICKET {
        return Err(FieldError::new("add_tags", format!("names at most {} tags", tags::MAX_PER_TICKET)));
    }
    Ok(tags.into_iter().collect())
}

/// Makes a macro for `admin`, within the tenant's limit and under a name of its own, with its
/// audit entry, in one transaction.
pub async fn create(conn: &mut PgConnection, admin: UserId, fields: Fields) -> Result<Macro, Refused> {
    let fields = checked(conn, fields).await?;
    let mut tx = conn.begin().await?;
    lock_for_create(&mut tx).await?;
    if count(&mut tx).await? >= MAX_PER_TENANT {
        return Err(Refused::LimitReached);
    }
    if name_taken(&mut tx, &fields.name, None).await? {
        return Err(Refused::NameTaken);
    }
    let created = insert(&mut tx, &fields, admin).await?;
    let details = serde_json::json!({ "macro_id": created.id, "name": created.name });
    users::audit(&mut tx, admin, "macro_created", admin.0, details).await?;
    tx.commit().await?;
    Ok(created)
}

/// Changes macro `id` by `patch`, checked as a whole, with its audit entry, in one transaction.
pub async fn change(conn: &mut PgConnection, admin: UserId, id: MacroId, patch: Patch) -> Result<Macro, Refused> {
    let mut tx = conn.begin().await?;
    // Locked like a creation: the name check below holds.
    lock_for_create(&mut tx).await?;
    let current = get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    let fields = Fields {
        name: patch.name.unwrap_or(current.name),
        body: patch.body.unwrap_or(current.body),
        is_internal: patch.is_internal.unwrap_or(current.is_internal),
        status: patch.status.unwrap_or(current.status),
        priority: patch.priority.unwrap_or(current.priority),
        assign_to: patch.assign_to.unwrap_or(current.assign_to),
        add_tags: patch.add_tags.unwrap_or(current.add_tags),
    };
    let fields = checked(&mut tx, fields).await?;
    if name_taken(&mut tx, &fields.name, Some(id)).await? {
        return Err(Refused::NameTaken);
    }
    let updated = update(&mut tx, id, &fields).await?.ok_or(Refused::NotFound)?;
    let details = serde_json::json!({ "macro_id": id, "name": updated.name });
    users::audit(&mut tx, admin, "macro_updated", admin.0, details).await?;
    tx.commit().await?;
    Ok(updated)
}

/// Deletes macro `id`, with its audit entry, in one transaction.
pub async fn remove(conn: &mut PgConnection, admin: UserId, id: MacroId) -> Result<(), Refused> {
    let mut tx = conn.begin().await?;
    if !delete(&mut tx, id).await? {
        return Err(Refused::NotFound);
    }
    users::audit(&mut tx, admin, "macro_deleted", admin.0, serde_json::json!({ "macro_id": id })).await?;
    tx.commit().await?;
    Ok(())
}

/// Why a macro is not made, changed or deleted; the HTTP layer gives each its answer
/// (app-api's `refusals`).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// No macro of this tenant has the id asked for.
    #[error("no such macro")]
    NotFound,
    /// Another macro has this name.
    #[error("another macro has this name")]
    NameTaken,
    /// The tenant holds `MAX_PER_TENANT` macros already.
    #[error("this organisation holds 200 macros: delete one first")]
    LimitReached,
    /// Fields that break the rules, each with why.
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub struct Applying {
    pub chosen: Macro,
    pub caller_role: Option<Role>,
    /// The organisation's agent access, read with the role.
    pub caller_access: AgentAccess,
    /// The customer's first name, the ticket's number, the caller's first name.
    pub values: Option<(String, String, String)>,
}

/// Macro `macro_id` as `caller` applies it to ticket `ticket_id`; `None` when there is no such
/// macro.
pub async fn applying(
    conn: &mut PgConnection,
    macro_id: MacroId,
    ticket_id: TicketId,
    caller: UserId,
) -> sqlx::Result<Option<Applying>> {
    let row = sqlx::query!(
        r#"SELECT m.id AS "id: MacroId", m.name, m.body, m.is_internal, m.status AS "status: Status",
                  m.priority AS "priority: Priority", m.assignment, m.assignee, m.add_tags, m.created_at,
                  m.updated_at,
                  (SELECT u.role FROM users u WHERE u.id = $3 AND u.active) AS "caller_role: Role",
                  (SELECT s.agent_ticket_access FROM ticket_settings s) AS "caller_access!: AgentAccess",
                  t.ticket_number AS "ticket_number?", c.firstname AS "customer?", a.firstname AS "agent?"
           FROM macros m
           LEFT JOIN support_tickets t ON t.id = $2
           LEFT JOIN users c ON c.id = t.user_id
           LEFT JOIN users a ON a.id = $3
           WHERE m.id = $1"#,
        macro_id as _,
        ticket_id as _,
        caller as _,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Applying {
        values: r.ticket_number.map(|number| (r.customer.unwrap_or_default(), number, r.agent.unwrap_or_default())),
        caller_role: r.caller_role,
        caller_access: r.caller_access,
        chosen: Macro::from(Row {
            id: r.id,
            name: r.name,
            body: r.body,
            is_internal: r.is_internal,
            status: r.status,
            priority: r.priority,
            assignment: r.assignment,
            assignee: r.assignee.map(UserId),
            add_tags: r.add_tags,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUES: Values<'static> =
        Values { customer_firstname: "Léa", ticket_number: "TKT-7K2M9Q4X", agent_firstname: "Sam" };

    #[test]
    fn placeholders_are_filled_as_text() {
        let filled = fill("Hello {{customer.firstname}}, about {{ ticket.number }}. {{agent.firstname}}", VALUES);
        assert_eq!(filled, "Hello Léa, about TKT-7K2M9Q4X. Sam");
        let hostile = Values { customer_firstname: "<script>alert(1)</script>", ..VALUES };
        let html = message("Hi {{customer.firstname}} <b>bold</b>", hostile).unwrap();
        assert_eq!(html, "<p>Hi &lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;</p>");
    }

    #[test]
    fn templates_name_only_known_placeholders() {
        assert!(body("Hi {{customer.firstname}}").is_ok());
        let unknown = body("Hi {{customer.email}}").unwrap_err();
        assert!(unknown.message.contains("{{customer.email}}"), "{}", unknown.message);
        assert!(body("Hi {{customer.firstname").is_err(), "unclosed");
        assert!(body("   ").is_err(), "empty");
        assert!(body(&"x".repeat(content::TEXT_MAX_CHARS + 1)).is_err(), "too long");
        assert!(name(" Refund sent ").is_ok_and(|n| n == "Refund sent"));
        assert!(name("").is_err() && name(&"n".repeat(101)).is_err() && name("a\u{7}b").is_err());
    }

    #[test]
    fn assignments_read_and_write_as_the_contract_says() {
        let id = Uuid::new_v4();
        for (value, assignment) in [
            (serde_json::json!("me"), Assignment::Me),
            (serde_json::json!("nobody"), Assignment::Nobody),
            (serde_json::json!(id), Assignment::Member(UserId(id))),
        ] {
            assert_eq!(serde_json::from_value::<Assignment>(value.clone()).unwrap(), assignment);
            assert_eq!(serde_json::to_value(assignment).unwrap(), value);
            let (kind, member) = assignment.parts();
            assert_eq!(Assignment::from_parts(Some(kind), member), Some(assignment));
        }
        assert!(serde_json::from_value::<Assignment>(serde_json::json!("someone")).is_err());
        assert_eq!(Assignment::Me.assignee(UserId(id)), Some(UserId(id)));
        assert_eq!(Assignment::Nobody.assignee(UserId(id)), None);
    }
}
