-- Every row carries its tenant: a column `tenant_id` on every table, first in every key, and
-- row-level security, enabled and forced, that shows and takes the rows of the transaction's
-- tenant alone (`SET LOCAL helpdeskly.tenant`, `tenant_schema::begin`). A database of one tenant
-- and a pool database of many run this one schema.
--
-- In place, from the catalog, keeping every key's name:
-- 1. the column: a database holding rows is migrated with its tenant named on the migrating
--    connection (`control-api migrate-tenants`), which becomes the column's value for the rows
--    there (a constant default: no table is rewritten); then the default is the transaction's
--    tenant, and an insert with none named fails;
-- 2. foreign keys name `tenant_id` on both sides (no row points into another tenant's), primary
--    and unique keys and every index lead with it (a tenant's rows are together in each; the
--    text searches' GIN indexes hold it as a key of theirs, with `btree_gin`); `SET NULL` clears
--    the referring column alone;
-- 3. the policy `tenant_rows` on each table, `FORCE`d, so that even the tables' owner is held to it;
-- 4. a tenant's first rows (its settings, counters, categories, default SLA) come from
--    `tenant_seed()`, run for a new tenant in its first transaction, so the template every
--    database is cloned from holds no row: migrated with no tenant named, a database must hold
--    those first rows alone, and loses them. A later migration that adds such a row adds it for
--    every tenant of the database (`SELECT tenant_id FROM tenant_counters`) and to `tenant_seed`.

CREATE EXTENSION IF NOT EXISTS btree_gin;

DO $migration$
DECLARE
    tenant uuid := nullif(current_setting('helpdeskly.tenant', true), '')::uuid;
    item record;
    holds_rows boolean;
    foreign_keys text[] := '{}';
    statement text;
BEGIN
    FOR item IN
        SELECT c.relname AS name FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname <> '_sqlx_migrations'
    LOOP
        IF tenant IS NULL THEN
            IF item.name IN (
                'sla_policy_versions', 'storage_usage', 'rule_book', 'ticket_categories', 'ticket_settings',
                'outbox_relay_counter', 'onboarding', 'tenant_counters'
            ) THEN
                -- (Past the versions' guard against change: these rows were never anyone's.)
                SET LOCAL session_replication_role = replica;
                EXECUTE format('DELETE FROM %I', item.name);
                SET LOCAL session_replication_role = origin;
            END IF;
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', item.name) INTO holds_rows;
            IF holds_rows THEN
                RAISE EXCEPTION 'table % holds rows: migrate this database with its tenant named (helpdeskly.tenant)', item.name;
            END IF;
            EXECUTE format('ALTER TABLE %I ADD COLUMN tenant_id uuid NOT NULL', item.name);
        ELSE
            EXECUTE format('ALTER TABLE %I ADD COLUMN tenant_id uuid NOT NULL DEFAULT %L', item.name, tenant);
        END IF;
        EXECUTE format(
            'ALTER TABLE %I ALTER COLUMN tenant_id SET DEFAULT current_setting(%L)::uuid',
            item.name, 'helpdeskly.tenant'
        );
    END LOOP;

    -- The tallies had no key of their own: they get one, as every table has.
    ALTER TABLE ticket_tallies ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
    ALTER TABLE ticket_tallies ADD CONSTRAINT ticket_tallies_pkey PRIMARY KEY (id);

    -- Foreign keys go first (the keys they lean on are rebuilt), and come back last.
    FOR item IN
        SELECT con.conrelid::regclass AS tab, con.conname AS name, pg_get_constraintdef(con.oid) AS def
        FROM pg_constraint con
        WHERE con.connamespace = 'public'::regnamespace AND con.contype = 'f'
          AND con.conrelid::regclass::text <> '_sqlx_migrations'
    LOOP
        statement := regexp_replace(item.def, '^FOREIGN KEY \(([^)]*)\)', 'FOREIGN KEY (tenant_id, \1)');
        statement := regexp_replace(statement, ' REFERENCES ([^(]+)\(', ' REFERENCES \1(tenant_id, ');
        statement := regexp_replace(
            statement, 'ON DELETE SET NULL',
            'ON DELETE SET NULL (' || substring(item.def FROM '^FOREIGN KEY \(([^)]*)\)') || ')'
        );
        foreign_keys := foreign_keys || format('ALTER TABLE %s ADD CONSTRAINT %I %s', item.tab, item.name, statement);
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', item.tab, item.name);
    END LOOP;

    FOR item IN
        SELECT con.conrelid::regclass AS tab, con.conname AS name, pg_get_constraintdef(con.oid) AS def
        FROM pg_constraint con
        WHERE con.connamespace = 'public'::regnamespace AND con.contype IN ('p', 'u')
          AND con.conrelid::regclass::text <> '_sqlx_migrations'
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', item.tab, item.name);
        EXECUTE format(
            'ALTER TABLE %s ADD CONSTRAINT %I %s', item.tab, item.name,
            regexp_replace(item.def, '^(PRIMARY KEY|UNIQUE( NULLS NOT DISTINCT)?) \(', '\1 (tenant_id, ')
        );
    END LOOP;

    -- Indexes of their own (not a key's).
    FOR item IN
        SELECT ic.relname AS name, pg_get_indexdef(i.indexrelid) AS def
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE ic.relnamespace = 'public'::regnamespace AND i.indrelid::regclass::text <> '_sqlx_migrations'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)
    LOOP
        EXECUTE format('DROP INDEX %I', item.name);
        EXECUTE regexp_replace(item.def, ' USING (btree|gin) \(', ' USING \1 (tenant_id, ');
    END LOOP;

    FOREACH statement IN ARRAY foreign_keys LOOP
        EXECUTE statement;
    END LOOP;

    FOR item IN
        SELECT c.relname AS name FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname <> '_sqlx_migrations'
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', item.name);
        EXECUTE format(
            'CREATE POLICY tenant_rows ON %I USING (tenant_id = nullif(current_setting(%L, true), %L)::uuid) '
            'WITH CHECK (tenant_id = nullif(current_setting(%L, true), %L)::uuid)',
            item.name, 'helpdeskly.tenant', '', 'helpdeskly.tenant', ''
        );
    END LOOP;
END
$migration$;

-- A tenant's first rows, as the migrations before this one made them in each new database; run
-- again, it adds nothing. The seed policy is version 1 of every tenant (tickets default to it).
CREATE FUNCTION tenant_seed() RETURNS void LANGUAGE sql AS $$
    INSERT INTO sla_policy_versions (
        id, low_response_minutes, low_resolution_minutes, medium_response_minutes, medium_resolution_minutes,
        high_response_minutes, high_resolution_minutes, urgent_response_minutes, urgent_resolution_minutes,
        auto_close_waiting_customer_minutes, auto_close_resolved_minutes
    )
    OVERRIDING SYSTEM VALUE
    SELECT 1, 2880, 10080, 1440, 4320, 240, 1440, 60, 240, 10080, 1440
    WHERE NOT EXISTS (
        SELECT 1 FROM sla_policy_versions WHERE tenant_id = current_setting('helpdeskly.tenant')::uuid
    );
    INSERT INTO storage_usage (bytes_used, objects) VALUES (0, 0) ON CONFLICT DO NOTHING;
    INSERT INTO rule_book DEFAULT VALUES ON CONFLICT DO NOTHING;
    INSERT INTO ticket_categories (key, label_en, label_fr, position) VALUES
        ('order', 'Order', 'Commande', 1),
        ('delivery', 'Delivery', 'Livraison', 2),
        ('return', 'Return', 'Retour', 3),
        ('refund', 'Refund', 'Remboursement', 4),
        ('payment_failure', 'Payment problem', 'Problème de paiement', 5),
        ('product', 'Product', 'Produit', 6),
        ('account', 'Account', 'Compte', 7),
        ('other', 'Other', 'Autre', 8)
    ON CONFLICT DO NOTHING;
    INSERT INTO ticket_settings DEFAULT VALUES ON CONFLICT DO NOTHING;
    INSERT INTO outbox_relay_counter (last_seq) VALUES (0) ON CONFLICT DO NOTHING;
    INSERT INTO onboarding DEFAULT VALUES ON CONFLICT DO NOTHING;
    INSERT INTO tenant_counters (name, last) VALUES ('ticket_number', 0) ON CONFLICT DO NOTHING;
$$;

-- A view reads its tables as its caller, held to their policies (not as its owner, who may
-- pass them).
ALTER VIEW sla_policy_targets SET (security_invoker = true);
