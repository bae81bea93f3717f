//! Moving one tenant's rows from a database of the tenant schema to another at the same
//! migration version (control-api's moves). The switch fences the tenant on the source
//! (`fence`: its lock taken exclusive, which every transaction of the tenant holds shared, so
//! those in flight finish and new ones fail with `TENANT_MOVING`). The copy takes
//! every table with `tenant_id` (read from the source's catalog, so a table
//! added later is not forgotten), each by `COPY ... TO STDOUT` on the source and `COPY ... FROM
//! STDIN` on the target in PostgreSQL's binary format, with its stored columns named (generated
//! columns are computed again). Both sides run in transactions of the tenant (`tenant_schema`),
//! so its rows alone are read and written; the target's triggers and foreign keys are set aside
//! (`session_replication_role`) as the rows arrive whole, ids and numbers as they were.
//!
//! A table's fingerprint (its rows of the tenant counted and hashed) tells whether it changed
//! between the copy's snapshot and the switch: only the tables that did are copied again.

use futures_util::TryStreamExt as _;
use sqlx::{Connection as _, PgConnection};
use uuid::Uuid;

/// A PostgreSQL identifier, quoted. Names here come from the catalog, or are generated from
/// UUIDs and checked prefixes; quoting is the second line of defence.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Takes `tenant`'s lock exclusive on `conn`'s database, for as long as `conn` lives (or until
/// it is unlocked): waits at most `wait` for the tenant's transactions in flight to end, and
/// meanwhile and after, every new one is refused (`tenant_enter()`, migration 0041).
pub async fn fence(conn: &mut PgConnection, tenant: Uuid, wait: std::time::Duration) -> sqlx::Result<()> {
    let mut tx = conn.begin().await?;
    let millis = wait.as_millis().to_string();
    sqlx::query_scalar!("SELECT set_config('lock_timeout', $1, true)", millis).fetch_one(&mut *tx).await?;
    sqlx::query_scalar!(r#"SELECT 1 AS "locked!" FROM pg_advisory_lock(tenant_lock_key($1))"#, tenant)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await
}

/// A table of the tenant schema and the columns a copy writes.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    /// Stored columns, in order, quoted.
    columns: String,
    /// Its identity columns: their sequences, shared by the database's tenants, are moved past
    /// the copied ids.
    identities: Vec<String>,
}

/// The rows of one table of one tenant, counted and hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub rows: i64,
    pub hash: String,
}

/// The migration version of the database `conn` is on.
pub async fn schema_version(conn: &mut PgConnection) -> sqlx::Result<Option<i64>> {
    // The migrations' own table, which the schema checked at build time does not hold.
    sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success").fetch_one(conn).await
}

/// Every table of the tenant schema that holds tenant rows, with its stored columns.
pub async fn tables(conn: &mut PgConnection) -> sqlx::Result<Vec<Table>> {
    let rows = sqlx::query!(
        r#"SELECT c.relname AS "name!",
                  array_agg(a.attname::text ORDER BY a.attnum) AS "columns!",
                  array_remove(array_agg(CASE WHEN a.attidentity <> '' THEN a.attname::text END), NULL) AS "identities!"
           FROM pg_class c
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
           WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
             AND EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.oid AND t.attname = 'tenant_id' AND NOT t.attisdropped)
           GROUP BY c.relname ORDER BY c.relname"#,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Table {
            name: row.name,
            columns: row.columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", "),
            identities: row.identities,
        })
        .collect())
}

/// The fingerprint of `table`'s rows of the transaction's tenant.
pub async fn fingerprint(tx: &mut PgConnection, table: &Table) -> sqlx::Result<Fingerprint> {
    // The table is named from the catalog: built at run time.
    let statement = format!(
        "SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text FROM {} t
         WHERE tenant_id = nullif(current_setting('helpdeskly.tenant', true), '')::uuid",
        quote_ident(&table.name)
    );
    let (rows, hash): (i64, String) = sqlx::query_as(&statement).fetch_one(tx).await?;
    Ok(Fingerprint { rows, hash })
}

/// Sets aside the target's triggers and foreign keys until its transaction `tx` ends: the rows
/// arrive as they were, in no particular order.
pub async fn as_replica(tx: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query_scalar!("SELECT set_config('session_replication_role', 'replica', true)").fetch_one(tx).await?;
    Ok(())
}

/// Copies `table`'s rows of the tenant from `source` to `target` (both transactions of the
/// tenant; the target `as_replica`), after removing what the target held of them: how many
/// rows arrived.
pub async fn copy_table(
    source: &mut PgConnection,
    target: &mut PgConnection,
    tenant: Uuid,
    table: &Table,
) -> sqlx::Result<u64> {
    let name = quote_ident(&table.name);
    // The table and its columns are named from the catalog: built at run time.
    sqlx::query(&format!("DELETE FROM {name} WHERE tenant_id = $1")).bind(tenant).execute(&mut *target).await?;
    let columns = &table.columns;
    let mut writer = target.copy_in_raw(&format!("COPY {name} ({columns}) FROM STDIN (FORMAT binary)")).await?;
    let read = format!("COPY (SELECT {columns} FROM {name} WHERE tenant_id = '{tenant}') TO STDOUT (FORMAT binary)");
    let mut chunks = source.copy_out_raw(&read).await?;
    let mut failed = None;
    while let Some(chunk) = chunks.try_next().await.transpose() {
        match chunk {
            Ok(bytes) => {
                if let Err(err) = writer.send(bytes).await {
                    failed = Some(err);
                    break;
                }
            }
            Err(err) => {
                failed = Some(err);
                break;
            }
        }
    }
    drop(chunks);
    if let Some(err) = failed {
        writer.abort(format!("the copy of {} stopped", table.name)).await.ok();
        return Err(err);
    }
    writer.finish().await
}

/// Moves the sequences of the copied tables' identity columns past the tenant's highest id, so
/// the target's next ids never meet one the tenant brought: each table is held against inserts
/// (`SHARE ROW EXCLUSIVE`) while its sequence is read and set, so nobody takes an id meanwhile.
/// `tx` is a transaction of the tenant on the target.
pub async fn align_sequences(tx: &mut PgConnection, tables: &[&Table]) -> sqlx::Result<()> {
    for table in tables {
        if table.identities.is_empty() {
            continue;
        }
        let name = quote_ident(&table.name);
        // The table is named from the catalog: built at run time.
        sqlx::query(&format!("LOCK TABLE {name} IN SHARE ROW EXCLUSIVE MODE")).execute(&mut *tx).await?;
        for column in &table.identities {
            let statement = format!(
                "SELECT setval(seq, top) FROM (SELECT pg_get_serial_sequence($1, $2)::regclass AS seq,
                                                      (SELECT max({}) FROM {name}) AS top) x
                 WHERE top > coalesce(pg_sequence_last_value(seq), 0)",
                quote_ident(column)
            );
            sqlx::query(&statement).bind(format!("public.{name}")).bind(column).fetch_optional(&mut *tx).await?;
        }
    }
    Ok(())
}
