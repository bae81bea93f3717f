//! `/v1/organizations`: the tenant's customer organisations (`sav::organizations`): staff read
//! them, their statistics and members; owners and admins keep them and who belongs to which.
//! `GET /v1/me/organizations`: a customer's own, as the portal shows them.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use chrono::Utc;
use sav::ids::{OrganizationId, UserId};
use sav::organizations::{self, Fields, Member, MemberChange, Membership, Organization, Patch, Role, Stats};
use sav::tickets::events::Event;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::openapi::NotFound;
use shared::http::{JsonBody, Page, PageParams, parse_list_query};
use sqlx::PgConnection;
use utoipa::ToSchema;

use crate::access::{Access, Admins, Customers, Staff};
use crate::events::Events;
use crate::events::outbox::Audience;
use crate::refusals::Answered as _;

/// The longest `?q=`, in characters.
const QUERY_MAX_CHARS: usize = 200;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    /// 1 to 200 characters, trimmed; unique in the tenant whatever the case.
    pub name: String,
    /// At most 20 domains (`acme.com`); its customers-to-be join it by their address.
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub shared_tickets: bool,
    #[serde(default)]
    pub shared_comments: bool,
    /// At most 10,000 characters, for staff.
    #[serde(default)]
    pub notes: String,
    /// `{SOURCE: "id"}`, at most 10.
    #[serde(default)]
    pub external_ids: BTreeMap<String, String>,
}

/// The fields to change; absent ones stay, `domains` is the whole list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationChange {
    pub name: Option<String>,
    pub domains: Option<Vec<String>>,
    pub shared_tickets: Option<bool>,
    pub shared_comments: Option<bool>,
    pub notes: Option<String>,
    pub external_ids: Option<BTreeMap<String, String>>,
}

/// An organisation with what its page counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationPage {
    #[serde(flatten)]
    pub organization: Organization,
    pub stats: Stats,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipChange {
    /// Default `member` for a new member; an existing one keeps theirs when absent.
    pub role: Option<Role>,
    /// `true` makes this their primary organisation.
    #[serde(default)]
    pub primary: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganizationQuery {
    q: Option<String>,
    domain: Option<String>,
    external_id: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// The tenant's customer organisations by name (staff).
#[utoipa::path(get, path = "/v1/organizations", tag = "organizations", security(("bearer" = [])),
    params(
        ("q" = Option<String>, Query, description = "1 to 200 characters the name contains, ignoring case"),
        ("domain" = Option<String>, Query, description = "the organisation holding this domain"),
        ("external_id" = Option<String>, Query, description = "`SOURCE:ID`: the organisation carrying this reference"),
        PageParams,
    ),
    responses(
        (status = 200, description = "A page of organisations, by name", body = Page<Organization>),
        (status = 400, description = "`validation_failed`: an unknown parameter"),
        Access<Staff>,
        (status = 422, description = "`validation_failed`: a bad `q`, `domain`, `external_id`, limit or cursor"),
    ))]
pub async fn list_organizations(
    access: Access<Staff>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<Organization>>> {
    let asked: OrganizationQuery = parse_list_query(query.as_deref().unwrap_or_default())?;
    let q = asked.q.as_deref().map(str::trim);
    if q.is_some_and(|q| q.is_empty() || q.chars().count() > QUERY_MAX_CHARS) {
        return Err(ApiError::invalid(vec![FieldError::new("q", "must be 1 to 200 characters")]));
    }
    let domain = asked
        .domain
        .as_deref()
        .map(organizations::domain)
        .transpose()
        .map_err(|why| ApiError::invalid(vec![FieldError::new("domain", why)]))?;
    let external_id = asked
        .external_id
        .as_deref()
        .map(|given| given.split_once(':').filter(|(source, id)| !source.is_empty() && !id.is_empty()))
        .map(|pair| pair.ok_or_else(|| ApiError::invalid(vec![FieldError::new("external_id", "must be SOURCE:ID")])))
        .transpose()?;
    let filter = organizations::Filter { name_contains: q, domain: domain.as_deref(), external_id };
    let page = PageParams { limit: asked.limit, cursor: asked.cursor };
    let (_, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let rows = async |after, limit| organizations::page(&mut tx, &filter, after, limit).await;
    Ok(Json(page.fetch(rows, Organization::position).await?))
}

/// Make a customer organisation (owners and admins).
#[utoipa::path(post, path = "/v1/organizations", tag = "organizations", security(("bearer" = [])),
    request_body = NewOrganization,
    responses(
        (status = 201, description = "The organisation", body = Organization),
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        Access<Admins>,
        (status = 409, description = "`organization_name_taken`; `domain_taken`, naming the domain"),
        (status = 422, description = "`validation_failed`: the name, notes, a domain (an address, a single label, a wildcard, a public mail provider's), over 20 domains, external ids"),
    ))]
pub async fn create_organization(
    access: Access<Admins>,
    State(events): State<Arc<Events>>,
    JsonBody(body): JsonBody<NewOrganization>,
) -> ApiResult<(StatusCode, Json<Organization>)> {
    let fields = Fields {
        name: body.name,
        domains: body.domains,
        shared_tickets: body.shared_tickets,
        shared_comments: body.shared_comments,
        notes: body.notes,
        external_ids: body.external_ids,
    };
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let created = organizations::create(&mut tx, admin.id, fields).await.answered()?;
    let announced = Event::OrganizationCreated { organization: created.named() };
    announce(&mut tx, &access, announced).await?;
    tx.commit().await?;
    events.hints.hint(&access.tenant());
    Ok((StatusCode::CREATED, Json(created)))
}

/// A customer organisation with its statistics (staff), counted now.
#[utoipa::path(get, path = "/v1/organizations/{id}", tag = "organizations", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The organisation and its statistics", body = OrganizationPage),
        Access<Staff>,
        NotFound,
    ))]
pub async fn get_organization(
    access: Access<Staff>,
    Path(id): Path<OrganizationId>,
) -> ApiResult<Json<OrganizationPage>> {
    let (_, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let organization = organizations::get(&mut tx, id).await?.ok_or(organizations::Refused::NotFound).answered()?;
    let stats = organizations::stats(&mut tx, id).await?;
    Ok(Json(OrganizationPage { organization, stats }))
}

/// Change a customer organisation (owners and admins): adding a domain moves nobody.
#[utoipa::path(patch, path = "/v1/organizations/{id}", tag = "organizations", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = OrganizationChange,
    responses(
        (status = 200, description = "The organisation", body = Organization),
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        Access<Admins>,
        NotFound,
        (status = 409, description = "`organization_name_taken`; `domain_taken`, naming the domain"),
        (status = 422, description = "`validation_failed`: as for a new organisation"),
    ))]
pub async fn patch_organization(
    access: Access<Admins>,
    State(events): State<Arc<Events>>,
    Path(id): Path<OrganizationId>,
    JsonBody(change): JsonBody<OrganizationChange>,
) -> ApiResult<Json<Organization>> {
    let patch = Patch {
        name: change.name,
        domains: change.domains,
        shared_tickets: change.shared_tickets,
        shared_comments: change.shared_comments,
        notes: change.notes,
        external_ids: change.external_ids,
    };
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let changed = organizations::change(&mut tx, admin.id, id, patch).await.answered()?;
    announce(&mut tx, &access, Event::OrganizationUpdated { organization: changed.named() }).await?;
    tx.commit().await?;
    events.hints.hint(&access.tenant());
    Ok(Json(changed))
}

/// Delete a customer organisation (owners and admins): its memberships go; its people and its
/// tickets stay, the tickets without an organisation.
#[utoipa::path(delete, path = "/v1/organizations/{id}", tag = "organizations", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        Access<Admins>,
        NotFound,
        (status = 409, description = "`organization_in_use`: an SLA policy's conditions name it"),
    ))]
pub async fn delete_organization(
    access: Access<Admins>,
    State(events): State<Arc<Events>>,
    Path(id): Path<OrganizationId>,
) -> ApiResult<StatusCode> {
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let removed = organizations::remove(&mut tx, admin.id, id).await.answered()?;
    announce(&mut tx, &access, Event::OrganizationDeleted { organization: removed.named() }).await?;
    tx.commit().await?;
    events.hints.hint(&access.tenant());
    Ok(StatusCode::NO_CONTENT)
}

/// Writes `event` to the outbox in the change's transaction `tx` (webhooks `organization.*`).
async fn announce(tx: &mut PgConnection, access: &Access<Admins>, event: Event) -> ApiResult<()> {
    crate::events::enqueue(tx, &access.tenant(), Utc::now(), &[event], &Audience::nobody()).await?;
    Ok(())
}

/// A customer organisation's members, in the order they joined (staff).
#[utoipa::path(get, path = "/v1/organizations/{id}/members", tag = "organizations", security(("bearer" = [])),
    params(("id" = Uuid, Path), PageParams),
    responses(
        (status = 200, description = "A page of its members", body = Page<Member>),
        Access<Staff>,
        NotFound,
    ))]
pub async fn list_members(
    access: Access<Staff>,
    Path(id): Path<OrganizationId>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page<Member>>> {
    let page: PageParams = parse_list_query(query.as_deref().unwrap_or_default())?;
    let (_, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    organizations::get(&mut tx, id).await?.ok_or(organizations::Refused::NotFound).answered()?;
    let rows = async |after, limit| organizations::members(&mut tx, id, after, limit).await;
    Ok(Json(page.fetch(rows, Member::position).await?))
}

/// Add a customer to an organisation, or change their role or make it their primary (owners
/// and admins).
#[utoipa::path(put, path = "/v1/organizations/{id}/members/{user_id}", tag = "organizations", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = MembershipChange,
    responses(
        (status = 200, description = "The membership, added or changed", body = Member),
        (status = 400, description = "`validation_failed`: unreadable body, unknown field or role, wrong type"),
        Access<Admins>,
        (status = 404, description = "`not_found`: no such organisation, or no such person in this tenant"),
        (status = 422, description = "`validation_failed`: a staff member (`user_id`); `limit_reached`: the person's 21st organisation"),
    ))]
pub async fn put_member(
    access: Access<Admins>,
    Path((id, user)): Path<(OrganizationId, UserId)>,
    JsonBody(body): JsonBody<MembershipChange>,
) -> ApiResult<Json<Member>> {
    let change = MemberChange { role: body.role, primary: body.primary };
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let member = organizations::put_member(&mut tx, admin.id, id, user, change).await.answered()?;
    tx.commit().await?;
    Ok(Json(member))
}

/// Take a customer out of an organisation (owners and admins); their oldest remaining one
/// becomes their primary when this was it.
#[utoipa::path(delete, path = "/v1/organizations/{id}/members/{user_id}", tag = "organizations", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses(
        (status = 204, description = "No longer a member"),
        Access<Admins>,
        (status = 404, description = "`not_found`: no such organisation, or not a member of it"),
    ))]
pub async fn delete_member(
    access: Access<Admins>,
    Path((id, user)): Path<(OrganizationId, UserId)>,
) -> ApiResult<StatusCode> {
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    organizations::remove_member(&mut tx, admin.id, id, user).await.answered()?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your customer organisations (customers), your primary first: what the portal shows, never
/// their domains or notes.
#[utoipa::path(get, path = "/v1/me/organizations", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, description = "Your organisations (at most 20)", body = Vec<Membership>),
        Access<Customers>,
    ))]
pub async fn my_organizations(access: Access<Customers>) -> ApiResult<Json<Vec<Membership>>> {
    let (me, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    Ok(Json(organizations::of_person(&mut tx, me.id).await?))
}
