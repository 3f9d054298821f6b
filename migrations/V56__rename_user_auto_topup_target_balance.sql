-- Top-ups now buy a fixed amount instead of filling up to a target balance.
ALTER TABLE "user" RENAME COLUMN auto_topup_target_balance TO auto_topup_amount;
