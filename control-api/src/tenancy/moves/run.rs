//! A move's job, each step safe to run again: the target made ready (decided once), the tenant's
//! rows copied in one snapshot while it serves, then the switch: the tenant's lock on the source
//! taken exclusive (`tenant_enter()`, tenant migration 0041: the transactions in flight finish,
//! new ones are refused with `tenant_moving`), the tables changed since the snapshot copied
//! again, and the placement flipped in one control transaction, published at once. The lock is
//! held a while longer (`TENANT_MOVE_SETTLE_MS`), for app-api replicas that still know the old
//! placement, then the source keeps nothing of the tenant: its rows are removed from a pool
//! database, a dedicated database is dropped with its role.
//!
//! A run that fails before the switch commits lets the lock go with its connection: the tenant
//! serves from the source, and the job tries again from the copy, up to `ATTEMPTS` runs; then the
//! move is `failed` and the target gives back what it took. After the switch, a run only cleans
//! up, as many times as it takes.

use std::time::{Duration, Instant};

use shared::crypto::{open, random_token, seal};
use sqlx::{Connection as _, PgConnection};
use uuid::Uuid;

use super::super::jobs::Worker;
use super::super::notify::TenantChange;
use super::super::placement::Mode;
use super::super::provision::{Placed, ProvisionError, drop_database};
use super::super::{pools, template};
use crate::identity::audit::{self, Action};
use crate::identity::sessions::Origin;
use tenant_schema::moving::{self as copy, Fingerprint, Table};

/// Runs of a move before it is given up (a run that fails after the switch is retried as long
/// as it takes: the tenant already serves from the target).
pub const ATTEMPTS: i32 = 3;

/// How long the switch waits for the tenant's transactions in flight on the source (a report's
/// may run 60 s): past it, the run fails and the tenant serves on.
const FENCE_WAIT: Duration = Duration::from_secs(15);

/// A move being run, as its record holds it.
#[derive(Debug)]
struct Move {
    id: Uuid,
    tenant_id: Uuid,
    requested_by: Option<Uuid>,
    from_mode: Mode,
    from_cluster_id: Uuid,
    from_database: String,
    from_role: String,
    from_pool_database_id: Option<Uuid>,
    to_mode: Mode,
    to_cluster_id: Uuid,
    to_database: Option<String>,
    to_role: Option<String>,
    to_password_encrypted: Option<Vec<u8>>,
    to_pool_database_id: Option<Uuid>,
    switched: bool,
}

impl Worker {
    /// Runs `tenant`'s move, if one is under way; `attempt` counts the runs before this one.
    pub(in crate::tenancy) async fn run_move(&self, tenant: Uuid, attempt: i32) -> Result<(), ProvisionError> {
        let Some(mut moving) = self.current_move(tenant).await? else { return Ok(()) };
        if !moving.switched {
            let started = Instant::now();
            match self.copy_and_switch(&mut moving).await {
                Ok(fence) => {
                    tracing::info!(tenant = %tenant, ms = started.elapsed().as_millis(), "tenant switched to its new placement");
                    return self.clean_up(&moving, Some(fence)).await;
                }
                Err(err) if matches!(err, ProvisionError::MoveRefused(_)) || attempt + 1 >= ATTEMPTS => {
                    self.fail_move(&moving, &err.to_string()).await?;
                    return Ok(());
                }
                Err(err) => return Err(err),
            }
        }
        self.clean_up(&moving, None).await
    }

    async fn current_move(&self, tenant: Uuid) -> sqlx::Result<Option<Move>> {
        sqlx::query_as!(
            Move,
            r#"SELECT id, tenant_id, requested_by, from_mode AS "from_mode: Mode", from_cluster_id, from_database, from_role,
                      from_pool_database_id, to_mode AS "to_mode: Mode", to_cluster_id, to_database, to_role,
                      to_password_encrypted, to_pool_database_id, switched_at IS NOT NULL AS "switched!"
               FROM tenant_moves WHERE tenant_id = $1 AND status IN ('copying', 'switching')"#,
            tenant,
        )
        .fetch_optional(&self.provisioner.control)
        .await
    }

    /// The target, decided at the first run and kept on the move's record.
    async fn target(&self, moving: &mut Move) -> Result<Placed, ProvisionError> {
        let key = &self.provisioner.keys.app_plane_keys.tenant_database;
        if moving.to_database.is_none() {
            let mut tx = self.provisioner.control.begin().await?;
            let (database, role, password, pool) = match moving.to_mode {
                Mode::Dedicated => {
                    let name = format!("{}{}", self.provisioner.settings.db_prefix, moving.tenant_id.simple());
                    (name.clone(), name, random_token(), None)
                }
                Mode::Pooled => {
                    let settings = &self.provisioner.settings;
                    let (prefix, max) = (&settings.db_prefix, settings.pool_max_tenants);
                    let pool = pools::take_place(&mut tx, key, moving.to_cluster_id, prefix, max).await?;
                    (pool.name, pool.role, pool.password, Some(pool.id))
                }
            };
            let sealed = seal(key, password.as_bytes(), moving.tenant_id.as_bytes());
            sqlx::query!(
                "UPDATE tenant_moves SET to_database = $2, to_role = $3, to_password_encrypted = $4, to_pool_database_id = $5
                 WHERE id = $1",
                moving.id,
                database,
                role,
                sealed,
                pool,
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            (moving.to_database, moving.to_role) = (Some(database), Some(role));
            (moving.to_password_encrypted, moving.to_pool_database_id) = (Some(sealed), pool);
        }
        let (Some(database), Some(role), Some(sealed)) =
            (&moving.to_database, &moving.to_role, &moving.to_password_encrypted)
        else {
            unreachable!("decided above")
        };
        let password = open(key, sealed, moving.tenant_id.as_bytes())
            .ok()
            .and_then(|p| String::from_utf8(p).ok())
            .ok_or_else(|| ProvisionError::MoveRefused("the target's password cannot be opened".to_owned()))?;
        Ok(Placed::new(
            moving.tenant_id,
            moving.to_cluster_id,
            database.clone(),
            role.clone(),
            password,
            moving.to_pool_database_id,
        ))
    }

    /// Everything up to the switch's commit; returns the source connection that holds the
    /// tenant's lock.
    async fn copy_and_switch(&self, moving: &mut Move) -> Result<PgConnection, ProvisionError> {
        let tenant = moving.tenant_id;
        let placed = self.target(moving).await?;
        let provisioner = &self.provisioner;
        let to_cluster = provisioner.cluster(moving.to_cluster_id).await?;
        let settings = &provisioner.settings;
        template::ensure_current(&provisioner.control, &to_cluster, &settings.template_database, provisioner.migrator)
            .await?;
        let mut admin = provisioner.admin_connection(&to_cluster).await?;
        provisioner.ensure_role(&mut admin, &placed).await?;
        provisioner.ensure_database(&mut admin, &placed).await?;
        admin.close().await?;
        let target_db = provisioner.tenant_admin_pool(&to_cluster, &placed).await?;
        provisioner.prepare_schema(&target_db, &placed).await?;
        target_db.close().await;

        let from_cluster = provisioner.cluster(moving.from_cluster_id).await?;
        let mut source = PgConnection::connect_with(&from_cluster.admin_on(&moving.from_database).await?).await?;
        let mut target = PgConnection::connect_with(&to_cluster.admin_on(&placed.database).await?).await?;
        let (from_version, to_version) =
            (copy::schema_version(&mut source).await?, copy::schema_version(&mut target).await?);
        if from_version != to_version {
            return Err(ProvisionError::MoveRefused(format!(
                "the target database is at migration {to_version:?}, the source at {from_version:?}: run migrate-tenants"
            )));
        }
        let tables = copy::tables(&mut source).await?;

        // The copy, in one snapshot of the source, while the tenant serves.
        let mut snapshot =
            tenant_schema::begin_as(&mut source, tenant, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?;
        let mut writing = tenant_schema::begin(&mut target, tenant).await?;
        tenant_schema::remove(&mut writing).await?;
        copy::as_replica(&mut writing).await?;
        let mut copied = Vec::with_capacity(tables.len());
        for table in &tables {
            copied.push(copy::fingerprint(&mut snapshot, table).await?);
            copy::copy_table(&mut snapshot, &mut writing, tenant, table).await?;
        }
        writing.commit().await?;
        snapshot.rollback().await?;
        let all: Vec<&Table> = tables.iter().collect();
        self.align(&mut target, tenant, &all).await?;

        // The switch.
        self.set_status(moving.id, "switching").await?;
        let switch = Instant::now();
        copy::fence(&mut source, tenant, FENCE_WAIT).await?;
        let mut now = tenant_schema::begin(&mut source, tenant).await?;
        let mut changed = Vec::new();
        for (table, before) in tables.iter().zip(&copied) {
            let after: Fingerprint = copy::fingerprint(&mut now, table).await?;
            if &after != before {
                changed.push(table);
            }
        }
        if !changed.is_empty() {
            let mut writing = tenant_schema::begin(&mut target, tenant).await?;
            copy::as_replica(&mut writing).await?;
            for table in &changed {
                copy::copy_table(&mut now, &mut writing, tenant, table).await?;
            }
            writing.commit().await?;
            self.align(&mut target, tenant, &changed).await?;
        }
        now.rollback().await?;
        target.close().await?;
        self.commit_switch(moving, &placed).await?;
        let seconds = switch.elapsed().as_secs_f64();
        self.metrics.move_switch.observe(seconds);
        tracing::info!(tenant = %tenant, tables_copied_again = changed.len(), seconds, "tenant move switched");
        moving.switched = true;
        if let Ok(record) = self.provisioner.tenant(tenant).await {
            self.notifier.publish(&TenantChange::of(&record)).await;
            self.notifier.moved(&TenantChange::of(&record), moving.from_mode, moving.to_mode).await;
        }
        Ok(source)
    }

    async fn align(&self, target: &mut PgConnection, tenant: Uuid, tables: &[&Table]) -> sqlx::Result<()> {
        let mut tx = tenant_schema::begin(target, tenant).await?;
        copy::align_sequences(&mut tx, tables).await?;
        tx.commit().await
    }

    async fn set_status(&self, id: Uuid, status: &str) -> sqlx::Result<()> {
        sqlx::query!("UPDATE tenant_moves SET status = $2 WHERE id = $1", id, status)
            .execute(&self.provisioner.control)
            .await
            .map(drop)
    }

    /// The placement flips: the tenant's row names the target, its place in a source pool is
    /// given back, the audit log records the move, and the move is switched, in one transaction.
    async fn commit_switch(&self, moving: &Move, placed: &Placed) -> Result<(), ProvisionError> {
        let key = &self.provisioner.keys.app_plane_keys.tenant_database;
        let mut tx = self.provisioner.control.begin().await?;
        let status = sqlx::query_scalar!("SELECT status FROM tenants WHERE id = $1 FOR UPDATE", moving.tenant_id)
            .fetch_one(&mut *tx)
            .await?;
        if !matches!(status.as_str(), "active" | "suspended") {
            return Err(ProvisionError::MoveRefused(format!("the tenant is {status}")));
        }
        if let Some(pool) = moving.from_pool_database_id {
            pools::leave(&mut tx, pool, moving.tenant_id).await?;
        }
        sqlx::query!(
            "UPDATE tenants SET cluster_id = $2, database_name = $3, login_role = $4, db_password_encrypted = $5,
                    placement = $6, pool_database_id = $7, updated_at = now()
             WHERE id = $1",
            moving.tenant_id,
            placed.cluster_id,
            placed.database,
            placed.role,
            seal(key, placed.password().as_bytes(), moving.tenant_id.as_bytes()),
            moving.to_mode.as_str(),
            placed.pool,
        )
        .execute(&mut *tx)
        .await?;
        let details = serde_json::json!({ "from": moving.from_mode.as_str(), "to": moving.to_mode.as_str() });
        let origin = Origin::default();
        audit::record(&mut tx, Action::TenantMoved, moving.requested_by, Some(moving.tenant_id), &origin, details)
            .await?;
        sqlx::query!("UPDATE tenant_moves SET switched_at = now() WHERE id = $1", moving.id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// After the switch: the source keeps nothing of the tenant, and the move is done. `fence`
    /// is the source connection holding the tenant's lock, when this run switched.
    async fn clean_up(&self, moving: &Move, fence: Option<PgConnection>) -> Result<(), ProvisionError> {
        let tenant = moving.tenant_id;
        let from_cluster = self.provisioner.cluster(moving.from_cluster_id).await?;
        match moving.from_mode {
            Mode::Pooled => {
                let mut source = if let Some(source) = fence {
                    source
                } else {
                    let options = from_cluster.admin_on(&moving.from_database).await?;
                    let mut source = PgConnection::connect_with(&options).await?;
                    copy::fence(&mut source, tenant, FENCE_WAIT).await?;
                    source
                };
                tokio::time::sleep(self.provisioner.settings.move_settle).await;
                let mut tx = tenant_schema::begin(&mut source, tenant).await?;
                tenant_schema::remove(&mut tx).await?;
                tx.commit().await?;
                source.close().await?;
            }
            Mode::Dedicated => {
                if fence.is_some() {
                    tokio::time::sleep(self.provisioner.settings.move_settle).await;
                }
                // The fence holds until the drop ends its connection with the others.
                let mut admin = self.provisioner.admin_connection(&from_cluster).await?;
                let same_role = moving.to_cluster_id == moving.from_cluster_id
                    && moving.to_role.as_deref() == Some(moving.from_role.as_str());
                let role = (!same_role).then_some(moving.from_role.as_str());
                drop_database(&mut admin, &moving.from_database, role).await?;
                admin.close().await?;
                drop(fence);
            }
        }
        sqlx::query!(
            "UPDATE tenant_moves SET status = 'done', finished_at = now() WHERE id = $1 AND status <> 'done'",
            moving.id
        )
        .execute(&self.provisioner.control)
        .await?;
        self.metrics.moves.with_label_values(&["done"]).inc();
        tracing::info!(tenant = %tenant, from = moving.from_mode.as_str(), to = moving.to_mode.as_str(), "tenant moved");
        Ok(())
    }

    /// A move given up before its switch: the target gives back what it took (the tenant's
    /// rows, its place in a pool, a database made for it), and the tenant serves where it was.
    async fn fail_move(&self, moving: &Move, error: &str) -> Result<(), ProvisionError> {
        tracing::warn!(tenant = %moving.tenant_id, error, "tenant move failed; it serves where it was");
        if let Err(err) = self.release_target(moving).await {
            tracing::warn!(tenant = %moving.tenant_id, error = %err, "a failed move's target could not be cleared");
        }
        let mut tx = self.provisioner.control.begin().await?;
        let failed = sqlx::query!(
            "UPDATE tenant_moves SET status = 'failed', error = $2, finished_at = now()
             WHERE id = $1 AND status IN ('copying', 'switching') AND switched_at IS NULL",
            moving.id,
            error,
        )
        .execute(&mut *tx)
        .await?;
        if failed.rows_affected() == 1
            && let Some(pool) = moving.to_pool_database_id
        {
            pools::give_back(&mut tx, pool).await?;
        }
        tx.commit().await?;
        self.metrics.moves.with_label_values(&["failed"]).inc();
        Ok(())
    }

    async fn release_target(&self, moving: &Move) -> Result<(), ProvisionError> {
        let Some(database) = &moving.to_database else { return Ok(()) };
        let cluster = self.provisioner.cluster(moving.to_cluster_id).await?;
        match moving.to_mode {
            Mode::Pooled => {
                let mut target = PgConnection::connect_with(&cluster.admin_on(database).await?).await?;
                let mut tx = tenant_schema::begin(&mut target, moving.tenant_id).await?;
                tenant_schema::remove(&mut tx).await?;
                tx.commit().await?;
                target.close().await?;
            }
            Mode::Dedicated => {
                let mut admin = self.provisioner.admin_connection(&cluster).await?;
                drop_database(&mut admin, database, moving.to_role.as_deref()).await?;
                admin.close().await?;
            }
        }
        Ok(())
    }
}
