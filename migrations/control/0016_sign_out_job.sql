-- Signing out of every session makes a person unavailable for routing in each tenant where
-- they are staff: a `sign_out` job per tenant writes it into the tenant database.
ALTER TABLE provisioning_jobs DROP CONSTRAINT provisioning_jobs_kind_check;
ALTER TABLE provisioning_jobs ADD CONSTRAINT provisioning_jobs_kind_check
    CHECK (kind IN ('provision', 'drop', 'sync_member', 'sign_out'));
