-- a row filter over a column renamed in history vs the same tokens over the column of that name
SET client_min_messages = error;
CREATE TABLE t (a integer PRIMARY KEY, b integer);
CREATE PUBLICATION p FOR TABLE t WHERE (b > 1);
ALTER TABLE t RENAME COLUMN b TO c;
ALTER TABLE t ADD COLUMN b integer;
