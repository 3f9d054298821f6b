-- Stripe subscriptions, synced from webhooks.
CREATE TYPE subscription_status AS ENUM ('incomplete', 'active', 'past_due', 'canceled', 'unpaid');

CREATE TABLE subscription (
    stripe_subscription_id  text                NOT NULL,
    stripe_customer_id      text                NOT NULL,
    user_id                 text                NOT NULL,
    stripe_price_id         text                NOT NULL,
    status                  subscription_status NOT NULL,
    billing_period_start    timestamptz         NOT NULL,
    billing_period_end      timestamptz         NOT NULL,
    cancel_at_period_end    boolean             NOT NULL DEFAULT false,
    canceled_at             timestamptz,
    created_at              timestamptz         NOT NULL DEFAULT now(),
    updated_at              timestamptz         NOT NULL DEFAULT now(),
    CONSTRAINT subscription_pkey PRIMARY KEY (stripe_subscription_id),
    CONSTRAINT subscription_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);

COMMENT ON TABLE subscription IS 'Stripe subscription tracking.';
