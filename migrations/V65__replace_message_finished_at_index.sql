-- Usage history is always "this user, this period".
DROP INDEX message_finished_at_idx;
CREATE INDEX message_finished_at_user_id_idx ON message (finished_at, user_id);
