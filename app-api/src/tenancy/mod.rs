//! The tenant of each request: resolution (which tenant, in what state) and the per-tenant
//! connection pools under one budget. (The middleware that ties a request to one tenant and one
//! user is `crate::context`; the listener for published changes, `crate::worker::evictions`.)

pub mod budget;
pub mod pools;
pub mod resolve;

use std::sync::Arc;

use shared::error::ApiResult;
use tenant_schema::members::Member;
use uuid::Uuid;

use self::pools::{PoolManager, TenantConnection};
use self::resolve::{Resolver, Tenant};

/// The tenancy part of the state: which tenant (the resolver and its caches, the control
/// database they read, with the schedules kept there) and the tenants' pools under one budget.
pub struct Tenancy {
    pub resolver: Resolver,
    pub pools: PoolManager,
    /// The control database: resolution, revoked sessions, the jobs' and mailboxes' schedules.
    pub control_db: sqlx::PgPool,
    /// How the pools' total was fitted to the clusters (`/ready` shows it).
    pub budget: budget::Fit,
}

impl Tenancy {
    /// The database of `tenant`, connected on first use.
    pub fn db(&self, tenant: Arc<Tenant>) -> TenantDb {
        TenantDb::new(self.pools.clone(), tenant)
    }

    /// The member of `tenant` at `email`, made a customer named `name` when the address is new
    /// (the platform's identity first: `control_schema::contacts::customer_by_mail`), as the
    /// tenant's mirror stores them; `None` when the identity is disabled.
    pub async fn customer_by_mail(&self, tenant: Uuid, email: &str, name: &str) -> ApiResult<Option<Member>> {
        let (first, last) = control_schema::contacts::name_parts(name);
        let mut control = self.control_db.begin().await?;
        let contact = control_schema::contacts::customer_by_mail(&mut control, tenant, email, &first, &last).await?;
        control.commit().await?;
        Ok(contact.map(|contact| Member {
            id: contact.id,
            email: contact.email,
            firstname: contact.firstname,
            lastname: contact.lastname,
            role: contact.role,
            email_verified: contact.email_verified,
        }))
    }
}

/// One tenant's database, for a request or a command: no connection is held until `connect`,
/// so work that reads or checks its input first never holds one of the tenant's few
/// connections meanwhile.
#[derive(Clone)]
pub struct TenantDb {
    pools: PoolManager,
    tenant: Arc<Tenant>,
}

impl TenantDb {
    pub fn new(pools: PoolManager, tenant: Arc<Tenant>) -> Self {
        Self { pools, tenant }
    }

    pub fn tenant(&self) -> &Arc<Tenant> {
        &self.tenant
    }

    pub fn pools(&self) -> &PoolManager {
        &self.pools
    }

    pub async fn connect(&self) -> ApiResult<TenantConnection> {
        self.pools.acquire(&self.tenant).await
    }
}
