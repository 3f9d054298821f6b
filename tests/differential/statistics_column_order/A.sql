-- CREATE STATISTICS ON b, a vs ON a, b (the server sorts the columns by attribute number)
CREATE TABLE t (a integer, b integer, c text);
CREATE STATISTICS t_ab ON b, a FROM t;
