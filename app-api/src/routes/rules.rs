//! `/v1/rules`: owners and admins keep the tenant's rules (`sav::rules`), try one on a
//! ticket without writing anything, and read what each did; the write path runs them
//! (`crate::commands::rules`).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use sav::ids::{RuleId, TicketId};
use sav::rules::grammar::{RuleAction, RuleConditions, RuleTrigger};
use sav::rules::store::{self, Draft, Patch, Run, Saved};
use serde::Deserialize;
use serde_json::Value;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::openapi::NotFound;
use shared::http::{JsonBody, Page, PageParams};
use utoipa::ToSchema;

use crate::access::{Access, Admins};
use crate::commands::rules::{self, Tried};
use crate::events::Events;
use crate::refusals::Answered as _;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRule {
    /// 1 to 100 characters, unique in the tenant whatever the case.
    pub name: String,
    /// Default true.
    pub enabled: Option<bool>,
    #[schema(value_type = RuleTrigger)]
    pub trigger: Value,
    /// Absent: none, the rule runs on every ticket its trigger meets.
    #[schema(value_type = Option<RuleConditions>)]
    #[serde(default)]
    pub conditions: Value,
    /// 1 to 20 actions, run in order.
    #[schema(value_type = Vec<RuleAction>)]
    pub actions: Value,
    /// Where it goes, 1..n+1; absent: last.
    pub position: Option<i32>,
}

/// What to change; absent parts stay. `trigger`, `conditions` and `actions` are checked with
/// what stays.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleChange {
    pub name: Option<String>,
    pub enabled: Option<bool>,
    #[schema(value_type = Option<RuleTrigger>)]
    pub trigger: Option<Value>,
    #[schema(value_type = Option<RuleConditions>)]
    pub conditions: Option<Value>,
    #[schema(value_type = Option<Vec<RuleAction>>)]
    pub actions: Option<Value>,
    /// Its new place, 1..n: the rules between move by one.
    pub position: Option<i32>,
}

/// The ticket to try a rule on: by id or by number.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DryRun {
    #[schema(value_type = Option<i64>)]
    pub ticket_id: Option<TicketId>,
    /// The ticket's number (`TKT-128`), in any case.
    pub ticket_number: Option<String>,
}

/// The tenant's rules, in the order they run (owners and admins).
#[utoipa::path(get, path = "/v1/rules", tag = "rules", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every rule, by position (at most 200)", body = Vec<Saved>),
        Access<Admins>,
    ))]
pub async fn list_rules(access: Access<Admins>) -> ApiResult<Json<Vec<Saved>>> {
    let (_, mut db) = access.connect().await?;
    Ok(Json(store::all(&mut *db.begin().await?).await?))
}

/// Make a rule (owners and admins); a time rule starts on every ticket not closed.
#[utoipa::path(post, path = "/v1/rules", tag = "rules", security(("bearer" = [])), request_body = NewRule,
    responses(
        (status = 201, description = "The rule", body = Saved),
        Access<Admins>,
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        (status = 409, description = "`rule_name_taken`"),
        (status = 422, description = "`validation_failed`: each refusal names its place (`conditions.all[2].op`, `actions[0].value`): an unknown trigger, field, operator, value or action, a team, person or macro not of this organisation, a position out of 1..n+1; `limit_reached`: the tenant holds 200 rules"),
    ))]
pub async fn create_rule(
    access: Access<Admins>,
    State(events): State<Arc<Events>>,
    JsonBody(body): JsonBody<NewRule>,
) -> ApiResult<(StatusCode, Json<Saved>)> {
    let draft = Draft {
        name: body.name,
        enabled: body.enabled.unwrap_or(true),
        trigger: body.trigger,
        conditions: body.conditions,
        actions: body.actions,
        position: body.position,
    };
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let created = store::create(&mut tx, admin.id, draft).await.answered()?;
    tx.commit().await?;
    // A time rule's timers may be due already.
    events.hints.hint(&access.tenant());
    Ok((StatusCode::CREATED, Json(created)))
}

/// Change a rule (owners and admins).
#[utoipa::path(patch, path = "/v1/rules/{id}", tag = "rules", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = RuleChange,
    responses(
        (status = 200, description = "The rule", body = Saved),
        Access<Admins>,
        NotFound,
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        (status = 409, description = "`rule_name_taken`"),
        (status = 422, description = "`validation_failed`, naming each place"),
    ))]
pub async fn patch_rule(
    access: Access<Admins>,
    State(events): State<Arc<Events>>,
    Path(id): Path<RuleId>,
    JsonBody(change): JsonBody<RuleChange>,
) -> ApiResult<Json<Saved>> {
    let patch = Patch {
        name: change.name,
        enabled: change.enabled,
        trigger: change.trigger,
        conditions: change.conditions,
        actions: change.actions,
        position: change.position,
    };
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let changed = store::change(&mut tx, admin.id, id, patch).await.answered()?;
    tx.commit().await?;
    events.hints.hint(&access.tenant());
    Ok(Json(changed))
}

/// Delete a rule (owners and admins): its runs and timers go with it; the history keeps its
/// changes.
#[utoipa::path(delete, path = "/v1/rules/{id}", tag = "rules", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        Access<Admins>,
        NotFound,
    ))]
pub async fn delete_rule(access: Access<Admins>, Path(id): Path<RuleId>) -> ApiResult<StatusCode> {
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    store::remove(&mut tx, admin.id, id).await.answered()?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Try a rule on a ticket (owners and admins), enabled or not: whether it matches and what it
/// would change, or why it would be refused. Nothing is written, sent or counted.
#[utoipa::path(post, path = "/v1/rules/{id}/dry-run", tag = "rules", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = DryRun,
    responses(
        (status = 200, description = "What the rule would do", body = Tried),
        Access<Admins>,
        (status = 404, description = "`not_found`: no such rule or ticket"),
        (status = 422, description = "`validation_failed`: neither or both of ticket_id and ticket_number; a rule that no longer reads"),
    ))]
pub async fn dry_run_rule(
    access: Access<Admins>,
    State(events): State<Arc<Events>>,
    Path(id): Path<RuleId>,
    JsonBody(body): JsonBody<DryRun>,
) -> ApiResult<Json<Tried>> {
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let ticket = match (body.ticket_id, body.ticket_number.as_deref().map(str::trim)) {
        (Some(ticket), None) => ticket,
        (None, Some(number)) => store::ticket_numbered(&mut tx, &number.to_uppercase())
            .await?
            .ok_or_else(|| ApiError::not_found("no ticket has this number"))?,
        _ => {
            return Err(ApiError::invalid(vec![FieldError::new(
                "ticket_id",
                "give ticket_id or ticket_number, one of them",
            )]));
        }
    };
    // Nothing to commit: `try_rule` rolls back what it tried.
    Ok(Json(rules::try_rule(&mut tx, &events, admin.id, id, ticket).await?))
}

/// A rule's last runs, newest first (owners and admins): what each changed, or why it was
/// refused. The newest 100 are kept.
#[utoipa::path(get, path = "/v1/rules/{id}/runs", tag = "rules", security(("bearer" = [])),
    params(("id" = Uuid, Path), PageParams),
    responses(
        (status = 200, description = "A page of the rule's runs", body = Page<Run>),
        Access<Admins>,
        NotFound,
    ))]
pub async fn list_rule_runs(
    access: Access<Admins>,
    Path(id): Path<RuleId>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<Run>>> {
    let rows = async |before, limit| -> ApiResult<_> {
        let (_, mut db) = access.connect().await?;
        let mut tx = db.begin().await?;
        store::get(&mut tx, id).await?.ok_or(store::Refused::NotFound).answered()?;
        Ok(store::runs(&mut tx, id, before, limit).await?)
    };
    Ok(Json(page.fetch(rows, |run| run.id).await?))
}
