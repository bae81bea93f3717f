-- The tenants' report digests (API.md "Reports") are timed work of the tenant plane, kept in
-- the tenants' schedule as the SAV jobs are.
ALTER TABLE tenant_schedule DROP CONSTRAINT tenant_schedule_work_check;
ALTER TABLE tenant_schedule ADD CONSTRAINT tenant_schedule_work_check CHECK (work IN ('sav', 'mailbox', 'purge', 'digest'));
