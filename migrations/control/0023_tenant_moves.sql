-- Moves of a tenant between placements (`pooled` and `dedicated`, on one cluster or another),
-- run as a job of the provisioning queue (`kind` 'move'): copy the tenant's rows to the target
-- while it serves, switch (its writes fenced on the source), then remove it from the source.
-- The target is decided once, at the first run, and kept here with the role's password sealed
-- for the tenant (as `tenants.db_password_encrypted` is), so a run taken over after a crash
-- copies to the same place. `switched_at` is set in the transaction that points the tenant at
-- the target: from then on the move only cleans up.
CREATE TABLE tenant_moves (
    id                      uuid PRIMARY KEY,
    tenant_id               uuid NOT NULL REFERENCES tenants (id),
    requested_by            uuid,
    from_mode               text NOT NULL CHECK (from_mode IN ('pooled', 'dedicated')),
    from_cluster_id         uuid NOT NULL REFERENCES db_clusters (id),
    from_database           text NOT NULL,
    from_role               text NOT NULL,
    from_pool_database_id   uuid REFERENCES pool_databases (id),
    to_mode                 text NOT NULL CHECK (to_mode IN ('pooled', 'dedicated')),
    to_cluster_id           uuid NOT NULL REFERENCES db_clusters (id),
    to_database             text,
    to_role                 text,
    to_password_encrypted   bytea,
    to_pool_database_id     uuid REFERENCES pool_databases (id),
    status                  text NOT NULL DEFAULT 'copying'
                            CHECK (status IN ('copying', 'switching', 'done', 'failed')),
    switched_at             timestamptz,
    started_at              timestamptz NOT NULL DEFAULT now(),
    finished_at             timestamptz,
    error                   text
);

-- One move at a time per tenant: two asked for at once, the second is refused.
CREATE UNIQUE INDEX tenant_moves_one_running ON tenant_moves (tenant_id) WHERE status IN ('copying', 'switching');
CREATE INDEX tenant_moves_by_tenant ON tenant_moves (tenant_id, started_at DESC);

ALTER TABLE provisioning_jobs DROP CONSTRAINT provisioning_jobs_kind_check;
ALTER TABLE provisioning_jobs ADD CONSTRAINT provisioning_jobs_kind_check
    CHECK (kind IN ('provision', 'drop', 'sync_member', 'sign_out', 'move'));
