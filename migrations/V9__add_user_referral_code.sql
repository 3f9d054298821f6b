ALTER TABLE "user" ADD COLUMN referral_code text DEFAULT 'ref-' || gen_random_uuid();
ALTER TABLE "user" ADD COLUMN referral_limit integer NOT NULL DEFAULT 10;

ALTER TABLE "user" ADD CONSTRAINT user_referral_code_key UNIQUE (referral_code);
