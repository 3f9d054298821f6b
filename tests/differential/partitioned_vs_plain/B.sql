CREATE TABLE t (id integer, at date);
