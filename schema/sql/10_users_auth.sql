-- Users and authentication (NextAuth adapter tables, devices, BYOK keys).

CREATE TABLE "user" (
    id                      text        NOT NULL DEFAULT gen_random_uuid()::text,
    name                    text,
    email                   text        NOT NULL,
    password                text,
    "emailVerified"         timestamptz,
    image                   text,
    stripe_customer_id      text,
    stripe_price_id         text,
    next_quota_reset        timestamptz DEFAULT now() + interval '1 month',
    created_at              timestamptz NOT NULL DEFAULT now(),
    referral_code           text        DEFAULT 'ref-' || gen_random_uuid(),
    referral_limit          integer     NOT NULL DEFAULT 5,
    discord_id              text,
    handle                  text,
    auto_topup_enabled      boolean     NOT NULL DEFAULT false,
    auto_topup_threshold    integer,
    auto_topup_amount       integer,
    banned                  boolean     NOT NULL DEFAULT false,
    fallback_to_a_la_carte  boolean     NOT NULL DEFAULT false,
    CONSTRAINT user_pkey PRIMARY KEY (id),
    CONSTRAINT user_email_key UNIQUE (email),
    CONSTRAINT user_stripe_customer_id_key UNIQUE (stripe_customer_id),
    CONSTRAINT user_referral_code_key UNIQUE (referral_code),
    CONSTRAINT user_discord_id_key UNIQUE (discord_id),
    CONSTRAINT user_referral_limit_check CHECK (referral_limit >= 0)
);

CREATE UNIQUE INDEX user_handle_lower_idx ON "user" (lower(handle));

COMMENT ON TABLE "user" IS 'Core user account table.';
COMMENT ON COLUMN "user".id IS 'Primary key';
COMMENT ON COLUMN "user".name IS 'Display name';
COMMENT ON COLUMN "user".email IS 'Unique email address';
COMMENT ON COLUMN "user".password IS 'Hashed password';
COMMENT ON COLUMN "user"."emailVerified" IS 'Email verification date';
COMMENT ON COLUMN "user".image IS 'Avatar URL';
COMMENT ON COLUMN "user".stripe_customer_id IS 'Stripe customer reference';
COMMENT ON COLUMN "user".stripe_price_id IS 'Stripe price of the plan the user is on';
COMMENT ON COLUMN "user".next_quota_reset IS 'Next credit reset date';
COMMENT ON COLUMN "user".created_at IS 'Account creation date';
COMMENT ON COLUMN "user".referral_code IS 'Unique referral code';
COMMENT ON COLUMN "user".referral_limit IS 'Max referrals allowed';
COMMENT ON COLUMN "user".discord_id IS 'Discord user ID';
COMMENT ON COLUMN "user".handle IS 'Unique username handle';
COMMENT ON COLUMN "user".auto_topup_enabled IS 'Auto credit top-up';
COMMENT ON COLUMN "user".auto_topup_threshold IS 'Balance below which an automatic top-up is triggered';
COMMENT ON COLUMN "user".auto_topup_amount IS 'Number of credits bought by each automatic top-up';
COMMENT ON COLUMN "user".banned IS 'Account ban status';
COMMENT ON COLUMN "user".fallback_to_a_la_carte IS 'Billing fallback';


CREATE TABLE fingerprint (
    id          text        NOT NULL,
    sig_hash    text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fingerprint_pkey PRIMARY KEY (id)
);

COMMENT ON TABLE fingerprint IS 'Device fingerprinting for session binding.';
COMMENT ON COLUMN fingerprint.id IS 'Primary key: the fingerprint computed by the client';
COMMENT ON COLUMN fingerprint.sig_hash IS 'Hash of the signature that proves the fingerprint was issued by us';
COMMENT ON COLUMN fingerprint.created_at IS 'When the device was first seen';


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

CREATE INDEX account_user_id_idx ON account ("userId");

COMMENT ON TABLE account IS 'OAuth provider accounts (NextAuth adapter). PK: (provider, providerAccountId).';
COMMENT ON COLUMN account."userId" IS 'FK → user.id';
COMMENT ON COLUMN account.type IS 'Account type (oauth, oidc, email)';
COMMENT ON COLUMN account.provider IS 'OAuth provider name (github, google, …)';
COMMENT ON COLUMN account."providerAccountId" IS 'User id at the provider';
COMMENT ON COLUMN account.refresh_token IS 'OAuth refresh token';
COMMENT ON COLUMN account.access_token IS 'OAuth access token';
COMMENT ON COLUMN account.expires_at IS 'Access token expiry (seconds since the epoch)';
COMMENT ON COLUMN account.token_type IS 'OAuth token type (usually bearer)';
COMMENT ON COLUMN account.scope IS 'Granted OAuth scopes';
COMMENT ON COLUMN account.id_token IS 'OpenID Connect ID token';
COMMENT ON COLUMN account.session_state IS 'Provider session state';


CREATE TABLE session (
    "sessionToken"  text         NOT NULL,
    "userId"        text         NOT NULL,
    expires         timestamptz  NOT NULL,
    fingerprint_id  text,
    type            session_type NOT NULL DEFAULT 'web',
    created_at      timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT session_pkey PRIMARY KEY ("sessionToken"),
    CONSTRAINT session_user_id_fkey FOREIGN KEY ("userId") REFERENCES "user" (id) ON DELETE CASCADE,
    CONSTRAINT session_fingerprint_id_fkey FOREIGN KEY (fingerprint_id) REFERENCES fingerprint (id) ON DELETE SET NULL
);

CREATE INDEX session_user_id_idx ON session ("userId");
CREATE INDEX session_fingerprint_id_idx ON session (fingerprint_id);

COMMENT ON TABLE session IS 'Auth sessions with type classification (web/pat/cli). PK: sessionToken.';
COMMENT ON COLUMN session."sessionToken" IS 'Primary key: opaque session token';
COMMENT ON COLUMN session."userId" IS 'FK → user.id';
COMMENT ON COLUMN session.expires IS 'When the session expires';
COMMENT ON COLUMN session.fingerprint_id IS 'FK → fingerprint.id (device the session is bound to)';
COMMENT ON COLUMN session.type IS 'Session kind: web, pat or cli';
COMMENT ON COLUMN session.created_at IS 'When the session was created';


CREATE TABLE verification_token (
    identifier  text        NOT NULL,
    token       text        NOT NULL,
    expires     timestamptz NOT NULL,
    CONSTRAINT verification_token_pkey PRIMARY KEY (identifier, token)
);

COMMENT ON TABLE verification_token IS 'Email verification tokens. PK: (identifier, token).';
COMMENT ON COLUMN verification_token.identifier IS 'Email address the token was sent to';
COMMENT ON COLUMN verification_token.token IS 'Hashed verification token';
COMMENT ON COLUMN verification_token.expires IS 'When the token expires';


CREATE TABLE encrypted_api_keys (
    user_id     text         NOT NULL,
    type        api_key_type NOT NULL,
    api_key     text         NOT NULL,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT encrypted_api_keys_pkey PRIMARY KEY (user_id, type),
    CONSTRAINT encrypted_api_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);

COMMENT ON TABLE encrypted_api_keys IS 'User BYOK keys (encrypted). PK: (user_id, type). Types: anthropic, gemini, openai.';
COMMENT ON COLUMN encrypted_api_keys.user_id IS 'FK → user.id';
COMMENT ON COLUMN encrypted_api_keys.type IS 'Key provider: anthropic, gemini or openai';
COMMENT ON COLUMN encrypted_api_keys.api_key IS 'The API key, encrypted with the service key';
COMMENT ON COLUMN encrypted_api_keys.created_at IS 'When the key was first stored';
COMMENT ON COLUMN encrypted_api_keys.updated_at IS 'When the key was last replaced';
