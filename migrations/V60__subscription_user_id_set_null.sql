-- Deleting a user must not delete the Stripe subscription record (needed for accounting).
ALTER TABLE subscription ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE subscription DROP CONSTRAINT subscription_user_id_fkey;
ALTER TABLE subscription
    ADD CONSTRAINT subscription_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE SET NULL;

-- Stripe always creates the subscription as active for card payments.
ALTER TABLE subscription ALTER COLUMN status SET DEFAULT 'active';
