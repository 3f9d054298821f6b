CREATE TABLE t (id integer PRIMARY KEY, b bytea DEFAULT 'hi');
