-- a rule ON DELETE vs the same rule ON UPDATE
CREATE TABLE t (a integer, b text);
CREATE TABLE log (x integer, y text);
CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING;
