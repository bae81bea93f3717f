-- Sessions end a fixed time after their login (SESSION_MAX_DAYS) however often they are
-- refreshed, and remember when they were last refreshed (shown in the session list).
ALTER TABLE sessions ADD COLUMN ends_at timestamptz;
UPDATE sessions SET ends_at = created_at + interval '30 days';
ALTER TABLE sessions ALTER COLUMN ends_at SET NOT NULL;
ALTER TABLE sessions ADD COLUMN last_used_at timestamptz NOT NULL DEFAULT now();
UPDATE sessions SET last_used_at = created_at;
-- The app plane reads recent revocations to refuse the revoked sessions' access tokens.
CREATE INDEX sessions_revoked_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX sessions_user_open_idx ON sessions (user_id, id DESC) WHERE revoked_at IS NULL;

-- TLS to a cluster's tenant databases, per cluster (libpq sslmode names).
ALTER TABLE db_clusters ADD COLUMN ssl_mode text NOT NULL DEFAULT 'prefer'
    CHECK (ssl_mode IN ('disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'));

-- When a tenant was first signed in to: a tenant nobody ever used is removed after a while.
ALTER TABLE tenants ADD COLUMN first_login_at timestamptz;
UPDATE tenants t SET first_login_at = (SELECT min(s.created_at) FROM sessions s WHERE s.tenant_id = t.id);
