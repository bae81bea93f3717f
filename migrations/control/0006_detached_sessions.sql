-- An erased identity's sessions outlive it: their rows stay, revoked and detached (no user, no
-- address, no browser), because the app plane learns which access tokens to refuse by reading
-- `revoked_at` here, and a deleted row would never be read. Only a revoked session is detached.
ALTER TABLE sessions ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE sessions ADD CONSTRAINT sessions_detached_are_revoked CHECK (user_id IS NOT NULL OR revoked_at IS NOT NULL);
