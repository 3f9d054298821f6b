SET client_min_messages = error;
CREATE TABLE t (a integer PRIMARY KEY, b integer);
ALTER TABLE t RENAME COLUMN b TO c;
ALTER TABLE t ADD COLUMN b integer;
CREATE PUBLICATION p FOR TABLE t WHERE (b > 1);
