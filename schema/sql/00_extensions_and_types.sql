-- Extensions and enumerated types.
--
-- No extension is needed: gen_random_uuid() is built into PostgreSQL 13 and later.

-- Provider of a bring-your-own-key API key.
CREATE TYPE api_key_type AS ENUM ('anthropic', 'gemini', 'openai');

-- Where a block of credits in the ledger came from.
CREATE TYPE grant_type AS ENUM (
    'free',
    'referral',
    'subscription',
    'purchase',
    'admin',
    'organization',
    'ad'
);

-- How a session was created: browser login, personal access token, or CLI login.
CREATE TYPE session_type AS ENUM ('web', 'pat', 'cli');

-- Lifecycle of an agent run.
CREATE TYPE agent_run_status AS ENUM ('running', 'completed', 'failed', 'cancelled');

-- Lifecycle of a single step inside an agent run.
CREATE TYPE agent_step_status AS ENUM ('running', 'completed', 'skipped');

-- Mirrors Stripe's subscription.status values.
CREATE TYPE subscription_status AS ENUM (
    'incomplete',
    'trialing',
    'active',
    'past_due',
    'canceled',
    'unpaid',
    'paused'
);

-- Role of a member (or invitee) inside an organization.
CREATE TYPE org_role AS ENUM ('owner', 'admin', 'member');

-- Progress of a referral.
CREATE TYPE referral_status AS ENUM ('pending', 'completed');
