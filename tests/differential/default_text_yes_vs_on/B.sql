CREATE TABLE t (id integer PRIMARY KEY, flag text DEFAULT 'on');
