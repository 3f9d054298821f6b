-- Document the users and authentication tables.

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

COMMENT ON TABLE fingerprint IS 'Device fingerprinting for session binding.';
COMMENT ON COLUMN fingerprint.id IS 'Primary key: the fingerprint computed by the client';
COMMENT ON COLUMN fingerprint.sig_hash IS 'Hash of the signature that proves the fingerprint was issued by us';
COMMENT ON COLUMN fingerprint.created_at IS 'When the device was first seen';

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

COMMENT ON TABLE session IS 'Auth sessions with type classification (web/pat/cli). PK: sessionToken.';
COMMENT ON COLUMN session."sessionToken" IS 'Primary key: opaque session token';
COMMENT ON COLUMN session."userId" IS 'FK → user.id';
COMMENT ON COLUMN session.expires IS 'When the session expires';
COMMENT ON COLUMN session.fingerprint_id IS 'FK → fingerprint.id (device the session is bound to)';
COMMENT ON COLUMN session.type IS 'Session kind: web, pat or cli';
COMMENT ON COLUMN session.created_at IS 'When the session was created';

COMMENT ON TABLE verification_token IS 'Email verification tokens. PK: (identifier, token).';
COMMENT ON COLUMN verification_token.identifier IS 'Email address the token was sent to';
COMMENT ON COLUMN verification_token.token IS 'Hashed verification token';
COMMENT ON COLUMN verification_token.expires IS 'When the token expires';

COMMENT ON TABLE encrypted_api_keys IS 'User BYOK keys (encrypted). PK: (user_id, type). Types: anthropic, gemini, openai.';
COMMENT ON COLUMN encrypted_api_keys.user_id IS 'FK → user.id';
COMMENT ON COLUMN encrypted_api_keys.type IS 'Key provider: anthropic, gemini or openai';
COMMENT ON COLUMN encrypted_api_keys.api_key IS 'The API key, encrypted with the service key';
COMMENT ON COLUMN encrypted_api_keys.created_at IS 'When the key was first stored';
COMMENT ON COLUMN encrypted_api_keys.updated_at IS 'When the key was last replaced';
