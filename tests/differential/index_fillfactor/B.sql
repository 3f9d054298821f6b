CREATE TABLE t (id integer PRIMARY KEY, v text);
CREATE INDEX t_v_idx ON t (v);
