CREATE TABLE t (a integer, b text);
CREATE TABLE log (x integer, y text);
CREATE RULE r AS ON UPDATE TO t DO INSTEAD NOTHING;
