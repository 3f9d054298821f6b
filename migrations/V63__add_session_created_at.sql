ALTER TABLE session ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();

-- "Log out everywhere" and the session list in settings look sessions up by user.
CREATE INDEX session_user_id_idx ON session ("userId");
