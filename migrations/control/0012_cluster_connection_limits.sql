-- Each cluster's connection limits, read by control-api from the server itself at each start
-- (and by add-cluster): app-api fits its tenant connection budget under them, beside control-api
-- and the other app-api processes (README "Connection budgets").
ALTER TABLE db_clusters
    ADD COLUMN max_connections integer CHECK (max_connections > 0),
    -- superuser_reserved_connections, plus reserved_connections where the server has it (16+).
    ADD COLUMN reserved_connections integer CHECK (reserved_connections >= 0),
    ADD COLUMN limits_read_at timestamptz;
