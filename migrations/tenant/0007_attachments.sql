-- Attachments stored for real: each file's content hash and visibility, the stored objects the
-- rows point at (one object for the same content in a ticket, however many rows name it), the
-- tenant's storage use against its quota, the objects waiting to be deleted from the store, and
-- who was handed a download link.

-- Visibility of the file itself: an attachment of an internal note (or uploaded as one) is
-- never shown to a customer. Existing rows take their message's visibility.
ALTER TABLE ticket_attachments
    ADD COLUMN sha256 text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    ADD COLUMN is_internal boolean NOT NULL DEFAULT false;
UPDATE ticket_attachments a SET is_internal = m.is_internal FROM ticket_messages m WHERE m.id = a.message_id;
CREATE INDEX ticket_attachments_uploader_idx ON ticket_attachments (uploaded_by);

-- One row per object in the store. `refs` counts the attachment rows naming it: the upload that
-- creates an object counts it in the usage below; the trigger on attachment deletion removes
-- the object when its last row goes.
CREATE TABLE stored_objects (
    file_path   text PRIMARY KEY CHECK (char_length(file_path) BETWEEN 1 AND 1024),
    byte_size   bigint NOT NULL CHECK (byte_size >= 0),
    refs        integer NOT NULL DEFAULT 0 CHECK (refs >= 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO stored_objects (file_path, byte_size, refs)
    SELECT file_path, max(file_size), count(*) FROM ticket_attachments GROUP BY file_path;
ALTER TABLE ticket_attachments
    ADD CONSTRAINT ticket_attachments_object_fk FOREIGN KEY (file_path) REFERENCES stored_objects (file_path);

-- The tenant's storage in one row, so that concurrent uploads take turns on it and the quota
-- holds exactly.
CREATE TABLE storage_usage (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    bytes_used  bigint NOT NULL CHECK (bytes_used >= 0),
    objects     bigint NOT NULL CHECK (objects >= 0)
);
INSERT INTO storage_usage (bytes_used, objects)
    SELECT coalesce(sum(byte_size), 0), count(*) FROM stored_objects;

-- Objects whose last row is gone, deleted from the store after the transaction that removed
-- the row commits (and again by the orphan cleanup while the store is unreachable). An upload
-- that stores the same object again takes it off this list first.
CREATE TABLE blob_deletions (
    file_path     text PRIMARY KEY,
    requested_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION ticket_attachments_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stored_objects SET refs = refs + 1 WHERE file_path = NEW.file_path;
    RETURN NULL;
END $$;

CREATE FUNCTION ticket_attachments_released() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    left_refs integer;
    size bigint;
BEGIN
    UPDATE stored_objects SET refs = refs - 1 WHERE file_path = OLD.file_path
        RETURNING refs, byte_size INTO left_refs, size;
    IF left_refs = 0 THEN
        DELETE FROM stored_objects WHERE file_path = OLD.file_path;
        UPDATE storage_usage SET bytes_used = bytes_used - size, objects = objects - 1;
        INSERT INTO blob_deletions (file_path) VALUES (OLD.file_path) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER ticket_attachments_counted AFTER INSERT ON ticket_attachments
    FOR EACH ROW EXECUTE FUNCTION ticket_attachments_counted();
CREATE TRIGGER ticket_attachments_released AFTER DELETE ON ticket_attachments
    FOR EACH ROW EXECUTE FUNCTION ticket_attachments_released();

-- Every download link handed out: who, from where, when.
CREATE TABLE attachment_access_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    attachment_id  bigint NOT NULL REFERENCES ticket_attachments (id) ON DELETE CASCADE,
    user_id        uuid NOT NULL REFERENCES users (id),
    ip             inet,
    accessed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachment_access_log_attachment_idx ON attachment_access_log (attachment_id, accessed_at DESC, id DESC);
CREATE INDEX attachment_access_log_user_idx ON attachment_access_log (user_id);
