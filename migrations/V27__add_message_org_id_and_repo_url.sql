-- Calls made in an org repository are billed to the org.
ALTER TABLE message ADD COLUMN org_id text;
ALTER TABLE message ADD COLUMN repo_url text;
ALTER TABLE message
    ADD CONSTRAINT message_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id) ON DELETE SET NULL;

CREATE INDEX message_org_id_idx ON message (org_id);
