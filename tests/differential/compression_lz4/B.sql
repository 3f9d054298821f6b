CREATE TABLE t (id integer PRIMARY KEY, body text);
