DROP INDEX idx_subscription_status;
CREATE INDEX idx_subscription_status ON subscription (status) WHERE status = 'active';
