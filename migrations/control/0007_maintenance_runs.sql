-- When each periodic maintenance job of the tenant plane (the weekly orphan cleanup of
-- attachments) last started: any number of replicas may run the jobs, one of them claims each
-- run.
CREATE TABLE maintenance_runs (
    job              text PRIMARY KEY,
    last_started_at  timestamptz NOT NULL
);
