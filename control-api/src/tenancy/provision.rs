//! Provisioning a tenant's database, and dropping it. Every step is idempotent and checks what
//! exists before acting, so a run interrupted anywhere is finished by the next one:
//!
//! 1. placement (`TENANT_DEFAULT_PLACEMENT`): a cluster, then a database and role of the
//!    tenant's own with a random password (stored encrypted), or a place in the cluster's open
//!    pool database (`pools`), whose database and role the tenant's row then names;
//! 2. the template on that cluster is brought up to date;
//! 3. the login role (with a connection limit, for a tenant's own);
//! 4. the database, cloned from the template, `CONNECT` revoked from PUBLIC and granted to the
//!    role (the cluster admin owns it, so the role gets no DDL): for a pooled tenant, only when
//!    it is its pool's first;
//! 5. privileges for the role, and any tenant migration newer than the template;
//! 6. the tenant's first rows and its members (its `users`), in one transaction of its own;
//! 7. status `active`.

use shared::config::EncryptionKey;
use shared::crypto::{ControlKeys, open, random_token, seal};
use shared::tenant::TenantStatus;
use sqlx::migrate::Migrator;
use sqlx::{Connection, Executor, PgConnection, PgPool};
use uuid::Uuid;

use super::clusters::{self, Cluster, ClusterError};
use super::placement::Mode;
use super::pools;
use super::template::{self, TEMPLATE_LOCK};
use super::{TenancySettings, admin_pool, mirror, quote_ident};
use crate::identity::audit;

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("no active cluster has room for another tenant")]
    NoCluster,
    #[error("tenant {0} does not exist")]
    NoTenant(Uuid),
    #[error("tenant {0} is still being provisioned; its database is dropped afterwards")]
    StillProvisioning(Uuid),
    #[error("job {0} is of a kind this version does not know")]
    UnknownJob(i64),
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A move that cannot go on as it is: it fails at once, and the tenant serves where it was.
    #[error("{0}")]
    MoveRefused(String),
    #[error("tenant {0} is moving; it is deleted once the move ends")]
    StillMoving(Uuid),
}

/// A tenant row as provisioning sees it.
#[derive(Debug, Clone)]
pub struct TenantRecord {
    pub id: Uuid,
    pub slug: String,
    pub status: TenantStatus,
    pub cluster_id: Option<Uuid>,
    pub database_name: Option<String>,
    pub login_role: Option<String>,
    pub db_password_encrypted: Option<Vec<u8>>,
    pub placement: Mode,
    pub pool_database_id: Option<Uuid>,
}

/// A tenant with its placement decided.
#[derive(Debug, Clone)]
pub struct Placed {
    pub id: Uuid,
    pub cluster_id: Uuid,
    pub database: String,
    pub role: String,
    password: String,
    /// The pool database the tenant is one of, if pooled.
    pub pool: Option<Uuid>,
}

impl Placed {
    pub fn new(
        id: Uuid,
        cluster_id: Uuid,
        database: String,
        role: String,
        password: String,
        pool: Option<Uuid>,
    ) -> Self {
        Self { id, cluster_id, database, role, password, pool }
    }

    /// The role's password (never logged: `Placed` is not `Debug`-printed with it elsewhere).
    pub fn password(&self) -> &str {
        &self.password
    }
}

/// Runs provisioning steps against the control database and the clusters.
#[derive(Clone)]
pub struct Provisioner {
    pub control: PgPool,
    pub keys: ControlKeys,
    pub settings: TenancySettings,
    pub migrator: &'static Migrator,
}

impl Provisioner {
    pub async fn tenant(&self, id: Uuid) -> Result<TenantRecord, ProvisionError> {
        sqlx::query_as!(
            TenantRecord,
            r#"SELECT id, slug, status AS "status: TenantStatus", cluster_id, database_name, login_role, db_password_encrypted,
                      placement AS "placement: Mode", pool_database_id
               FROM tenants WHERE id = $1"#,
            id,
        )
        .fetch_optional(&self.control)
        .await?
        .ok_or(ProvisionError::NoTenant(id))
    }

    /// All steps, from wherever an earlier run stopped. A tenant that is not `provisioning`
    /// (already active, or deleted meanwhile) is left alone.
    pub async fn provision(&self, tenant_id: Uuid) -> Result<(), ProvisionError> {
        let tenant = self.tenant(tenant_id).await?;
        if tenant.status != TenantStatus::Provisioning {
            return Ok(());
        }
        let mut clock = StepClock::start();
        let placed = self.assign_placement(&tenant).await?;
        let cluster = self.cluster(placed.cluster_id).await?;
        clock.lap("placement");
        template::ensure_current(&self.control, &cluster, &self.settings.template_database, self.migrator).await?;
        clock.lap("template");
        let mut admin = PgConnection::connect_with(&cluster.admin().await?).await?;
        clock.lap("connect");
        self.ensure_role(&mut admin, &placed).await?;
        clock.lap("role");
        self.ensure_database(&mut admin, &placed).await?;
        clock.lap("database");
        admin.close().await?;
        let tenant_db = self.tenant_admin_pool(&cluster, &placed).await?;
        self.prepare_schema(&tenant_db, &placed).await?;
        clock.lap("schema");
        self.seed(&tenant_db, &placed).await?;
        clock.lap("seed");
        tenant_db.close().await;
        self.activate(&placed).await?;
        clock.lap("activate");
        tracing::info!(tenant = %tenant_id, slug = tenant.slug, steps = %clock, "tenant provisioned");
        if placed.pool.is_some()
            && let Err(err) = self.prepare_spare(&cluster).await
        {
            tracing::warn!(cluster = cluster.name, error = %err, "the next pool database could not be made yet");
        }
        Ok(())
    }

    /// Makes the database of the cluster's next pool, recorded when a sign-up left the open one
    /// with little room (`pools::spare_needed`), once the tenant that filled it is active: the
    /// sign-ups after find it made.
    pub async fn prepare_spare(&self, cluster: &Cluster) -> Result<(), ProvisionError> {
        let key = &self.keys.app_plane_keys.tenant_database;
        let Some(pool) = pools::unready(&mut *self.control.acquire().await?, key, cluster.id).await? else {
            return Ok(());
        };
        // A pool's steps name no tenant: the pool stands in for one.
        let placed = Placed::new(pool.id, cluster.id, pool.name, pool.role, pool.password, Some(pool.id));
        let mut admin = self.admin_connection(cluster).await?;
        self.ensure_role(&mut admin, &placed).await?;
        self.ensure_database(&mut admin, &placed).await?;
        admin.close().await?;
        let pool_db = self.tenant_admin_pool(cluster, &placed).await?;
        self.prepare_schema(&pool_db, &placed).await?;
        pool_db.close().await;
        tracing::info!(cluster = cluster.name, database = placed.database, "the next pool database is made");
        Ok(())
    }

    pub async fn cluster(&self, id: Uuid) -> Result<Cluster, ProvisionError> {
        let mut conn = self.control.acquire().await?;
        Ok(clusters::load(&mut conn, &self.keys.cluster_admin_url, id).await?)
    }

    /// Step 1: decides the cluster and names once; later runs reuse them.
    pub async fn assign_placement(&self, tenant: &TenantRecord) -> Result<Placed, ProvisionError> {
        if tenant.cluster_id.is_none() {
            let mut tx = self.control.begin().await?;
            let cluster_id = clusters::place(&mut tx).await?.ok_or(ProvisionError::NoCluster)?;
            let key = &self.keys.app_plane_keys.tenant_database;
            let (name, role, password, pool) = match self.settings.default_placement {
                Mode::Dedicated => {
                    let name = format!("{}{}", self.settings.db_prefix, tenant.id.simple());
                    (name.clone(), name, random_token(), None)
                }
                Mode::Pooled => {
                    let prefix = &self.settings.db_prefix;
                    let pool =
                        pools::take_place(&mut tx, key, cluster_id, prefix, self.settings.pool_max_tenants).await?;
                    (pool.name, pool.role, pool.password, Some(pool.id))
                }
            };
            sqlx::query!(
                "UPDATE tenants SET cluster_id = $2, database_name = $3, login_role = $4, db_password_encrypted = $5,
                        placement = $6, pool_database_id = $7, updated_at = now()
                 WHERE id = $1 AND cluster_id IS NULL",
                tenant.id,
                cluster_id,
                name,
                role,
                seal(key, password.as_bytes(), tenant.id.as_bytes()),
                self.settings.default_placement.as_str(),
                pool,
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        let tenant = self.tenant(tenant.id).await?;
        placed(&self.keys.app_plane_keys.tenant_database, &tenant).ok_or(ProvisionError::NoTenant(tenant.id))
    }

    /// Step 3: the login role, with the stored password (reset on every run, so a crash between
    /// storing and creating cannot leave them apart).
    pub async fn ensure_role(&self, admin: &mut PgConnection, placed: &Placed) -> Result<(), ProvisionError> {
        // The catalogs are in every database: checked against the control schema all the same.
        let exists = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS "exists!""#,
            placed.role
        )
        .fetch_one(&mut *admin)
        .await?;
        // DDL names the role, an identifier (not a parameter): built at run time.
        let role = quote_ident(&placed.role);
        // The server is sent the SCRAM verifier, never the password: a server that logs DDL
        // never logs a password. (The verifier is base64 and `$:`: no quotes.)
        let verifier = scram_verifier(&placed.password);
        // A pool's role serves all its tenants: app-api's budget bounds it, not a tenant's limit.
        let limit = if placed.pool.is_some() { -1 } else { i64::from(self.settings.role_connection_limit) };
        let statement = if exists {
            format!("ALTER ROLE {role} WITH LOGIN PASSWORD '{verifier}' CONNECTION LIMIT {limit}")
        } else {
            format!("CREATE ROLE {role} WITH LOGIN PASSWORD '{verifier}' CONNECTION LIMIT {limit}")
        };
        admin.execute(statement.as_str()).await?;
        Ok(())
    }

    /// Step 4: the database, cloned from the template, reachable by its role alone. The cluster
    /// admin owns it: since PostgreSQL 15 the database owner owns the `public` schema, and the
    /// tenant role must not be able to change its schema.
    pub async fn ensure_database(&self, admin: &mut PgConnection, placed: &Placed) -> Result<(), ProvisionError> {
        let exists = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS "exists!""#,
            placed.database,
        )
        .fetch_one(&mut *admin)
        .await?;
        // DDL names the database and role, identifiers (not parameters): built at run time.
        let (database, role) = (quote_ident(&placed.database), quote_ident(&placed.role));
        if !exists {
            let template = quote_ident(&self.settings.template_database);
            sqlx::query!("SELECT pg_advisory_lock_shared($1)", TEMPLATE_LOCK).execute(&mut *admin).await?;
            let created = admin.execute(format!("CREATE DATABASE {database} TEMPLATE {template}").as_str()).await;
            sqlx::query_scalar!("SELECT pg_advisory_unlock_shared($1)", TEMPLATE_LOCK).fetch_one(&mut *admin).await?;
            created?;
        }
        admin.execute(format!("REVOKE CONNECT, TEMPORARY ON DATABASE {database} FROM PUBLIC").as_str()).await?;
        admin.execute(format!("GRANT CONNECT ON DATABASE {database} TO {role}").as_str()).await?;
        Ok(())
    }

    /// Step 5: privileges on what migrations create (now and later), and newer migrations; a
    /// pool database is then recorded as made.
    pub async fn prepare_schema(&self, tenant_db: &PgPool, placed: &Placed) -> Result<(), ProvisionError> {
        grant_role(&mut *tenant_db.acquire().await?, &placed.role).await?;
        self.migrator.run(tenant_db).await?;
        keep_off_migrations(&mut *tenant_db.acquire().await?, &placed.role).await?;
        if let Some(pool) = placed.pool {
            pools::made(&mut *self.control.acquire().await?, pool).await?;
        }
        Ok(())
    }

    /// Step 6: the tenant's first rows, and every member of the tenant into its `users` table.
    pub async fn seed(&self, tenant_db: &PgPool, placed: &Placed) -> Result<(), ProvisionError> {
        let members = mirror::members(&self.control, placed.id).await?;
        let mut conn = tenant_db.acquire().await?;
        let mut tx = tenant_schema::begin_held(&mut conn, placed.id, &placed.role).await?;
        tenant_schema::seed(&mut tx).await?;
        for member in &members {
            tenant_schema::members::upsert(&mut tx, member).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// An admin connection on the cluster's maintenance database (role and database steps).
    pub async fn admin_connection(&self, cluster: &Cluster) -> Result<PgConnection, ProvisionError> {
        Ok(PgConnection::connect_with(&cluster.admin().await?).await?)
    }

    /// Admin access to the tenant's database (schema and members steps).
    pub async fn tenant_admin_pool(&self, cluster: &Cluster, placed: &Placed) -> Result<PgPool, ProvisionError> {
        let options = match placed.pool {
            // Migrations of a database holding many tenants name none of them.
            Some(_) => cluster.admin_on(&placed.database).await?,
            None => cluster.migrating(&placed.database, placed.id).await?,
        };
        Ok(admin_pool(options).await?)
    }

    /// Step 7.
    pub async fn activate(&self, placed: &Placed) -> Result<(), ProvisionError> {
        sqlx::query!(
            "UPDATE tenants SET status = 'active', schema_version = $2, updated_at = now() WHERE id = $1 AND status = 'provisioning'",
            placed.id,
            template::latest_version(self.migrator),
        )
        .execute(&self.control)
        .await?;
        Ok(())
    }

    /// Drops a `deleting` tenant's database and role, forgets its people and schedules the purge
    /// of its files and Redis keys (`control_schema::deletion`), which marks it `deleted`.
    pub async fn drop_tenant(&self, tenant_id: Uuid) -> Result<(), ProvisionError> {
        let tenant = self.tenant(tenant_id).await?;
        if tenant.status != TenantStatus::Deleting {
            return Ok(());
        }
        // A provisioning run still going (pending, or claimed by another worker) could create
        // the database after we drop it: wait for it, through the job's retry.
        let provisioning = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM provisioning_jobs WHERE tenant_id = $1 AND kind = 'provision' AND status = 'pending') AS "exists!""#,
            tenant_id,
        )
        .fetch_one(&self.control)
        .await?;
        if provisioning {
            return Err(ProvisionError::StillProvisioning(tenant_id));
        }
        // A move copies the tenant's rows to a database this drop would not know of.
        let moving = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM tenant_moves WHERE tenant_id = $1 AND status IN ('copying', 'switching')) AS "moving!""#,
            tenant_id,
        )
        .fetch_one(&self.control)
        .await?;
        if moving {
            return Err(ProvisionError::StillMoving(tenant_id));
        }
        if let (Mode::Pooled, Some(cluster_id), Some(database)) =
            (tenant.placement, tenant.cluster_id, &tenant.database_name)
        {
            // One of many in its pool: its rows go, the database and role stay for the others.
            let cluster = self.cluster(cluster_id).await?;
            let mut admin = PgConnection::connect_with(&cluster.admin_on(database).await?).await?;
            let mut tx = tenant_schema::begin(&mut admin, tenant_id).await?;
            tenant_schema::remove(&mut tx).await?;
            tx.commit().await?;
            if let Some(pool) = tenant.pool_database_id {
                let mut control = self.control.begin().await?;
                pools::leave(&mut control, pool, tenant_id).await?;
                control.commit().await?;
            }
        } else if let (Some(cluster_id), Some(database), Some(role)) =
            (tenant.cluster_id, &tenant.database_name, &tenant.login_role)
        {
            let cluster = self.cluster(cluster_id).await?;
            let mut admin = PgConnection::connect_with(&cluster.admin().await?).await?;
            drop_database(&mut admin, database, Some(role)).await?;
        }
        let mut tx = self.control.begin().await?;
        forget_people_of(&mut tx, tenant_id).await?;
        sqlx::query!(
            "UPDATE tenants SET db_password_encrypted = NULL, updated_at = now() WHERE id = $1 AND status = 'deleting'",
            tenant_id,
        )
        .execute(&mut *tx)
        .await?;
        // The tenant plane removes its files and Redis keys, then marks it `deleted`.
        control_schema::deletion::purge_due(&mut *tx, tenant_id).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// What the control database holds of a deleted tenant's people, removed with it: the accounts
/// of those who belonged to no other organisation (their second factors and sessions go with
/// them), every session and sign-in challenge on the tenant (refresh tokens go with the
/// sessions), its memberships, invitations, account mail and the tokens of its links, its rows
/// in the tenants' schedule (the purge is scheduled after), a version bump Redis missed, and
/// finished jobs (the drop job's own row, marked done once this returns, stays as the record
/// that it ran). Kept: the tenant row itself (`deleting` until the purge, then `deleted`; no
/// database password), which reserves the slug, and the audit log (the `tenant_deleted` entry: who asked
/// and when), scrubbed of the forgotten people's emails and addresses.
async fn forget_people_of(tx: &mut sqlx::PgConnection, tenant_id: Uuid) -> Result<(), sqlx::Error> {
    let forgotten = sqlx::query!(
        "DELETE FROM users u
         WHERE NOT u.is_platform_admin
           AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.tenant_id = $1)
           AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.tenant_id <> $1)
         RETURNING u.id, u.email",
        tenant_id,
    )
    .fetch_all(&mut *tx)
    .await?;
    // The audit log stays, but names them by an id that names nobody any more, as after an
    // erasure, without the addresses they came from.
    for person in forgotten {
        audit::forget_email(tx, &person.email, person.id).await?;
        audit::forget_origins(tx, person.id).await?;
    }
    sqlx::query!("DELETE FROM sessions WHERE tenant_id = $1", tenant_id).execute(&mut *tx).await?;
    sqlx::query!("DELETE FROM mfa_challenges WHERE tenant_id = $1", tenant_id).execute(&mut *tx).await?;
    sqlx::query!("DELETE FROM memberships WHERE tenant_id = $1", tenant_id).execute(&mut *tx).await?;
    sqlx::query!("DELETE FROM invitations WHERE tenant_id = $1", tenant_id).execute(&mut *tx).await?;
    crate::identity::mail::outbox::delete_of_tenant(tx, tenant_id).await?;
    sqlx::query!("DELETE FROM account_tokens WHERE tenant_id = $1", tenant_id).execute(&mut *tx).await?;
    control_schema::schedule::forget(&mut *tx, tenant_id).await?;
    sqlx::query!("DELETE FROM missed_version_bumps WHERE tenant_id = $1", tenant_id).execute(&mut *tx).await?;
    sqlx::query!("DELETE FROM provisioning_jobs WHERE tenant_id = $1 AND status <> 'pending'", tenant_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Milliseconds per step, for the log line of a provisioning run.
struct StepClock {
    last: std::time::Instant,
    laps: Vec<(&'static str, u128)>,
}

impl StepClock {
    fn start() -> Self {
        Self { last: std::time::Instant::now(), laps: Vec::new() }
    }

    fn lap(&mut self, step: &'static str) {
        let now = std::time::Instant::now();
        self.laps.push((step, (now - self.last).as_millis()));
        self.last = now;
    }
}

impl std::fmt::Display for StepClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (step, ms)) in self.laps.iter().enumerate() {
            write!(f, "{}{step}={ms}ms", if i == 0 { "" } else { " " })?;
        }
        Ok(())
    }
}

fn placed(key: &EncryptionKey, tenant: &TenantRecord) -> Option<Placed> {
    let password = open(key, tenant.db_password_encrypted.as_deref()?, tenant.id.as_bytes()).ok()?;
    Some(Placed {
        id: tenant.id,
        cluster_id: tenant.cluster_id?,
        database: tenant.database_name.clone()?,
        role: tenant.login_role.clone()?,
        password: String::from_utf8(password).ok()?,
        pool: tenant.pool_database_id,
    })
}

/// Drops `database` on the cluster `admin` is connected to, ending the sessions still on it, and
/// `role` when given (a database of one tenant's, with its role).
pub async fn drop_database(admin: &mut PgConnection, database: &str, role: Option<&str>) -> sqlx::Result<()> {
    // DDL names the database and role, identifiers (not parameters): built at run time.
    admin.execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(database)).as_str()).await?;
    if let Some(role) = role {
        admin.execute(format!("DROP ROLE IF EXISTS {}", quote_ident(role)).as_str()).await?;
    }
    Ok(())
}

/// Creates `database`, empty (from `template0`), on the cluster `admin` is connected to.
pub async fn create_empty_database(admin: &mut PgConnection, database: &str) -> sqlx::Result<()> {
    // DDL names the database, an identifier (not a parameter): built at run time.
    admin.execute(format!("CREATE DATABASE {} TEMPLATE template0", quote_ident(database)).as_str()).await?;
    Ok(())
}

/// Data privileges for the tenant role on everything in `public`, now and in later migrations
/// (run by the admin role). The tenant role owns nothing: it cannot alter the schema.
/// The migrations table records which schema the database has: the tenant role may not touch
/// it (the blanket grants above include it). Run after migrating, when the table exists.
pub async fn keep_off_migrations(conn: &mut PgConnection, role: &str) -> sqlx::Result<()> {
    // DDL names the role, an identifier (not a parameter): built at run time.
    conn.execute(format!("REVOKE ALL ON TABLE public._sqlx_migrations FROM {}", quote_ident(role)).as_str()).await?;
    Ok(())
}

/// The SCRAM-SHA-256 verifier PostgreSQL keeps for `password` (RFC 5802 and 7677, in
/// PostgreSQL's form `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`). Passwords here
/// are ASCII, which SASLprep leaves as they are.
pub fn scram_verifier(password: &str) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use rand::RngCore as _;

    const ITERATIONS: u32 = 4096;
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let (stored_key, server_key) = scram_keys(password, &salt, ITERATIONS);
    format!(
        "SCRAM-SHA-256${ITERATIONS}:{}${}:{}",
        STANDARD.encode(salt),
        STANDARD.encode(stored_key),
        STANDARD.encode(server_key)
    )
}

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::Mac as _;
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// StoredKey and ServerKey of RFC 5802.
fn scram_keys(password: &str, salt: &[u8], iterations: u32) -> ([u8; 32], [u8; 32]) {
    use sha2::Digest as _;
    let mut salted = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), salt, iterations, &mut salted);
    let stored_key = sha2::Sha256::digest(hmac_sha256(&salted, b"Client Key")).into();
    (stored_key, hmac_sha256(&salted, b"Server Key"))
}

pub async fn grant_role(conn: &mut PgConnection, role: &str) -> sqlx::Result<()> {
    // DDL names the role, an identifier (not a parameter): built at run time.
    let role = quote_ident(role);
    for statement in [
        format!("GRANT USAGE ON SCHEMA public TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"),
        format!("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}"),
        format!("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}"),
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC".to_owned(),
    ] {
        conn.execute(statement.as_str()).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use sha2::Digest as _;

    use super::*;

    /// The exchange of RFC 7677, section 3: the keys we store let a server check the client's
    /// proof and sign its answer exactly as the RFC's server did.
    #[test]
    fn scram_keys_match_rfc_7677() {
        let salt = STANDARD.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        let (stored_key, server_key) = scram_keys("pencil", &salt, 4096);
        let auth_message = "n=user,r=rOprNGfwEbeRWgbNEkqO,\
            r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,\
            c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        let server_signature = hmac_sha256(&server_key, auth_message.as_bytes());
        assert_eq!(STANDARD.encode(server_signature), "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        // The client's proof XOR the client signature gives back a key whose hash is StoredKey.
        let proof = STANDARD.decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=").unwrap();
        let client_signature = hmac_sha256(&stored_key, auth_message.as_bytes());
        let client_key: Vec<u8> = proof.iter().zip(client_signature).map(|(p, s)| p ^ s).collect();
        assert_eq!(<[u8; 32]>::from(sha2::Sha256::digest(&client_key)), stored_key);
    }

    #[test]
    fn the_verifier_never_holds_the_password() {
        let password = random_token();
        let verifier = scram_verifier(&password);
        assert!(verifier.starts_with("SCRAM-SHA-256$4096:"), "{verifier}");
        assert!(!verifier.contains(&password));
        assert!(!verifier.contains('\''), "safe between quotes");
        assert_ne!(scram_verifier(&password), verifier, "a fresh salt each time");
    }
}
