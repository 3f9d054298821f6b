CREATE TABLE t (a integer, b integer, c text);
CREATE STATISTICS t_ab ON a, b FROM t;
