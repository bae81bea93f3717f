-- Tenants and the PostgreSQL clusters that hold their databases.
CREATE TABLE db_clusters (
    id                   uuid PRIMARY KEY,
    name                 text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 63),
    -- AES-256-GCM under DB_ENCRYPTION_KEY; used by control-api alone.
    admin_url_encrypted  bytea NOT NULL,
    -- Where app-api connects with each tenant's own role.
    host                 text NOT NULL,
    port                 integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    max_tenants          integer NOT NULL DEFAULT 1000 CHECK (max_tenants > 0),
    status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'draining', 'disabled')),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tenants (
    id                     uuid PRIMARY KEY,
    slug                   text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$'),
    name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status                 text NOT NULL DEFAULT 'provisioning'
                           CHECK (status IN ('provisioning', 'active', 'suspended', 'deleting', 'deleted', 'failed')),
    settings               jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(settings) = 'object'),
    cluster_id             uuid REFERENCES db_clusters (id),
    database_name          text,
    login_role             text,
    db_password_encrypted  bytea,
    schema_version         bigint,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenants_slug_key ON tenants (slug);
CREATE INDEX tenants_status_idx ON tenants (status);
CREATE INDEX tenants_cluster_idx ON tenants (cluster_id);

-- Global identities. Emails are unique regardless of case.
CREATE TABLE users (
    id                 uuid PRIMARY KEY,
    email              text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    password_hash      text NOT NULL,
    firstname          text NOT NULL CHECK (length(firstname) <= 100),
    lastname           text NOT NULL CHECK (length(lastname) <= 100),
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    is_platform_admin  boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE memberships (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('owner', 'admin', 'agent', 'customer')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, tenant_id)
);
CREATE INDEX memberships_tenant_idx ON memberships (tenant_id);

-- A login session: the family of refresh tokens descended from one login. Its id is the
-- access token's `sid`.
CREATE TABLE sessions (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id       uuid REFERENCES tenants (id) ON DELETE CASCADE,
    amr             text[] NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    revoked_reason  text,
    ip              inet,
    user_agent      text
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Refresh tokens, stored as SHA-256 digests. A token is used once: its successor is issued in
-- the same session, and presenting a used token revokes the session.
CREATE TABLE refresh_tokens (
    token_digest  bytea PRIMARY KEY,
    session_id    uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    issued_at     timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_expiry_idx ON refresh_tokens (expires_at);

-- TOTP: the secret (AES-256-GCM under DB_ENCRYPTION_KEY), whether confirmed, and the last time
-- step accepted (a step is never accepted twice).
CREATE TABLE user_mfa (
    user_id           uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_encrypted  bytea NOT NULL,
    enabled_at        timestamptz,
    last_used_step    bigint,
    created_at        timestamptz NOT NULL DEFAULT now()
);

-- Single-use recovery codes, stored as HMAC-SHA256 under DB_ENCRYPTION_KEY.
CREATE TABLE mfa_recovery_codes (
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_digest  bytea NOT NULL,
    used_at      timestamptz,
    PRIMARY KEY (user_id, code_digest)
);

-- The second step of a login with 2FA: a single-use token valid a few minutes.
CREATE TABLE mfa_challenges (
    token_digest  bytea PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id     uuid REFERENCES tenants (id) ON DELETE CASCADE,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz
);
CREATE INDEX mfa_challenges_expiry_idx ON mfa_challenges (expires_at);

CREATE TABLE audit_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    action         text NOT NULL,
    actor_user_id  uuid,
    tenant_id      uuid,
    ip             inet,
    user_agent     text,
    details        jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, at DESC);
