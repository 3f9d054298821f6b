-- a publication of t WHERE (a > 1) vs WHERE (a > 2)
SET client_min_messages = error;
CREATE TABLE t (a integer PRIMARY KEY, b text, c boolean);
CREATE TABLE u (x integer);
CREATE PUBLICATION p FOR TABLE t WHERE (a > 1);
