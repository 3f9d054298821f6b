-- New users get their first reset one month after sign-up.
ALTER TABLE "user" ALTER COLUMN next_quota_reset SET DEFAULT now() + interval '1 month';
