CREATE FUNCTION before(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $1 < $2 $$;
CREATE OPERATOR public.<<< (FUNCTION = before, LEFTARG = text, RIGHTARG = text, RESTRICT = eqsel);
COMMENT ON OPERATOR <<< (text, text) IS 'sorts before';
