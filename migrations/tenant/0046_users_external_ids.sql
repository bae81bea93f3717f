-- Where a person comes from in other systems (`{SOURCE: "id"}`, as organisations keep theirs):
-- shown by GET /v1/users/{id}, written by imports.
ALTER TABLE users ADD COLUMN external_ids jsonb NOT NULL DEFAULT '{}';
