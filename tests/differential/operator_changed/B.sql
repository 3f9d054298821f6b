CREATE FUNCTION same(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $1 = $2 $$;
CREATE FUNCTION differ(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $1 <> $2 $$;
CREATE OPERATOR <=> (FUNCTION = same, LEFTARG = integer, RIGHTARG = integer, COMMUTATOR = <=>);
CREATE OPERATOR <!> (FUNCTION = differ, LEFTARG = integer, RIGHTARG = integer, COMMUTATOR = <!>);
CREATE TABLE t (id integer PRIMARY KEY);
