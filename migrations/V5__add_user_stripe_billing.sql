-- First paid plan: users become Stripe customers and get a monthly credit quota.
ALTER TABLE "user" ADD COLUMN stripe_customer_id text;
ALTER TABLE "user" ADD COLUMN stripe_price_id text;
ALTER TABLE "user" ADD COLUMN quota integer NOT NULL DEFAULT 1000;
ALTER TABLE "user" ADD COLUMN next_quota_reset timestamptz;

ALTER TABLE "user" ADD CONSTRAINT user_stripe_customer_id_key UNIQUE (stripe_customer_id);
