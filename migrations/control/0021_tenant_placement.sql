-- Where a tenant's rows live: `dedicated`, a database of its own (every tenant until now), or
-- `pooled`, one of many tenants of a shared pool database. The cluster and the database stay in
-- `cluster_id` and `database_name`. Platform operators list tenants by placement and cluster.
ALTER TABLE tenants
    ADD COLUMN placement text NOT NULL DEFAULT 'dedicated' CHECK (placement IN ('pooled', 'dedicated'));

CREATE INDEX tenants_by_placement ON tenants (placement, cluster_id, id);
