-- a range type over integer vs bigint, used by a column on both sides
CREATE TYPE span AS RANGE (subtype = integer);
CREATE TABLE t (id integer PRIMARY KEY, s span);
