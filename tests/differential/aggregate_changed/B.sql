CREATE FUNCTION add2(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT $1 + $2 $$;
CREATE FUNCTION shown(integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT $1::text $$;
CREATE AGGREGATE total(integer) (SFUNC = add2, STYPE = integer, INITCOND = '1', FINALFUNC = shown);
COMMENT ON AGGREGATE total(integer) IS 'a sum';
CREATE TABLE t (id integer PRIMARY KEY);
