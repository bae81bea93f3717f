//! `/v1/teams`: staff read the tenant's teams, owners and admins keep them (`sav::teams`);
//! how a team hands its tickets out is `sav::routing`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use sav::ids::{TeamId, UserId};
use sav::routing::Assignment;
use sav::teams::{self, Fields, Patch, Team};
use serde::Deserialize;
use shared::error::ApiResult;
use shared::http::JsonBody;
use shared::http::openapi::NotFound;
use utoipa::ToSchema;

use super::nullable;
use crate::access::{Access, Admins, Staff};
use crate::events::Events;
use crate::refusals::Answered as _;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    /// 1 to 100 characters, unique in the tenant whatever the case.
    pub name: String,
    /// At most 1,000 characters.
    #[serde(default)]
    pub description: String,
    pub assignment: Assignment,
    /// 1 to 1000 tickets in progress per member before routing passes them by; null or absent:
    /// no cap.
    pub max_open_per_agent: Option<i32>,
    /// Owners, admins and agents of the tenant (at most 1,000); empty is allowed.
    #[schema(value_type = Vec<Uuid>)]
    pub member_ids: Vec<UserId>,
}

/// The fields to change; absent ones stay, `null` lifts the cap, `member_ids` is the whole set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(clippy::option_option, reason = "absent keeps, null clears, a value sets")]
pub struct TeamChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub assignment: Option<Assignment>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub max_open_per_agent: Option<Option<i32>>,
    #[schema(value_type = Option<Vec<Uuid>>)]
    pub member_ids: Option<Vec<UserId>>,
}

/// The tenant's teams, by name (staff).
#[utoipa::path(get, path = "/v1/teams", tag = "teams", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every team (at most 100)", body = Vec<Team>),
        Access<Staff>,
    ))]
pub async fn list_teams(access: Access<Staff>) -> ApiResult<Json<Vec<Team>>> {
    let (_, mut db) = access.connect().await?;
    Ok(Json(teams::all(&mut *db.begin().await?).await?))
}

/// Make a team (owners and admins).
#[utoipa::path(post, path = "/v1/teams", tag = "teams", security(("bearer" = [])), request_body = NewTeam,
    responses(
        (status = 201, description = "The team", body = Team),
        Access<Admins>,
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        (status = 409, description = "`team_name_taken`"),
        (status = 422, description = "`validation_failed`: a name, a cap of 1 to 1000, members who are staff of the tenant; `limit_reached`: the tenant holds 100 teams"),
    ))]
pub async fn create_team(
    access: Access<Admins>,
    State(events): State<Arc<Events>>,
    JsonBody(body): JsonBody<NewTeam>,
) -> ApiResult<(StatusCode, Json<Team>)> {
    let fields = Fields {
        name: body.name,
        description: body.description,
        assignment: body.assignment,
        max_open_per_agent: body.max_open_per_agent,
        member_ids: body.member_ids,
    };
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let created = teams::create(&mut tx, admin.id, fields).await.answered()?;
    tx.commit().await?;
    // The jobs hand out what waits in its queue, if anything.
    events.hints.hint(&access.tenant());
    Ok((StatusCode::CREATED, Json(created)))
}

/// Change a team (owners and admins): a member added, a cap raised or routing switched on hands
/// out the tickets waiting in its queue.
#[utoipa::path(patch, path = "/v1/teams/{id}", tag = "teams", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = TeamChange,
    responses(
        (status = 200, description = "The team", body = Team),
        Access<Admins>,
        NotFound,
        (status = 409, description = "`team_name_taken`"),
    ))]
pub async fn patch_team(
    access: Access<Admins>,
    State(events): State<Arc<Events>>,
    Path(id): Path<TeamId>,
    JsonBody(change): JsonBody<TeamChange>,
) -> ApiResult<Json<Team>> {
    let patch = Patch {
        name: change.name,
        description: change.description,
        assignment: change.assignment,
        max_open_per_agent: change.max_open_per_agent,
        member_ids: change.member_ids,
    };
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let changed = teams::change(&mut tx, admin.id, id, patch).await.answered()?;
    tx.commit().await?;
    events.hints.hint(&access.tenant());
    Ok(Json(changed))
}

/// Delete a team (owners and admins): its tickets are left without a team.
#[utoipa::path(delete, path = "/v1/teams/{id}", tag = "teams", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        Access<Admins>,
        NotFound,
        (status = 409, description = "`team_in_use`: an SLA policy's conditions name it"),
    ))]
pub async fn delete_team(access: Access<Admins>, Path(id): Path<TeamId>) -> ApiResult<StatusCode> {
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    teams::remove(&mut tx, admin.id, id).await.answered()?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
