-- Who changed what about the people of this tenant, as the tenant's admins see it (a VIP flag
-- set or cleared, ...). Append-only: the app plane inserts and reads, never updates.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    uuid NOT NULL,
    action      text NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    subject_id  uuid,
    details     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(details) = 'object')
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_id, id DESC);
