-- a row filter written two ways the server stores alike: equal
SET client_min_messages = error;
CREATE TABLE t (a integer PRIMARY KEY, b text, c boolean);
CREATE TABLE u (x integer);
CREATE PUBLICATION p FOR TABLE t WHERE (c AND a > 1);
