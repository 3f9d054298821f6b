-- Organizations hold their own credit grants.
ALTER TABLE credit_ledger ADD COLUMN org_id text;
ALTER TABLE credit_ledger
    ADD CONSTRAINT credit_ledger_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id) ON DELETE CASCADE;

CREATE INDEX idx_credit_ledger_org ON credit_ledger (org_id);
