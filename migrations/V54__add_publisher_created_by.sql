-- Keep track of who created a publisher, now that the owner may be an organization.
ALTER TABLE publisher ADD COLUMN created_by text;

UPDATE publisher SET created_by = user_id WHERE created_by IS NULL AND user_id IS NOT NULL;
UPDATE publisher p SET created_by = o.owner_id FROM org o WHERE p.created_by IS NULL AND p.org_id = o.id;

ALTER TABLE publisher ALTER COLUMN created_by SET NOT NULL;
ALTER TABLE publisher
    ADD CONSTRAINT publisher_created_by_fkey FOREIGN KEY (created_by) REFERENCES "user" (id);

COMMENT ON COLUMN publisher.created_by IS 'FK → user.id (who created the publisher)';
