-- a rule reading a column renamed in history vs the same tokens over the column of that name
CREATE TABLE t (a integer, b text);
CREATE TABLE log (x integer, y text);
ALTER TABLE t RENAME COLUMN a TO c;
ALTER TABLE t ADD COLUMN a integer;
CREATE RULE r AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (new.a, new.b);
