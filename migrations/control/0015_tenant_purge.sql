-- The last step of a tenant's deletion, kept in the tenants' schedule: once control-api has
-- dropped the tenant's database and role, the tenant is due for a purge in the tenant plane,
-- which removes its files from the object store and its keys from Redis, and only then marks the
-- tenant `deleted`. Until then it stays `deleting`.
ALTER TABLE tenant_schedule DROP CONSTRAINT tenant_schedule_work_check;
ALTER TABLE tenant_schedule ADD CONSTRAINT tenant_schedule_work_check CHECK (work IN ('sav', 'mailbox', 'purge'));
