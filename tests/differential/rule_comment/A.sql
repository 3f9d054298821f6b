-- a commented rule vs the same rule without comment
CREATE TABLE t (a integer, b text);
CREATE TABLE log (x integer, y text);
CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING;
COMMENT ON RULE r ON t IS 'keep rows';
