//! Moves of a tenant between placements (`pooled` and `dedicated`, on its cluster or another),
//! as platform operators ask for them: the record of each move (`tenant_moves`), the tenant's
//! current or last one, and starting one. A move runs as a job of the provisioning queue
//! (`run`): its rows are copied to the target while it serves (`tenant_schema::moving`), then it
//! switches.

pub mod run;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::jobs::{self, JobKind};
use super::placement::Mode;

/// Where a move stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = MoveStatus)]
pub enum Status {
    /// The tenant's rows are being copied to the target; it serves from the source.
    Copying,
    /// Its writes are held on the source while what changed is copied and the placement flips;
    /// then the source's rows go.
    Switching,
    /// The tenant serves from the target, and the source keeps nothing of it.
    Done,
    /// The move stopped: the tenant serves where it was (`error` says why).
    Failed,
}

impl Status {
    pub const ALL: [Self; 4] = [Self::Copying, Self::Switching, Self::Done, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Copying => "copying",
            Self::Switching => "switching",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == value)
    }
}

shared::text_column!(Status, parse);

/// Where a move started from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = MoveSource)]
pub struct Source {
    pub mode: Mode,
    pub cluster: String,
    pub database: String,
}

/// Where a move goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = MoveTarget)]
pub struct Target {
    pub mode: Mode,
    pub cluster: String,
}

/// A move, as `GET /v1/tenants/{slug}/placement` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TenantMove)]
pub struct MoveView {
    pub id: Uuid,
    pub from: Source,
    pub to: Target,
    pub status: Status,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Why a failed move stopped.
    pub error: Option<String>,
}

/// Tenant `tenant`'s current move, or its last one; `None` when it never moved.
pub async fn latest(conn: &mut PgConnection, tenant: Uuid) -> sqlx::Result<Option<MoveView>> {
    let row = sqlx::query!(
        r#"SELECT m.id, m.from_mode AS "from_mode: Mode", f.name AS from_cluster, m.from_database,
                  m.to_mode AS "to_mode: Mode", t.name AS to_cluster, m.status AS "status: Status",
                  m.started_at, m.finished_at, m.error
           FROM tenant_moves m
           JOIN db_clusters f ON f.id = m.from_cluster_id JOIN db_clusters t ON t.id = m.to_cluster_id
           WHERE m.tenant_id = $1 ORDER BY m.started_at DESC, m.id DESC LIMIT 1"#,
        tenant,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| MoveView {
        id: row.id,
        from: Source { mode: row.from_mode, cluster: row.from_cluster, database: row.from_database },
        to: Target { mode: row.to_mode, cluster: row.to_cluster },
        status: row.status,
        started_at: row.started_at,
        finished_at: row.finished_at,
        error: row.error,
    }))
}

/// Why a move cannot start.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The tenant is neither active nor suspended.
    NotServing,
    /// The tenant has no database yet.
    NotPlaced,
    /// The tenant is placed so already.
    AlreadyPlaced,
    /// A move of the tenant has not finished.
    InProgress,
    /// No active cluster has this name.
    NoSuchCluster,
}

/// Starts moving `tenant` (locked by the caller's transaction `tx`, `active` or `suspended`) to
/// `mode` on the cluster named `cluster` (its own when `None`), for platform operator `by`: the
/// move's record and its job, which runs once `tx` commits.
pub async fn start(
    tx: &mut PgConnection,
    tenant: Uuid,
    mode: Mode,
    cluster: Option<&str>,
    by: Uuid,
) -> sqlx::Result<Result<Uuid, Refusal>> {
    let Some(from) = sqlx::query!(
        r#"SELECT status, placement AS "placement: Mode", cluster_id, database_name, login_role, pool_database_id
           FROM tenants WHERE id = $1"#,
        tenant,
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(Err(Refusal::NotServing));
    };
    if !matches!(from.status.as_str(), "active" | "suspended") {
        return Ok(Err(Refusal::NotServing));
    }
    let (Some(from_cluster), Some(from_database), Some(from_role)) =
        (from.cluster_id, from.database_name, from.login_role)
    else {
        return Ok(Err(Refusal::NotPlaced));
    };
    let to_cluster = match cluster {
        Some(name) => {
            sqlx::query_scalar!("SELECT id FROM db_clusters WHERE name = $1 AND status = 'active'", name)
                .fetch_optional(&mut *tx)
                .await?
        }
        None => {
            sqlx::query_scalar!("SELECT id FROM db_clusters WHERE id = $1 AND status = 'active'", from_cluster)
                .fetch_optional(&mut *tx)
                .await?
        }
    };
    let Some(to_cluster) = to_cluster else { return Ok(Err(Refusal::NoSuchCluster)) };
    if from.placement == mode && from_cluster == to_cluster {
        return Ok(Err(Refusal::AlreadyPlaced));
    }
    let id = Uuid::now_v7();
    let inserted = sqlx::query!(
        "INSERT INTO tenant_moves (id, tenant_id, requested_by, from_mode, from_cluster_id, from_database, from_role,
                                   from_pool_database_id, to_mode, to_cluster_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (tenant_id) WHERE status IN ('copying', 'switching') DO NOTHING",
        id,
        tenant,
        by,
        from.placement.as_str(),
        from_cluster,
        from_database,
        from_role,
        from.pool_database_id,
        mode.as_str(),
        to_cluster,
    )
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(Err(Refusal::InProgress));
    }
    jobs::enqueue(tx, tenant, JobKind::Move).await?;
    Ok(Ok(id))
}
