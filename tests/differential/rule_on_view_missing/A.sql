-- a rule on a view vs the view alone
CREATE TABLE t (a integer, b text);
CREATE TABLE log (x integer, y text);
CREATE VIEW v AS SELECT a, b FROM t;
CREATE RULE v_ins AS ON INSERT TO v DO INSTEAD INSERT INTO t VALUES (new.a, new.b);
