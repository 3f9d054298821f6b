-- Keep the enum in Stripe's order.
ALTER TYPE subscription_status ADD VALUE 'trialing' AFTER 'incomplete';
ALTER TYPE subscription_status ADD VALUE 'paused';
