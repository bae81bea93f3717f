//! Views: saved ticket filters on the server, so a queue a person or the whole team returns to
//! is the same in every browser. A view is a person's own (seen and kept by its owner alone) or
//! shared with the staff (made and kept by owners and admins). Its `filters` are the ticket
//! list's by name, each a string, or a list of strings for the repeatable ones; `filter_query`
//! turns them into the list's query string, which the list's own parser checks and runs, so a
//! view finds exactly what `GET /v1/tickets` with those filters finds. Commands (`create`,
//! `change`, `remove`) each own their transaction; shared views' changes are audited.

use base::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;
use uuid::Uuid;

use super::tickets::access::Viewer;
use super::users;
use crate::ids::{UserId, ViewId};

/// A person holds at most this many views of their own.
pub const MAX_PERSONAL: i64 = 50;
/// A tenant holds at most this many shared views.
pub const MAX_SHARED: i64 = 100;
pub const NAME_MAX_CHARS: usize = 100;
/// The ticket list's filters a view may hold (not its order, page size or cursor).
pub const FILTER_NAMES: [&str; 13] = [
    "status",
    "priority",
    "assigned_to",
    "unassigned",
    "team_id",
    "category",
    "user_id",
    "order_id",
    "q",
    "sla",
    "tag",
    "tag_any",
    "no_tag",
];
/// The filters that take a list of values.
pub const REPEATABLE: [&str; 5] = ["status", "priority", "tag", "tag_any", "no_tag"];
/// The most values one repeatable filter holds.
const VALUES_MAX: usize = 50;
/// The longest value, in characters.
const VALUE_MAX_CHARS: usize = 200;

/// The order a view's tickets come in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        [Self::Newest, Self::Oldest].into_iter().find(|s| s.as_str() == value)
    }
}

/// A saved view.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct View {
    #[schema(value_type = Uuid)]
    pub id: ViewId,
    pub name: String,
    /// The ticket list's filters by name: a string, or a list of strings for `status`,
    /// `priority`, `tag`, `tag_any` and `no_tag`.
    #[schema(value_type = Object)]
    pub filters: serde_json::Map<String, serde_json::Value>,
    pub sort: Sort,
    /// Seen by the whole staff, kept by owners and admins; otherwise its owner's alone.
    pub shared: bool,
    /// Who made it.
    #[schema(value_type = Uuid)]
    pub owner_id: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A view's fields, as given.
#[derive(Debug, Clone)]
pub struct Fields {
    pub name: String,
    pub filters: serde_json::Map<String, serde_json::Value>,
    pub sort: Sort,
    pub shared: bool,
}

/// What to change of a view; `None` keeps a field. Whether it is shared never changes.
#[derive(Debug, Default)]
pub struct Patch {
    pub name: Option<String>,
    pub filters: Option<serde_json::Map<String, serde_json::Value>>,
    pub sort: Option<Sort>,
}

/// A view's name: trimmed, 1 to 100 characters, no control characters.
pub fn name(value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > NAME_MAX_CHARS || value.chars().any(char::is_control) {
        return Err(FieldError::new(
            "name",
            format!("must be 1 to {NAME_MAX_CHARS} characters, no control characters"),
        ));
    }
    Ok(value.to_owned())
}

/// `filters` as the ticket list's query string (`status=open&tag=a&tag=b`), every name and the
/// shape of every value checked; what the values mean is the list's parser's to check.
pub fn filter_query(filters: &serde_json::Map<String, serde_json::Value>) -> Result<String, FieldError> {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in filters {
        let field = format!("filters.{key}");
        if !FILTER_NAMES.contains(&key.as_str()) && !key.starts_with("field.") {
            let names = FILTER_NAMES.join(", ");
            return Err(FieldError::new(field, format!("is not a ticket filter (one of {names}, or field.KEY)")));
        }
        let values: Vec<&str> = match value {
            serde_json::Value::String(one) => vec![one],
            serde_json::Value::Array(many) if REPEATABLE.contains(&key.as_str()) => {
                if many.is_empty() || many.len() > VALUES_MAX {
                    return Err(FieldError::new(field, format!("must hold 1 to {VALUES_MAX} values")));
                }
                many.iter()
                    .map(|v| v.as_str().ok_or_else(|| FieldError::new(field.clone(), "must hold strings only")))
                    .collect::<Result<_, _>>()?
            }
            _ if REPEATABLE.contains(&key.as_str()) => {
                return Err(FieldError::new(field, "must be a string or a list of strings"));
            }
            _ => return Err(FieldError::new(field, "must be a string")),
        };
        if values.iter().any(|v| v.chars().count() > VALUE_MAX_CHARS) {
            return Err(FieldError::new(field, format!("values must be at most {VALUE_MAX_CHARS} characters")));
        }
        for one in values {
            query.append_pair(key, one);
        }
    }
    Ok(query.finish())
}

fn checked(fields: Fields) -> Result<Fields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = name(&fields.name).map_err(|e| errors.push(e)).ok();
    if let Err(e) = filter_query(&fields.filters) {
        errors.push(e);
    }
    match name {
        Some(name) if errors.is_empty() => Ok(Fields { name, ..fields }),
        _ => Err(errors),
    }
}

/// A view as its row holds it.
struct Row {
    id: ViewId,
    name: String,
    filters: Json<serde_json::Map<String, serde_json::Value>>,
    sort: String,
    shared: bool,
    owner_id: UserId,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Row> for View {
    fn from(row: Row) -> Self {
        Self {
            id: row.id,
            name: row.name,
            filters: row.filters.0,
            sort: Sort::parse(&row.sort).unwrap_or_default(),
            shared: row.shared,
            owner_id: row.owner_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// The views `user` sees: shared ones, then their own, each by name.
pub async fn visible(conn: &mut PgConnection, user: UserId) -> sqlx::Result<Vec<View>> {
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT id AS "id: ViewId", name, filters AS "filters: Json<serde_json::Map<String, serde_json::Value>>", sort, shared, owner_id,
                  created_at, updated_at
           FROM ticket_views WHERE shared OR owner_id = $1
           ORDER BY shared DESC, lower(name), id"#,
        user as _,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(View::from).collect())
}

/// View `id`, if `user` sees it (shared, or theirs).
pub async fn get(conn: &mut PgConnection, user: UserId, id: ViewId) -> sqlx::Result<Option<View>> {
    let row = sqlx::query_as!(
        Row,
        r#"SELECT id AS "id: ViewId", name, filters AS "filters: Json<serde_json::Map<String, serde_json::Value>>", sort, shared, owner_id,
                  created_at, updated_at
           FROM ticket_views WHERE id = $2 AND (shared OR owner_id = $1)"#,
        user as _,
        id as _,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(View::from))
}

/// Why a view is not saved, changed or deleted; the HTTP layer gives each its answer
/// (app-api's `refusals`).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// No view the caller sees has this id.
    #[error("no such view")]
    NotFound,
    /// A shared view is kept by owners and admins only.
    #[error("{0}")]
    NotAdmin(&'static str),
    /// The caller, or the tenant for a shared view, holds as many views as it may.
    #[error("{0}")]
    LimitReached(String),
    /// Fields that break the rules, each with why.
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Whether `viewer` may change or delete `view`: a shared one, owners and admins; one's own,
/// oneself (another's personal view is not seen at all: `get` finds none).
fn may_keep(viewer: Viewer, view: &View) -> Result<(), Refused> {
    if view.shared && !viewer.is_admin() {
        Err(Refused::NotAdmin("only owners and admins may do this"))
    } else {
        Ok(())
    }
}

/// The audit entry of `viewer`'s `action` on `view`, when it is shared (a change the whole staff
/// sees); a person's own views are theirs alone and not audited.
async fn audit_shared(conn: &mut PgConnection, viewer: Viewer, action: &str, view: &View) -> sqlx::Result<()> {
    if !view.shared {
        return Ok(());
    }
    let details = serde_json::json!({ "view_id": view.id, "name": view.name });
    users::audit(conn, viewer.id, action, viewer.id.0, details).await
}

/// Saves a view for `viewer`, within the limits (`MAX_PERSONAL` of their own, `MAX_SHARED`
/// shared; a shared one is made by owners and admins), in one transaction.
pub async fn create(conn: &mut PgConnection, viewer: Viewer, fields: Fields) -> Result<View, Refused> {
    if fields.shared && !viewer.is_admin() {
        return Err(Refused::NotAdmin("only owners and admins make shared views"));
    }
    let fields = checked(fields).map_err(Refused::Invalid)?;
    let mut tx = conn.begin().await?;
    // Counted and written under one lock: two saves at once cannot pass the limit.
    sqlx::query!("LOCK TABLE ticket_views IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
    let held = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM ticket_views WHERE CASE WHEN $2 THEN shared ELSE owner_id = $1 AND NOT shared END"#,
        viewer.id as _,
        fields.shared,
    )
    .fetch_one(&mut *tx)
    .await?;
    let most = if fields.shared { MAX_SHARED } else { MAX_PERSONAL };
    if held >= most {
        let whose = if fields.shared { "this organisation holds" } else { "you hold" };
        return Err(Refused::LimitReached(format!("{whose} {most} views: delete one first")));
    }
    let now = Utc::now();
    let view = View {
        id: ViewId(Uuid::now_v7()),
        name: fields.name,
        filters: fields.filters,
        sort: fields.sort,
        shared: fields.shared,
        owner_id: viewer.id,
        created_at: now,
        updated_at: now,
    };
    sqlx::query!(
        "INSERT INTO ticket_views (id, owner_id, shared, name, filters, sort, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        view.id as _,
        view.owner_id as _,
        view.shared,
        view.name,
        Json(&view.filters) as _,
        view.sort.as_str(),
        now,
    )
    .execute(&mut *tx)
    .await?;
    audit_shared(&mut tx, viewer, "view_created", &view).await?;
    tx.commit().await?;
    Ok(view)
}

/// Changes view `id` by `patch` for `viewer`, checked as a whole, in one transaction.
pub async fn change(conn: &mut PgConnection, viewer: Viewer, id: ViewId, patch: Patch) -> Result<View, Refused> {
    let mut tx = conn.begin().await?;
    let current = get(&mut tx, viewer.id, id).await?.ok_or(Refused::NotFound)?;
    may_keep(viewer, &current)?;
    let fields = Fields {
        name: patch.name.unwrap_or(current.name),
        filters: patch.filters.unwrap_or(current.filters),
        sort: patch.sort.unwrap_or(current.sort),
        shared: current.shared,
    };
    let fields = checked(fields).map_err(Refused::Invalid)?;
    let now = Utc::now();
    sqlx::query!(
        "UPDATE ticket_views SET name = $2, filters = $3, sort = $4, updated_at = $5 WHERE id = $1",
        id as _,
        fields.name,
        Json(&fields.filters) as _,
        fields.sort.as_str(),
        now,
    )
    .execute(&mut *tx)
    .await?;
    let changed = View { name: fields.name, filters: fields.filters, sort: fields.sort, updated_at: now, ..current };
    audit_shared(&mut tx, viewer, "view_updated", &changed).await?;
    tx.commit().await?;
    Ok(changed)
}

/// Deletes view `id` for `viewer`, in one transaction.
pub async fn remove(conn: &mut PgConnection, viewer: Viewer, id: ViewId) -> Result<(), Refused> {
    let mut tx = conn.begin().await?;
    let current = get(&mut tx, viewer.id, id).await?.ok_or(Refused::NotFound)?;
    may_keep(viewer, &current)?;
    sqlx::query!("DELETE FROM ticket_views WHERE id = $1", id as _).execute(&mut *tx).await?;
    audit_shared(&mut tx, viewer, "view_deleted", &current).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn filters(value: &serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn filters_become_the_lists_query_string() {
        let query =
            filter_query(&filters(&json!({ "status": ["open", "in_progress"], "tag": "refund", "q": "colis abîmé" })));
        assert_eq!(query.unwrap(), "q=colis+ab%C3%AEm%C3%A9&status=open&status=in_progress&tag=refund");
        assert_eq!(filter_query(&filters(&json!({}))).unwrap(), "");
    }

    #[test]
    fn unknown_names_and_wrong_shapes_name_the_filter() {
        for (bad, field) in [
            (json!({ "limit": "5" }), "filters.limit"),
            (json!({ "cursor": "x" }), "filters.cursor"),
            (json!({ "statuss": "open" }), "filters.statuss"),
            (json!({ "q": ["a", "b"] }), "filters.q"),
            (json!({ "status": 1 }), "filters.status"),
            (json!({ "tag": [1] }), "filters.tag"),
            (json!({ "tag": [] }), "filters.tag"),
            (json!({ "unassigned": true }), "filters.unassigned"),
            (json!({ "q": "x".repeat(201) }), "filters.q"),
        ] {
            let err = filter_query(&filters(&bad)).unwrap_err();
            assert_eq!(err.field, field, "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("  Remboursements ").unwrap(), "Remboursements");
        assert!(name("   ").is_err());
        assert!(name(&"n".repeat(101)).is_err());
        assert!(name("a\u{7}b").is_err());
    }
}
