-- Invitations get an id, so owners and admins can list the open ones and revoke one (the token
-- itself is only ever stored as a digest and shown once, at creation).
ALTER TABLE invitations ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE invitations ADD CONSTRAINT invitations_id_key UNIQUE (id);
CREATE INDEX invitations_open_idx ON invitations (tenant_id, created_at, id) WHERE accepted_at IS NULL;
