-- Views: saved ticket filters, run by the ticket list's own builder. A person's own (`shared`
-- false: seen and kept by its owner alone), or shared with the whole staff (kept by owners and
-- admins). `filters` holds the `GET /v1/tickets` filters by name, checked when saved.
CREATE TABLE ticket_views (
    id          uuid PRIMARY KEY,
    owner_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shared      boolean NOT NULL,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    filters     jsonb NOT NULL CHECK (jsonb_typeof(filters) = 'object'),
    sort        text NOT NULL CHECK (sort IN ('newest', 'oldest')),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX ticket_views_owner_idx ON ticket_views (owner_id) WHERE NOT shared;
CREATE INDEX ticket_views_shared_idx ON ticket_views (shared) WHERE shared;
