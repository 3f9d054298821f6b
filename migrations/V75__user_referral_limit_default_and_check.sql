ALTER TABLE "user" ALTER COLUMN referral_limit SET DEFAULT 5;
ALTER TABLE "user" ADD CONSTRAINT user_referral_limit_check CHECK (referral_limit >= 0);
