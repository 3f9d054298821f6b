-- OAuth accounts linked to a user (NextAuth adapter).
CREATE TABLE account (
    "userId"            text    NOT NULL,
    type                text    NOT NULL,
    provider            text    NOT NULL,
    "providerAccountId" text    NOT NULL,
    refresh_token       text,
    access_token        text,
    expires_at          integer,
    token_type          text,
    scope               text,
    id_token            text,
    session_state       text,
    CONSTRAINT account_pkey PRIMARY KEY (provider, "providerAccountId"),
    CONSTRAINT account_user_id_fkey FOREIGN KEY ("userId") REFERENCES "user" (id) ON DELETE CASCADE
);
