CREATE TABLE t (id integer PRIMARY KEY, code integer, CONSTRAINT t_code_check CHECK (code < 5));
