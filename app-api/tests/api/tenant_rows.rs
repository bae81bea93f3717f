//! Every row carries its tenant: the schema read from the catalog (the column first in every
//! key, the policies forced), and what the tenant's own role sees and may write with its tenant
//! named, with another one, and with none.

use serde_json::json;
use sqlx::Row as _;
use uuid::Uuid;

use crate::helpers::Platform;

/// Tables of the tenant schema that break the rule, read from the catalog: `tenant_id` first in
/// the primary key, row-level security enabled, forced, and with a policy.
const TABLES_OFF_THE_RULE: &str = "
    SELECT c.relname::text FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname <> '_sqlx_migrations'
      AND NOT (
          c.relrowsecurity AND c.relforcerowsecurity
          AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
          AND EXISTS (
              SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
              WHERE i.indrelid = c.oid AND i.indisprimary AND a.attname = 'tenant_id'
          )
      )
    ORDER BY 1";

/// Indexes (those of keys included) whose first column is not `tenant_id`.
const INDEXES_OFF_THE_RULE: &str = "
    SELECT ic.relname::text FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_class t ON t.oid = i.indrelid
    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
    WHERE ic.relnamespace = 'public'::regnamespace AND t.relname <> '_sqlx_migrations'
      AND a.attname IS DISTINCT FROM 'tenant_id'
    ORDER BY 1";

/// Foreign keys that do not name `tenant_id` first on both sides.
const FOREIGN_KEYS_OFF_THE_RULE: &str = "
    SELECT con.conname::text FROM pg_constraint con
    JOIN pg_attribute mine ON mine.attrelid = con.conrelid AND mine.attnum = con.conkey[1]
    JOIN pg_attribute theirs ON theirs.attrelid = con.confrelid AND theirs.attnum = con.confkey[1]
    WHERE con.connamespace = 'public'::regnamespace AND con.contype = 'f'
      AND (mine.attname <> 'tenant_id' OR theirs.attname <> 'tenant_id')
    ORDER BY 1";

#[tokio::test]
async fn every_table_leads_with_its_tenant_under_a_forced_policy() {
    let (platform, org) = Platform::with_org(false).await;
    let db = platform.tenant_db(&org.slug).await;

    let tables: i64 = db
        .scalar(
            "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' \
             AND relname <> '_sqlx_migrations'",
        )
        .await;
    assert!(tables >= 57, "the schema's tables are there to check: {tables}");
    for (what, query) in [
        ("tables", TABLES_OFF_THE_RULE),
        ("indexes", INDEXES_OFF_THE_RULE),
        ("foreign keys", FOREIGN_KEYS_OFF_THE_RULE),
    ] {
        let off: Vec<String> = sqlx::query_scalar(query).fetch_all(&db.pool).await.unwrap();
        assert!(off.is_empty(), "{what} without tenant_id first: {off:?}");
    }
    // A view reads as its caller, held to the policies of what it reads.
    let invoker =
        db.text("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'sla_policy_targets'").await;
    assert!(invoker.contains("security_invoker=true"), "{invoker}");
}

#[tokio::test]
async fn the_tenants_role_sees_and_writes_the_rows_of_the_tenant_its_transaction_names_alone() {
    let (platform, org) = Platform::with_org(false).await;
    let app = platform.replica().await;
    let created =
        app.post(&org.slug, "/v1/tickets", &org.owner_token, &json!({"subject": "Rows", "description": "x"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let tenant: Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(&org.slug)
        .fetch_one(&platform.control.db)
        .await
        .unwrap();
    let mut conn = testkit::connect_as_tenant(&platform.control, &org.slug, None).await.unwrap();
    let role: (bool, bool) = sqlx::query_as("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(role, (false, false), "app-api's role is neither a superuser nor passes the policies");

    // No tenant named: no row, and nothing written.
    let count = "SELECT (SELECT count(*) FROM support_tickets) + (SELECT count(*) FROM users) + \
                 (SELECT count(*) FROM ticket_settings)";
    let seen: i64 = sqlx::query_scalar(count).fetch_one(&mut conn).await.unwrap();
    assert_eq!(seen, 0, "without a tenant a query sees no row");
    let unnamed = sqlx::query("INSERT INTO mail_suppressions (address, reason) VALUES ('a@example.org', 'test')")
        .execute(&mut conn)
        .await
        .expect_err("an insert naming no tenant fails");
    assert!(unnamed.to_string().contains("helpdeskly.tenant"), "{unnamed}");

    // Its own tenant named: its rows; another tenant's id refused, on insert and on update.
    let mut tx = tenant_schema::begin(&mut conn, tenant).await.unwrap();
    let seen: i64 = sqlx::query_scalar(count).fetch_one(&mut *tx).await.unwrap();
    assert!(seen >= 3, "the tenant's ticket, owner and settings: {seen}");
    let other = Uuid::new_v4();
    let foreign =
        sqlx::query("INSERT INTO mail_suppressions (tenant_id, address, reason) VALUES ($1, 'b@example.org', 'test')")
            .bind(other)
            .execute(&mut *tx)
            .await
            .expect_err("a row of another tenant cannot be written");
    let code = foreign.as_database_error().and_then(sqlx::error::DatabaseError::code).map(std::borrow::Cow::into_owned);
    assert_eq!(code.as_deref(), Some("42501"), "{foreign}");
    tx.rollback().await.unwrap();
    let mut tx = tenant_schema::begin(&mut conn, tenant).await.unwrap();
    let moved = sqlx::query("UPDATE support_tickets SET tenant_id = $1").bind(other).execute(&mut *tx).await;
    assert!(moved.is_err(), "a row cannot be given to another tenant");
    tx.rollback().await.unwrap();

    // The same connection for a second tenant: nothing of the first; and once its transaction
    // is over, nothing at all.
    let mut tx = tenant_schema::begin(&mut conn, other).await.unwrap();
    let seen: i64 = sqlx::query_scalar(count).fetch_one(&mut *tx).await.unwrap();
    assert_eq!(seen, 0, "a second tenant on the same connection sees none of the first's rows");
    tx.commit().await.unwrap();
    let after = sqlx::query(count).fetch_one(&mut conn).await.unwrap();
    assert_eq!(after.get::<i64, _>(0), 0, "the tenant ended with its transaction");
}
