-- COMMENT ON INDEX t_pkey vs no comment
CREATE TABLE t (id integer PRIMARY KEY, v text);
COMMENT ON INDEX t_pkey IS 'the key';
