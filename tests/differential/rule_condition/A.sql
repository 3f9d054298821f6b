-- a rule whose WHERE reads new.a > 0 vs new.a > 1
CREATE TABLE t (a integer, b text);
CREATE TABLE log (x integer, y text);
CREATE RULE r AS ON INSERT TO t WHERE new.a > 0 DO INSTEAD NOTHING;
