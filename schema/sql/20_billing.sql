-- Billing: the credit ledger, Stripe subscriptions, referrals, ads, rate limits and LLM usage.
-- Foreign keys to org are added at the end of 30_orgs.sql.

CREATE TABLE credit_ledger (
    operation_id  text        NOT NULL,
    user_id       text        NOT NULL,
    principal     integer     NOT NULL,
    balance       integer     NOT NULL,
    type          grant_type  NOT NULL,
    description   text,
    priority      integer     NOT NULL,
    expires_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    org_id        text,
    CONSTRAINT credit_ledger_pkey PRIMARY KEY (operation_id),
    CONSTRAINT credit_ledger_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);

CREATE INDEX idx_credit_ledger_active_balance ON credit_ledger (user_id, balance, expires_at, priority)
    WHERE balance <> 0 AND expires_at IS NULL;
CREATE INDEX idx_credit_ledger_user_created ON credit_ledger (user_id, created_at);
CREATE INDEX idx_credit_ledger_org ON credit_ledger (org_id);

COMMENT ON TABLE credit_ledger IS 'Tracks all credit transactions (grants, usage, refunds).';
COMMENT ON COLUMN credit_ledger.operation_id IS 'Primary key (unique operation)';
COMMENT ON COLUMN credit_ledger.user_id IS 'FK → user.id';
COMMENT ON COLUMN credit_ledger.principal IS 'Credits granted/deducted';
COMMENT ON COLUMN credit_ledger.balance IS 'Remaining balance';
COMMENT ON COLUMN credit_ledger.type IS 'Grant type enum';
COMMENT ON COLUMN credit_ledger.description IS 'Transaction description';
COMMENT ON COLUMN credit_ledger.priority IS 'Consumption priority';
COMMENT ON COLUMN credit_ledger.expires_at IS 'Expiration date';
COMMENT ON COLUMN credit_ledger.created_at IS 'When the grant was recorded';
COMMENT ON COLUMN credit_ledger.org_id IS 'FK → org.id (org credits)';


CREATE TABLE subscription (
    stripe_subscription_id  text                NOT NULL,
    stripe_customer_id      text                NOT NULL,
    user_id                 text,
    stripe_price_id         text                NOT NULL,
    tier                    integer,
    scheduled_tier          integer,
    status                  subscription_status NOT NULL DEFAULT 'active',
    billing_period_start    timestamptz         NOT NULL,
    billing_period_end      timestamptz         NOT NULL,
    cancel_at_period_end    boolean             NOT NULL DEFAULT false,
    canceled_at             timestamptz,
    created_at              timestamptz         NOT NULL DEFAULT now(),
    updated_at              timestamptz         NOT NULL DEFAULT now(),
    CONSTRAINT subscription_pkey PRIMARY KEY (stripe_subscription_id),
    CONSTRAINT subscription_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE SET NULL
);

CREATE INDEX idx_subscription_status ON subscription (status) WHERE status = 'active';
CREATE INDEX idx_subscription_customer ON subscription (stripe_customer_id);
CREATE INDEX idx_subscription_user ON subscription (user_id);

COMMENT ON TABLE subscription IS 'Stripe subscription tracking.';
COMMENT ON COLUMN subscription.stripe_subscription_id IS 'Primary key';
COMMENT ON COLUMN subscription.stripe_customer_id IS 'Stripe customer the subscription belongs to';
COMMENT ON COLUMN subscription.user_id IS 'FK → user.id';
COMMENT ON COLUMN subscription.stripe_price_id IS 'Stripe price being billed';
COMMENT ON COLUMN subscription.tier IS 'Subscription tier';
COMMENT ON COLUMN subscription.scheduled_tier IS 'Tier that takes effect at the next renewal, if a change is scheduled';
COMMENT ON COLUMN subscription.status IS 'Subscription state';
COMMENT ON COLUMN subscription.billing_period_start IS 'Start of the current billing period';
COMMENT ON COLUMN subscription.billing_period_end IS 'End of the current billing period';
COMMENT ON COLUMN subscription.cancel_at_period_end IS 'Cancellation flag';
COMMENT ON COLUMN subscription.canceled_at IS 'When the subscription was canceled';
COMMENT ON COLUMN subscription.created_at IS 'When the row was created';
COMMENT ON COLUMN subscription.updated_at IS 'When the row was last synced from Stripe';


CREATE TABLE referral (
    referrer_id   text            NOT NULL,
    referred_id   text            NOT NULL,
    status        referral_status NOT NULL DEFAULT 'pending',
    credits       integer         NOT NULL,
    is_legacy     boolean         NOT NULL DEFAULT false,
    created_at    timestamptz     NOT NULL DEFAULT now(),
    completed_at  timestamptz,
    CONSTRAINT referral_pkey PRIMARY KEY (referrer_id, referred_id),
    CONSTRAINT referral_referrer_id_fkey FOREIGN KEY (referrer_id) REFERENCES "user" (id) ON DELETE CASCADE,
    CONSTRAINT referral_referred_id_fkey FOREIGN KEY (referred_id) REFERENCES "user" (id) ON DELETE CASCADE,
    CONSTRAINT referral_not_self_check CHECK (referrer_id <> referred_id)
);

CREATE INDEX referral_referred_id_idx ON referral (referred_id);

COMMENT ON TABLE referral IS 'Referral tracking with status progression (pending → completed).';
COMMENT ON COLUMN referral.referrer_id IS 'FK → user.id (the user who referred)';
COMMENT ON COLUMN referral.referred_id IS 'FK → user.id (the user who was referred)';
COMMENT ON COLUMN referral.status IS 'Referral state: pending or completed';
COMMENT ON COLUMN referral.credits IS 'Credits granted to each side when the referral completes';
COMMENT ON COLUMN referral.is_legacy IS 'Referral made under the old one-time bonus programme';
COMMENT ON COLUMN referral.created_at IS 'When the referral was recorded';
COMMENT ON COLUMN referral.completed_at IS 'When the referral completed';


CREATE TABLE ad_impression (
    id                   text          NOT NULL DEFAULT gen_random_uuid()::text,
    user_id              text          NOT NULL,
    ad_text              text          NOT NULL,
    title                text          NOT NULL,
    url                  text          NOT NULL,
    favicon              text          NOT NULL,
    click_url            text          NOT NULL,
    imp_url              text          NOT NULL,
    payout               numeric(10,6) NOT NULL,
    credits_granted      integer       NOT NULL,
    grant_operation_id   text,
    served_at            timestamptz   NOT NULL DEFAULT now(),
    impression_fired_at  timestamptz,
    clicked_at           timestamptz,
    CONSTRAINT ad_impression_pkey PRIMARY KEY (id),
    CONSTRAINT ad_impression_imp_url_key UNIQUE (imp_url),
    CONSTRAINT ad_impression_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);

CREATE INDEX idx_ad_impression_user ON ad_impression (user_id, served_at);

COMMENT ON TABLE ad_impression IS 'Ad impression and click tracking with credit grants.';
COMMENT ON COLUMN ad_impression.id IS 'Primary key';
COMMENT ON COLUMN ad_impression.user_id IS 'FK → user.id (viewer)';
COMMENT ON COLUMN ad_impression.ad_text IS 'Ad copy shown to the user';
COMMENT ON COLUMN ad_impression.title IS 'Ad title';
COMMENT ON COLUMN ad_impression.url IS 'Advertised URL';
COMMENT ON COLUMN ad_impression.favicon IS 'Favicon URL of the advertiser';
COMMENT ON COLUMN ad_impression.click_url IS 'Tracking URL opened on click';
COMMENT ON COLUMN ad_impression.imp_url IS 'Impression pixel URL (unique per impression)';
COMMENT ON COLUMN ad_impression.payout IS 'Dollar payout reported by the ad network';
COMMENT ON COLUMN ad_impression.credits_granted IS 'Credits granted to the user for this impression';
COMMENT ON COLUMN ad_impression.grant_operation_id IS 'credit_ledger.operation_id of the grant, if any';
COMMENT ON COLUMN ad_impression.served_at IS 'When the ad was served';
COMMENT ON COLUMN ad_impression.impression_fired_at IS 'When the impression pixel was fired';
COMMENT ON COLUMN ad_impression.clicked_at IS 'When the user clicked the ad';


CREATE TABLE limit_override (
    user_id               text        NOT NULL,
    credits_per_block     integer     NOT NULL,
    block_duration_hours  integer     NOT NULL,
    weekly_credit_limit   integer     NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT limit_override_pkey PRIMARY KEY (user_id),
    CONSTRAINT limit_override_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);

COMMENT ON TABLE limit_override IS 'Per-user rate limit overrides.';
COMMENT ON COLUMN limit_override.user_id IS 'Primary key, FK → user.id';
COMMENT ON COLUMN limit_override.credits_per_block IS 'Credits the user may spend per block';
COMMENT ON COLUMN limit_override.block_duration_hours IS 'Length of a rate-limit block in hours';
COMMENT ON COLUMN limit_override.weekly_credit_limit IS 'Credits the user may spend per week';
COMMENT ON COLUMN limit_override.created_at IS 'When the override was created';
COMMENT ON COLUMN limit_override.updated_at IS 'When the override was last changed';


CREATE TABLE message (
    id                           text            NOT NULL,
    finished_at                  timestamptz     NOT NULL,
    client_id                    text,
    client_request_id            text,
    model                        text            NOT NULL,
    agent_id                     text,
    request                      jsonb,
    last_message                 jsonb,
    reasoning_text               text,
    response                     jsonb           NOT NULL,
    input_tokens                 integer         NOT NULL DEFAULT 0,
    cache_creation_input_tokens  integer,
    cache_read_input_tokens      integer         NOT NULL DEFAULT 0,
    reasoning_tokens             integer,
    output_tokens                integer         NOT NULL,
    cost                         numeric(100,20) NOT NULL,
    credits                      integer         NOT NULL,
    byok                         boolean         NOT NULL DEFAULT false,
    latency_ms                   integer,
    user_id                      text,
    org_id                       text,
    repo_url                     text,
    CONSTRAINT message_pkey PRIMARY KEY (id),
    CONSTRAINT message_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);

CREATE INDEX message_finished_at_user_id_idx ON message (finished_at, user_id);
CREATE INDEX message_user_id_idx ON message (user_id);
CREATE INDEX message_org_id_idx ON message (org_id);
CREATE INDEX message_org_id_finished_at_idx ON message (org_id, finished_at);

COMMENT ON TABLE message IS 'Logs every LLM API call with token tracking.';
COMMENT ON COLUMN message.id IS 'Primary key';
COMMENT ON COLUMN message.finished_at IS 'When the LLM call finished';
COMMENT ON COLUMN message.client_id IS 'Client (CLI or editor instance) that made the call';
COMMENT ON COLUMN message.client_request_id IS 'Request id assigned by the client';
COMMENT ON COLUMN message.model IS 'LLM model used';
COMMENT ON COLUMN message.agent_id IS 'Agent that made the call (publisher/agent@version)';
COMMENT ON COLUMN message.request IS 'Full request payload';
COMMENT ON COLUMN message.last_message IS 'Last message of the request, kept when the payload is pruned';
COMMENT ON COLUMN message.reasoning_text IS 'Reasoning text returned by the model';
COMMENT ON COLUMN message.response IS 'Full response';
COMMENT ON COLUMN message.input_tokens IS 'Input token count';
COMMENT ON COLUMN message.cache_creation_input_tokens IS 'Input tokens written to the prompt cache';
COMMENT ON COLUMN message.cache_read_input_tokens IS 'Input tokens read from the prompt cache';
COMMENT ON COLUMN message.reasoning_tokens IS 'Reasoning token count';
COMMENT ON COLUMN message.output_tokens IS 'Output token count';
COMMENT ON COLUMN message.cost IS 'Dollar cost';
COMMENT ON COLUMN message.credits IS 'Credits consumed';
COMMENT ON COLUMN message.byok IS 'Bring-your-own-key flag';
COMMENT ON COLUMN message.latency_ms IS 'Time to the last token, in milliseconds';
COMMENT ON COLUMN message.user_id IS 'FK → user.id';
COMMENT ON COLUMN message.org_id IS 'FK → org.id (org that was billed)';
COMMENT ON COLUMN message.repo_url IS 'Repository the call was made from';
