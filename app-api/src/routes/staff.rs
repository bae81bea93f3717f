//! `GET /v1/staff`: the support team (owners, admins, agents) as colleagues need it, to assign a
//! ticket to someone and to name who did what. Customers are not in it, nor may they read it.

use axum::Json;
use axum::extract::Query;
use sav::users::{self, StaffMember};
use shared::error::ApiResult;
use shared::http::{Page, PageParams};

use crate::access::{Access, Staff};

/// The tenant's active staff.
#[utoipa::path(get, path = "/v1/staff", tag = "users", security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "A page of staff members, by id", body = Page<StaffMember>),
        Access<Staff>,
        (status = 422, description = "`validation_failed`: a bad limit or cursor"),
    ))]
pub async fn list_staff(access: Access<Staff>, Query(page): Query<PageParams>) -> ApiResult<Json<Page<StaffMember>>> {
    let rows = async |after, limit| -> ApiResult<_> {
        let (_, mut db) = access.connect().await?;
        Ok(users::staff_page(&mut *db.begin().await?, after, limit).await?)
    };
    Ok(Json(page.fetch(rows, |m| m.id).await?))
}
