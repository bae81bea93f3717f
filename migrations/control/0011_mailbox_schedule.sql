-- When each tenant's mailbox is next fetched (email in), kept by app-api: the fetcher reads the
-- due tenants from the head of one index, so its cost follows the tenants that have a mailbox,
-- not every tenant. A tenant without a mailbox has no row.
CREATE TABLE mailbox_schedule (
    tenant_id     uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    next_fetch_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mailbox_schedule_due_idx ON mailbox_schedule (next_fetch_at);
