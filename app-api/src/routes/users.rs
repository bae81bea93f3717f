//! `GET /v1/users`: staff look up the organisation's people by name or address (a customer to
//! open a ticket for, a colleague), a page at a time.
//!
//! `PATCH /v1/users/{id}`: admins set a customer's VIP flag. The priority rules read it on the
//! customer's next ticket; the change is written to the tenant's audit log.
//!
//! `DELETE /v1/users/{id}`: admins erase a customer (GDPR article 17; the person's own request
//! goes through them): the tenant's data first (`sav::erasure`, one transaction), then the
//! control plane removes the membership, ends the sessions and erases the identity when no
//! membership remains. Each half is idempotent: when the control plane cannot be reached, the
//! answer says so (503) and the same request, retried, finishes the work and answers as the
//! first would have.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, header};
use sav::erasure::{self, Erased};
use sav::users::{self, Kind, Me, Person};
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::{JsonBody, Page, PageParams, one_of, parse_list_query};
use utoipa::ToSchema;

use crate::access::{Access, Admins, Staff};
use crate::attachments::Attachments;
use crate::infra::control_plane::ControlApi;
use crate::refusals::Answered as _;
use sav::ids::UserId;

/// The longest `?q=`, in characters.
const QUERY_MAX_CHARS: usize = 200;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PeopleQuery {
    role: Option<String>,
    q: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// The organisation's people by name (staff): customers and staff, or one of them.
#[utoipa::path(get, path = "/v1/users", tag = "users", security(("bearer" = [])),
    params(
        ("role" = Option<String>, Query, description = "`customer` or `staff`"),
        ("q" = Option<String>, Query, description = "1 to 200 characters the name or the address contains, ignoring case"),
        PageParams,
    ),
    responses(
        (status = 200, description = "A page of people, by name", body = Page<Person>),
        (status = 400, description = "`validation_failed`: an unknown parameter or `role`"),
        Access<Staff>,
        (status = 422, description = "`validation_failed`: a bad `q`, limit or cursor"),
    ))]
pub async fn list_users(access: Access<Staff>, RawQuery(query): RawQuery) -> ApiResult<Json<Page<Person>>> {
    let (_, mut db) = access.connect().await?;
    let asked: PeopleQuery = parse_list_query(query.as_deref().unwrap_or_default())?;
    let kind = one_of("role", asked.role.as_deref(), &[("customer", Kind::Customers), ("staff", Kind::Staff)])?;
    let q = asked.q.as_deref().map(str::trim);
    if q.is_some_and(|q| q.is_empty() || q.chars().count() > QUERY_MAX_CHARS) {
        return Err(ApiError::invalid(vec![FieldError::new("q", "must be 1 to 200 characters")]));
    }
    let page = PageParams { limit: asked.limit, cursor: asked.cursor };
    let mut tx = db.begin().await?;
    let rows = async |after, limit| users::people_page(&mut tx, kind, q, after, limit).await;
    Ok(Json(page.fetch(rows, Person::position).await?))
}

/// A member of the tenant (staff): their organisations and where they come from besides.
#[utoipa::path(get, path = "/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The member", body = users::Detail),
        Access<Staff>,
        (status = 404, description = "`not_found`: no active member of this tenant has this id"),
    ))]
pub async fn get_user(access: Access<Staff>, Path(id): Path<UserId>) -> ApiResult<Json<users::Detail>> {
    let (_, mut db) = access.connect().await?;
    let found = users::detail(&mut *db.begin().await?, id).await?;
    found.map(Json).ok_or_else(|| ApiError::not_found(format!("no member of this tenant has the id {}", id.0)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// Whether the customer is a VIP (their tickets start one priority level up).
    pub vip: bool,
}

/// Set a customer's VIP flag (owners and admins).
#[utoipa::path(patch, path = "/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = UserPatch,
    responses(
        (status = 200, description = "The customer, as changed", body = Me),
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        Access<Admins>,
        (status = 404, description = "`not_found`: no active member of this tenant has this id"),
        (status = 422, description = "`validation_failed`: the member is staff, not a customer"),
    ))]
pub async fn patch_user(
    access: Access<Admins>,
    Path(id): Path<UserId>,
    JsonBody(patch): JsonBody<UserPatch>,
) -> ApiResult<Json<Me>> {
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let customer = users::set_customer_vip(&mut tx, admin.id, id, patch.vip).await.answered()?;
    tx.commit().await?;
    Ok(Json(customer))
}

/// What an erasure did.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct Erasure {
    #[schema(value_type = Uuid)]
    pub user_id: UserId,
    /// The name the person's tickets carry from now on.
    pub pseudonym: String,
    /// What the first erasure changed in the tenant database.
    pub erased: Erased,
    /// The membership is gone from the control plane (sessions ended; the identity erased when
    /// it had no other membership).
    pub membership_removed: bool,
}

/// Erase a customer (owners and admins).
#[utoipa::path(delete, path = "/v1/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Erased (the same answer for a repeated request)", body = Erasure),
        Access<Admins>,
        (status = 404, description = "`not_found`: no member of this tenant has this id"),
        (status = 422, description = "`validation_failed`: the member is staff (removed through the members screen)"),
        (status = 503, description = "`dependency_unavailable`: the control plane is not configured (nothing is erased), or the tenant's data is erased and the control plane could not be reached; retry"),
    ))]
pub async fn erase_user(
    State(files): State<Arc<Attachments>>,
    State(control): State<Option<Arc<ControlApi>>>,
    access: Access<Admins>,
    headers: HeaderMap,
    Path(id): Path<UserId>,
) -> ApiResult<Json<Erasure>> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::unauthorized("a bearer token is required"))?;
    // Checked before anything is erased: an erasure is whole, the tenant's data and the
    // membership, or nothing.
    let control = control.ok_or_else(|| {
        ApiError::unavailable(
            "erasure needs the control plane (CONTROL_API_URL), which this server lacks; nothing was erased",
        )
    })?;
    let (admin, mut db) = access.connect().await?;
    let tenant = access.tenant();
    let mut tx = db.begin().await?;
    let (pseudonym, erased) = erasure::erase_customer(&mut tx, admin.id, tenant.id, id).await.answered()?;
    tx.commit().await?;
    drop(db);
    // Their files' objects: now, or by the orphan cleanup if the store is away.
    if let Err(err) = files.delete_released(access.db().pools(), &tenant).await {
        tracing::warn!(error = %err, "the erased person's files stay queued for deletion from the store");
    }
    control.erase_member(token, &tenant.slug, id).await?;
    Ok(Json(Erasure { user_id: id, pseudonym, erased, membership_removed: true }))
}
