-- Org subscriptions and automatic top-ups, mirroring the per-user ones.
ALTER TABLE org ADD COLUMN stripe_subscription_id text;
ALTER TABLE org ADD COLUMN current_period_start timestamptz;
ALTER TABLE org ADD COLUMN current_period_end timestamptz;
ALTER TABLE org ADD COLUMN auto_topup_enabled boolean NOT NULL DEFAULT false;
ALTER TABLE org ADD COLUMN auto_topup_threshold integer;
ALTER TABLE org ADD COLUMN auto_topup_amount integer;
