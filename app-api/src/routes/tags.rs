//! `GET /v1/tags`: the tags on the tickets a staff member may see, with how many hold each, for
//! suggestions while tagging and for the filters. Tags themselves are written with the ticket
//! (`POST /v1/tickets`, `PATCH /v1/tickets/{id}`).

use axum::Json;
use axum::extract::Query;
use sav::tickets::tags::MAX_CHARS;
use sav::tickets::tallies::{self, TagCount};
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use utoipa::IntoParams;

use crate::access::{Access, Staff};
use crate::tenancy::TenantDb;

/// The most tags one answer lists.
const LIMIT_MAX: u32 = 100;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TagQuery {
    /// Only the tags starting with this (trimmed, lower-cased; at most 50 characters).
    pub q: Option<String>,
    /// 1 to 100, default 100.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// Tags in use, most used first (staff).
#[utoipa::path(get, path = "/v1/tags", tag = "tickets", security(("bearer" = [])), params(TagQuery),
    responses(
        (status = 200, description = "The tags on the tickets the caller may see (any status), most used first, then by name", body = Vec<TagCount>),
        (status = 400, description = "`validation_failed`: an unknown parameter"),
        Access<Staff>,
        (status = 422, description = "`validation_failed`: a bad limit or prefix"),
    ))]
pub async fn list_tags(access: Access<Staff>, Query(query): Query<TagQuery>) -> ApiResult<Json<Vec<TagCount>>> {
    let limit = query.limit.unwrap_or(LIMIT_MAX);
    let mut errors = Vec::new();
    if !(1..=LIMIT_MAX).contains(&limit) {
        errors.push(FieldError::new("limit", format!("must be 1 to {LIMIT_MAX}")));
    }
    let prefix = query.q.as_deref().map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty());
    if prefix.as_ref().is_some_and(|q| q.chars().count() > MAX_CHARS) {
        errors.push(FieldError::new("q", format!("must be at most {MAX_CHARS} characters")));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let (viewer, mut db) = access.connect().await?;
    let found = tallies::tag_counts(&mut *db.begin().await?, viewer, prefix.as_deref(), i64::from(limit)).await?;
    if found.fold_wanted {
        fold_later(access.db());
    }
    Ok(Json(found.counts))
}

/// Folds the tenant's tallies in the background (`tallies::fold`), once a count found them
/// grown: the answer does not wait for it.
pub(super) fn fold_later(db: &TenantDb) {
    let db = db.clone();
    tokio::spawn(async move {
        let folded = async {
            let mut conn = db.connect().await?;
            let mut tx = conn.begin().await?;
            tallies::fold(&mut tx).await?;
            tx.commit().await?;
            Ok::<_, ApiError>(())
        };
        if let Err(error) = folded.await {
            tracing::warn!(tenant = %db.tenant().id, %error, "the ticket tallies could not be folded");
        }
    });
}
