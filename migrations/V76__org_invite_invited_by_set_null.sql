-- An invitation stays valid when the member who sent it leaves and deletes their account.
ALTER TABLE org_invite ALTER COLUMN invited_by DROP NOT NULL;
ALTER TABLE org_invite DROP CONSTRAINT org_invite_invited_by_fkey;
ALTER TABLE org_invite
    ADD CONSTRAINT org_invite_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES "user" (id) ON DELETE SET NULL;
