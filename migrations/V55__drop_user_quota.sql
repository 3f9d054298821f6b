-- Balances live in credit_ledger since V6; nothing reads user.quota any more.
ALTER TABLE "user" DROP COLUMN quota;
