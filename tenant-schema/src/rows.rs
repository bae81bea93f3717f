//! The one way into a tenant's rows (`begin`), and a new tenant's first rows (`seed`).

use sqlx::{Connection as _, PgConnection, Postgres, Transaction};
use uuid::Uuid;

/// The setting that names a transaction's tenant: the tables' policies read it and their
/// `tenant_id` columns default to it. Unset, a query sees no row and an insert fails.
pub const TENANT_SETTING: &str = "helpdeskly.tenant";

/// The one way into a tenant's rows: a transaction opened by `begin` (a `BEGIN` statement, with
/// its isolation if any) whose next statement names `tenant` with `SET LOCAL`, so the setting ends
/// with the transaction and the next user of the connection starts with none. One round trip: a
/// UUID's text (hex digits and dashes) is written into the statement as it is.
pub async fn begin_as<'c>(
    conn: &'c mut PgConnection,
    tenant: Uuid,
    begin: &'static str,
) -> sqlx::Result<Transaction<'c, Postgres>> {
    conn.begin_with(format!("{begin}; SET LOCAL {TENANT_SETTING} = '{tenant}'")).await
}

/// A new tenant's first rows (its settings, counters, ticket categories and default SLA), in its
/// transaction from `begin`: `tenant_seed()` of migration 0039. Run again, it adds nothing.
pub async fn seed(tx: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query_scalar!(r#"SELECT 1 AS "seeded!" FROM tenant_seed()"#).fetch_one(tx).await?;
    Ok(())
}

/// `begin_as` with a plain `BEGIN`.
pub async fn begin(conn: &mut PgConnection, tenant: Uuid) -> sqlx::Result<Transaction<'_, Postgres>> {
    begin_as(conn, tenant, "BEGIN").await
}
