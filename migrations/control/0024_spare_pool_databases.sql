-- The next pool database of a cluster is made before it is needed: when a sign-up leaves the
-- open pool with little room and no other has any, a spare is recorded (no tenant yet), and the
-- provisioning that took the place makes its database at once. `ready` says its database
-- exists; every pool until now was made by the sign-up it was first needed for.
ALTER TABLE pool_databases ADD COLUMN ready boolean NOT NULL DEFAULT true;
ALTER TABLE pool_databases ALTER COLUMN ready SET DEFAULT false;
