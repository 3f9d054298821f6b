-- Subscribers may choose to keep working on purchased credits once the subscription allowance is used up.
ALTER TABLE "user" ADD COLUMN fallback_to_a_la_carte boolean NOT NULL DEFAULT false;
