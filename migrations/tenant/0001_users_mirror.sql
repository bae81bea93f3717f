-- The people of this tenant, mirrored from the control plane (control-api writes them on
-- signup, invitation, role change and removal), so tenant-plane queries can join on users.
CREATE TABLE users (
    id          uuid PRIMARY KEY,
    email       text NOT NULL,
    firstname   text NOT NULL DEFAULT '',
    lastname    text NOT NULL DEFAULT '',
    role        text NOT NULL CHECK (role IN ('owner', 'admin', 'agent', 'customer')),
    vip         boolean NOT NULL DEFAULT false,
    -- Removed members stay for the history of their tickets, without access.
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_role_idx ON users (role) WHERE active;
