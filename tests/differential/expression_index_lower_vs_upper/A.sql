-- expression index on lower(email) vs upper(email), same name
CREATE TABLE t (id integer PRIMARY KEY, email text);
CREATE INDEX t_email_idx ON t (lower(email));
