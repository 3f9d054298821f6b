CREATE TABLE t (a integer, b text);
CREATE TABLE log (x integer, y text);
CREATE RULE r AS ON INSERT TO t WHERE new.a > 1 DO INSTEAD NOTHING;
