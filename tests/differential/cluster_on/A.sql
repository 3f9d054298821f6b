-- ALTER TABLE CLUSTER ON an index vs none
CREATE TABLE t (id integer PRIMARY KEY, v text);
CREATE INDEX t_v_idx ON t (v);
ALTER TABLE t CLUSTER ON t_v_idx;
