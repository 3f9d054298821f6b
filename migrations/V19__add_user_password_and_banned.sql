-- Email + password login next to OAuth, and a way to ban abusive accounts.
ALTER TABLE "user" ADD COLUMN password text;
ALTER TABLE "user" ADD COLUMN banned boolean NOT NULL DEFAULT false;
