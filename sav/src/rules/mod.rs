//! Rules: what a support team wants to happen to its tickets by itself, as data. A rule is a
//! trigger (a change of a ticket, or a time since something happened to it), conditions over
//! the ticket, its customer and the message (`all` of them, and `any` of them when given), and
//! actions. `parse` reads one from its JSON form, refusing an unknown trigger, field, operator,
//! value or action with the reason, each error naming its place (`conditions.all[2].op`);
//! `conditions::holds` says whether a rule's conditions hold for a ticket. Both are pure. The
//! JSON forms are the contract's schemas in `grammar`.

pub mod book;
pub mod conditions;
pub mod grammar;
pub mod store;

use base::FieldError;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ids::{MacroId, TeamId};

use super::tickets::fields::{self, Field, Kind};
use super::tickets::priority::Priority;
use super::tickets::status::Status;
use super::tickets::tags;

/// A tenant holds at most this many rules.
pub const MAX_PER_TENANT: usize = 200;
/// The most conditions in `all`, and in `any`.
pub const MAX_CONDITIONS: usize = 50;
/// The most values an `in` or `not_in` lists.
pub const MAX_VALUES: usize = 100;
/// The most actions of one rule.
pub const MAX_ACTIONS: usize = 20;
/// The longest time rule: a year, in minutes.
pub const MAX_AFTER_MINUTES: i64 = 525_600;
/// The longest text a condition compares or an action writes.
pub const TEXT_MAX_CHARS: usize = 10_000;

/// A change of a ticket a rule runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[schema(as = RuleEvent)]
pub enum Event {
    #[serde(rename = "ticket.created")]
    Created,
    /// Any change but a message.
    #[serde(rename = "ticket.updated")]
    Updated,
    #[serde(rename = "message.added")]
    MessageAdded,
    #[serde(rename = "sla.breached")]
    SlaBreached,
}

impl Event {
    pub const ALL: [Self; 4] = [Self::Created, Self::Updated, Self::MessageAdded, Self::SlaBreached];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "ticket.created",
            Self::Updated => "ticket.updated",
            Self::MessageAdded => "message.added",
            Self::SlaBreached => "sla.breached",
        }
    }
}

/// What a time rule's minutes count from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = RuleSince)]
pub enum Since {
    Created,
    StatusChanged,
    LastCustomerMessage,
    LastStaffReply,
}

impl Since {
    pub const ALL: [Self; 4] = [Self::Created, Self::StatusChanged, Self::LastCustomerMessage, Self::LastStaffReply];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::StatusChanged => "status_changed",
            Self::LastCustomerMessage => "last_customer_message",
            Self::LastStaffReply => "last_staff_reply",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    On(Event),
    /// Once per ticket not closed, when this many minutes have passed since `since`.
    After {
        minutes: i64,
        since: Since,
    },
}

/// What a condition looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Status,
    Priority,
    TeamId,
    AssignedTo,
    Category,
    Tags,
    Channel,
    CustomerVip,
    CustomerEmailDomain,
    /// The ticket's customer organisation.
    CustomerOrganizationId,
    Subject,
    Description,
    /// A custom field, by key.
    Field(String),
    MessageBody,
    MessageIsInternal,
    MessageSenderType,
}

/// The closed words a subject may hold.
const STATUSES: [&str; 5] = ["open", "in_progress", "waiting_customer", "resolved", "closed"];
const PRIORITIES: [&str; 4] = ["low", "medium", "high", "urgent"];
const CHANNELS: [&str; 4] = ["web", "email", "api", "phone"];
const SENDERS: [&str; 2] = ["customer", "agent"];

/// What a subject's values are, which decides the operators and values it takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Sort {
    /// One word of a closed set (in order, for `gt` and `lt` where `ordered`).
    Word {
        words: &'static [&'static str],
        ordered: bool,
    },
    /// An id, or none.
    Id,
    /// Text, compared ignoring case for `contains`.
    Text,
    /// The ticket's tags.
    Tags,
    Flag,
    Number,
    Date,
    /// One option of a dropdown, or some of a multi-select's.
    Options {
        values: Vec<String>,
        many: bool,
    },
}

impl Subject {
    const NAMED: [(&'static str, Self); 15] = [
        ("status", Self::Status),
        ("priority", Self::Priority),
        ("team_id", Self::TeamId),
        ("assigned_to", Self::AssignedTo),
        ("category", Self::Category),
        ("tags", Self::Tags),
        ("channel", Self::Channel),
        ("customer.vip", Self::CustomerVip),
        ("customer.email_domain", Self::CustomerEmailDomain),
        ("customer.organization_id", Self::CustomerOrganizationId),
        ("subject", Self::Subject),
        ("description", Self::Description),
        ("message.body", Self::MessageBody),
        ("message.is_internal", Self::MessageIsInternal),
        ("message.sender_type", Self::MessageSenderType),
    ];

    /// The subject `name` names for a rule on `trigger`, given the tenant's fields, or why not.
    fn parse(name: &str, trigger: Trigger, defined: &[Field]) -> Result<(Self, Sort), String> {
        if let Some(key) = name.strip_prefix("fields.") {
            let field = defined.iter().find(|f| f.key == key).ok_or_else(|| format!("no field has the key {key:?}"))?;
            let sort = match field.kind {
                Kind::Text => Sort::Text,
                Kind::Number => Sort::Number,
                Kind::Date => Sort::Date,
                Kind::Checkbox => Sort::Flag,
                Kind::Dropdown | Kind::Multiselect => Sort::Options {
                    values: field.options.iter().map(|o| o.value.clone()).collect(),
                    many: field.kind == Kind::Multiselect,
                },
            };
            return Ok((Self::Field(key.to_owned()), sort));
        }
        let subject =
            Self::NAMED.iter().find(|(known, _)| *known == name).map(|(_, subject)| subject.clone()).ok_or_else(
                || {
                    let names: Vec<&str> = Self::NAMED.iter().map(|(n, _)| *n).collect();
                    format!("unknown field {name:?}: one of {}, or fields.KEY", names.join(", "))
                },
            )?;
        if subject.of_message() && trigger != Trigger::On(Event::MessageAdded) {
            return Err(format!("{name} is known only to rules triggered by message.added"));
        }
        Ok((subject.clone(), subject.sort()))
    }

    fn of_message(&self) -> bool {
        matches!(self, Self::MessageBody | Self::MessageIsInternal | Self::MessageSenderType)
    }

    fn sort(&self) -> Sort {
        let word = |words: &'static [&'static str], ordered| Sort::Word { words, ordered };
        match self {
            Self::Status => word(&STATUSES, false),
            Self::Priority => word(&PRIORITIES, true),
            Self::Channel => word(&CHANNELS, false),
            Self::MessageSenderType => word(&SENDERS, false),
            Self::TeamId | Self::AssignedTo | Self::CustomerOrganizationId => Sort::Id,
            Self::Category | Self::CustomerEmailDomain | Self::Subject | Self::Description | Self::MessageBody => {
                Sort::Text
            }
            Self::Tags => Sort::Tags,
            Self::CustomerVip | Self::MessageIsInternal => Sort::Flag,
            // Given by `parse` from the field's definition.
            Self::Field(_) => Sort::Text,
        }
    }
}

/// How a condition compares; which operators a field takes depends on the values it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = RuleOperator)]
pub enum Op {
    Is,
    IsNot,
    In,
    NotIn,
    Contains,
    NotContains,
    Gt,
    Lt,
    IsEmpty,
    IsNotEmpty,
}

impl Op {
    pub const ALL: [Self; 10] = [
        Self::Is,
        Self::IsNot,
        Self::In,
        Self::NotIn,
        Self::Contains,
        Self::NotContains,
        Self::Gt,
        Self::Lt,
        Self::IsEmpty,
        Self::IsNotEmpty,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Is => "is",
            Self::IsNot => "is_not",
            Self::In => "in",
            Self::NotIn => "not_in",
            Self::Contains => "contains",
            Self::NotContains => "not_contains",
            Self::Gt => "gt",
            Self::Lt => "lt",
            Self::IsEmpty => "is_empty",
            Self::IsNotEmpty => "is_not_empty",
        }
    }

    fn parse(name: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|op| op.as_str() == name).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|op| op.as_str()).collect();
            format!("unknown operator {name:?}: one of {}", names.join(", "))
        })
    }

    /// The operators `sort` takes.
    fn allowed(sort: &Sort) -> &'static [Self] {
        use Op::{Contains, Gt, In, Is, IsEmpty, IsNot, IsNotEmpty, Lt, NotContains, NotIn};
        match sort {
            Sort::Word { ordered: true, .. } => &[Is, IsNot, In, NotIn, Gt, Lt],
            Sort::Word { ordered: false, .. } => &[Is, IsNot, In, NotIn],
            Sort::Id | Sort::Options { many: false, .. } => &[Is, IsNot, In, NotIn, IsEmpty, IsNotEmpty],
            Sort::Text => &[Is, IsNot, In, NotIn, Contains, NotContains, IsEmpty, IsNotEmpty],
            Sort::Tags | Sort::Options { many: true, .. } => &[Contains, NotContains, IsEmpty, IsNotEmpty],
            Sort::Flag => &[Is, IsNot],
            Sort::Number | Sort::Date => &[Is, IsNot, Gt, Lt, IsEmpty, IsNotEmpty],
        }
    }
}

/// One value a condition compares with, read for its subject's sort.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A word, an option, a tag, or text (lower-cased for tags).
    Text(String),
    Id(Uuid),
    Flag(bool),
    Number(f64),
    Date(NaiveDate),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub subject: Subject,
    pub op: Op,
    /// None for `is_empty` and `is_not_empty`; one for `in` and `not_in` lists several.
    pub values: Vec<Operand>,
}

/// Every one of `all`, and, when `any` is not empty, one of `any`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conditions {
    pub all: Vec<Condition>,
    pub any: Vec<Condition>,
}

impl Conditions {
    /// Whether any condition looks at the ticket's customer (who must then be read).
    pub fn read_customer(&self) -> bool {
        self.all
            .iter()
            .chain(&self.any)
            .any(|c| matches!(c.subject, Subject::CustomerVip | Subject::CustomerEmailDomain))
    }
}

/// Whom a rule's mail goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    Assignee,
    Team,
    Admins,
    Address(String),
}

impl Recipient {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Assignee => "assignee",
            Self::Team => "team",
            Self::Admins => "admins",
            Self::Address(address) => address,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SetPriority(Priority),
    SetStatus(Status),
    /// Into a team (routing applies), or out of any.
    SetTeam(Option<TeamId>),
    AssignTo(Option<Uuid>),
    AddTags(Vec<String>),
    RemoveTags(Vec<String>),
    /// A custom field's value, checked against its definition (`None` clears it).
    SetField {
        key: String,
        value: Option<Value>,
    },
    AddInternalNote(String),
    ApplyMacro(MacroId),
    NotifyEmail {
        to: Recipient,
        subject: String,
        body: String,
    },
}

/// A rule as its author wrote it, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub trigger: Trigger,
    pub conditions: Conditions,
    pub actions: Vec<Action>,
}

impl Trigger {
    /// What the write path selects rules by: the event's name, or `time`.
    pub fn kind(self) -> &'static str {
        match self {
            Self::On(event) => event.as_str(),
            Self::After { .. } => "time",
        }
    }
}

/// Reads a rule's `trigger`, `conditions` and `actions` (their JSON forms, API.md "Rules"),
/// given the tenant's custom fields, or every reason it cannot be one, each naming its place.
pub fn parse(trigger: &Value, conditions: &Value, actions: &Value, defined: &[Field]) -> Result<Rule, Vec<FieldError>> {
    let mut errors = Vec::new();
    let trigger = match parse_trigger(trigger) {
        Ok(trigger) => Some(trigger),
        Err(why) => {
            errors.push(FieldError::new("trigger", why));
            None
        }
    };
    let mut checked = Conditions::default();
    // Conditions can only be read for a known trigger (message fields depend on it).
    if let Some(trigger) = trigger {
        match conditions {
            Value::Null => {}
            Value::Object(lists) => {
                for key in lists.keys().filter(|k| *k != "all" && *k != "any") {
                    errors.push(FieldError::new(format!("conditions.{key}"), "unknown: conditions has all and any"));
                }
                checked.all = parse_list(lists.get("all"), "conditions.all", trigger, defined, &mut errors);
                checked.any = parse_list(lists.get("any"), "conditions.any", trigger, defined, &mut errors);
            }
            _ => errors.push(FieldError::new("conditions", "must be an object: {all?: [...], any?: [...]}")),
        }
    }
    let mut checked_actions = Vec::new();
    match actions.as_array() {
        Some(list) if list.is_empty() => errors.push(FieldError::new("actions", "must hold at least one action")),
        Some(list) if list.len() > MAX_ACTIONS => {
            errors.push(FieldError::new("actions", format!("must hold at most {MAX_ACTIONS} actions")));
        }
        Some(list) => {
            for (index, action) in list.iter().enumerate() {
                match parse_action(action, defined) {
                    Ok(action) => checked_actions.push(action),
                    Err((key, why)) => {
                        let place = if key.is_empty() {
                            format!("actions[{index}]")
                        } else {
                            format!("actions[{index}].{key}")
                        };
                        errors.push(FieldError::new(place, why));
                    }
                }
            }
        }
        None => errors.push(FieldError::new("actions", "must be a list of actions")),
    }
    match trigger {
        Some(trigger) if errors.is_empty() => Ok(Rule { trigger, conditions: checked, actions: checked_actions }),
        _ => Err(errors),
    }
}

fn parse_trigger(value: &Value) -> Result<Trigger, String> {
    let events: Vec<&str> = Event::ALL.iter().map(|e| e.as_str()).collect();
    let sinces: Vec<&str> = Since::ALL.iter().map(|s| s.as_str()).collect();
    let explain = || {
        format!(
            "must be one of {}, or {{after_minutes: 1..{MAX_AFTER_MINUTES}, since: {}}}",
            events.join(", "),
            sinces.join("|")
        )
    };
    match value {
        Value::String(name) => Event::ALL
            .into_iter()
            .find(|e| e.as_str() == name)
            .map(Trigger::On)
            .ok_or_else(|| format!("unknown trigger {name:?}: {}", explain())),
        Value::Object(object) => {
            if let Some(key) = object.keys().find(|k| *k != "after_minutes" && *k != "since") {
                return Err(format!("unknown key {key:?}: {}", explain()));
            }
            let minutes = object
                .get("after_minutes")
                .and_then(Value::as_i64)
                .filter(|m| (1..=MAX_AFTER_MINUTES).contains(m))
                .ok_or_else(explain)?;
            let since = object
                .get("since")
                .and_then(Value::as_str)
                .and_then(|name| Since::ALL.into_iter().find(|s| s.as_str() == name))
                .ok_or_else(explain)?;
            Ok(Trigger::After { minutes, since })
        }
        _ => Err(explain()),
    }
}

fn parse_list(
    value: Option<&Value>,
    place: &str,
    trigger: Trigger,
    defined: &[Field],
    errors: &mut Vec<FieldError>,
) -> Vec<Condition> {
    let Some(value) = value.filter(|v| !v.is_null()) else { return Vec::new() };
    let Some(list) = value.as_array() else {
        errors.push(FieldError::new(place, "must be a list of conditions"));
        return Vec::new();
    };
    if list.len() > MAX_CONDITIONS {
        errors.push(FieldError::new(place, format!("must hold at most {MAX_CONDITIONS} conditions")));
        return Vec::new();
    }
    let mut conditions = Vec::with_capacity(list.len());
    for (index, condition) in list.iter().enumerate() {
        match parse_condition(condition, trigger, defined) {
            Ok(condition) => conditions.push(condition),
            Err((key, why)) => errors.push(FieldError::new(format!("{place}[{index}]{key}"), why)),
        }
    }
    conditions
}

/// A condition, or the key at fault (`.op`; empty for the whole) and why.
fn parse_condition(value: &Value, trigger: Trigger, defined: &[Field]) -> Result<Condition, (&'static str, String)> {
    let object = value.as_object().ok_or(("", "must be {field, op, value}".to_owned()))?;
    if let Some(key) = object.keys().find(|k| !["field", "op", "value"].contains(&k.as_str())) {
        return Err(("", format!("unknown key {key:?}: a condition is {{field, op, value}}")));
    }
    let name = object.get("field").and_then(Value::as_str).ok_or((".field", "must be a field's name".to_owned()))?;
    let (subject, sort) = Subject::parse(name, trigger, defined).map_err(|why| (".field", why))?;
    let op = Op::parse(object.get("op").and_then(Value::as_str).unwrap_or_default()).map_err(|why| (".op", why))?;
    let allowed = Op::allowed(&sort);
    if !allowed.contains(&op) {
        let names: Vec<&str> = allowed.iter().map(|op| op.as_str()).collect();
        return Err((".op", format!("{name} takes {}", names.join(", "))));
    }
    let given = object.get("value").unwrap_or(&Value::Null);
    let values = match op {
        Op::IsEmpty | Op::IsNotEmpty if given.is_null() => Vec::new(),
        Op::IsEmpty | Op::IsNotEmpty => return Err((".value", format!("{} takes no value", op.as_str()))),
        Op::In | Op::NotIn => {
            let list = given
                .as_array()
                .filter(|l| (1..=MAX_VALUES).contains(&l.len()))
                .ok_or((".value", format!("{} takes a list of 1 to {MAX_VALUES} values", op.as_str())))?;
            list.iter().map(|v| operand(&sort, v)).collect::<Result<_, _>>().map_err(|why| (".value", why))?
        }
        _ => vec![operand(&sort, given).map_err(|why| (".value", why))?],
    };
    Ok(Condition { subject, op, values })
}

/// `value` read for `sort`, or why it cannot be one of its values.
fn operand(sort: &Sort, value: &Value) -> Result<Operand, String> {
    let text = value.as_str();
    match sort {
        Sort::Word { words, .. } => text
            .filter(|t| words.contains(t))
            .map(|t| Operand::Text(t.to_owned()))
            .ok_or_else(|| format!("must be one of {}", words.join(", "))),
        Sort::Id => text.and_then(|t| t.parse().ok()).map(Operand::Id).ok_or_else(|| "must be an id".to_owned()),
        Sort::Text => text
            .filter(|t| !t.is_empty() && t.chars().count() <= TEXT_MAX_CHARS)
            .map(|t| Operand::Text(t.to_owned()))
            .ok_or_else(|| format!("must be text of 1 to {TEXT_MAX_CHARS} characters")),
        Sort::Tags => tags::normalise(text.unwrap_or_default()).map(Operand::Text),
        Sort::Flag => value.as_bool().map(Operand::Flag).ok_or_else(|| "must be true or false".to_owned()),
        Sort::Number => value.as_f64().map(Operand::Number).ok_or_else(|| "must be a number".to_owned()),
        Sort::Date => text
            .and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
            .map(Operand::Date)
            .ok_or_else(|| "must be a date, YYYY-MM-DD".to_owned()),
        Sort::Options { values, .. } => text
            .filter(|t| values.iter().any(|v| v == t))
            .map(|t| Operand::Text(t.to_owned()))
            .ok_or_else(|| format!("must be one of the field's options: {}", values.join(", "))),
    }
}

/// An action, or the key at fault (`value`; empty for the whole) and why.
fn parse_action(value: &Value, defined: &[Field]) -> Result<Action, (&'static str, String)> {
    let object = value.as_object().ok_or(("", "must be {type, ...}".to_owned()))?;
    let kind = object.get("type").and_then(Value::as_str).unwrap_or_default();
    let keys: &[&str] = match kind {
        "set_priority" | "set_status" | "set_team" | "assign_to" | "add_tags" | "remove_tags" => &["type", "value"],
        "set_field" => &["type", "key", "value"],
        "add_internal_note" => &["type", "body"],
        "apply_macro" => &["type", "macro_id"],
        "notify_email" => &["type", "to", "subject", "body"],
        _ => {
            return Err((
                "type",
                format!(
                    "unknown action {kind:?}: one of set_priority, set_status, set_team, assign_to, add_tags, \
                     remove_tags, set_field, add_internal_note, apply_macro, notify_email"
                ),
            ));
        }
    };
    if let Some(key) = object.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(("", format!("unknown key {key:?}: {kind} takes {}", keys[1..].join(", "))));
    }
    let get = |key: &str| object.get(key).unwrap_or(&Value::Null);
    let word = |key: &'static str| get(key).as_str().ok_or((key, "must be text".to_owned()));
    let id_or_none = |key: &'static str| match get(key) {
        Value::Null => Ok(None),
        Value::String(s) => s.parse().map(Some).map_err(|_| (key, "must be an id, or null".to_owned())),
        _ => Err((key, "must be an id, or null".to_owned())),
    };
    let text = |key: &'static str, max: usize| {
        get(key)
            .as_str()
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.chars().count() <= max)
            .map(str::to_owned)
            .ok_or((key, format!("must be text of 1 to {max} characters")))
    };
    Ok(match kind {
        "set_priority" => Action::SetPriority(
            Priority::parse(word("value")?).ok_or(("value", format!("must be one of {}", PRIORITIES.join(", "))))?,
        ),
        "set_status" => Action::SetStatus(
            Status::parse(word("value")?).ok_or(("value", format!("must be one of {}", STATUSES.join(", "))))?,
        ),
        "set_team" => Action::SetTeam(id_or_none("value")?.map(TeamId)),
        "assign_to" => Action::AssignTo(id_or_none("value")?),
        "add_tags" | "remove_tags" => {
            let given: Vec<String> = get("value")
                .as_array()
                .filter(|l| !l.is_empty())
                .and_then(|l| l.iter().map(|v| v.as_str().map(str::to_owned)).collect())
                .ok_or(("value", "must be a list of 1 or more tags".to_owned()))?;
            let set = tags::checked("value", &given).map_err(|e| ("value", e.message))?;
            let list = set.into_iter().collect();
            if kind == "add_tags" { Action::AddTags(list) } else { Action::RemoveTags(list) }
        }
        "set_field" => {
            let key = word("key")?;
            let field =
                defined.iter().find(|f| f.key == key).ok_or(("key", format!("no field has the key {key:?}")))?;
            let value = fields::value(field, get("value")).map_err(|why| ("value", why))?;
            Action::SetField { key: key.to_owned(), value }
        }
        "add_internal_note" => Action::AddInternalNote(text("body", TEXT_MAX_CHARS)?),
        "apply_macro" => Action::ApplyMacro(
            get("macro_id")
                .as_i64()
                .filter(|id| *id > 0)
                .map(MacroId)
                .ok_or(("macro_id", "must be a macro's id".to_owned()))?,
        ),
        _ => {
            let to = match word("to")? {
                "assignee" => Recipient::Assignee,
                "team" => Recipient::Team,
                "admins" => Recipient::Admins,
                address if address.contains('@') && address.len() <= 254 && !address.contains(char::is_whitespace) => {
                    Recipient::Address(address.to_lowercase())
                }
                _ => return Err(("to", "must be assignee, team, admins or an email address".to_owned())),
            };
            Action::NotifyEmail { to, subject: text("subject", 200)?, body: text("body", TEXT_MAX_CHARS)? }
        }
    })
}

#[cfg(test)]
pub(super) mod tests {
    use serde_json::json;

    use super::*;
    use crate::tickets::fields::{Choice, Label};

    fn field(key: &str, kind: Kind, options: &[&str]) -> Field {
        let now = chrono::Utc::now();
        Field {
            key: key.into(),
            label: Label { en: key.into(), fr: None },
            kind,
            options: options
                .iter()
                .map(|value| Choice { value: (*value).into(), label: Label { en: (*value).into(), fr: None } })
                .collect(),
            required_to_resolve: false,
            visible_to_customer: false,
            editable_by_customer: false,
            position: 0,
            created_at: now,
            updated_at: now,
        }
    }

    pub(in crate::rules) fn defined() -> Vec<Field> {
        vec![
            field("order_total", Kind::Number, &[]),
            field("product", Kind::Dropdown, &["phone", "tablet"]),
            field("parts", Kind::Multiselect, &["screen", "battery"]),
            field("warranty", Kind::Checkbox, &[]),
        ]
    }

    fn places(result: Result<Rule, Vec<FieldError>>) -> Vec<String> {
        result.expect_err("refused").into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_rule_is_read_with_its_trigger_conditions_and_actions() {
        let rule = parse(
            &json!("message.added"),
            &json!({
                "all": [
                    { "field": "message.sender_type", "op": "is", "value": "customer" },
                    { "field": "tags", "op": "contains", "value": " VIP " },
                    { "field": "fields.order_total", "op": "gt", "value": 500 },
                ],
                "any": [
                    { "field": "priority", "op": "in", "value": ["high", "urgent"] },
                    { "field": "team_id", "op": "is_empty" },
                ],
            }),
            &json!([
                { "type": "set_priority", "value": "urgent" },
                { "type": "add_tags", "value": ["Escalated", "escalated"] },
                { "type": "set_field", "key": "product", "value": "phone" },
                { "type": "notify_email", "to": "Lead@Example.com", "subject": "VIP", "body": "Look" },
                { "type": "assign_to", "value": null },
            ]),
            &defined(),
        )
        .unwrap();
        assert_eq!(rule.trigger, Trigger::On(Event::MessageAdded));
        assert_eq!(rule.conditions.all[1].values, [Operand::Text("vip".into())], "tags are normalised");
        assert_eq!(rule.conditions.any[1].values, [], "is_empty takes no value");
        assert_eq!(rule.actions[1], Action::AddTags(vec!["escalated".into()]));
        assert_eq!(
            rule.actions[3],
            Action::NotifyEmail {
                to: Recipient::Address("lead@example.com".into()),
                subject: "VIP".into(),
                body: "Look".into()
            }
        );
        assert_eq!(rule.actions[4], Action::AssignTo(None));

        let timed = parse(
            &json!({ "after_minutes": 2880, "since": "last_staff_reply" }),
            &Value::Null,
            &json!([{ "type": "set_status", "value": "closed" }]),
            &[],
        );
        assert_eq!(timed.unwrap().trigger, Trigger::After { minutes: 2880, since: Since::LastStaffReply });
    }

    #[test]
    fn every_unknown_trigger_field_operator_value_and_action_is_named() {
        let refused = parse(
            &json!("ticket.created"),
            &json!({
                "all": [
                    { "field": "colour", "op": "is", "value": "red" },
                    { "field": "status", "op": "equals", "value": "open" },
                    { "field": "status", "op": "contains", "value": "open" },
                    { "field": "status", "op": "is", "value": "pending" },
                    { "field": "message.body", "op": "contains", "value": "refund" },
                    { "field": "fields.nope", "op": "is", "value": 1 },
                    { "field": "fields.product", "op": "is", "value": "laptop" },
                    { "field": "priority", "op": "in", "value": [] },
                    { "field": "team_id", "op": "is_empty", "value": "x" },
                    { "field": "subject", "op": "contains", "value": "", "extra": 1 },
                ],
                "none": [],
            }),
            &json!([
                { "type": "delete_ticket" },
                { "type": "set_status", "value": "pending" },
                { "type": "set_field", "key": "order_total", "value": "many" },
                { "type": "notify_email", "to": "nobody", "subject": "x", "body": "y" },
                { "type": "add_tags", "value": ["no spaces"] },
                { "type": "set_team", "value": "not-an-id", "colour": 1 },
            ]),
            &defined(),
        );
        assert_eq!(
            places(refused),
            [
                "conditions.none",
                "conditions.all[0].field",
                "conditions.all[1].op",
                "conditions.all[2].op",
                "conditions.all[3].value",
                "conditions.all[4].field",
                "conditions.all[5].field",
                "conditions.all[6].value",
                "conditions.all[7].value",
                "conditions.all[8].value",
                "conditions.all[9]",
                "actions[0].type",
                "actions[1].value",
                "actions[2].value",
                "actions[3].to",
                "actions[4].value",
                "actions[5]",
            ]
        );
        for trigger in [
            json!("ticket.deleted"),
            json!({ "after_minutes": 0, "since": "created" }),
            json!({ "after_minutes": 5, "since": "lunch" }),
            json!(7),
        ] {
            assert_eq!(
                places(parse(&trigger, &Value::Null, &json!([{ "type": "set_priority", "value": "low" }]), &[])),
                ["trigger"],
                "{trigger}"
            );
        }
        assert_eq!(places(parse(&json!("ticket.updated"), &Value::Null, &json!([]), &[])), ["actions"]);
        let many: Vec<Value> = (0..=MAX_ACTIONS).map(|_| json!({ "type": "set_priority", "value": "low" })).collect();
        assert_eq!(places(parse(&json!("ticket.updated"), &Value::Null, &json!(many), &[])), ["actions"]);
    }
}
