-- Tenants whose change version a service could not raise in Redis (refused, or away) after a
-- change to their data. Every app-api replica reads this list each second: it keeps and serves
-- nothing from memory for a listed tenant, raises the version once Redis takes it, and removes
-- the row then. A change is thus never answered from an old version for longer than that second,
-- where without the list it could be for an answer's longest life.
CREATE TABLE missed_version_bumps (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    missed_at timestamptz NOT NULL DEFAULT now()
);
