CREATE SCHEMA other;
CREATE TABLE t (a integer, b text);
CREATE TABLE log (x integer, y text);
CREATE TABLE other.log (x integer, y text);
SET search_path = other, public;
CREATE RULE r AS ON INSERT TO public.t DO ALSO INSERT INTO log VALUES (new.a, new.b);
