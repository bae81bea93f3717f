//! Where each tenant's rows live, as platform operators see it: `dedicated` (a database of its
//! own) or `pooled` (one tenant of a shared pool database), the cluster and the database. The
//! tenants' list filters by both; the worker counts tenants by placement for `/metrics`.

use prometheus::{IntGaugeVec, Opts, Registry};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use utoipa::ToSchema;
use uuid::Uuid;

use super::tenants::TenantView;

/// How a tenant is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = PlacementMode)]
pub enum Mode {
    /// One of many tenants of a pool database, in the same tables, each row carrying its tenant.
    Pooled,
    /// A database of its own.
    Dedicated,
}

impl Mode {
    pub const ALL: [Self; 2] = [Self::Pooled, Self::Dedicated];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pooled => "pooled",
            Self::Dedicated => "dedicated",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|mode| mode.as_str() == value)
    }
}

shared::text_column!(Mode, parse);

/// Where a tenant's rows are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Placement {
    pub mode: Mode,
    /// The cluster's name (`default` for `TENANT_DATABASE_URL`); null until the tenant is placed.
    pub cluster: Option<String>,
    /// The database that holds the tenant; null until the tenant is placed.
    pub database: Option<String>,
}

/// A tenant with its placement, as platform operators list them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlacedTenant {
    #[serde(flatten)]
    pub tenant: TenantView,
    pub placement: Placement,
}

/// Which tenants a list holds.
#[derive(Debug, Default, Clone, Copy)]
pub struct Filter<'a> {
    pub status: Option<shared::tenant::TenantStatus>,
    pub mode: Option<Mode>,
    /// A cluster's name; one that names no cluster matches no tenant.
    pub cluster: Option<&'a str>,
}

/// A page of tenants in creation order (ids are UUIDv7) after the tenant `after`, with their
/// placement, as `filter` narrows them.
pub async fn list(
    conn: &mut PgConnection,
    filter: Filter<'_>,
    after: Option<Uuid>,
    limit: i64,
) -> sqlx::Result<Vec<PlacedTenant>> {
    let rows = sqlx::query!(
        r#"SELECT t.id, t.slug, t.name, t.status AS "status: shared::tenant::TenantStatus", t.settings, t.time_zone,
                  t.default_locale, t.created_at, t.updated_at, t.placement AS "placement: Mode", c.name AS "cluster?",
                  t.database_name
           FROM tenants t LEFT JOIN db_clusters c ON c.id = t.cluster_id
           WHERE ($1::text IS NULL OR t.status = $1) AND ($2::text IS NULL OR t.placement = $2)
             AND ($3::text IS NULL OR c.name = $3) AND ($4::uuid IS NULL OR t.id > $4)
           ORDER BY t.id LIMIT $5"#,
        filter.status.map(shared::tenant::TenantStatus::as_str),
        filter.mode.map(Mode::as_str),
        filter.cluster,
        after,
        limit,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| PlacedTenant {
            tenant: TenantView {
                id: row.id,
                slug: row.slug,
                name: row.name,
                status: row.status,
                settings: row.settings,
                time_zone: row.time_zone,
                default_locale: row.default_locale,
                created_at: row.created_at,
                updated_at: row.updated_at,
            },
            placement: Placement { mode: row.placement, cluster: row.cluster, database: row.database_name },
        })
        .collect())
}

/// Tenant `id`'s placement; `None` when no tenant has this id.
pub async fn of(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<Placement>> {
    sqlx::query_as!(
        Placement,
        r#"SELECT t.placement AS "mode: Mode", c.name AS "cluster?", t.database_name AS database
           FROM tenants t LEFT JOIN db_clusters c ON c.id = t.cluster_id WHERE t.id = $1"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// `tenants{placement}`: the tenants not deleted, by placement, and
/// `pool_database_tenants{cluster, database}`: the places taken in each pool database, as the
/// worker last counted them.
#[derive(Clone)]
pub struct Census {
    tenants: IntGaugeVec,
    pools: IntGaugeVec,
}

impl Census {
    pub fn register(registry: &Registry) -> Self {
        let tenants = IntGaugeVec::new(Opts::new("tenants", "Tenants not deleted, by placement"), &["placement"])
            .expect("valid metric");
        let pools = IntGaugeVec::new(
            Opts::new("pool_database_tenants", "Tenants placed in each pool database"),
            &["cluster", "database"],
        )
        .expect("valid metric");
        registry.register(Box::new(tenants.clone())).expect("registered once");
        registry.register(Box::new(pools.clone())).expect("registered once");
        Self { tenants, pools }
    }

    /// Counts the tenants again.
    pub async fn count(&self, db: &PgPool) -> sqlx::Result<()> {
        let counts = sqlx::query!(
            r#"SELECT placement AS "placement: Mode", count(*) AS "tenants!"
               FROM tenants WHERE status <> 'deleted' GROUP BY placement"#
        )
        .fetch_all(db)
        .await?;
        for mode in Mode::ALL {
            let tenants = counts.iter().find(|c| c.placement == mode).map_or(0, |c| c.tenants);
            self.tenants.with_label_values(&[mode.as_str()]).set(tenants);
        }
        let pools = sqlx::query!(
            "SELECT c.name AS cluster, p.name AS database, p.tenants
             FROM pool_databases p JOIN db_clusters c ON c.id = p.cluster_id"
        )
        .fetch_all(db)
        .await?;
        for pool in pools {
            self.pools.with_label_values(&[&pool.cluster, &pool.database]).set(i64::from(pool.tenants));
        }
        Ok(())
    }
}
