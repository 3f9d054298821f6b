ALTER TABLE "user" ADD COLUMN auto_topup_enabled boolean NOT NULL DEFAULT false;
ALTER TABLE "user" ADD COLUMN auto_topup_threshold integer;
ALTER TABLE "user" ADD COLUMN auto_topup_target_balance integer;
