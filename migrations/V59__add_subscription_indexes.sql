CREATE INDEX idx_subscription_status ON subscription (status);
CREATE INDEX idx_subscription_customer ON subscription (stripe_customer_id);
CREATE INDEX idx_subscription_user ON subscription (user_id);
