-- Only non-expiring grants are looked up by balance; expiring ones are scanned by expires_at.
-- Priority is part of the key so the consumption order can be read from the index.
DROP INDEX idx_credit_ledger_active_balance;
CREATE INDEX idx_credit_ledger_active_balance ON credit_ledger (user_id, balance, expires_at, priority)
    WHERE balance <> 0 AND expires_at IS NULL;
