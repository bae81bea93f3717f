-- Durable jobs of the provisioning worker: create a tenant's database, drop a deleted one,
-- mirror a membership change into a tenant database. Claimed with FOR UPDATE SKIP LOCKED and
-- held locked while they run, so a crashed worker's job is free again the moment its
-- connection drops.
CREATE TABLE provisioning_jobs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('provision', 'drop', 'sync_member')),
    -- For sync_member: the user whose membership to mirror.
    user_id     uuid,
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    attempts    integer NOT NULL DEFAULT 0,
    run_after   timestamptz NOT NULL DEFAULT now(),
    last_error  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX provisioning_jobs_due_idx ON provisioning_jobs (run_after) WHERE status = 'pending';
CREATE INDEX provisioning_jobs_tenant_idx ON provisioning_jobs (tenant_id);
-- One live provisioning or drop job per tenant.
CREATE UNIQUE INDEX provisioning_jobs_one_live_idx ON provisioning_jobs (tenant_id, kind)
    WHERE status = 'pending' AND kind IN ('provision', 'drop');

CREATE TABLE invitations (
    token_digest  bytea PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email         text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'agent', 'customer')),
    invited_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    expires_at    timestamptz NOT NULL,
    accepted_at   timestamptz,
    accepted_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitations_tenant_idx ON invitations (tenant_id, created_at DESC);

-- The tenant migration version the cluster's template database holds.
ALTER TABLE db_clusters ADD COLUMN template_version bigint;
