//! Dashboards: `GET /v1/sla/summary` (staff, over the tickets each may see) and
//! `GET /v1/agents/workload` (admins).

use axum::Json;
use axum::extract::Query;
use chrono::Utc;
use shared::error::ApiResult;
use shared::http::{Page, PageParams};

use crate::access::{Access, Admins, Staff};
use crate::sav::reports::{self, AgentLoad, SlaSummary};

/// Where the SLA stands over the tickets the caller may see.
#[utoipa::path(get, path = "/v1/sla/summary", tag = "reports", security(("bearer" = [])),
    responses(
        (status = 200, description = "The summary", body = SlaSummary),
        Access<Staff>,
    ))]
pub async fn get_sla_summary(access: Access<Staff>) -> ApiResult<Json<SlaSummary>> {
    let (viewer, mut db) = access.connect().await?;
    Ok(Json(reports::sla_summary(&mut db, viewer, Utc::now()).await?))
}

/// Tickets assigned to each staff member, by status (owners and admins).
#[utoipa::path(get, path = "/v1/agents/workload", tag = "reports", security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "One row per active staff member", body = Page<AgentLoad>),
        Access<Admins>,
    ))]
pub async fn get_workload(access: Access<Admins>, Query(page): Query<PageParams>) -> ApiResult<Json<Page<AgentLoad>>> {
    let rows = async |after, limit| -> ApiResult<_> {
        let (_, mut db) = access.connect().await?;
        Ok(reports::workload(&mut db, after, limit).await?)
    };
    Ok(Json(page.fetch(rows, |a| a.user_id).await?))
}
