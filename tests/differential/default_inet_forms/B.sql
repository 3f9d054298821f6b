CREATE TABLE t (id integer PRIMARY KEY, addr inet DEFAULT '10.0.0.1');
