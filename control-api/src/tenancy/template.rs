//! The template database each cluster keeps at the latest tenant schema. New tenant databases
//! are cloned from it (`CREATE DATABASE ... TEMPLATE`), which is much faster than migrating an
//! empty database. Cloning needs nobody connected to the template, so cloning and maintaining
//! take one advisory lock, shared and exclusive.

use sqlx::migrate::Migrator;
use sqlx::{Connection, Executor, PgConnection, PgPool};

use super::clusters::{Cluster, set_template_version};
use super::quote_ident;

/// Advisory lock key guarding the template on a cluster.
pub const TEMPLATE_LOCK: i64 = 72_034_100;

/// The newest migration version of `migrator`.
pub fn latest_version(migrator: &Migrator) -> i64 {
    migrator.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Creates or migrates the cluster's template when its recorded version is behind.
pub async fn ensure_current(
    control: &PgPool,
    cluster: &Cluster,
    template: &str,
    migrator: &Migrator,
) -> Result<(), sqlx::Error> {
    let latest = latest_version(migrator);
    if cluster.template_version == Some(latest) {
        return Ok(());
    }
    let mut admin = PgConnection::connect_with(&cluster.admin().await?).await?;
    sqlx::query!("SELECT pg_advisory_lock($1)", TEMPLATE_LOCK).execute(&mut admin).await?;
    let result = migrate_template(&mut admin, cluster, template, migrator).await;
    sqlx::query_scalar!("SELECT pg_advisory_unlock($1)", TEMPLATE_LOCK).fetch_one(&mut admin).await?;
    result?;
    set_template_version(control, cluster.id, latest).await?;
    tracing::info!(cluster = %cluster.name, template, version = latest, "tenant template is current");
    Ok(())
}

async fn migrate_template(
    admin: &mut PgConnection,
    cluster: &Cluster,
    template: &str,
    migrator: &Migrator,
) -> sqlx::Result<()> {
    // The catalogs are in every database: checked against the control schema all the same.
    let exists =
        sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS "exists!""#, template)
            .fetch_one(&mut *admin)
            .await?;
    // The template's name is an identifier: these statements are built at run time.
    let quoted = quote_ident(template);
    if exists {
        admin.execute(format!("ALTER DATABASE {quoted} WITH ALLOW_CONNECTIONS true").as_str()).await?;
    } else {
        admin.execute(format!("CREATE DATABASE {quoted}").as_str()).await?;
    }
    let pool = super::admin_pool(cluster.admin_on(template).await?).await?;
    migrator.run(&pool).await.map_err(|e| sqlx::Error::Migrate(Box::new(e)))?;
    pool.close().await;
    admin.execute(format!("ALTER DATABASE {quoted} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false").as_str()).await?;
    Ok(())
}
