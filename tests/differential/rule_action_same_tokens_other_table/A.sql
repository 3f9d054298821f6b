-- a rule's action with the same tokens over log in another schema (search_path)
CREATE SCHEMA other;
CREATE TABLE t (a integer, b text);
CREATE TABLE log (x integer, y text);
CREATE TABLE other.log (x integer, y text);
CREATE RULE r AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (new.a, new.b);
