-- Agent Store: publishers own published agents.
CREATE TABLE publisher (
    id          text        NOT NULL,
    name        text        NOT NULL,
    email       text,
    verified    boolean     NOT NULL DEFAULT false,
    bio         text,
    avatar_url  text,
    user_id     text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT publisher_pkey PRIMARY KEY (id),
    CONSTRAINT publisher_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);

CREATE INDEX publisher_user_id_idx ON publisher (user_id);

COMMENT ON TABLE publisher IS 'Agent Store publisher profiles.';
COMMENT ON COLUMN publisher.id IS 'Primary key: URL-safe publisher handle';
COMMENT ON COLUMN publisher.name IS 'Display name';
COMMENT ON COLUMN publisher.email IS 'Contact email';
COMMENT ON COLUMN publisher.verified IS 'Verified by the Agent Store team';
COMMENT ON COLUMN publisher.bio IS 'Short biography shown on the publisher page';
COMMENT ON COLUMN publisher.avatar_url IS 'Avatar URL';
COMMENT ON COLUMN publisher.user_id IS 'FK → user.id (owner)';
COMMENT ON COLUMN publisher.created_at IS 'When the publisher was created';
COMMENT ON COLUMN publisher.updated_at IS 'When the profile was last changed';
