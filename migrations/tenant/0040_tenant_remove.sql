-- A pooled tenant leaves its pool database without a row behind: every row carrying the
-- transaction's tenant, in every table that has `tenant_id` (read from the catalog, so a table
-- added later is not forgotten). Run by the cluster admin, past the rows' triggers and foreign
-- keys (`session_replication_role`), as the tenant's files and keys are purged apart; the
-- tables emptied of the tenant, nothing can point at what went.
CREATE FUNCTION tenant_remove() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    tenant uuid := current_setting('helpdeskly.tenant')::uuid;
    item record;
    removed bigint := 0;
    count bigint;
BEGIN
    PERFORM set_config('session_replication_role', 'replica', true);
    FOR item IN
        SELECT c.relname AS name FROM pg_class c
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
    LOOP
        EXECUTE format('DELETE FROM %I WHERE tenant_id = $1', item.name) USING tenant;
        GET DIAGNOSTICS count = ROW_COUNT;
        removed := removed + count;
    END LOOP;
    PERFORM set_config('session_replication_role', 'origin', true);
    RETURN removed;
END
$$;
