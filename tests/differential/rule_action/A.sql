-- a rule inserting into log new.a vs new.a + 1
CREATE TABLE t (a integer, b text);
CREATE TABLE log (x integer, y text);
CREATE RULE r AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (new.a, new.b);
