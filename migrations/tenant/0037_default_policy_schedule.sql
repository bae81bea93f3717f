-- The hours the versioned (default) SLA policy counts its targets in: a schedule's business
-- hours, or every hour (null), as a policy by condition does. No foreign key: versions never
-- change, so a schedule a past version named may still be deleted (the tickets created under it
-- then count every hour); the current version's schedule may not (`DELETE /v1/schedules/{id}`
-- answers 409 `schedule_in_use`).
ALTER TABLE sla_policy_versions ADD COLUMN schedule_id uuid;
