-- a rule DISABLEd vs the same rule enabled
CREATE TABLE t (a integer, b text);
CREATE TABLE log (x integer, y text);
CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING;
ALTER TABLE t DISABLE RULE r;
