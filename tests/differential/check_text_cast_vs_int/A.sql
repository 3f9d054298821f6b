-- CHECK (code::text < '5') (text comparison) vs CHECK (code < 5) (integer comparison)
CREATE TABLE t (id integer PRIMARY KEY, code integer, CONSTRAINT t_code_check CHECK (code::text < '5'));
