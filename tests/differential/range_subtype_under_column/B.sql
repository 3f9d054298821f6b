CREATE TYPE span AS RANGE (subtype = bigint);
CREATE TABLE t (id integer PRIMARY KEY, s span);
