-- A tenant moving to another database is fenced on its source while it switches: every
-- transaction that enters the tenant's rows (`tenant_enter()`, run by the one way in, after the
-- `SET LOCAL` of its tenant) holds the tenant's lock shared until it ends; the move's switch
-- takes it exclusive, so the transactions in flight finish first and no new one starts: those
-- fail at once with SQLSTATE `HMOVE` (the app plane answers 503 `tenant_moving`, with
-- `Retry-After`), and nothing they would have written is made. The lock is an advisory lock of
-- this database, keyed by the 62 random bits that end the tenant's UUID.
CREATE FUNCTION tenant_lock_key(tenant uuid) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ('x' || right(replace(tenant::text, '-', ''), 16))::bit(64)::bigint;

CREATE FUNCTION tenant_enter() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock_shared(tenant_lock_key(current_setting('helpdeskly.tenant')::uuid)) THEN
        RAISE EXCEPTION 'this organisation is moving to another database; retry in a moment'
            USING ERRCODE = 'HMOVE';
    END IF;
END
$$;
