-- Account mail: what control-api mails people about their account (an invitation, a password
-- reset link, an email verification link), written in the transaction that causes it and sent
-- by the account mail sender, so that a mail server that is away or not configured loses
-- nothing; and the single-use tokens those links carry, stored as digests.

-- When the identity's email was shown to reach it. Existing identities count as verified (what
-- they were treated as until now); new ones are verified unless written otherwise (a
-- self-registered customer is not, until they follow the mailed link).
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
UPDATE users SET email_verified_at = created_at;
ALTER TABLE users ALTER COLUMN email_verified_at SET DEFAULT now();

CREATE TABLE account_mail (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('invitation', 'password_reset', 'email_verification')),
    -- The organisation the mail is about (its deletion takes the mail with it).
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    address         text NOT NULL CHECK (length(address) BETWEEN 3 AND 254),
    to_name         text,
    from_name       text NOT NULL,
    language        text NOT NULL CHECK (language IN ('en', 'fr')),
    subject         text NOT NULL,
    -- Emptied once the mail is sent or given up: the bodies carry the links' secrets.
    text            text NOT NULL,
    html            text NOT NULL,
    message_id      text NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX account_mail_due_idx ON account_mail (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX account_mail_address_idx ON account_mail (lower(address));
CREATE INDEX account_mail_tenant_idx ON account_mail (tenant_id);

CREATE TABLE account_tokens (
    token_digest bytea PRIMARY KEY,
    purpose      text NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The organisation whose address the link points at.
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose) WHERE used_at IS NULL;
CREATE INDEX account_tokens_tenant_idx ON account_tokens (tenant_id);
