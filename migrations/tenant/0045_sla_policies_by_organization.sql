-- SLA policies by condition may name customer organisations: a ticket matches when its
-- organisation is among them (null: every ticket). An organisation named here is not deleted
-- (409 `organization_in_use`), as a team named here is not.
ALTER TABLE sla_policies ADD COLUMN organization_ids uuid[];
