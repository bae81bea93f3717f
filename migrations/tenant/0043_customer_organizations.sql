-- Customer organisations: the companies a tenant's customers belong to (never the tenant itself),
-- the domains each holds, and who belongs to which, with one primary organisation per person.
-- Every table is born as 0039 left the others: `tenant_id` leading every key and index, the
-- transaction's tenant as its default, the policy `tenant_rows` forced.
--
-- A customer created in the tenant joins the organisation holding their address's domain in the
-- same statement (`users_join_by_domain`, after an insert of a customer, never on update): one
-- indexed lookup, primary when it is their first organisation.

CREATE TABLE organizations (
    tenant_id       uuid NOT NULL DEFAULT current_setting('helpdeskly.tenant')::uuid,
    id              uuid NOT NULL,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    shared_tickets  boolean NOT NULL DEFAULT false,
    shared_comments boolean NOT NULL DEFAULT false,
    notes           text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    external_ids    jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX organizations_name_key ON organizations (tenant_id, lower(name));

-- One holder per domain in a tenant: the key itself, so two concurrent writes cannot both hold it.
CREATE TABLE organization_domains (
    tenant_id       uuid NOT NULL DEFAULT current_setting('helpdeskly.tenant')::uuid,
    domain          text NOT NULL CHECK (domain = lower(domain) AND position('.' IN domain) > 0),
    organization_id uuid NOT NULL,
    PRIMARY KEY (tenant_id, domain),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX organization_domains_holder_idx ON organization_domains (tenant_id, organization_id);

CREATE TABLE organization_members (
    tenant_id       uuid NOT NULL DEFAULT current_setting('helpdeskly.tenant')::uuid,
    organization_id uuid NOT NULL,
    user_id         uuid NOT NULL,
    role            text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'manager')),
    is_primary      boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, organization_id, user_id),
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX organization_members_user_idx ON organization_members (tenant_id, user_id, created_at);
CREATE UNIQUE INDEX organization_members_primary_key ON organization_members (tenant_id, user_id) WHERE is_primary;

DO $policies$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['organizations', 'organization_domains', 'organization_members'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', name);
        EXECUTE format(
            'CREATE POLICY tenant_rows ON %I USING (tenant_id = nullif(current_setting(%L, true), %L)::uuid) '
            'WITH CHECK (tenant_id = nullif(current_setting(%L, true), %L)::uuid)',
            name, 'helpdeskly.tenant', '', 'helpdeskly.tenant', ''
        );
    END LOOP;
END
$policies$;

-- The ticket's organisation: a requester's, kept when they leave it, cleared when it is deleted.
ALTER TABLE support_tickets ADD COLUMN organization_id uuid;
ALTER TABLE support_tickets ADD CONSTRAINT support_tickets_organization_fkey
    FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations (tenant_id, id)
    ON DELETE SET NULL (organization_id);
CREATE INDEX support_tickets_organization_idx ON support_tickets (tenant_id, organization_id, status, created_at)
    WHERE organization_id IS NOT NULL;

CREATE FUNCTION users_join_by_domain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO organization_members (tenant_id, organization_id, user_id, role, is_primary)
    SELECT NEW.tenant_id, d.organization_id, NEW.id, 'member', true
    FROM organization_domains d
    WHERE d.tenant_id = NEW.tenant_id AND d.domain = lower(split_part(NEW.email, '@', 2))
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_join_by_domain AFTER INSERT ON users
    FOR EACH ROW WHEN (NEW.role = 'customer') EXECUTE FUNCTION users_join_by_domain();

-- Staff never belong to a customer organisation: a customer made staff leaves every one.
CREATE FUNCTION users_leave_organizations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM organization_members WHERE tenant_id = NEW.tenant_id AND user_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_leave_organizations AFTER UPDATE OF role ON users
    FOR EACH ROW WHEN (NEW.role <> 'customer' AND OLD.role = 'customer') EXECUTE FUNCTION users_leave_organizations();

-- A person with organisations has exactly one primary: when it ends (a removal, the
-- organisation's deletion), their oldest remaining membership takes over.
CREATE FUNCTION organization_members_next_primary() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organization_members SET is_primary = true
    WHERE tenant_id = OLD.tenant_id AND user_id = OLD.user_id AND organization_id = (
        SELECT organization_id FROM organization_members
        WHERE tenant_id = OLD.tenant_id AND user_id = OLD.user_id
        ORDER BY created_at, organization_id LIMIT 1)
      AND NOT EXISTS (
        SELECT 1 FROM organization_members
        WHERE tenant_id = OLD.tenant_id AND user_id = OLD.user_id AND is_primary);
    RETURN NULL;
END
$$;

CREATE TRIGGER organization_members_next_primary AFTER DELETE ON organization_members
    FOR EACH ROW WHEN (OLD.is_primary) EXECUTE FUNCTION organization_members_next_primary();

-- A person's organisations as user JSON shows them: every one, their primary first, then in the
-- order they joined; and the primary alone.
CREATE FUNCTION person_organizations(person uuid) RETURNS uuid[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(organization_id ORDER BY is_primary DESC, created_at, organization_id), '{}')
    FROM organization_members WHERE user_id = person
$$;

CREATE FUNCTION person_primary_organization(person uuid) RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT organization_id FROM organization_members WHERE user_id = person AND is_primary
$$;
