-- strata:no-transaction
CREATE INDEX CONCURRENTLY message_org_id_finished_at_idx ON message (org_id, finished_at);
