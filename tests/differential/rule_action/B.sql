CREATE TABLE t (a integer, b text);
CREATE TABLE log (x integer, y text);
CREATE RULE r AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (new.a + 1, new.b);
