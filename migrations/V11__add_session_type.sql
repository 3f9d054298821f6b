CREATE TYPE session_type AS ENUM ('web', 'cli');

ALTER TABLE session ADD COLUMN type session_type NOT NULL DEFAULT 'web';
