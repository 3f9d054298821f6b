-- CREATE STATISTICS (ndistinct) vs every kind (none written)
CREATE TABLE t (a integer, b integer, c text);
CREATE STATISTICS t_ab (ndistinct) ON a, b FROM t;
