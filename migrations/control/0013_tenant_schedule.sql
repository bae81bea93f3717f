-- One schedule for the tenants' timed work in the tenant plane, kept by app-api: when each
-- tenant next has SAV work due (an SLA target or an auto-close) and when its mailbox is next
-- fetched. A worker claims the due tenants of one kind of work from the head of one index, so its
-- cost follows the tenants that have such work, not every tenant; a tenant with nothing of a
-- kind has no row of it. It replaces the two tables that kept the same shape each.
CREATE TABLE tenant_schedule (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    work        text NOT NULL CHECK (work IN ('sav', 'mailbox')),
    next_due_at timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, work)
);
CREATE INDEX tenant_schedule_due_idx ON tenant_schedule (work, next_due_at);

INSERT INTO tenant_schedule (tenant_id, work, next_due_at, updated_at)
SELECT tenant_id, 'sav', next_due_at, updated_at FROM sla_schedule;
INSERT INTO tenant_schedule (tenant_id, work, next_due_at, updated_at)
SELECT tenant_id, 'mailbox', next_fetch_at, updated_at FROM mailbox_schedule;

DROP TABLE sla_schedule;
DROP TABLE mailbox_schedule;
