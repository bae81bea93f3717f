//! What the routes a notification mail's link opens share (one-click unsubscribe, the rating
//! page): no sign-in, the signed link is the permission, and it opens its own tenant's database,
//! on that tenant's host only.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use shared::error::ApiResult;
use shared::http::openapi::problem_responses;
use shared::tenant::Slug;
use utoipa::openapi::{RefOr, Response};

use crate::config::AppConfig;
use crate::notifications::links::TenantLink;
use crate::state::AppState;
use crate::tenancy::Tenancy;
use crate::tenancy::pools::TenantConnection;
use crate::tenancy::resolve::Tenant;

/// The key mail links are signed with, the tenants, and the tenant the request's host (or
/// `X-Tenant-Slug`) names, if it names one.
pub struct MailLinks {
    config: Arc<AppConfig>,
    tenancy: Arc<Tenancy>,
    host: Option<Slug>,
}

impl MailLinks {
    /// What `token` says and a connection to its tenant's database; `None` for a forged link, a
    /// tenant gone, or a link used on another tenant's host.
    pub async fn open<L: TenantLink>(&self, token: &str) -> ApiResult<Option<(L, TenantConnection)>> {
        Ok(self.open_with_tenant(token).await?.map(|(link, db, _)| (link, db)))
    }

    /// `open`, with the tenant (for a write that announces events).
    pub async fn open_with_tenant<L: TenantLink>(
        &self,
        token: &str,
    ) -> ApiResult<Option<(L, TenantConnection, Arc<Tenant>)>> {
        let Some(link) = L::read(&self.config.keys.mail_links, token) else { return Ok(None) };
        let Some(tenant) = self.tenancy.resolver.resolve_id(link.tenant_id()).await? else { return Ok(None) };
        if self.host.as_ref().is_some_and(|slug| slug.as_str() != tenant.slug) {
            return Ok(None);
        }
        let db = self.tenancy.pools.acquire(&tenant).await?;
        Ok(Some((link, db, tenant)))
    }
}

/// The 400 of a route that refuses a link `open` does not open: list `MailLinks` in the route's
/// `responses`.
impl utoipa::IntoResponses for MailLinks {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problem_responses([("400", "`invalid_token`")])
    }
}

impl FromRequestParts<AppState> for MailLinks {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let tenancy = Arc::<Tenancy>::from_ref(state);
        let host = tenancy.resolver.slug_of(&parts.headers).ok();
        Ok(Self { config: Arc::from_ref(state), tenancy, host })
    }
}
