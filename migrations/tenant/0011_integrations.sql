-- Integrations (DESIGN.md "Integrations"): the tenant's API keys and outbound webhooks.

-- An API key acts as an integration: a row of its own in `users` (role 'integration', never a
-- member of the control plane, never an assignee or a recipient), so that what it writes (a
-- message's sender, a history entry's actor) points at it like anything a person writes.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('owner', 'admin', 'agent', 'customer', 'integration'));

-- `hdk_<id as 32 hex><secret as 48 hex>`: the id finds the row, the secret is kept only as its
-- HMAC-SHA256 under app-api's api-keys key (a copy of the database alone cannot be used).
CREATE TABLE api_keys (
    id            uuid PRIMARY KEY REFERENCES users (id),
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    scopes        text[] NOT NULL CHECK (cardinality(scopes) > 0
                      AND scopes <@ ARRAY['tickets:read', 'tickets:write', 'inbound:email']),
    secret_digest bytea NOT NULL,
    created_by    uuid NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_keys_created_idx ON api_keys (created_at DESC);

-- Where events are sent, and which.
CREATE TABLE webhook_endpoints (
    id              uuid PRIMARY KEY,
    url             text NOT NULL CHECK (char_length(url) <= 2000),
    events          text[] NOT NULL CHECK (cardinality(events) > 0),
    description     text CHECK (char_length(description) <= 500),
    enabled         boolean NOT NULL DEFAULT true,
    disabled_reason text,
    -- The first failure since the last success: three days of failures disable the endpoint.
    failing_since   timestamptz,
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- An endpoint's signing secrets: the current one (`expires_at` null) and, for 24 h after a
-- rotation, the one before. Sealed (AES-256-GCM under app-api's webhook-secrets key, the row's
-- id as associated data): the database alone cannot sign.
CREATE TABLE webhook_secrets (
    id           uuid PRIMARY KEY,
    endpoint_id  uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    sealed       bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz
);
CREATE INDEX webhook_secrets_endpoint_idx ON webhook_secrets (endpoint_id);

-- One delivery per (event, endpoint), written before the event is acked; the body is written
-- once, so every attempt sends the same bytes. A pending delivery is due at `next_attempt_at`;
-- a sender leases it by moving that forward while it sends, so a sender that dies mid-send
-- leaves it due again when the lease ends.
CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY,
    endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id         uuid NOT NULL,
    type             text NOT NULL,
    body             text NOT NULL,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at);

-- Every attempt, as the delivery log shows it.
CREATE TABLE webhook_attempts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id      uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    attempt          integer NOT NULL,
    status_code      integer,
    duration_ms      integer,
    error            text,
    response_body    text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    next_attempt_at  timestamptz
);
CREATE INDEX webhook_attempts_endpoint_idx ON webhook_attempts (endpoint_id, id DESC);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id);
