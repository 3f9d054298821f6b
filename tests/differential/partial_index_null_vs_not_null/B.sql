CREATE TABLE t (id integer PRIMARY KEY, email text, deleted_at timestamptz);
CREATE INDEX t_email_live ON t (email) WHERE deleted_at IS NOT NULL;
