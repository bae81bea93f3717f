-- Single sign-on with OpenID Connect (API.md "Single sign-on (control-api)").

-- A tenant's provider, set by its owner. The client secret is sealed with the control plane's
-- key for this row (`shared::crypto::seal`, the tenant's id as the row), never shown again.
CREATE TABLE tenant_sso (
    tenant_id           uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    issuer              text NOT NULL,
    client_id           text NOT NULL,
    client_secret       bytea NOT NULL,
    scopes              text[] NOT NULL,
    allowed_domains     text[] NOT NULL,
    role_claim          text,
    role_map            jsonb NOT NULL DEFAULT '{}',
    default_role        text NOT NULL CHECK (default_role IN ('agent', 'customer')),
    auto_create         boolean NOT NULL,
    required_for_staff  boolean NOT NULL,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
-- A back-channel logout names its issuer and client: the tenants they sign in to.
CREATE INDEX tenant_sso_issuer_idx ON tenant_sso (issuer, client_id);

-- A sign-in under way, from `start` to the callback: single use, bound to the browser that
-- started it (the digest of a random value in a cookie of its own), short-lived.
CREATE TABLE sso_attempts (
    state_digest    bytea PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    browser_digest  bytea NOT NULL,
    nonce           text NOT NULL,
    pkce_verifier   text NOT NULL,
    -- A test sign-in by the owner reports what the provider sent instead of signing in.
    trial           boolean NOT NULL DEFAULT false,
    expires_at      timestamptz NOT NULL
);
CREATE INDEX sso_attempts_expiry_idx ON sso_attempts (expires_at);

-- The provider's session behind each of ours, for its back-channel logout (by `sid`, or every
-- session of the subject).
CREATE TABLE sso_sessions (
    session_id  uuid PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    subject     text NOT NULL,
    sid         text
);
CREATE INDEX sso_sessions_subject_idx ON sso_sessions (tenant_id, subject);
CREATE INDEX sso_sessions_sid_idx ON sso_sessions (tenant_id, sid) WHERE sid IS NOT NULL;
