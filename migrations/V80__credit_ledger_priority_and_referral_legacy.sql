-- Every grant must state its priority explicitly; a silent 0 put new grants before everything else.
ALTER TABLE credit_ledger ALTER COLUMN priority DROP DEFAULT;

-- The referral programme changed; keep the old referrals apart.
ALTER TABLE referral ADD COLUMN is_legacy boolean NOT NULL DEFAULT false;
UPDATE referral SET is_legacy = true WHERE created_at < now();

CREATE INDEX referral_referred_id_idx ON referral (referred_id);
