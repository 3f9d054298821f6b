CREATE TABLE t (id integer PRIMARY KEY, span text DEFAULT '7 days');
