-- Database sessions (NextAuth adapter).
CREATE TABLE session (
    "sessionToken"  text        NOT NULL,
    "userId"        text        NOT NULL,
    expires         timestamptz NOT NULL,
    CONSTRAINT session_pkey PRIMARY KEY ("sessionToken"),
    CONSTRAINT session_user_id_fkey FOREIGN KEY ("userId") REFERENCES "user" (id) ON DELETE CASCADE
);
