-- Magic-link / email verification tokens (NextAuth adapter).
CREATE TABLE verification_token (
    identifier  text        NOT NULL,
    token       text        NOT NULL,
    expires     timestamptz NOT NULL,
    CONSTRAINT verification_token_pkey PRIMARY KEY (identifier, token)
);
