-- Publisher ids appear in agent ids ("publisher/agent@version") and in URLs.
ALTER TABLE publisher ADD CONSTRAINT publisher_id_format_check CHECK (id ~ '^[a-z0-9][a-z0-9-]*$');

-- The adapter looks accounts up by user when unlinking.
CREATE INDEX account_user_id_idx ON account ("userId");
