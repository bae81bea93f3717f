-- When each tenant next has SAV work due (an SLA target or an auto-close), kept by app-api's
-- scheduled jobs: a check reads the due tenants from the head of one index and visits them
-- alone, however many tenants there are. A tenant with nothing running has no row.
CREATE TABLE sla_schedule (
    tenant_id   uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    next_due_at timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sla_schedule_due_idx ON sla_schedule (next_due_at);
