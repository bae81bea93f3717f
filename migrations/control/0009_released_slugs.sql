-- A deleted tenant keeps its slug for 30 days after its deletion; then a sign-up may take it: the
-- deleted tenant's row lets go of it (slug_released_at) and stays, the record of what was deleted.
ALTER TABLE tenants ADD COLUMN deleted_at timestamptz;
ALTER TABLE tenants ADD COLUMN slug_released_at timestamptz;
UPDATE tenants SET deleted_at = updated_at WHERE status = 'deleted';
DROP INDEX tenants_slug_key;
CREATE UNIQUE INDEX tenants_slug_key ON tenants (slug) WHERE slug_released_at IS NULL;
