//! Typed custom fields: questions a tenant asks about its tickets, each with a type, labels in
//! English and French, and whether customers see it, may set it, and whether a ticket may be
//! resolved without it. Admins keep the definitions (`create`, `change`, `remove`, each one
//! transaction with its audit entry); a ticket holds its values in one JSON object (`fields`),
//! every value checked against its definition by the one ticket write path (`merge`), and the
//! list filters by them (`Wanted`, `Condition`).

use std::collections::{BTreeMap, HashSet};

use base::FieldError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::types::Json;
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;

use super::access::Viewer;
use crate::ids::{TicketId, UserId};
use crate::users;

/// A tenant holds at most this many fields.
pub const MAX_PER_TENANT: i64 = 100;
/// A dropdown or multi-select offers at most this many options.
pub const MAX_OPTIONS: usize = 100;
pub const LABEL_MAX_CHARS: usize = 100;
pub const OPTION_MAX_CHARS: usize = 100;
pub const TEXT_MAX_CHARS: usize = 2000;
/// Numbers are kept exact up to here (a JSON number read as a double).
const NUMBER_MAX: f64 = 1e15;

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = FieldType)]
pub enum Kind {
    /// A line of text, at most 2,000 characters.
    Text,
    /// A number.
    Number,
    /// A day, `YYYY-MM-DD`.
    Date,
    /// True or false.
    Checkbox,
    /// One of the options, by value.
    Dropdown,
    /// Some of the options, by value.
    Multiselect,
}

impl Kind {
    pub const ALL: [Self; 6] =
        [Self::Text, Self::Number, Self::Date, Self::Checkbox, Self::Dropdown, Self::Multiselect];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::Checkbox => "checkbox",
            Self::Dropdown => "dropdown",
            Self::Multiselect => "multiselect",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// Whether its values are chosen among options.
    pub fn has_options(self) -> bool {
        matches!(self, Self::Dropdown | Self::Multiselect)
    }

    /// Whether its values are ordered (range filters).
    pub fn ranges(self) -> bool {
        matches!(self, Self::Number | Self::Date)
    }
}

base::text_column!(Kind, parse);

/// A label in English, and in French when it differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FieldLabel)]
pub struct Label {
    pub en: String,
    #[serde(default)]
    pub fr: Option<String>,
}

/// One option of a dropdown or a multi-select.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FieldOption)]
pub struct Choice {
    /// What tickets hold and filters name: 1 to 100 characters, distinct in the field.
    pub value: String,
    pub label: Label,
}

/// A field's definition.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TicketField)]
pub struct Field {
    /// `[a-z][a-z0-9_]{0,39}`; never changes.
    pub key: String,
    pub label: Label,
    /// Never changes.
    #[serde(rename = "type")]
    pub kind: Kind,
    /// Dropdown and multi-select only (empty otherwise).
    pub options: Vec<Choice>,
    /// A ticket is not resolved while this field is empty (`false`, `""` and `[]` are empty).
    pub required_to_resolve: bool,
    /// Customers see it on their tickets.
    pub visible_to_customer: bool,
    /// Customers may set it (on their new tickets and their own tickets); implies visible.
    pub editable_by_customer: bool,
    /// The order fields are shown in.
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A field as given to be made, or as it becomes after a change.
#[derive(Debug, Clone)]
pub struct Draft {
    pub key: String,
    pub label: Label,
    pub kind: Kind,
    pub options: Vec<Choice>,
    pub required_to_resolve: bool,
    pub visible_to_customer: bool,
    pub editable_by_customer: bool,
    /// `None`: after the others.
    pub position: Option<i32>,
}

/// What to change of a field; `None` keeps it. The key and the type never change.
#[derive(Debug, Default)]
pub struct Patch {
    pub label: Option<Label>,
    pub options: Option<Vec<Choice>>,
    pub required_to_resolve: Option<bool>,
    pub visible_to_customer: Option<bool>,
    pub editable_by_customer: Option<bool>,
    pub position: Option<i32>,
}

pub fn checked_label(field: &str, label: &Label) -> Result<Label, FieldError> {
    let text = |value: &str| {
        let value = value.trim();
        let chars = value.chars().count();
        (chars > 0 && chars <= LABEL_MAX_CHARS && !value.chars().any(char::is_control)).then(|| value.to_owned())
    };
    let en = text(&label.en).ok_or_else(|| FieldError::new(format!("{field}.en"), "must be 1 to 100 characters"))?;
    let fr = match label.fr.as_deref() {
        None => None,
        Some(fr) if fr.trim().is_empty() => None,
        Some(fr) => {
            Some(text(fr).ok_or_else(|| FieldError::new(format!("{field}.fr"), "must be 1 to 100 characters"))?)
        }
    };
    Ok(Label { en, fr })
}

/// `draft` with its labels and option values trimmed, or the errors of each part that is wrong
/// in itself.
pub fn checked(draft: Draft) -> Result<Draft, Vec<FieldError>> {
    let mut errors = Vec::new();
    if !valid_key(&draft.key) {
        errors.push(FieldError::new("key", "must be a lower-case letter, then up to 39 letters, digits or _"));
    }
    let label = checked_label("label", &draft.label).map_err(|e| errors.push(e)).ok();
    let mut options = Vec::with_capacity(draft.options.len());
    if draft.kind.has_options() {
        if draft.options.is_empty() || draft.options.len() > MAX_OPTIONS {
            errors.push(FieldError::new("options", "a dropdown or multi-select needs 1 to 100 options"));
        }
        let mut seen = HashSet::new();
        for (n, choice) in draft.options.iter().take(MAX_OPTIONS).enumerate() {
            let value = choice.value.trim().to_owned();
            let chars = value.chars().count();
            if chars == 0 || chars > OPTION_MAX_CHARS || value.chars().any(char::is_control) {
                errors.push(FieldError::new(format!("options[{n}].value"), "must be 1 to 100 characters"));
            } else if !seen.insert(value.clone()) {
                errors.push(FieldError::new(format!("options[{n}].value"), "is given twice"));
            }
            match checked_label(&format!("options[{n}].label"), &choice.label) {
                Ok(label) => options.push(Choice { value, label }),
                Err(e) => errors.push(e),
            }
        }
    } else if !draft.options.is_empty() {
        errors.push(FieldError::new("options", "only dropdown and multi-select fields have options"));
    }
    if draft.editable_by_customer && !draft.visible_to_customer {
        errors.push(FieldError::new("editable_by_customer", "a field customers may set must be visible to them"));
    }
    if draft.position.is_some_and(|p| !(0..=10_000).contains(&p)) {
        errors.push(FieldError::new("position", "must be 0 to 10000"));
    }
    match label {
        Some(label) if errors.is_empty() => Ok(Draft { label, options, ..draft }),
        _ => Err(errors),
    }
}

fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && key.len() <= 40
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Value `given` for `field`, as stored: `None` clears it (`null`, `""`, `[]`). A checkbox
/// keeps `false` (an unset checkbox is neither true nor false); a multi-select keeps its values
/// distinct, in the options' order.
pub fn value(field: &Field, given: &Value) -> Result<Option<Value>, String> {
    if given.is_null() {
        return Ok(None);
    }
    let text = || given.as_str().map(str::trim);
    let option = |value: &str| field.options.iter().position(|o| o.value == value);
    match field.kind {
        Kind::Text => match text() {
            Some("") => Ok(None),
            Some(t) if t.chars().count() <= TEXT_MAX_CHARS && !t.contains('\0') => Ok(Some(Value::from(t))),
            _ => Err("must be text of at most 2,000 characters".into()),
        },
        Kind::Number => match given.as_f64() {
            Some(n) if n.abs() <= NUMBER_MAX => Ok(Some(given.clone())),
            _ => Err("must be a number between -10^15 and 10^15".into()),
        },
        Kind::Date => match text() {
            Some("") => Ok(None),
            Some(t) => day(t).map(|d| Some(Value::from(d.format("%Y-%m-%d").to_string()))),
            None => Err("must be a date, YYYY-MM-DD".into()),
        },
        Kind::Checkbox => given.as_bool().map(|b| Some(Value::from(b))).ok_or_else(|| "must be true or false".into()),
        Kind::Dropdown => match text() {
            Some("") => Ok(None),
            Some(t) if option(t).is_some() => Ok(Some(Value::from(t))),
            Some(t) => Err(format!("{t:?} is not one of its options")),
            None => Err("must be one of its options".into()),
        },
        Kind::Multiselect => {
            let Some(items) = given.as_array() else { return Err("must be a list of its options".into()) };
            let mut places = BTreeMap::new();
            for item in items {
                let Some(t) = item.as_str() else { return Err("must be a list of its options".into()) };
                let place = option(t).ok_or_else(|| format!("{t:?} is not one of its options"))?;
                places.insert(place, t);
            }
            Ok((!places.is_empty()).then(|| Value::from(places.into_values().collect::<Vec<_>>())))
        }
    }
}

fn day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "must be a date, YYYY-MM-DD".to_owned())
}

/// Who sets values: staff set any field; a customer only those they may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setter {
    Staff,
    Customer,
}

impl Setter {
    pub fn of(viewer: Viewer) -> Self {
        if viewer.is_staff() { Self::Staff } else { Self::Customer }
    }
}

/// `current` values with `given` merged in (`null` clears a field), each checked against
/// `fields`: the new values, or an error naming `fields.KEY` for each wrong one (an unknown key,
/// one the setter may not set, a value of the wrong type or option).
pub fn merge(
    fields: &[Field],
    current: &Value,
    given: &Map<String, Value>,
    by: Setter,
) -> Result<Value, Vec<FieldError>> {
    let mut values = current.as_object().cloned().unwrap_or_default();
    let mut errors = Vec::new();
    for (key, given) in given {
        let name = format!("fields.{key}");
        let Some(field) = fields.iter().find(|f| f.key == *key) else {
            errors.push(FieldError::new(name, "is not a field of this organisation"));
            continue;
        };
        if by == Setter::Customer && !field.editable_by_customer {
            let why =
                if field.visible_to_customer { "is not yours to set" } else { "is not a field of this organisation" };
            errors.push(FieldError::new(name, why));
            continue;
        }
        match value(field, given) {
            Ok(Some(value)) => drop(values.insert(key.clone(), value)),
            Ok(None) => drop(values.remove(key)),
            Err(why) => errors.push(FieldError::new(name, why)),
        }
    }
    if errors.is_empty() { Ok(Value::Object(values)) } else { Err(errors) }
}

/// The keys whose values differ between `before` and `after`, with both sides: `[before,
/// after]` as the history shows them (`null`: unset).
pub fn differences(before: &Value, after: &Value) -> Option<Value> {
    let (empty, mut was, mut is) = (Map::new(), Map::new(), Map::new());
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for key in keys {
        let (b, a) = (before.get(key), after.get(key));
        if b != a {
            was.insert(key.clone(), b.cloned().unwrap_or(Value::Null));
            is.insert(key.clone(), a.cloned().unwrap_or(Value::Null));
        }
    }
    (!was.is_empty()).then(|| Value::from(vec![Value::Object(was), Value::Object(is)]))
}

/// The fields a ticket holding `values` may not be resolved without, as errors naming
/// `fields.KEY` (empty: it may be resolved).
pub fn missing_to_resolve(fields: &[Field], values: &Value) -> Vec<FieldError> {
    fields
        .iter()
        .filter(|f| f.required_to_resolve)
        .filter(|f| match values.get(&f.key) {
            None | Some(Value::Null | Value::Bool(false)) => true,
            Some(Value::String(s)) => s.is_empty(),
            Some(Value::Array(a)) => a.is_empty(),
            Some(_) => false,
        })
        .map(|f| FieldError::new(format!("fields.{}", f.key), format!("{} is required to resolve", f.label.en)))
        .collect()
}

/// Why a field is not made, changed or deleted, or a filter on fields not read; the HTTP layer gives each its answer (app-api's `refusals`).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// No field of this tenant has the key asked for.
    #[error("no such field")]
    NotFound,
    /// Another field has this key.
    #[error("another field has this key")]
    KeyTaken,
    /// Tickets hold an option a change takes away.
    #[error("tickets hold the option {0:?}: change their values first")]
    OptionInUse(String),
    /// The tenant holds `MAX_PER_TENANT` fields already.
    #[error("this organisation holds 100 fields: delete one first")]
    LimitReached,
    /// Fields that break the rules, each with why.
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The number and date values among `values`, as the range filters read them (a date: days
/// since 1970-01-01).
pub fn ranges(fields: &[Field], values: &Value) -> Vec<(String, f64)> {
    let Some(values) = values.as_object() else { return Vec::new() };
    fields
        .iter()
        .filter(|f| f.kind.ranges())
        .filter_map(|f| Some((f.key.clone(), ordinal(f.kind, values.get(&f.key)?)?)))
        .collect()
}

fn ordinal(kind: Kind, value: &Value) -> Option<f64> {
    match kind {
        Kind::Number => value.as_f64(),
        Kind::Date => {
            let days = day(value.as_str()?).ok()?.signed_duration_since(NaiveDate::default()).num_days();
            #[allow(clippy::cast_precision_loss, reason = "days since 1970 fit a double exactly")]
            Some(days as f64)
        }
        _ => None,
    }
}

/// Which of a ticket's values its viewer is shown: staff all, customers those visible to them.
#[derive(Debug, Clone, Default)]
pub enum Shown {
    #[default]
    All,
    Only(HashSet<String>),
}

impl Shown {
    /// `values` as shown.
    pub fn apply(&self, values: &mut Value) {
        if let (Self::Only(keys), Some(values)) = (self, values.as_object_mut()) {
            values.retain(|key, _| keys.contains(key));
        }
    }
}

/// What `viewer` is shown of tickets' values: for a customer, one read of the visible keys.
pub async fn shown(conn: &mut PgConnection, viewer: Viewer) -> sqlx::Result<Shown> {
    if viewer.is_staff() {
        return Ok(Shown::All);
    }
    let keys = sqlx::query_scalar!("SELECT key FROM ticket_fields WHERE visible_to_customer").fetch_all(conn).await?;
    Ok(Shown::Only(keys.into_iter().collect()))
}

/// A list filter on a field, as given: `field.KEY=value` (equal, or for a multi-select,
/// holding it), `field.KEY.gte=` and `field.KEY.lte=` (numbers and dates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub key: String,
    pub bound: Bound,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Equal,
    AtLeast,
    AtMost,
}

impl Wanted {
    /// The filter a query parameter's name and value ask for, if the name starts with `field.`;
    /// `Some(Err)` names what is wrong with it.
    pub fn parse(name: &str, value: &str) -> Option<Result<Self, FieldError>> {
        let rest = name.strip_prefix("field.")?;
        let (key, bound) = match rest.rsplit_once('.') {
            Some((key, "gte")) => (key, Bound::AtLeast),
            Some((key, "lte")) => (key, Bound::AtMost),
            Some(_) => return Some(Err(FieldError::new(name, "must be field.KEY, field.KEY.gte or field.KEY.lte"))),
            None => (rest, Bound::Equal),
        };
        if !valid_key(key) {
            return Some(Err(FieldError::new(name, "names no field")));
        }
        Some(Ok(Self { key: key.to_owned(), bound, value: value.to_owned() }))
    }

    /// The parameter's name.
    pub fn name(&self) -> String {
        match self.bound {
            Bound::Equal => format!("field.{}", self.key),
            Bound::AtLeast => format!("field.{}.gte", self.key),
            Bound::AtMost => format!("field.{}.lte", self.key),
        }
    }
}

/// A field filter as the list's statement applies it.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `fields @> {key: value}` (the GIN index).
    Holds(Value),
    /// A number or date at least, or at most, this ordinal (`ticket_field_ranges`).
    Range { key: String, bound: Bound, ordinal: f64 },
}

/// The conditions `wanted` asks for under `fields`, for `viewer`: an unknown field, one a
/// customer is not shown, a range on a field without order or a value the field cannot hold is
/// an error naming the parameter.
pub fn conditions(fields: &[Field], wanted: &[Wanted], viewer: Viewer) -> Result<Vec<Condition>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut conditions = Vec::with_capacity(wanted.len());
    for w in wanted {
        let field = fields.iter().find(|f| f.key == w.key).filter(|f| viewer.is_staff() || f.visible_to_customer);
        let Some(field) = field else {
            errors.push(FieldError::new(w.name(), "is not a field of this organisation"));
            continue;
        };
        match condition(field, w) {
            Ok(condition) => conditions.push(condition),
            Err(why) => errors.push(FieldError::new(w.name(), why)),
        }
    }
    if errors.is_empty() { Ok(conditions) } else { Err(errors) }
}

fn condition(field: &Field, wanted: &Wanted) -> Result<Condition, String> {
    let raw = wanted.value.as_str();
    if wanted.bound != Bound::Equal {
        if !field.kind.ranges() {
            return Err("only number and date fields take .gte and .lte".into());
        }
        let given = match field.kind {
            Kind::Number => raw.trim().parse::<f64>().ok().filter(|n| n.is_finite()).map(Value::from),
            _ => Some(Value::from(raw)),
        };
        let ordinal =
            given.and_then(|v| value(field, &v).ok().flatten()).and_then(|v| ordinal(field.kind, &v)).ok_or_else(
                || format!("must be a {}", if field.kind == Kind::Number { "number" } else { "date, YYYY-MM-DD" }),
            )?;
        return Ok(Condition::Range { key: field.key.clone(), bound: wanted.bound, ordinal });
    }
    let given = match field.kind {
        Kind::Number => raw.trim().parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::from),
        Kind::Checkbox => match raw {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        Kind::Multiselect => Some(Value::from(vec![raw])),
        _ => Some(Value::from(raw)),
    };
    let stored = given.and_then(|v| value(field, &v).ok().flatten()).ok_or_else(|| match field.kind {
        Kind::Checkbox => "must be true or false".to_owned(),
        Kind::Number => "must be a number".to_owned(),
        Kind::Date => "must be a date, YYYY-MM-DD".to_owned(),
        _ if field.kind.has_options() => format!("{raw:?} is not one of its options"),
        _ => "must be 1 to 2,000 characters".to_owned(),
    })?;
    let mut holds = Map::new();
    holds.insert(field.key.clone(), stored);
    Ok(Condition::Holds(Value::Object(holds)))
}

/// The conditions `wanted` asks for, against the tenant's fields as they are now (read only when
/// there are some): 422 naming each parameter that is wrong.
pub async fn resolve(conn: &mut PgConnection, viewer: Viewer, wanted: &[Wanted]) -> Result<Vec<Condition>, Refused> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    conditions(&all(conn).await?, wanted, viewer).map_err(Refused::Invalid)
}

struct Row {
    key: String,
    label_en: String,
    label_fr: Option<String>,
    kind: Kind,
    options: Json<Vec<Choice>>,
    required_to_resolve: bool,
    visible_to_customer: bool,
    editable_by_customer: bool,
    position: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Row> for Field {
    fn from(row: Row) -> Self {
        Self {
            key: row.key,
            label: Label { en: row.label_en, fr: row.label_fr },
            kind: row.kind,
            options: row.options.0,
            required_to_resolve: row.required_to_resolve,
            visible_to_customer: row.visible_to_customer,
            editable_by_customer: row.editable_by_customer,
            position: row.position,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Every field of the tenant, in their order.
pub async fn all(conn: &mut PgConnection) -> sqlx::Result<Vec<Field>> {
    read(conn, None).await
}

/// The fields `viewer` sees: staff all of them, customers those visible to them.
pub async fn seen_by(conn: &mut PgConnection, viewer: Viewer) -> sqlx::Result<Vec<Field>> {
    let mut fields = all(conn).await?;
    fields.retain(|f| viewer.is_staff() || f.visible_to_customer);
    Ok(fields)
}

async fn get(conn: &mut PgConnection, key: &str) -> sqlx::Result<Option<Field>> {
    Ok(read(conn, Some(key)).await?.pop())
}

async fn read(conn: &mut PgConnection, key: Option<&str>) -> sqlx::Result<Vec<Field>> {
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT key, label_en, label_fr, kind AS "kind: Kind", options AS "options: Json<Vec<Choice>>",
                required_to_resolve, visible_to_customer, editable_by_customer, position, created_at, updated_at
           FROM ticket_fields WHERE $1::text IS NULL OR key = $1 ORDER BY position, key LIMIT $2"#,
        key,
        MAX_PER_TENANT,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Field::from).collect())
}

/// Fields are made one at a time per tenant, so the count holds.
async fn lock_for_change(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("LOCK TABLE ticket_fields IN SHARE ROW EXCLUSIVE MODE").execute(conn).await.map(drop)
}

/// Makes a field for `admin`, within the tenant's limit, with its audit entry, in one
/// transaction.
pub async fn create(conn: &mut PgConnection, admin: UserId, draft: Draft) -> Result<Field, Refused> {
    let draft = checked(draft).map_err(Refused::Invalid)?;
    let mut tx = conn.begin().await?;
    lock_for_change(&mut tx).await?;
    let (count, next) =
        sqlx::query!(r#"SELECT count(*) AS "count!", coalesce(max(position) + 1, 0) AS "next!" FROM ticket_fields"#)
            .fetch_one(&mut *tx)
            .await
            .map(|row| (row.count, row.next))?;
    if count >= MAX_PER_TENANT {
        return Err(Refused::LimitReached);
    }
    if get(&mut tx, &draft.key).await?.is_some() {
        return Err(Refused::KeyTaken);
    }
    write(&mut tx, &draft, draft.position.unwrap_or(next)).await?;
    let details = serde_json::json!({ "key": draft.key, "type": draft.kind.as_str() });
    users::audit_setting(&mut tx, admin, "field_created", details).await?;
    let created = get(&mut tx, &draft.key).await?.ok_or(Refused::NotFound)?;
    tx.commit().await?;
    Ok(created)
}

async fn write(tx: &mut PgConnection, draft: &Draft, position: i32) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO ticket_fields (key, label_en, label_fr, kind, options, required_to_resolve, visible_to_customer,
             editable_by_customer, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (tenant_id, key) DO UPDATE SET label_en = EXCLUDED.label_en, label_fr = EXCLUDED.label_fr,
           options = EXCLUDED.options, required_to_resolve = EXCLUDED.required_to_resolve,
           visible_to_customer = EXCLUDED.visible_to_customer, editable_by_customer = EXCLUDED.editable_by_customer,
           position = EXCLUDED.position, updated_at = now()",
        draft.key,
        draft.label.en,
        draft.label.fr,
        draft.kind.as_str(),
        Json(&draft.options) as _,
        draft.required_to_resolve,
        draft.visible_to_customer,
        draft.editable_by_customer,
        position,
    )
    .execute(tx)
    .await
    .map(drop)
}

/// Changes field `key` by `patch`, checked as a whole, with its audit entry, in one
/// transaction. An option some ticket holds is not removed (409 `option_in_use`).
pub async fn change(conn: &mut PgConnection, admin: UserId, key: &str, patch: Patch) -> Result<Field, Refused> {
    let mut tx = conn.begin().await?;
    lock_for_change(&mut tx).await?;
    let current = get(&mut tx, key).await?.ok_or(Refused::NotFound)?;
    let draft = Draft {
        key: current.key.clone(),
        label: patch.label.unwrap_or_else(|| current.label.clone()),
        kind: current.kind,
        options: patch.options.unwrap_or_else(|| current.options.clone()),
        required_to_resolve: patch.required_to_resolve.unwrap_or(current.required_to_resolve),
        visible_to_customer: patch.visible_to_customer.unwrap_or(current.visible_to_customer),
        editable_by_customer: patch.editable_by_customer.unwrap_or(current.editable_by_customer),
        position: Some(patch.position.unwrap_or(current.position)),
    };
    let draft = checked(draft).map_err(Refused::Invalid)?;
    for gone in current.options.iter().filter(|o| !draft.options.iter().any(|n| n.value == o.value)) {
        let held = match current.kind {
            Kind::Multiselect => serde_json::json!({ key: [gone.value] }),
            _ => serde_json::json!({ key: gone.value }),
        };
        let in_use = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM support_tickets WHERE fields @> $1) AS "in_use!""#,
            held
        )
        .fetch_one(&mut *tx)
        .await?;
        if in_use {
            return Err(Refused::OptionInUse(gone.value.clone()));
        }
    }
    write(&mut tx, &draft, draft.position.unwrap_or(current.position)).await?;
    users::audit_setting(&mut tx, admin, "field_changed", serde_json::json!({ "key": key })).await?;
    let changed = get(&mut tx, key).await?.ok_or(Refused::NotFound)?;
    tx.commit().await?;
    Ok(changed)
}

/// Deletes field `key` and every ticket's value of it, with its audit entry. How many tickets
/// held a value.
pub async fn remove(conn: &mut PgConnection, admin: UserId, key: &str) -> Result<u64, Refused> {
    let mut tx = conn.begin().await?;
    lock_for_change(&mut tx).await?;
    let kind = sqlx::query_scalar!(r#"DELETE FROM ticket_fields WHERE key = $1 RETURNING kind AS "kind: Kind""#, key)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Refused::NotFound)?;
    let held = sqlx::query!("UPDATE support_tickets SET fields = fields - $1::text WHERE fields ? $1", key)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let details = serde_json::json!({ "key": key, "type": kind.as_str(), "tickets": held });
    users::audit_setting(&mut tx, admin, "field_deleted", details).await?;
    tx.commit().await?;
    Ok(held)
}

/// Ticket `ticket`'s number and date values become `ranges` (`ranges`), in the write's
/// transaction.
pub async fn write_ranges(tx: &mut PgConnection, ticket: TicketId, ranges: &[(String, f64)]) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM ticket_field_ranges WHERE ticket_id = $1", ticket as _).execute(&mut *tx).await?;
    if ranges.is_empty() {
        return Ok(());
    }
    let (keys, values): (Vec<String>, Vec<f64>) = ranges.iter().cloned().unzip();
    sqlx::query!(
        "INSERT INTO ticket_field_ranges (key, value, ticket_id) SELECT k, v, $3 FROM unnest($1::text[], $2::float8[]) AS r(k, v)",
        &keys,
        &values,
        ticket as _,
    )
    .execute(tx)
    .await
    .map(drop)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn field(key: &str, kind: Kind, options: &[&str]) -> Field {
        Field {
            key: key.into(),
            label: Label { en: key.to_uppercase(), fr: None },
            kind,
            options: options
                .iter()
                .map(|v| Choice { value: (*v).into(), label: Label { en: (*v).into(), fr: None } })
                .collect(),
            required_to_resolve: false,
            visible_to_customer: false,
            editable_by_customer: false,
            position: 0,
            created_at: DateTime::default(),
            updated_at: DateTime::default(),
        }
    }

    #[test]
    fn each_type_takes_its_own_values_and_empty_ones_clear() {
        let text = field("ref", Kind::Text, &[]);
        assert_eq!(value(&text, &json!("  A-12 ")), Ok(Some(json!("A-12"))));
        assert_eq!(value(&text, &json!("")), Ok(None));
        assert!(value(&text, &json!(12)).is_err());
        assert!(value(&text, &json!("x".repeat(2001))).is_err());
        let number = field("weight", Kind::Number, &[]);
        assert_eq!(value(&number, &json!(2.5)), Ok(Some(json!(2.5))));
        assert!(value(&number, &json!("2.5")).is_err());
        assert!(value(&number, &json!(1e16)).is_err());
        let date = field("bought", Kind::Date, &[]);
        assert_eq!(value(&date, &json!("2026-02-03")), Ok(Some(json!("2026-02-03"))));
        assert!(value(&date, &json!("2026-02-30")).is_err());
        assert!(value(&date, &json!("03/02/2026")).is_err());
        let checkbox = field("gift", Kind::Checkbox, &[]);
        assert_eq!(value(&checkbox, &json!(false)), Ok(Some(json!(false))), "false is kept");
        assert!(value(&checkbox, &json!("true")).is_err());
        let colour = field("colour", Kind::Dropdown, &["red", "blue"]);
        assert_eq!(value(&colour, &json!("blue")), Ok(Some(json!("blue"))));
        assert!(value(&colour, &json!("green")).is_err());
        let parts = field("parts", Kind::Multiselect, &["lid", "base", "cord"]);
        assert_eq!(value(&parts, &json!(["cord", "lid", "cord"])), Ok(Some(json!(["lid", "cord"]))), "options' order");
        assert_eq!(value(&parts, &json!([])), Ok(None));
        assert!(value(&parts, &json!(["lid", 3])).is_err());
        for f in [&text, &number, &date, &checkbox, &colour, &parts] {
            assert_eq!(value(f, &Value::Null), Ok(None));
        }
    }

    #[test]
    fn a_merge_checks_every_key_and_customers_set_only_their_own() {
        let mut mine = field("serial", Kind::Text, &[]);
        mine.visible_to_customer = true;
        mine.editable_by_customer = true;
        let mut shown = field("model", Kind::Text, &[]);
        shown.visible_to_customer = true;
        let fields = [mine, shown, field("cost", Kind::Number, &[])];
        let current = json!({ "model": "X1", "cost": 3 });
        let given = json!({ "serial": "S-9", "cost": null }).as_object().unwrap().clone();
        assert_eq!(merge(&fields, &current, &given, Setter::Staff), Ok(json!({ "model": "X1", "serial": "S-9" })));
        let names = |errors: Vec<FieldError>| errors.into_iter().map(|e| e.field).collect::<Vec<_>>();
        let given = json!({ "serial": "S-9", "model": "X2", "cost": 4, "nope": 1 }).as_object().unwrap().clone();
        let refused = names(merge(&fields, &current, &given, Setter::Customer).unwrap_err());
        assert_eq!(refused, ["fields.cost", "fields.model", "fields.nope"]);
    }

    #[test]
    fn required_fields_count_false_empty_and_absent_as_missing() {
        let mut check = field("checked", Kind::Checkbox, &[]);
        check.required_to_resolve = true;
        let mut reference = field("reference", Kind::Text, &[]);
        reference.required_to_resolve = true;
        let fields = [check, reference, field("other", Kind::Text, &[])];
        let missing =
            |values: Value| missing_to_resolve(&fields, &values).into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(missing(json!({})), ["fields.checked", "fields.reference"]);
        assert_eq!(missing(json!({ "checked": false, "reference": "R" })), ["fields.checked"]);
        assert!(missing(json!({ "checked": true, "reference": "R" })).is_empty());
    }

    #[test]
    fn filters_are_read_against_the_definitions() {
        assert_eq!(Wanted::parse("status", "open"), None);
        let wanted = |name: &str, value: &str| Wanted::parse(name, value).unwrap().unwrap();
        let fields = [
            field("weight", Kind::Number, &[]),
            field("bought", Kind::Date, &[]),
            field("parts", Kind::Multiselect, &["lid"]),
            field("gift", Kind::Checkbox, &[]),
        ];
        let staff = Viewer {
            id: UserId::NOBODY,
            role: base::Role::Agent,
            access: crate::ticket_settings::AgentAccess::All,
            colleague: None,
        };
        let got = conditions(
            &fields,
            &[wanted("field.weight.gte", "2"), wanted("field.parts", "lid"), wanted("field.gift", "false")],
            staff,
        )
        .unwrap();
        assert_eq!(
            got,
            [
                Condition::Range { key: "weight".into(), bound: Bound::AtLeast, ordinal: 2.0 },
                Condition::Holds(json!({ "parts": ["lid"] })),
                Condition::Holds(json!({ "gift": false })),
            ]
        );
        let bought = conditions(&fields, &[wanted("field.bought.lte", "1970-01-11")], staff).unwrap();
        assert_eq!(bought, [Condition::Range { key: "bought".into(), bound: Bound::AtMost, ordinal: 10.0 }]);
        let refused = conditions(
            &fields,
            &[wanted("field.gift.gte", "1"), wanted("field.parts", "cord"), wanted("field.gone", "x")],
            staff,
        )
        .unwrap_err();
        let names: Vec<_> = refused.into_iter().map(|e| e.field).collect();
        assert_eq!(names, ["field.gift.gte", "field.parts", "field.gone"]);
        let customer = Viewer {
            id: UserId::NOBODY,
            role: base::Role::Customer,
            access: crate::ticket_settings::AgentAccess::All,
            colleague: None,
        };
        assert!(conditions(&fields, &[wanted("field.weight", "2")], customer).is_err(), "not shown to customers");
        assert!(Wanted::parse("field.weight.between", "1").unwrap().is_err());
    }

    #[test]
    fn a_definition_is_checked_part_by_part() {
        let draft = |key: &str, kind: Kind, options: Vec<Choice>| Draft {
            key: key.into(),
            label: Label { en: " Colour ".into(), fr: Some(" ".into()) },
            kind,
            options,
            required_to_resolve: false,
            visible_to_customer: false,
            editable_by_customer: false,
            position: None,
        };
        let choice = |v: &str| Choice { value: v.into(), label: Label { en: v.into(), fr: None } };
        let ok = checked(draft("colour", Kind::Dropdown, vec![choice(" red "), choice("blue")])).unwrap();
        assert_eq!((ok.label.en.as_str(), ok.label.fr.clone(), ok.options[0].value.as_str()), ("Colour", None, "red"));
        let names = |errors: Vec<FieldError>| errors.into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(names(checked(draft("Colour", Kind::Dropdown, vec![])).unwrap_err()), ["key", "options"]);
        assert_eq!(
            names(checked(draft("c", Kind::Dropdown, vec![choice("a"), choice("a")])).unwrap_err()),
            ["options[1].value"]
        );
        assert_eq!(names(checked(draft("c", Kind::Text, vec![choice("a")])).unwrap_err()), ["options"]);
        let hidden = Draft { editable_by_customer: true, ..draft("c", Kind::Text, vec![]) };
        assert_eq!(names(checked(hidden).unwrap_err()), ["editable_by_customer"]);
    }
}
