//! The one way into a tenant's rows (`begin`), a new tenant's first rows (`seed`), and every row
//! of a tenant that leaves a pool database (`remove`).

use sqlx::{Connection as _, PgConnection, Postgres, Transaction};
use uuid::Uuid;

/// The setting that names a transaction's tenant: the tables' policies read it and their
/// `tenant_id` columns default to it. Unset, a query sees no row and an insert fails.
pub const TENANT_SETTING: &str = "helpdeskly.tenant";

/// The SQLSTATE of a transaction refused because its tenant is switching to another database
/// (`tenant_enter()`, migration 0041): nothing it would have written was made, and the tenant
/// serves again in a moment, from where the control plane then places it.
pub const TENANT_MOVING: &str = "HMOVE";

/// The one way into a tenant's rows: a transaction opened by `begin` (a `BEGIN` statement, with
/// its isolation if any) whose next statement names `tenant` with `SET LOCAL`, so the setting ends
/// with the transaction and the next user of the connection starts with none, then enters the
/// tenant (`tenant_enter()`: its lock held shared, which a move's switch waits for). One round
/// trip: a UUID's text (hex digits and dashes) is written into the statement as it is.
///
/// When it fails, the connection may be left inside the failed transaction (`TENANT_MOVING`
/// above all): its holder closes it, or sends `ROLLBACK` before anything else.
pub async fn begin_as<'c>(
    conn: &'c mut PgConnection,
    tenant: Uuid,
    begin: &'static str,
) -> sqlx::Result<Transaction<'c, Postgres>> {
    conn.begin_with(format!("{begin}; SET LOCAL {TENANT_SETTING} = '{tenant}'; SELECT tenant_enter()")).await
}

/// Whether `err` is the refusal of a transaction whose tenant is switching to another database.
pub fn is_moving(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.code().as_deref() == Some(TENANT_MOVING))
}

/// A new tenant's first rows (its settings, counters, ticket categories and default SLA), in its
/// transaction from `begin`: `tenant_seed()` of migration 0039. Run again, it adds nothing.
pub async fn seed(tx: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query_scalar!(r#"SELECT 1 AS "seeded!" FROM tenant_seed()"#).fetch_one(tx).await?;
    Ok(())
}

/// `begin` for the cluster admin writing a tenant's rows (control-api's), held to the rows'
/// policies as the tenant's own `role` is: the role is the transaction's too, so no statement
/// reaches another tenant's rows of a pool database.
pub async fn begin_held<'c>(
    conn: &'c mut PgConnection,
    tenant: Uuid,
    role: &str,
) -> sqlx::Result<Transaction<'c, Postgres>> {
    let role = role.replace('"', "\"\"");
    conn.begin_with(format!(
        "BEGIN; SET LOCAL {TENANT_SETTING} = '{tenant}'; SET LOCAL ROLE \"{role}\"; SELECT tenant_enter()"
    ))
    .await
}

/// A transaction that names no tenant: it sees no row and can write none. The sweeps' probes
/// (tenant migration 0042) run in one, naming each tenant they are given in turn.
pub async fn begin_naming_none(conn: &mut PgConnection) -> sqlx::Result<Transaction<'_, Postgres>> {
    conn.begin_with(format!("BEGIN READ ONLY; SET LOCAL {TENANT_SETTING} = ''")).await
}

/// `begin_as` with a plain `BEGIN`.
pub async fn begin(conn: &mut PgConnection, tenant: Uuid) -> sqlx::Result<Transaction<'_, Postgres>> {
    begin_as(conn, tenant, "BEGIN").await
}

/// Deletes every row of the transaction's tenant from every table of the database, past the
/// rows' triggers and foreign keys (`tenant_remove()`, migration 0040; the cluster admin only):
/// how many rows went.
pub async fn remove(tx: &mut PgConnection) -> sqlx::Result<i64> {
    let removed = sqlx::query_scalar!(r#"SELECT tenant_remove() AS "removed!""#).fetch_one(tx).await?;
    Ok(removed)
}
