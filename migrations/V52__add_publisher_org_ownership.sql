-- Publishers can now be owned by an organization instead of a user (exactly one of the two).
ALTER TABLE publisher ADD COLUMN org_id text;
ALTER TABLE publisher
    ADD CONSTRAINT publisher_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id) ON DELETE CASCADE;
ALTER TABLE publisher ALTER COLUMN user_id DROP NOT NULL;

-- Checked for new rows now, validated in the next migration without blocking writes.
ALTER TABLE publisher
    ADD CONSTRAINT publisher_single_owner CHECK (
        (user_id IS NOT NULL AND org_id IS NULL) OR (user_id IS NULL AND org_id IS NOT NULL)
    ) NOT VALID;

CREATE INDEX publisher_org_id_idx ON publisher (org_id);

COMMENT ON TABLE publisher IS 'Agent Store publisher profiles. Owned by user OR org (enforced by check constraint).';
COMMENT ON COLUMN publisher.user_id IS 'FK → user.id (owning user, if owned by a user)';
COMMENT ON COLUMN publisher.org_id IS 'FK → org.id (owning organization, if owned by an organization)';
