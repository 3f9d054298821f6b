CREATE TABLE t (a integer, b integer, c text);
CREATE STATISTICS t_expr ON (a - b), lower(c) FROM t;
