-- Pool databases: databases of the tenant schema on a cluster that hold the rows of many pooled
-- tenants, each row carrying its tenant (tenant migration 0039). A pooled tenant's
-- `database_name` and `login_role` are its pool's, and its `db_password_encrypted` the pool
-- role's password sealed for the tenant (as a dedicated tenant's is), so app-api reaches both
-- placements the same way. A pool takes tenants until it holds `max_tenants`.
CREATE TABLE pool_databases (
    id                     uuid PRIMARY KEY,
    cluster_id             uuid NOT NULL REFERENCES db_clusters (id),
    name                   text NOT NULL UNIQUE,
    login_role             text NOT NULL,
    -- The role's password, sealed for the pool (its id as associated data).
    db_password_encrypted  bytea NOT NULL,
    max_tenants            integer NOT NULL CHECK (max_tenants > 0),
    tenants                integer NOT NULL DEFAULT 0 CHECK (tenants >= 0),
    created_at             timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX pool_databases_open ON pool_databases (cluster_id, created_at) WHERE tenants < max_tenants;

-- The pool a pooled tenant is one of (cleared, and its place given back, when it is deleted).
ALTER TABLE tenants ADD COLUMN pool_database_id uuid REFERENCES pool_databases (id);
