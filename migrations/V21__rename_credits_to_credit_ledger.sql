-- "credits" was ambiguous (message.credits, referral.credits): the table is a ledger.
ALTER TABLE credits RENAME TO credit_ledger;

ALTER TABLE credit_ledger RENAME CONSTRAINT credits_pkey TO credit_ledger_pkey;
ALTER TABLE credit_ledger RENAME CONSTRAINT credits_user_id_fkey TO credit_ledger_user_id_fkey;

ALTER INDEX idx_credits_active_balance RENAME TO idx_credit_ledger_active_balance;
ALTER INDEX idx_credits_user_created RENAME TO idx_credit_ledger_user_created;
