//! `/v1/sla/policies`: staff read the tenant's SLA policies by condition, owners and admins
//! replace the ordered list whole (`sav::tickets::sla_by_condition`). The first policy whose conditions
//! all match a ticket applies; none matching, `/v1/sla/policy` does.

use axum::Json;
use sav::tickets::sla_by_condition::{self, SlaPolicies};
use shared::error::ApiResult;
use shared::http::JsonBody;

use crate::access::{Access, Admins, Staff};
use crate::refusals::Answered as _;

/// The tenant's SLA policies by condition, in order (staff).
#[utoipa::path(get, path = "/v1/sla/policies", tag = "sla", security(("bearer" = [])),
    responses(
        (status = 200, description = "The policies, first match first (at most 50)", body = SlaPolicies),
        Access<Staff>,
    ))]
pub async fn get_sla_policies(access: Access<Staff>) -> ApiResult<Json<SlaPolicies>> {
    let (_, mut db) = access.connect().await?;
    Ok(Json(SlaPolicies { policies: sla_by_condition::all(&mut *db.begin().await?).await? }))
}

/// Replace the tenant's SLA policies by condition (owners and admins): tickets match the new
/// list when their clock next starts, resumes or changes (a reply, a change of priority, team,
/// tags or category).
#[utoipa::path(put, path = "/v1/sla/policies", tag = "sla", security(("bearer" = [])), request_body = SlaPolicies,
    responses(
        (status = 200, description = "The policies, as stored (names and lists normalised)", body = SlaPolicies),
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type, an unknown priority"),
        Access<Admins>,
        (status = 422, description = "`validation_failed`: over 50 policies, a name empty, too long or twice, an empty or over-long condition list, a team or schedule not of this organisation, a tag that is not one, targets missing for a priority the policy applies to or given for one it never does, minutes out of 1..525600"),
    ))]
pub async fn put_sla_policies(
    access: Access<Admins>,
    JsonBody(body): JsonBody<SlaPolicies>,
) -> ApiResult<Json<SlaPolicies>> {
    let (admin, mut db) = access.connect().await?;
    let mut tx = db.begin().await?;
    let policies = sla_by_condition::replace(&mut tx, admin.id, body.policies).await.answered()?;
    tx.commit().await?;
    Ok(Json(SlaPolicies { policies }))
}
