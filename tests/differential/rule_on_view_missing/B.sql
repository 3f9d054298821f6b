CREATE TABLE t (a integer, b text);
CREATE TABLE log (x integer, y text);
CREATE VIEW v AS SELECT a, b FROM t;
