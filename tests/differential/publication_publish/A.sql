-- publish = 'insert' vs the default
SET client_min_messages = error;
CREATE TABLE t (a integer PRIMARY KEY, b text, c boolean);
CREATE TABLE u (x integer);
CREATE PUBLICATION p FOR TABLE t WITH (publish = 'insert');
