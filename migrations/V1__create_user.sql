-- Users, as expected by the NextAuth Postgres adapter.
CREATE TABLE "user" (
    id               text      NOT NULL DEFAULT gen_random_uuid()::text,
    name             text,
    email            text      NOT NULL,
    "emailVerified"  timestamptz,
    image            text,
    created_at       timestamp NOT NULL DEFAULT now(),
    CONSTRAINT user_pkey PRIMARY KEY (id),
    CONSTRAINT user_email_key UNIQUE (email)
);

COMMENT ON TABLE "user" IS 'Users.';
